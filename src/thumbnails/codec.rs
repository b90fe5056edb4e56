//! Decoding the original (JPEG, PNG, GIF, WebP) into 8-bit pixels, and encoding a sub-size
//! back into the original's format. JPEG, GIF and WebP live in their own modules
//! (`jpeg_codec`, `gif_codec`, `webp_codec`); what none of them handles is UnsupportedFormat,
//! so that the caller uses WordPress's editor.

use std::io::Cursor;

use png::{BitDepth, ColorType as PngColor, Transformations};

pub use super::jpeg_codec::jpeg_luma_sampling;
use super::{gif_codec, jpeg_codec, webp_codec};
use crate::error::{ImageError, Result};
use crate::format::ImageFormat;

/// Originals above this many pixels are left to WordPress's editor (an RGBA copy of this
/// size is 400 MB; WordPress itself would first scale anything above 2560 px anyway).
pub const MAX_PIXELS: u64 = 100_000_000;

/// The formats made natively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }
}

/// WordPress's default JPEG quality (`WP_Image_Editor::get_default_quality()`).
pub const DEFAULT_JPEG_QUALITY: u8 = 82;
/// WordPress's default WebP quality (`WP_Image_Editor::get_default_quality()`, since 5.8.1).
pub const DEFAULT_WEBP_QUALITY: u8 = 86;

/// The lossy qualities sub-sizes are encoded at, per format (what WordPress's
/// `wp_editor_set_quality` filter gives per MIME type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quality {
    pub jpeg: u8,
    pub webp: u8,
}

impl Default for Quality {
    fn default() -> Self {
        Quality {
            jpeg: DEFAULT_JPEG_QUALITY,
            webp: DEFAULT_WEBP_QUALITY,
        }
    }
}

/// Channels of 8-bit samples, interleaved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Gray,
    GrayAlpha,
    Rgb,
    Rgba,
}

impl Layout {
    pub fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }
}

/// A decoded image: `width * height * layout.channels()` bytes, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub layout: Layout,
    pub data: Vec<u8>,
}

/// The original, decoded once.
#[derive(Debug)]
pub struct Original {
    pub format: Format,
    pub pixels: Pixels,
    /// The embedded colour profile, kept in JPEG sub-sizes as WordPress's Imagick editor keeps
    /// it (PNG sub-sizes get no ancillary chunks, as with its `png:exclude-chunk=all`).
    pub icc_profile: Option<Vec<u8>>,
    /// A colour JPEG's luma sampling factors (chroma at 1x1): ImageMagick writes sub-sizes
    /// with the original's chroma subsampling, and so do we.
    pub jpeg_sampling: Option<(u8, u8)>,
    /// A WebP that WordPress calls lossless: its sub-sizes are lossless too.
    pub webp_lossless: bool,
}

impl Original {
    /// An original with nothing but its pixels (GIF, PNG, lossy WebP).
    pub fn plain(format: Format, pixels: Pixels) -> Original {
        Original {
            format,
            pixels,
            icc_profile: None,
            jpeg_sampling: None,
            webp_lossless: false,
        }
    }
}

pub(super) fn unsupported(what: impl std::fmt::Display) -> ImageError {
    ImageError::UnsupportedFormat(what.to_string())
}

/// The format of a sniffed file (see `crate::format`, which also checks that the file is
/// complete and refuses anything else).
pub fn native_format(bytes: &[u8]) -> Result<Format> {
    let sniffed = crate::format::sniff(bytes, bytes.len().max(1))?;
    Ok(match sniffed.format {
        ImageFormat::Jpeg => Format::Jpeg,
        ImageFormat::Png => Format::Png,
        ImageFormat::Gif => Format::Gif,
        ImageFormat::Webp => Format::Webp,
    })
}

pub(super) fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(unsupported(format!(
            "image has a zero size ({width}x{height})"
        )));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(unsupported(format!(
            "image of {width}x{height} exceeds the native limit of {MAX_PIXELS} pixels: use WordPress's image editor"
        )));
    }
    Ok(())
}

fn png_error(e: png::DecodingError) -> ImageError {
    unsupported(format!("undecodable PNG: {e}"))
}

/// Width and height from the header alone (nothing decoded).
pub fn dimensions(format: Format, bytes: &[u8]) -> Result<(u32, u32)> {
    let (width, height) = match format {
        Format::Jpeg => jpeg_codec::dimensions(bytes)?,
        Format::Png => {
            let mut decoder = png::Decoder::new(Cursor::new(bytes));
            let info = decoder.read_header_info().map_err(png_error)?;
            (info.width, info.height)
        }
        Format::Gif => gif_codec::dimensions(bytes)?,
        Format::Webp => webp_codec::dimensions(bytes)?,
    };
    check_size(width, height)?;
    Ok((width, height))
}

/// Decodes the whole original into 8-bit pixels.
pub fn decode(format: Format, bytes: &[u8]) -> Result<Original> {
    match format {
        Format::Jpeg => jpeg_codec::decode(bytes),
        Format::Png => decode_png(bytes),
        Format::Gif => Ok(Original::plain(Format::Gif, gif_codec::decode(bytes)?)),
        Format::Webp => webp_codec::decode(bytes),
    }
}

fn decode_png(bytes: &[u8]) -> Result<Original> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // Palette and low bit depths expand to 8 bits, tRNS to an alpha channel, 16 bits are cut
    // to 8 (WordPress limits sub-sizes to 8 bits per channel too).
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(png_error)?;
    check_size(header.width, header.height)?;
    let mut reader = decoder.read_info().map_err(png_error)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| unsupported("PNG too large"))?;
    let mut data = vec![0u8; size];
    // The first frame (the default image of an APNG), as WordPress's editor takes it.
    let frame = reader.next_frame(&mut data).map_err(png_error)?;
    data.truncate(frame.buffer_size());
    let layout = match (frame.color_type, frame.bit_depth) {
        (PngColor::Grayscale, BitDepth::Eight) => Layout::Gray,
        (PngColor::GrayscaleAlpha, BitDepth::Eight) => Layout::GrayAlpha,
        (PngColor::Rgb, BitDepth::Eight) => Layout::Rgb,
        (PngColor::Rgba, BitDepth::Eight) => Layout::Rgba,
        (color, depth) => {
            return Err(unsupported(format!(
                "PNG of colour type {color:?} at {depth:?} bits is not supported natively"
            )))
        }
    };
    let (width, height) = (frame.width, frame.height);
    if frame.line_size != width as usize * layout.channels()
        || data.len() != frame.line_size * height as usize
    {
        return Err(unsupported("undecodable PNG: unexpected row layout"));
    }
    Ok(Original::plain(
        Format::Png,
        Pixels {
            width,
            height,
            layout,
            data,
        },
    ))
}

pub(super) fn encode_error(what: &str, e: impl std::fmt::Display) -> ImageError {
    ImageError::InvalidInput(format!("cannot encode {what}: {e}"))
}

/// How sub-sizes are encoded: the original's format, the quality for it, and for JPEG its
/// colour profile and chroma subsampling, for WebP whether it is lossless.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    pub format: Format,
    pub quality: Quality,
    pub icc_profile: Option<&'a [u8]>,
    pub jpeg_sampling: Option<(u8, u8)>,
    pub webp_lossless: bool,
}

impl<'a> Output<'a> {
    /// Sub-sizes of `original` at `quality`.
    pub fn of(original: &'a Original, quality: Quality) -> Output<'a> {
        Output {
            format: original.format,
            quality,
            icc_profile: original.icc_profile.as_deref(),
            jpeg_sampling: original.jpeg_sampling,
            webp_lossless: original.webp_lossless,
        }
    }

    /// Plain `format` output at `quality` for every lossy format (tests).
    pub fn plain(format: Format, quality: u8) -> Output<'static> {
        Output {
            format,
            quality: Quality {
                jpeg: quality,
                webp: quality,
            },
            icc_profile: None,
            jpeg_sampling: None,
            webp_lossless: false,
        }
    }
}

/// Encodes a sub-size.
pub fn encode(output: &Output<'_>, pixels: &Pixels) -> Result<Vec<u8>> {
    match output.format {
        Format::Jpeg => jpeg_codec::encode(pixels, output),
        Format::Png => encode_png(pixels),
        Format::Gif => gif_codec::encode(pixels),
        Format::Webp => webp_codec::encode(pixels, output.quality.webp, output.webp_lossless),
    }
}

/// 8-bit PNG of the same channels, adaptive filtering, fast deflate (see docs/benchmarks.md).
fn encode_png(pixels: &Pixels) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(pixels.data.len() / 2 + 1024);
    let mut encoder = png::Encoder::new(&mut out, pixels.width, pixels.height);
    encoder.set_color(match pixels.layout {
        Layout::Gray => PngColor::Grayscale,
        Layout::GrayAlpha => PngColor::GrayscaleAlpha,
        Layout::Rgb => PngColor::Rgb,
        Layout::Rgba => PngColor::Rgba,
    });
    encoder.set_depth(BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| encode_error("PNG", e))?;
    writer
        .write_image_data(&pixels.data)
        .map_err(|e| encode_error("PNG", e))?;
    writer.finish().map_err(|e| encode_error("PNG", e))?;
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A deterministic test picture: gradients, a disc and a checker patch.
    pub fn picture(width: u32, height: u32, layout: Layout) -> Pixels {
        let ch = layout.channels();
        let mut data = Vec::with_capacity(width as usize * height as usize * ch);
        let (cx, cy, r) = (
            width as f64 / 2.0,
            height as f64 / 2.0,
            width.min(height) as f64 / 3.0,
        );
        for y in 0..height {
            for x in 0..width {
                let disc = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt() < r;
                let checker = x < width / 4 && y < height / 4 && ((x / 4) + (y / 4)) % 2 == 0;
                let red = (x * 255 / width.max(1)) as u8;
                let green = (y * 255 / height.max(1)) as u8;
                let blue = if disc {
                    220
                } else if checker {
                    0
                } else {
                    90
                };
                let gray = ((u32::from(red) + u32::from(green) + u32::from(blue)) / 3) as u8;
                let alpha = if disc {
                    255
                } else {
                    (x * 255 / width.max(1)) as u8
                };
                match layout {
                    Layout::Gray => data.push(gray),
                    Layout::GrayAlpha => data.extend_from_slice(&[gray, alpha]),
                    Layout::Rgb => data.extend_from_slice(&[red, green, blue]),
                    Layout::Rgba => data.extend_from_slice(&[red, green, blue, alpha]),
                }
            }
        }
        Pixels {
            width,
            height,
            layout,
            data,
        }
    }

    pub fn mean_abs_diff(a: &Pixels, b: &Pixels) -> f64 {
        assert_eq!((a.width, a.height, a.layout), (b.width, b.height, b.layout));
        let sum: u64 = a
            .data
            .iter()
            .zip(&b.data)
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum();
        sum as f64 / a.data.len() as f64
    }

    #[test]
    fn png_round_trips_exactly_in_every_layout() {
        for layout in [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba] {
            let pic = picture(61, 37, layout);
            let bytes = encode(&Output::plain(Format::Png, 82), &pic).unwrap();
            assert_eq!(native_format(&bytes).unwrap(), Format::Png);
            assert_eq!(dimensions(Format::Png, &bytes).unwrap(), (61, 37));
            let back = decode(Format::Png, &bytes).unwrap();
            assert_eq!(back.pixels, pic, "{layout:?}");
        }
    }

    #[test]
    fn jpeg_round_trips_closely() {
        // Quality 82 is 4:2:0, 95 is 4:4:4.
        for layout in [Layout::Gray, Layout::Rgb] {
            for (quality, limit) in [(82, 4.0), (95, 2.0)] {
                for (w, h) in [(200, 120), (17, 9), (1, 1)] {
                    let pic = picture(w, h, layout);
                    let bytes = encode(&Output::plain(Format::Jpeg, quality), &pic).unwrap();
                    assert_eq!(native_format(&bytes).unwrap(), Format::Jpeg);
                    assert_eq!(dimensions(Format::Jpeg, &bytes).unwrap(), (w, h));
                    let back = decode(Format::Jpeg, &bytes).unwrap();
                    assert_eq!(back.pixels.layout, layout);
                    let mad = mean_abs_diff(&back.pixels, &pic);
                    assert!(
                        mad < limit || w < 20,
                        "{layout:?} q{quality} {w}x{h}: mean abs diff {mad}"
                    );
                    assert!(mad < 12.0, "{layout:?} q{quality} {w}x{h}: {mad}");
                }
            }
        }
    }

    #[test]
    fn decodes_non_interleaved_subsampled_jpeg() {
        // jpeg-encoder (a dev-dependency for this test only) writes one scan per component
        // with optimised Huffman tables: a valid baseline layout that zune-jpeg 0.5.15
        // decoded into garbage without an error.
        use jpeg_encoder::{ColorType as JpegColor, Encoder as JpegEncoder};
        let pic = picture(120, 80, Layout::Rgb);
        let mut bytes = Vec::new();
        let mut encoder = JpegEncoder::new(&mut bytes, 82);
        encoder.set_optimized_huffman_tables(true);
        encoder.encode(&pic.data, 120, 80, JpegColor::Rgb).unwrap();
        let scans = bytes.windows(2).filter(|w| w == &[0xFF, 0xDA]).count();
        assert_eq!(scans, 3, "one scan per component");
        let back = decode(Format::Jpeg, &bytes).unwrap();
        assert!(mean_abs_diff(&back.pixels, &pic) < 4.0);
    }

    #[test]
    fn decodes_progressive_and_restart_marker_jpegs() {
        use jpeg_encoder::{ColorType as JpegColor, Encoder as JpegEncoder};
        let pic = picture(97, 61, Layout::Rgb);
        for (progressive, restart) in [(true, 0), (false, 2), (true, 3)] {
            let mut bytes = Vec::new();
            let mut encoder = JpegEncoder::new(&mut bytes, 90);
            encoder.set_progressive(progressive);
            encoder.set_restart_interval(restart);
            encoder.encode(&pic.data, 97, 61, JpegColor::Rgb).unwrap();
            let marker = |m: u8| bytes.windows(2).any(|w| w == [0xFF, m]);
            assert_eq!(marker(0xC2), progressive);
            assert_eq!(marker(0xD0), restart > 0);
            assert_eq!(dimensions(Format::Jpeg, &bytes).unwrap(), (97, 61));
            let back = decode(Format::Jpeg, &bytes).unwrap();
            let mad = mean_abs_diff(&back.pixels, &pic);
            assert!(
                mad < 4.0,
                "progressive {progressive} restart {restart}: {mad}"
            );
        }
    }

    #[test]
    fn jpeg_keeps_the_icc_profile() {
        let pic = picture(40, 30, Layout::Rgb);
        let icc: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let output = Output {
            icc_profile: Some(&icc),
            ..Output::plain(Format::Jpeg, 82)
        };
        let bytes = encode(&output, &pic).unwrap();
        let back = decode(Format::Jpeg, &bytes).unwrap();
        assert_eq!(back.icc_profile.as_deref(), Some(&icc[..]));
    }

    #[test]
    fn keeps_the_originals_chroma_subsampling() {
        let pic = picture(64, 48, Layout::Rgb);
        for (quality, default) in [(82, (2, 2)), (95, (1, 1))] {
            let bytes = encode(&Output::plain(Format::Jpeg, quality), &pic).unwrap();
            assert_eq!(jpeg_luma_sampling(&bytes), Some(default), "q{quality}");
            let original = decode(Format::Jpeg, &bytes).unwrap();
            assert_eq!(original.jpeg_sampling, Some(default));
            // Re-encoded at the other quality, the original's subsampling stays.
            let other = if quality == 82 { 95 } else { 82 };
            let quality = Quality {
                jpeg: other,
                ..Quality::default()
            };
            let again = encode(&Output::of(&original, quality), &original.pixels).unwrap();
            assert_eq!(jpeg_luma_sampling(&again), Some(default));
        }
        let gray = encode(
            &Output::plain(Format::Jpeg, 82),
            &picture(8, 8, Layout::Gray),
        )
        .unwrap();
        assert_eq!(jpeg_luma_sampling(&gray), None);
    }

    #[test]
    fn refuses_what_it_cannot_decode() {
        let unsupported =
            |bytes: &[u8]| matches!(native_format(bytes), Err(ImageError::UnsupportedFormat(_)));
        assert!(unsupported(b"<?php echo 1;"));
        assert!(
            unsupported(b"BM\x3a\0\0\0"),
            "BMP: not a format WordPress resizes here"
        );
        let pic = picture(64, 64, Layout::Rgb);
        let jpeg = encode(&Output::plain(Format::Jpeg, 82), &pic).unwrap();
        assert!(unsupported(&jpeg[..jpeg.len() - 100]), "no end marker");
        assert!(matches!(
            decode(Format::Jpeg, &jpeg[..jpeg.len() / 2]),
            Err(ImageError::UnsupportedFormat(_))
        ));
        let png = encode(&Output::plain(Format::Png, 82), &pic).unwrap();
        assert!(matches!(
            decode(Format::Png, &png[..png.len() - 30]),
            Err(ImageError::UnsupportedFormat(_))
        ));
        let mut garbage = png.clone();
        garbage[60] ^= 0xFF;
        assert!(decode(Format::Png, &garbage).is_err());
    }
}
