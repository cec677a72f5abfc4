//! Tests of upload cleaning on real images made here, with metadata and bad headers spliced in by hand.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, GenericImageView, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

use super::{CleanImage, Limits, MediaError, clean_upload, sniff};

// ---------------------------------------------------------------- making test images

/// A photo-like picture: gradients plus a little texture, so encoders have real work to do.
fn photo(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let r = (x * 255 / width.max(1)) as u8;
        let g = (y * 255 / height.max(1)) as u8;
        let b = ((x * 7 + y * 13) % 64 + 96) as u8;
        Rgb([r, g, b])
    })
}

fn jpeg_of(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)).unwrap();
    out
}

fn png_of(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
    out
}

fn webp_of(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_with_encoder(WebPEncoder::new_lossless(&mut out)).unwrap();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

// ---------------------------------------------------------------- PNG surgery

/// CRC-32 (IEEE, reflected, as PNG uses it), bit by bit: slow and obviously right.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn crc32_matches_the_published_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    // The IEND chunk every PNG ends with.
    assert_eq!(crc32(b"IEND"), 0xAE42_6082);
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = Vec::new();
    chunk.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut covered = kind.to_vec();
    covered.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&covered).to_be_bytes());
    chunk
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// The chunk types of a PNG, in order.
fn png_chunk_types(png: &[u8]) -> Vec<String> {
    assert!(png.starts_with(&PNG_SIGNATURE));
    let mut types = Vec::new();
    let mut pos = 8;
    while pos + 8 <= png.len() {
        let length = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
        types.push(String::from_utf8_lossy(&png[pos + 4..pos + 8]).into_owned());
        pos += 12 + length;
    }
    types
}

/// Inserts chunks right after IHDR (signature 8 bytes + IHDR 25 bytes).
fn with_png_chunks_after_ihdr(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = png[..33].to_vec();
    for chunk in chunks {
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&png[33..]);
    out
}

/// A PNG that is only a header claiming `width × height` RGB pixels, one tiny IDAT and IEND.
fn png_header_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, adaptive filter, no interlace
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    // A zlib stream holding a few zero bytes: far too little data for the claimed size.
    png.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

// ---------------------------------------------------------------- JPEG surgery

fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut segment = vec![0xFF, marker];
    segment.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    segment.extend_from_slice(payload);
    segment
}

/// Inserts segments right after SOI, where cameras put APP1.
fn with_jpeg_segments_after_soi(jpeg: &[u8], segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for segment in segments {
        out.extend_from_slice(segment);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The latitude 48° 51′ 29.59″ as three big-endian TIFF rationals: the bytes that would give
/// the officer's position away.
fn gps_latitude_rationals() -> Vec<u8> {
    [(48u32, 1u32), (51, 1), (2959, 100)]
        .iter()
        .flat_map(|&(n, d)| n.to_be_bytes().into_iter().chain(d.to_be_bytes()))
        .collect()
}

/// An EXIF APP1 payload as a camera writes it: IFD0 with Orientation and a GPS IFD pointer,
/// and a GPS IFD with latitude and longitude.
fn exif_app1_with_gps(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_be_bytes());
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    let ifd0_at = 8u32;
    let gps_ifd_at = ifd0_at + 2 + 2 * 12 + 4;
    let gps_data_at = gps_ifd_at + 2 + 4 * 12 + 4;

    let mut tiff = b"MM\0\x2A".to_vec();
    tiff.extend_from_slice(&ifd0_at.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    let [o1, o2] = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [o1, o2, 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, gps_ifd_at);

    tiff.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, gps_data_at.to_be_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, (gps_data_at + 24).to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, gps_data_at);
    tiff.extend(gps_latitude_rationals());
    for (n, d) in [(2u32, 1u32), (17, 1), (4015, 100)] {
        tiff.extend_from_slice(&n.to_be_bytes());
        tiff.extend_from_slice(&d.to_be_bytes());
    }

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    payload
}

/// The segment markers of a JPEG before its first scan.
fn jpeg_header_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let length = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        pos += 2 + length;
    }
    markers
}

/// Rewrites the dimensions in a baseline JPEG's SOF0 segment.
fn with_jpeg_dimensions(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let mut pos = 2;
    loop {
        let marker = out[pos + 1];
        let length = u16::from_be_bytes([out[pos + 2], out[pos + 3]]) as usize;
        if marker == 0xC0 {
            out[pos + 5..pos + 7].copy_from_slice(&height.to_be_bytes());
            out[pos + 7..pos + 9].copy_from_slice(&width.to_be_bytes());
            return out;
        }
        pos += 2 + length;
    }
}

// ---------------------------------------------------------------- checks

#[track_caller]
fn check_clean(bytes: &[u8], expected_type: &str, width: u32, height: u32) -> CleanImage {
    let clean = match clean_upload(bytes, &Limits::default()) {
        Ok(clean) => clean,
        Err(err) => panic!("expected the upload to be accepted, got {err:?}"),
    };
    assert_eq!(clean.content_type, expected_type);
    assert_eq!(sniff(&clean.bytes), Some(expected_type), "content_type must describe the bytes");
    assert_eq!((clean.width, clean.height), (width, height));
    assert_eq!(decode(&clean.bytes).dimensions(), (width, height));
    assert_eq!(sniff(&clean.thumbnail), Some("image/jpeg"));
    clean
}

#[track_caller]
fn check_refused(bytes: &[u8], limits: &Limits, code: &str, status: u16) -> MediaError {
    match clean_upload(bytes, limits) {
        Ok(clean) => panic!("expected {code}, the upload was accepted: {clean:?}"),
        Err(err) => {
            assert_eq!((err.code(), err.status()), (code, status), "{err:?}");
            err
        }
    }
}

// ---------------------------------------------------------------- accepted uploads

#[test]
fn a_jpeg_stays_a_jpeg_of_the_same_size() {
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(photo(640, 480)));
    check_clean(&jpeg, "image/jpeg", 640, 480);
}

#[test]
fn a_png_stays_a_png_and_keeps_alpha_and_depth() {
    let rgba = RgbaImage::from_fn(200, 100, |x, _| Rgba([200, 30, 30, if x < 100 { 0 } else { 255 }]));
    let clean = check_clean(&png_of(&DynamicImage::ImageRgba8(rgba)), "image/png", 200, 100);
    assert_eq!(decode(&clean.bytes).color(), image::ColorType::Rgba8);
    // The thumbnail shows the transparent half on white, not black.
    let thumb = decode(&clean.thumbnail).to_rgb8();
    let Rgb([r, g, b]) = *thumb.get_pixel(10, 50);
    assert!(r > 240 && g > 240 && b > 240, "transparent area should be white, is {r},{g},{b}");

    let deep = DynamicImage::ImageRgb16(DynamicImage::ImageRgb8(photo(50, 40)).to_rgb16());
    let clean = check_clean(&png_of(&deep), "image/png", 50, 40);
    assert_eq!(decode(&clean.bytes).color(), image::ColorType::Rgb16);
}

#[test]
fn a_webp_stays_a_lossless_webp() {
    let webp = webp_of(&DynamicImage::ImageRgb8(photo(300, 200)));
    assert_eq!(sniff(&webp), Some("image/webp"));
    let clean = check_clean(&webp, "image/webp", 300, 200);
    // Lossless all the way: the pixels are the ones uploaded.
    assert_eq!(decode(&clean.bytes).to_rgb8(), photo(300, 200));
}

#[test]
fn exif_with_gps_is_stripped_from_a_jpeg() {
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(photo(320, 240)));
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>48,51.49N</exif:GPSLatitude></x:xmpmeta>";
    let tagged = with_jpeg_segments_after_soi(
        &jpeg,
        &[
            jpeg_segment(0xE1, &exif_app1_with_gps(1)),
            jpeg_segment(0xE1, xmp),
            jpeg_segment(0xE2, b"ICC_PROFILE\0\x01\x01 not really a profile"),
            jpeg_segment(0xFE, b"Seized at crossing 7 by officer 4711"),
        ],
    );
    assert!(contains(&tagged, b"Exif\0\0") && contains(&tagged, &gps_latitude_rationals()));

    let clean = check_clean(&tagged, "image/jpeg", 320, 240);
    assert!(!contains(&clean.bytes, b"Exif"), "an Exif marker survived");
    assert!(!contains(&clean.bytes, &gps_latitude_rationals()), "GPS data survived");
    assert!(!contains(&clean.bytes, b"xmpmeta") && !contains(&clean.bytes, b"GPSLatitude"));
    assert!(!contains(&clean.bytes, b"ICC_PROFILE"));
    assert!(!contains(&clean.bytes, b"officer 4711"));
    for marker in jpeg_header_markers(&clean.bytes) {
        assert!(
            marker == 0xE0 || !(0xE1..=0xEF).contains(&marker) && marker != 0xFE,
            "segment FF{marker:02X} left in the output"
        );
    }
    assert!(!contains(&clean.thumbnail, b"Exif"));
    assert!(!contains(&clean.thumbnail, &gps_latitude_rationals()));
}

#[test]
fn the_exif_orientation_is_applied_before_it_is_stripped() {
    // Left half red, right half blue; orientation 6 means "rotate 90° clockwise to view".
    let sideways = RgbImage::from_fn(64, 32, |x, _| if x < 32 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(sideways));
    let tagged = with_jpeg_segments_after_soi(&jpeg, &[jpeg_segment(0xE1, &exif_app1_with_gps(6))]);

    let clean = check_clean(&tagged, "image/jpeg", 32, 64);
    let upright = decode(&clean.bytes).to_rgb8();
    let Rgb([r, _, b]) = *upright.get_pixel(16, 8);
    assert!(r > 200 && b < 60, "the left (red) half should now be on top, got {r},{b}");
    let Rgb([r, _, b]) = *upright.get_pixel(16, 56);
    assert!(r < 60 && b > 200, "the right (blue) half should now be below, got {r},{b}");
    let thumb = decode(&clean.thumbnail);
    assert_eq!(thumb.dimensions(), (32, 64));
}

#[test]
fn png_text_and_exif_chunks_are_stripped() {
    let png = png_of(&DynamicImage::ImageRgb8(photo(120, 80)));
    let mut exif = b"MM\0\x2A".to_vec(); // an eXIf chunk is a bare TIFF structure
    exif.extend_from_slice(&exif_app1_with_gps(1)[10..]);
    let tagged = with_png_chunks_after_ihdr(
        &png,
        &[
            png_chunk(b"tEXt", b"Comment\0Photographed at 48.8582N 2.2945E"),
            png_chunk(b"iTXt", b"Author\0\0\0\0\0Officer 4711"),
            png_chunk(b"eXIf", &exif),
        ],
    );
    assert!(png_chunk_types(&tagged).contains(&"tEXt".to_owned()));

    let clean = check_clean(&tagged, "image/png", 120, 80);
    let types = png_chunk_types(&clean.bytes);
    assert!(types.iter().all(|t| t == "IHDR" || t == "IDAT" || t == "IEND"), "unexpected chunks left: {types:?}");
    for needle in [&b"tEXt"[..], b"48.8582N", b"iTXt", b"Officer 4711", b"eXIf"] {
        assert!(!contains(&clean.bytes, needle), "{} survived", String::from_utf8_lossy(needle));
    }
    assert!(!contains(&clean.bytes, &gps_latitude_rationals()));
}

#[test]
fn exif_icc_and_xmp_are_stripped_from_a_webp() {
    // WebP stores EXIF as a bare TIFF structure in an `EXIF` chunk of the extended format.
    let mut tiff = b"MM\0\x2A".to_vec();
    tiff.extend_from_slice(&exif_app1_with_gps(6)[10..]);
    let sideways = photo(60, 20);
    let mut webp = Vec::new();
    let mut encoder = WebPEncoder::new_lossless(&mut webp);
    encoder.set_exif_metadata(tiff).unwrap();
    encoder.set_icc_profile(b"an ICC profile naming the camera".to_vec()).unwrap();
    encoder.write_image(sideways.as_raw(), 60, 20, image::ExtendedColorType::Rgb8).unwrap();
    assert!(contains(&webp, b"EXIF") && contains(&webp, &gps_latitude_rationals()));

    // Orientation 6 was applied (60 × 20 became 20 × 60), then every chunk but the image dropped.
    let clean = check_clean(&webp, "image/webp", 20, 60);
    for needle in [&b"EXIF"[..], b"ICCP", b"XMP ", b"naming the camera"] {
        assert!(!contains(&clean.bytes, needle), "{} survived", String::from_utf8_lossy(needle));
    }
    assert!(!contains(&clean.bytes, &gps_latitude_rationals()));
    assert_eq!(decode(&clean.bytes).to_rgb8(), DynamicImage::ImageRgb8(sideways).rotate90().to_rgb8());
}

#[test]
fn thumbnails_fit_the_box_keep_the_aspect_and_are_never_enlarged() {
    for (width, height, thumb) in [
        (1000, 500, (320, 160)),
        (300, 900, (107, 320)),
        (1280, 720, (320, 180)),
        (320, 320, (320, 320)),
        (100, 50, (100, 50)),
        (4000, 3, (320, 1)),
    ] {
        let clean = check_clean(&png_of(&DynamicImage::ImageRgb8(photo(width, height))), "image/png", width, height);
        let (tw, th) = decode(&clean.thumbnail).dimensions();
        assert_eq!((tw, th), thumb, "thumbnail of {width}×{height}");
        assert!(tw.max(th) <= 320);
        let (aspect, thumb_aspect) = (f64::from(width) / f64::from(height), f64::from(tw) / f64::from(th));
        if th > 1 {
            assert!((aspect - thumb_aspect).abs() / aspect < 0.01, "{width}×{height} → {tw}×{th}");
        }
    }
    let small_box = Limits { thumb_side: 64, ..Limits::default() };
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(photo(640, 480)));
    let clean = clean_upload(&jpeg, &small_box).unwrap();
    assert_eq!(decode(&clean.thumbnail).dimensions(), (64, 48));
}

// ---------------------------------------------------------------- refused uploads

#[test]
fn text_named_like_a_jpeg_is_not_an_image() {
    // The name ("nameplate.jpg") never reaches this module; only the bytes count.
    let limits = Limits::default();
    check_refused(b"Invoice 2024-118: 40 crates of machine parts", &limits, "not_an_image", 415);
    check_refused(b"", &limits, "not_an_image", 415);
    check_refused(b"\xFF\xD8", &limits, "not_an_image", 415);
    check_refused(b"%PDF-1.7\n", &limits, "not_an_image", 415);
    check_refused(b"PK\x03\x04zipped", &limits, "not_an_image", 415);
    check_refused(b"<html><body>hello</body></html>", &limits, "not_an_image", 415);
    check_refused(b"BMW spare parts, 12 pallets, see attached list", &limits, "not_an_image", 415);
    check_refused(b"RIFF\x24\0\0\0WAVEfmt ", &limits, "not_an_image", 415);
    check_refused(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2", &limits, "not_an_image", 415);
}

#[test]
fn other_image_formats_are_unsupported() {
    let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\
        \x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&58u32.to_le_bytes());
    bmp.extend_from_slice(&[0; 4]);
    bmp.extend_from_slice(&54u32.to_le_bytes());
    bmp.extend_from_slice(&40u32.to_le_bytes());
    bmp.extend_from_slice(&[0; 40]);
    let cases: [(&[u8], &str); 6] = [
        (gif, "image/gif"),
        (&bmp, "image/bmp"),
        (b"II*\0\x08\0\0\0", "image/tiff"),
        (b"\xEF\xBB\xBF <?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "image/heic"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf", "image/avif"),
    ];
    for (bytes, found) in cases {
        let err = check_refused(bytes, &Limits::default(), "unsupported_media_type", 415);
        assert_eq!(err, MediaError::UnsupportedType { found }, "{found}");
        assert_eq!(sniff(bytes), None);
    }
}

#[test]
fn a_png_header_claiming_a_huge_image_is_refused_before_decoding() {
    // 10^10 pixels: 30 GB of RGB if anything tried to allocate it.
    let bomb = png_header_claiming(100_000, 100_000);
    assert!(bomb.len() < 100);
    let started = std::time::Instant::now();
    let err = check_refused(&bomb, &Limits::default(), "too_many_pixels", 422);
    assert_eq!(
        err,
        MediaError::TooManyPixels { width: 100_000, height: 100_000, max_pixels: 40_000_000, max_side: 12_000 }
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "refusing took {:?}", started.elapsed());
    assert!(err.to_string().contains("100000 × 100000"), "{err}");
}

/// A zlib stream that inflates to `len` zero bytes (rounded up to 1 + a multiple of 258), made
/// by hand with one fixed-Huffman deflate block: a literal 0, then "copy 258 bytes from 1 back"
/// over and over, 13 bits per 258 bytes.
fn zlib_of_zeros(len: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        filled: u32,
    }
    impl Bits {
        fn bit(&mut self, bit: u32) {
            if self.filled.is_multiple_of(8) {
                self.out.push(0);
            }
            if bit == 1 {
                *self.out.last_mut().unwrap() |= 1 << (self.filled % 8);
            }
            self.filled += 1;
        }
        /// Huffman codes go most significant bit first, everything else least first.
        fn code(&mut self, code: u32, bits: u32) {
            for i in (0..bits).rev() {
                self.bit((code >> i) & 1);
            }
        }
    }
    let repeats = len.saturating_sub(1).div_ceil(258);
    let mut bits = Bits { out: vec![0x78, 0x01], filled: 0 };
    bits.bit(1); // final block
    bits.bit(1); // block type 01 (fixed Huffman), least significant bit first
    bits.bit(0);
    bits.code(0x30, 8); // literal 0
    for _ in 0..repeats {
        bits.code(0xC5, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    let inflated = (1 + repeats * 258) as u64;
    let adler = ((inflated % 65521) << 16) | 1; // Adler-32 of zeros: a = 1, b = n
    bits.out.extend_from_slice(&(adler as u32).to_be_bytes());
    bits.out
}

#[test]
fn a_png_metadata_bomb_inflates_only_up_to_the_working_memory_limit() {
    use image::ImageDecoder;
    let png_with_profile = |inflated_len: usize| {
        let iccp = [&b"camera\0\0"[..], &zlib_of_zeros(inflated_len)].concat();
        let png = png_of(&DynamicImage::ImageRgb8(photo(100, 100)));
        with_png_chunks_after_ihdr(&png, &[png_chunk(b"iCCP", &iccp)])
    };
    let profile_read_under_our_limits = |png: &[u8]| {
        let limits = super::decoder_limits(&Limits::default(), false);
        let mut decoder = image::codecs::png::PngDecoder::with_limits(std::io::Cursor::new(png), limits).unwrap();
        decoder.icc_profile().unwrap().map(|profile| profile.len())
    };
    // A plausible profile is inflated; one over the working memory limit is abandoned there.
    assert_eq!(profile_read_under_our_limits(&png_with_profile(100_000)), Some(100_105));
    assert_eq!(profile_read_under_our_limits(&png_with_profile(80 << 20)), None);

    // Half a gigabyte of profile in 3.4 MB: the upload is cleaned without inflating it (the
    // PNG decoder drops a profile it cannot read), and no profile reaches the output.
    let bomb = png_with_profile(512 << 20);
    assert!(bomb.len() < 4 * 1024 * 1024, "{}", bomb.len());
    let clean = check_clean(&bomb, "image/png", 100, 100);
    assert_eq!(png_chunk_types(&clean.bytes), ["IHDR", "IDAT", "IEND"]);
}

#[test]
fn the_side_and_pixel_caps_apply_separately() {
    // 130 000 pixels, well under the pixel cap, but one side over 12 000.
    check_refused(&png_header_claiming(13_000, 10), &Limits::default(), "too_many_pixels", 422);
    // Both sides under the side cap, the product over a lowered pixel cap.
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(photo(400, 300)));
    let limits = Limits { max_pixels: 100_000, ..Limits::default() };
    check_refused(&jpeg, &limits, "too_many_pixels", 422);
    assert!(clean_upload(&jpeg, &Limits { max_pixels: 120_000, ..Limits::default() }).is_ok());
}

#[test]
fn a_jpeg_header_claiming_a_huge_image_is_refused() {
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(photo(64, 64)));
    let bomb = with_jpeg_dimensions(&jpeg, 60_000, 60_000);
    let err = check_refused(&bomb, &Limits::default(), "too_many_pixels", 422);
    assert!(matches!(err, MediaError::TooManyPixels { width: 60_000, height: 60_000, .. }), "{err:?}");
}

#[test]
fn truncated_images_are_corrupt() {
    let picture = DynamicImage::ImageRgb8(photo(400, 300));
    let jpeg = jpeg_of(&picture);
    for cut in [jpeg.len() / 2, jpeg.len() - 2, 200, 20] {
        check_refused(&jpeg[..cut], &Limits::default(), "corrupt_image", 422);
    }
    // An EXIF thumbnail's own end-of-image marker must not make a cut-off photo look complete.
    let with_thumbnail_marker = with_jpeg_segments_after_soi(&jpeg, &[jpeg_segment(0xE1, b"Exif\0\0\xFF\xD8\xFF\xD9")]);
    let cut = with_thumbnail_marker.len() * 2 / 3;
    check_refused(&with_thumbnail_marker[..cut], &Limits::default(), "corrupt_image", 422);

    let png = png_of(&picture);
    check_refused(&png[..png.len() / 2], &Limits::default(), "corrupt_image", 422);
    let webp = webp_of(&picture);
    check_refused(&webp[..webp.len() / 2], &Limits::default(), "corrupt_image", 422);
    // A plausible header (36 Mpx, under the caps) with almost no pixel data behind it.
    check_refused(&png_header_claiming(6_000, 6_000), &Limits::default(), "corrupt_image", 422);
}

#[test]
fn garbage_after_the_magic_bytes_is_corrupt_not_a_panic() {
    let limits = Limits::default();
    check_refused(b"\xFF\xD8\xFF\xE0 this is no JPEG at all", &limits, "corrupt_image", 422);
    check_refused(&[&PNG_SIGNATURE[..], b"garbage follows"].concat(), &limits, "corrupt_image", 422);
    check_refused(b"RIFF\x10\0\0\0WEBPVP8 garbage", &limits, "corrupt_image", 422);
    let mut flipped = jpeg_of(&DynamicImage::ImageRgb8(photo(64, 64)));
    let middle = flipped.len() / 2;
    for byte in &mut flipped[middle..middle + 40] {
        *byte ^= 0x5A;
    }
    // Flipped scan data may still decode (to a smeared picture) or fail; it must not panic.
    let _ = clean_upload(&flipped, &limits);
}

#[test]
fn uploads_over_the_byte_cap_are_too_large_before_anything_else() {
    let limits = Limits { max_bytes: 1024, ..Limits::default() };
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(photo(200, 200)));
    assert!(jpeg.len() > 1024);
    let err = check_refused(&jpeg, &limits, "too_large", 413);
    assert_eq!(err, MediaError::TooLarge { size: jpeg.len(), max_bytes: 1024 });
    // The size is checked first: even text over the cap is "too large", not "not an image".
    check_refused(&[b'x'; 1025], &limits, "too_large", 413);
    check_refused(&[b'x'; 1024], &limits, "not_an_image", 415);
    assert_eq!(Limits::default().max_bytes, 10 * 1024 * 1024);
}

#[test]
fn sniff_trusts_only_magic_bytes() {
    assert_eq!(sniff(b"\xFF\xD8\xFF\xDB"), Some("image/jpeg"));
    assert_eq!(sniff(&PNG_SIGNATURE), Some("image/png"));
    assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8L"), Some("image/webp"));
    assert_eq!(sniff(b"RIFF\0\0\0\0WEB"), None);
    assert_eq!(sniff(b"photo.jpg"), None);
    assert_eq!(sniff(b"GIF89a"), None);
    assert_eq!(sniff(b"\x89PNG\r\n"), None);
}

#[test]
fn every_refusal_has_a_code_a_status_and_a_sentence() {
    let errors = [
        (MediaError::TooLarge { size: 11, max_bytes: 10 }, "too_large", 413),
        (MediaError::NotAnImage, "not_an_image", 415),
        (MediaError::UnsupportedType { found: "image/gif" }, "unsupported_media_type", 415),
        (MediaError::TooManyPixels { width: 1, height: 2, max_pixels: 1, max_side: 1 }, "too_many_pixels", 422),
        (MediaError::Corrupt { reason: "zune says no".into() }, "corrupt_image", 422),
    ];
    for (err, code, status) in errors {
        assert_eq!((err.code(), err.status()), (code, status));
        let sentence = err.to_string();
        assert!(sentence.starts_with(char::is_uppercase) && sentence.ends_with('.'), "{sentence}");
        // Decoder internals go to the log, not to the officer.
        assert!(!sentence.contains("zune"), "{sentence}");
    }
}
