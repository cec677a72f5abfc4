//! Test images made on the spot: a real PNG and JPEG, a PNG claiming huge dimensions, text named `.jpg`.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};

fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 90]))
}

/// A small real PNG.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture(width, height).write_to(&mut out, ImageFormat::Png).expect("PNG encodes");
    out.into_inner()
}

/// A small real JPEG.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture(width, height).write_to(&mut out, ImageFormat::Jpeg).expect("JPEG encodes");
    out.into_inner()
}

/// A PNG whose header claims 100,000 × 100,000 pixels (a decompression bomb), with a valid CRC.
pub fn png_bomb() -> Vec<u8> {
    let mut bytes = png(8, 8);
    // IHDR data starts at byte 16: width (4 bytes), height (4 bytes); its CRC follows the 13 data bytes.
    bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
