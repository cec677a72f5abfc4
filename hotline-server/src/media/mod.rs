//! Photo uploads: recognise, bound, decode, strip metadata, re-encode and thumbnail them.
//!
//! An officer's photo is hostile input until proven otherwise. [`clean_upload`] turns the raw
//! bytes of one upload into a [`CleanImage`] or refuses them with a [`MediaError`] that maps to
//! the contract's status and error code. The steps, in order, each cheaper than the next:
//!
//! 1. **Size cap** ([`Limits::max_bytes`]): refused before anything is parsed (413).
//! 2. **Sniff** the type from the magic bytes ([`sniff()`]); the file's name and the client's
//!    `Content-Type` never reach this module. JPEG, PNG and WebP pass; other image formats
//!    (GIF, BMP, TIFF, SVG, HEIC, ...) are [`MediaError::UnsupportedType`] (415); anything else
//!    is [`MediaError::NotAnImage`] (415).
//! 3. **Header dimensions** are read without decoding the pixels and checked against
//!    [`Limits::max_pixels`] and [`Limits::max_side`] (422). A 100 kB PNG may claim
//!    100 000 × 100 000 pixels (a decompression bomb); it is refused here, before any pixel
//!    buffer exists.
//! 4. **Decode** with the `image` crate's decoder limits set (maximum width, height and
//!    allocation), so a header that lies, or a huge compressed metadata chunk, still cannot
//!    exhaust memory.
//! 5. **Orient**: the EXIF orientation is applied to the pixels, so that a phone photo taken
//!    upright is stored upright once its EXIF block is gone.
//! 6. **Re-encode** from pixels alone. Nothing from the original file is copied, so every kind
//!    of metadata is gone: EXIF (with GPS position, camera serial numbers, time), XMP, IPTC,
//!    comments, PNG text chunks and ICC profiles. JPEG stays JPEG (quality
//!    [`JPEG_QUALITY`]), PNG stays PNG, WebP stays WebP, losslessly (see [`clean_upload`]).
//! 7. **Thumbnail**: a JPEG whose long side is at most [`Limits::thumb_side`], aspect kept.
//!
//! Everything here is blocking CPU work (about 0.7 s for a 12-megapixel JPEG on a 2-core
//! machine, release build): callers run it in `tokio::task::spawn_blocking`, never on an async
//! worker thread, and may bound how many run at once.

mod sniff;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, RgbImage};

use sniff::AcceptedFormat;
pub use sniff::sniff;

/// JPEG quality of re-encoded JPEG uploads: nameplate text stays sharp, and a phone photo
/// comes out near its uploaded size (a 12 Mpx quality-90 JPEG of 4.9 MB became 4.4 MB).
pub const JPEG_QUALITY: u8 = 85;

/// JPEG quality of thumbnails, which are only looked at small.
const THUMB_QUALITY: u8 = 80;

/// The most bytes per pixel any accepted decoder produces (16-bit RGBA PNG).
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// Memory a decoder may allocate besides the pixel buffer: row buffers, and above all the
/// decompressed ICC profiles and text chunks of a PNG, which a 10 MiB file can inflate to
/// gigabytes (a metadata bomb). Real profiles and rows take well under a megabyte.
const DECODER_WORKING_MEMORY: u64 = 64 * 1024 * 1024;

/// What an upload may be. The defaults suit phone photos of shipments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted upload in bytes (default 10 MiB).
    pub max_bytes: usize,
    /// Largest accepted width × height, read from the header before decoding (default 40 Mpx;
    /// a 48 Mpx phone camera must shrink first, which the field client does).
    pub max_pixels: u64,
    /// Largest accepted width or height (default 12 000), so a 1 × 40 000 000 strip is refused.
    pub max_side: u32,
    /// Longest side of the thumbnail (default 320).
    pub thumb_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 10 * 1024 * 1024, max_pixels: 40_000_000, max_side: 12_000, thumb_side: 320 }
    }
}

/// An accepted upload, decoded and re-encoded with no metadata left.
#[derive(Clone, PartialEq, Eq)]
pub struct CleanImage {
    /// The type of [`CleanImage::bytes`]: `"image/jpeg"`, `"image/png"` or `"image/webp"`,
    /// always the type of the upload (and checked against the output in the tests).
    pub content_type: &'static str,
    /// Width in pixels after the EXIF orientation was applied.
    pub width: u32,
    /// Height in pixels after the EXIF orientation was applied.
    pub height: u32,
    /// The re-encoded image, to store and serve instead of the upload.
    pub bytes: Vec<u8>,
    /// A JPEG whose long side is at most [`Limits::thumb_side`] (never enlarged), aspect kept.
    pub thumbnail: Vec<u8>,
}

// By hand, so that logging a `CleanImage` prints sizes rather than megabytes of numbers.
impl fmt::Debug for CleanImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanImage")
            .field("content_type", &self.content_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("thumbnail", &format_args!("{} bytes", self.thumbnail.len()))
            .finish()
    }
}

/// Why an upload was refused. `Display` is a sentence for the officer saying what to do;
/// [`MediaError::code`] and [`MediaError::status`] give the contract's error code and status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Over [`Limits::max_bytes`].
    #[error(
        "The file is {size} bytes, more than the {max_bytes} bytes allowed. \
         Send a smaller photo (the field client shrinks photos before sending them)."
    )]
    TooLarge { size: usize, max_bytes: usize },
    /// Not an image of any known kind (text, a PDF, an archive, a file cut off at the start).
    #[error(
        "The file is not an image. Attach a photo in JPEG, PNG or WebP format; \
         the file's name does not matter, its contents do."
    )]
    NotAnImage,
    /// An image, but of a format the hotline does not accept (GIF, BMP, TIFF, SVG, HEIC...).
    #[error(
        "This kind of image ({found}) is not accepted. Convert the photo to JPEG, PNG or WebP \
         (most phones can be set to save JPEG) and send it again."
    )]
    UnsupportedType {
        /// The content type recognised from the magic bytes, such as `image/heic`.
        found: &'static str,
    },
    /// The header's dimensions exceed [`Limits::max_pixels`] or [`Limits::max_side`], or
    /// decoding would need more memory than the limits allow.
    #[error(
        "The image is {width} × {height} pixels, more than the {max_pixels} pixels \
         (and {max_side} pixels per side) allowed. Shrink it and send it again."
    )]
    TooManyPixels { width: u32, height: u32, max_pixels: u64, max_side: u32 },
    /// The bytes start like an accepted image but do not decode: damaged, cut off, or a rare
    /// variant the decoders cannot read.
    #[error(
        "The image could not be read: it is damaged, incomplete, or saved in a variant this \
         server cannot decode. Take or export the photo again and resend it."
    )]
    Corrupt {
        /// What the decoder said, for the server log; not meant for the officer.
        reason: String,
    },
}

impl MediaError {
    /// The contract's machine-readable error code.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::TooLarge { .. } => "too_large",
            MediaError::NotAnImage => "not_an_image",
            MediaError::UnsupportedType { .. } => "unsupported_media_type",
            MediaError::TooManyPixels { .. } => "too_many_pixels",
            MediaError::Corrupt { .. } => "corrupt_image",
        }
    }

    /// The HTTP status the contract gives this refusal.
    pub fn status(&self) -> u16 {
        match self {
            MediaError::TooLarge { .. } => 413,
            MediaError::NotAnImage | MediaError::UnsupportedType { .. } => 415,
            MediaError::TooManyPixels { .. } | MediaError::Corrupt { .. } => 422,
        }
    }
}

/// Checks, decodes and re-encodes one upload; see the [module docs](self) for the steps.
///
/// Output formats: JPEG → JPEG at quality [`JPEG_QUALITY`]; PNG → PNG (bit depth and alpha
/// kept); WebP → **lossless** WebP. The `image` crate's WebP encoder is lossless only, so the
/// choice was lossless WebP or PNG; on a noisy 1600 × 1200 photo lossless WebP came out at
/// half the size of PNG (2.4 MB against 4.9 MB) for a similar encoding time (about 60 ms
/// against 45 ms, release build), every current browser shows it, and the upload's type is
/// kept. A lossy WebP upload therefore grows when re-encoded; the pixels are unchanged.
/// Only the first frame of an animated PNG or WebP is kept. ICC profiles are dropped with the
/// rest of the metadata (they can name the device), so wide-gamut photos render as sRGB.
///
/// Blocking and CPU-bound: call it from `spawn_blocking`.
pub fn clean_upload(bytes: &[u8], limits: &Limits) -> Result<CleanImage, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge { size: bytes.len(), max_bytes: limits.max_bytes });
    }
    let format = match AcceptedFormat::sniff(bytes) {
        Some(format) => format,
        None => {
            return Err(match sniff::sniff_refused_image(bytes) {
                Some(found) => MediaError::UnsupportedType { found },
                None => MediaError::NotAnImage,
            });
        }
    };

    let (width, height) = header_dimensions(bytes, format, limits)?;
    let too_many_pixels =
        || MediaError::TooManyPixels { width, height, max_pixels: limits.max_pixels, max_side: limits.max_side };
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(too_many_pixels());
    }
    if width == 0 || height == 0 {
        return Err(corrupt(format!("header claims {width} × {height} pixels")));
    }
    if format == AcceptedFormat::Jpeg {
        // The JPEG decoder runs in lenient mode and paints missing scan data grey, so a photo
        // cut off in transit would be stored half grey; refuse it instead.
        if let Err(reason) = check_jpeg_complete(bytes) {
            return Err(corrupt(reason.to_owned()));
        }
    }

    let image = decode(bytes, format, limits, too_many_pixels)?;

    let (bytes, content_type) = match format {
        AcceptedFormat::Jpeg => (encode_jpeg(&image, JPEG_QUALITY)?, sniff::JPEG),
        AcceptedFormat::Png => (encode_png(&image)?, sniff::PNG),
        AcceptedFormat::WebP => (encode_webp_lossless(&image)?, sniff::WEBP),
    };
    let thumbnail = make_thumbnail(&image, limits.thumb_side)?;
    Ok(CleanImage { content_type, width: image.width(), height: image.height(), bytes, thumbnail })
}

/// The limits handed to the decoders. `max_alloc` bounds their working memory (the PNG
/// decoder counts its own buffers and decompressed chunks against it, not the pixel buffer,
/// which [`decode`] checks separately). Strict width and height limits are set only for the
/// decoding step: the header step must learn the real dimensions to report them.
fn decoder_limits(limits: &Limits, strict_dimensions: bool) -> image::Limits {
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_alloc = Some(DECODER_WORKING_MEMORY);
    if strict_dimensions {
        decoder_limits.max_image_width = Some(limits.max_side);
        decoder_limits.max_image_height = Some(limits.max_side);
    }
    decoder_limits
}

/// Width and height from the header alone: the decoders parse the headers when they are made,
/// but no pixel buffer is allocated until they are asked for the image.
///
/// The reader is given the sniffed format (`with_format`) rather than guessing again
/// (`with_guessed_format`), so the decoder is always the one for the type that was accepted.
fn header_dimensions(bytes: &[u8], format: AcceptedFormat, limits: &Limits) -> Result<(u32, u32), MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(decoder_limits(limits, false));
    reader.into_dimensions().map_err(|err| corrupt(format!("reading the header: {err}")))
}

/// Decodes under strict limits and applies the EXIF orientation. A limit hit while setting
/// up (dimensions, pixel buffer) is `too_many_pixels`; one hit while decoding means the
/// decoder's working memory ran out on data the header did not announce, which is `Corrupt`.
fn decode(
    bytes: &[u8],
    format: AcceptedFormat,
    limits: &Limits,
    too_many_pixels: impl Fn() -> MediaError,
) -> Result<DynamicImage, MediaError> {
    let setup_failed = |err: ImageError| match err {
        ImageError::Limits(_) => too_many_pixels(),
        other => corrupt(other.to_string()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(decoder_limits(limits, true));
    let mut decoder = reader.into_decoder().map_err(setup_failed)?;
    // A damaged EXIF block is no reason to refuse the photo: it is dropped anyway.
    let orientation = decoder.orientation().unwrap_or_else(|err| {
        tracing::debug!(error = %err, "ignoring unreadable EXIF orientation");
        Orientation::NoTransforms
    });
    // The pixel buffer, allocated next, may take what the largest accepted image needs at the
    // widest pixel type. The header checks already imply this; it is the last line of defence.
    let mut pixel_buffer = image::Limits::default();
    pixel_buffer.max_alloc = Some(limits.max_pixels.saturating_mul(MAX_BYTES_PER_PIXEL));
    pixel_buffer.reserve(decoder.total_bytes()).map_err(setup_failed)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| corrupt(format!("decoding: {err}")))?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn corrupt(reason: String) -> MediaError {
    tracing::debug!(%reason, "refusing an upload that does not decode");
    MediaError::Corrupt { reason }
}

/// Refuses a JPEG whose marker structure ends before the end-of-image marker. Segments are
/// skipped by their lengths (so an EXIF thumbnail's own end marker is not mistaken for the
/// end) and entropy-coded data is scanned for the next marker, which it can only contain as
/// `FF` followed by a byte other than `00` (stuffing) or `D0`..`D7` (restart markers).
fn check_jpeg_complete(bytes: &[u8]) -> Result<(), &'static str> {
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    let mut pos = 2; // after SOI, which sniffing checked
    loop {
        // A marker: one or more FF fill bytes, then the marker code.
        if bytes.get(pos) != Some(&0xFF) {
            return Err("JPEG: expected a marker, found other bytes or the end of the file");
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err("JPEG: the file ends inside a marker");
        };
        pos += 1;
        match marker {
            EOI => return Ok(()),
            0x01 | 0xD0..=0xD8 => continue, // markers without a length
            _ => {}
        }
        let length = match bytes.get(pos..pos + 2) {
            Some(&[high, low]) => usize::from(u16::from_be_bytes([high, low])),
            _ => return Err("JPEG: the file ends inside a segment header"),
        };
        if length < 2 || pos + length > bytes.len() {
            return Err("JPEG: a segment runs past the end of the file");
        }
        pos += length;
        if marker == SOS {
            // Entropy-coded data runs until a marker that is neither stuffing nor a restart.
            loop {
                match bytes.get(pos..pos + 2) {
                    Some(&[0xFF, next]) if next == 0x00 || (0xD0..=0xD7).contains(&next) => {
                        pos += 2;
                    }
                    Some(&[0xFF, _]) => break, // the next marker
                    Some(_) => pos += 1,
                    None => return Err("JPEG: the file ends inside the image data (cut off?)"),
                }
            }
        }
    }
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    // The JPEG encoder takes grey or RGB; `write_with_encoder` converts anything else.
    image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality)).map_err(|err| encoding_failed(&err))?;
    Ok(out)
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    image.write_with_encoder(PngEncoder::new(&mut out)).map_err(|err| encoding_failed(&err))?;
    Ok(out)
}

fn encode_webp_lossless(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    // WebP holds 8-bit grey or RGB(A); the WebP decoder produces RGB or RGBA.
    image.write_with_encoder(WebPEncoder::new_lossless(&mut out)).map_err(|err| encoding_failed(&err))?;
    Ok(out)
}

/// Encoding into memory only fails on dimensions the encoder cannot express, which the limits
/// already excluded; should it happen, the upload is refused rather than the server failing.
fn encoding_failed(err: &ImageError) -> MediaError {
    tracing::warn!(error = %err, "re-encoding a decoded upload failed");
    MediaError::Corrupt { reason: format!("re-encoding: {err}") }
}

/// A JPEG no larger than `side` on its long side, never enlarged; transparent areas are shown
/// on white, since JPEG has no alpha.
fn make_thumbnail(image: &DynamicImage, side: u32) -> Result<Vec<u8>, MediaError> {
    let (width, height) = thumbnail_size(image.width(), image.height(), side);
    let small = if (width, height) == (image.width(), image.height()) {
        std::borrow::Cow::Borrowed(image)
    } else {
        std::borrow::Cow::Owned(image.thumbnail_exact(width, height))
    };
    let rgb = if small.color().has_alpha() { flatten_on_white(&small) } else { small.to_rgb8() };
    encode_jpeg(&DynamicImage::ImageRgb8(rgb), THUMB_QUALITY)
}

/// Fits `width × height` into a `side × side` square keeping the aspect ratio (rounded, at
/// least one pixel), or returns it unchanged if it already fits.
fn thumbnail_size(width: u32, height: u32, side: u32) -> (u32, u32) {
    let side = side.max(1);
    let long = width.max(height);
    if long <= side {
        return (width, height);
    }
    let scale = |short: u32| -> u32 {
        let scaled = (u64::from(short) * u64::from(side) + u64::from(long) / 2) / u64::from(long);
        // `scaled <= side`, which is a u32.
        u32::try_from(scaled).unwrap_or(side).max(1)
    };
    if width >= height { (side, scale(height)) } else { (scale(width), side) }
}

fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| -> u8 {
            let (c, a) = (u16::from(c), u16::from(a));
            // c·a + 255·(255 − a), divided by 255 with rounding; at most 255.
            u8::try_from((c * a + 255 * (255 - a) + 127) / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}
