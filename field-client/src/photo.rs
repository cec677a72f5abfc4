//! Photo shrinking before upload: decode under limits, turn upright, fit the long side into 1600 px and
//! re-encode as JPEG, which also drops every metadata block (EXIF with GPS, XMP, maker notes).

use std::io::Cursor;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::error::{ClientError, Result};

/// The long side of an uploaded photo, at most.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality of the re-encoded photo: a nameplate stays legible.
const QUALITY: u8 = 82;
/// Largest photo accepted as input (a 100-megapixel camera is 12,000 px wide).
const MAX_INPUT_SIDE: u32 = 16_000;
/// Largest decoding allocation.
const MAX_ALLOC: u64 = 1 << 30;

/// A photo ready for upload.
#[derive(Debug, Clone)]
pub struct ShrunkPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub original_bytes: u64,
    pub original_width: u32,
    pub original_height: u32,
}

impl ShrunkPhoto {
    /// "4000×3000 → 1600×1200, 4.1 MB → 312 kB (saved 3.8 MB)"
    pub fn summary(&self) -> String {
        let after = self.jpeg.len() as u64;
        let change = if after <= self.original_bytes {
            format!("saved {}", human_bytes(self.original_bytes - after))
        } else {
            format!("{} more, to strip its metadata", human_bytes(after - self.original_bytes))
        };
        format!(
            "{}×{} → {}×{}, {} → {} ({change})",
            self.original_width,
            self.original_height,
            self.width,
            self.height,
            human_bytes(self.original_bytes),
            human_bytes(after)
        )
    }
}

/// Reads and shrinks the photo at `path`.
pub fn shrink_file(path: &Path) -> Result<ShrunkPhoto> {
    let bytes = std::fs::read(path).map_err(|e| ClientError::io(path, e))?;
    shrink(&bytes).map_err(|reason| ClientError::Photo { path: path.to_path_buf(), reason })
}

/// Shrinks an encoded photo (JPEG, PNG or WebP).
pub fn shrink(bytes: &[u8]) -> Result<ShrunkPhoto, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    if reader.format().is_none() {
        return Err("not a JPEG, PNG or WebP picture".into());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    let (original_width, original_height) = (picture.width(), picture.height());
    picture.apply_orientation(orientation);
    if picture.width().max(picture.height()) > MAX_SIDE {
        picture = picture.resize(MAX_SIDE, MAX_SIDE, FilterType::Triangle);
    }
    let rgb = picture.to_rgb8();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode_image(&rgb).map_err(|e| e.to_string())?;
    Ok(ShrunkPhoto {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
        original_bytes: bytes.len() as u64,
        original_width,
        original_height,
    })
}

/// 1234567 → "1.2 MB".
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 7]));
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 95).encode_image(&picture).unwrap();
        // An APP1 "Exif" segment right after SOI, holding a marker string a GPS block would.
        let payload = b"Exif\0\0MM\0*\0\0\0\x08GPS-52.5200N-13.4050E";
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_big_photo_fits_1600_and_loses_its_metadata() {
        let input = jpeg_with_exif(3200, 2400);
        let shrunk = shrink(&input).unwrap();
        assert_eq!((shrunk.width, shrunk.height), (1600, 1200));
        assert!(!shrunk.jpeg.windows(4).any(|w| w == b"Exif"), "EXIF survived");
        assert!(!shrunk.jpeg.windows(3).any(|w| w == b"GPS"));
        assert!(shrunk.summary().contains("3200×2400 → 1600×1200"), "{}", shrunk.summary());
        let decoded = image::load_from_memory(&shrunk.jpeg).unwrap();
        assert_eq!(decoded.width(), 1600);
    }

    #[test]
    fn a_small_photo_keeps_its_size_and_text_is_refused() {
        let shrunk = shrink(&jpeg_with_exif(640, 480)).unwrap();
        assert_eq!((shrunk.width, shrunk.height), (640, 480));
        assert!(shrink(b"not a picture at all").is_err());
    }
}
