//! Recognising an upload's file type from its first bytes, never from its name or headers.
//!
//! Names (`crate.jpg`) and multipart `Content-Type` headers are chosen by the client and prove
//! nothing; the magic bytes at the start of the file are what the decoders will act on, so they
//! are the only thing looked at here.

/// `Content-Type` of a JPEG image.
pub const JPEG: &str = "image/jpeg";
/// `Content-Type` of a PNG image.
pub const PNG: &str = "image/png";
/// `Content-Type` of a WebP image.
pub const WEBP: &str = "image/webp";

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// The three formats the hotline accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AcceptedFormat {
    Jpeg,
    Png,
    WebP,
}

impl AcceptedFormat {
    /// Recognises an accepted format from its magic bytes.
    pub(crate) fn sniff(bytes: &[u8]) -> Option<AcceptedFormat> {
        if bytes.starts_with(JPEG_MAGIC) {
            Some(AcceptedFormat::Jpeg)
        } else if bytes.starts_with(PNG_MAGIC) {
            Some(AcceptedFormat::Png)
        } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()) {
            Some(AcceptedFormat::WebP)
        } else {
            None
        }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            AcceptedFormat::Jpeg => JPEG,
            AcceptedFormat::Png => PNG,
            AcceptedFormat::WebP => WEBP,
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            AcceptedFormat::Jpeg => image::ImageFormat::Jpeg,
            AcceptedFormat::Png => image::ImageFormat::Png,
            AcceptedFormat::WebP => image::ImageFormat::WebP,
        }
    }
}

/// The content type of `bytes` judged from their magic bytes alone: `Some("image/jpeg")`
/// (`FF D8 FF`), `Some("image/png")` (the 8-byte PNG signature) or `Some("image/webp")`
/// (`RIFF`, a 4-byte size, `WEBP`).
///
/// Only the accepted formats are recognised; everything else, other image formats included,
/// is `None`. Matching magic bytes do not make a valid image: [`super::clean_upload`] decodes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    AcceptedFormat::sniff(bytes).map(AcceptedFormat::content_type)
}

/// Names an image format the hotline does not accept, so that the officer is told "convert
/// it" (415) rather than "this is not an image". `None` means "not an image we know of".
pub(crate) fn sniff_refused_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if is_bmp(bytes) {
        return Some("image/bmp");
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some("image/tiff");
    }
    if let Some(brand) = iso_media_brand(bytes) {
        return match brand {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" => Some("image/heic"),
            b"mif1" | b"msf1" => Some("image/heif"),
            b"avif" | b"avis" => Some("image/avif"),
            _ => None, // MP4, MOV, ...: not an image
        };
    }
    if bytes.starts_with(&[0xFF, 0x0A])
        || bytes.starts_with(&[0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', 0x0D, 0x0A, 0x87, 0x0A])
    {
        return Some("image/jxl");
    }
    if bytes.starts_with(&[0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A]) {
        return Some("image/jp2");
    }
    if bytes.starts_with(&[0, 0, 1, 0]) && bytes.len() > 6 && bytes[4..6] != [0, 0] {
        return Some("image/x-icon");
    }
    if bytes.starts_with(b"8BPS") {
        return Some("image/vnd.adobe.photoshop");
    }
    if bytes.starts_with(b"qoif") {
        return Some("image/qoi");
    }
    if looks_like_svg(bytes) {
        return Some("image/svg+xml");
    }
    None
}

/// `BM` alone is too weak (any text may start with it), so the DIB header size at offset 14
/// must also be one of the sizes the BMP variants use.
fn is_bmp(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"BM") {
        return false;
    }
    match bytes.get(14..18) {
        Some(&[a, b, c, d]) => {
            matches!(u32::from_le_bytes([a, b, c, d]), 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
        }
        _ => false,
    }
}

/// The major brand of an ISO base media file (`....ftypBRND`), which HEIC and AVIF use.
fn iso_media_brand(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.get(4..8) == Some(b"ftyp".as_slice()) { bytes.get(8..12) } else { None }
}

/// SVG is text: after an optional byte-order mark and white space it opens with markup, and
/// an `<svg` element appears early on.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else { return false };
    if head[start] != b'<' {
        return false;
    }
    head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg"))
}
