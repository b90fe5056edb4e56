//! WebP originals and sub-sizes with libwebp (statically built by `libwebp-sys`), encoded as
//! WordPress's Imagick editor asks ImageMagick to: lossy at the WebP quality (WordPress's 86),
//! or lossless when `wp_get_webp_info()` calls the original lossless, which it does only for a
//! simple-format file whose first chunk is `VP8L` (a `VP8X` file is "animated-alpha" to it
//! and gets lossy sub-sizes, even when its image is VP8L). Animated WebPs are refused: their
//! first frame may be a part of the canvas to compose, and the catalogue has none.
//!
//! libwebp drops an alpha channel that is opaque everywhere, as it does for ImageMagick's
//! always-present alpha, so opaque pictures stay plain VP8.

use std::os::raw::c_int;

use libwebp_sys as webp;

use super::codec::{encode_error, unsupported, Layout, Original, Pixels};
use crate::error::Result;

/// Lossy effort (libwebp's `-m`, 0-6). ImageMagick leaves libwebp's default, 4. Measured on
/// the catalogue's 101 WebPs (300-450 px, WordPress's sizes): method 4 10.9 ms per original,
/// 3 10.6, 2 6.2 with files 2.4 % larger, 1 5.7 (+12 %), 0 5.1 (+18 %); the difference to
/// WordPress's files stays that of the quality (tests/php/ThumbnailsNativeTest.php).
const LOSSY_METHOD: c_int = 2;

/// Lossless effort (libwebp's `-z` level, 0-9). WordPress asks ImageMagick for quality 100
/// (at libwebp's default method 4): on a 300x400 original its sizes took 916 ms there against
/// 39 ms here; the pixels are the same at every level.
const LOSSLESS_LEVEL: c_int = 2;

fn features(bytes: &[u8]) -> Result<webp::WebPBitstreamFeatures> {
    // SAFETY: plain-old-data out parameter, filled by libwebp on success.
    let mut features: webp::WebPBitstreamFeatures = unsafe { std::mem::zeroed() };
    // SAFETY: `bytes` is valid for `bytes.len()` bytes for the call.
    let status = unsafe { webp::WebPGetFeatures(bytes.as_ptr(), bytes.len(), &mut features) };
    if status != webp::VP8StatusCode::VP8_STATUS_OK {
        return Err(unsupported(format!("undecodable WebP: {status:?}")));
    }
    if features.has_animation != 0 {
        return Err(unsupported(
            "animated WebP is not resized natively: use WordPress's image editor",
        ));
    }
    Ok(features)
}

/// Width and height from the bitstream header.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    let f = features(bytes)?;
    Ok((f.width as u32, f.height as u32))
}

/// What `wp_get_webp_info()` answers 'lossless' for: the chunk after the RIFF header.
pub fn wordpress_lossless(bytes: &[u8]) -> bool {
    bytes.get(12..16) == Some(b"VP8L")
}

/// The whole image as RGB, or RGBA when the file has an alpha channel.
pub fn decode(bytes: &[u8]) -> Result<Original> {
    let f = features(bytes)?;
    let (width, height) = (f.width as u32, f.height as u32);
    super::codec::check_size(width, height)?;
    let layout = if f.has_alpha != 0 {
        Layout::Rgba
    } else {
        Layout::Rgb
    };
    let stride = width as usize * layout.channels();
    let mut data = vec![0u8; stride * height as usize];
    let into = match layout {
        Layout::Rgba => webp::WebPDecodeRGBAInto,
        _ => webp::WebPDecodeRGBInto,
    };
    // SAFETY: `data` holds `height` rows of `stride` bytes, the size libwebp is told.
    let done = unsafe {
        into(
            bytes.as_ptr(),
            bytes.len(),
            data.as_mut_ptr(),
            data.len(),
            stride as c_int,
        )
    };
    if done.is_null() {
        return Err(unsupported("undecodable WebP: corrupt or truncated data"));
    }
    let mut original = Original::plain(
        super::codec::Format::Webp,
        Pixels {
            width,
            height,
            layout,
            data,
        },
    );
    original.webp_lossless = wordpress_lossless(bytes);
    Ok(original)
}

/// Frees libwebp's picture and output buffer however the encoding ends.
struct Encoding {
    picture: webp::WebPPicture,
    writer: webp::WebPMemoryWriter,
}

impl Drop for Encoding {
    fn drop(&mut self) {
        // SAFETY: both were initialised by libwebp; freeing them twice is not possible here.
        unsafe {
            webp::WebPPictureFree(&mut self.picture);
            webp::WebPMemoryWriterClear(&mut self.writer);
        }
    }
}

/// RGB or RGBA bytes of `pixels` (gray is expanded).
fn colour(pixels: &Pixels) -> (Vec<u8>, bool) {
    match pixels.layout {
        Layout::Rgb => (pixels.data.clone(), false),
        Layout::Rgba => (pixels.data.clone(), true),
        Layout::Gray => (pixels.data.iter().flat_map(|&g| [g, g, g]).collect(), false),
        Layout::GrayAlpha => (
            pixels
                .data
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            true,
        ),
    }
}

/// Lossy WebP at `quality` (see `LOSSY_METHOD`), or lossless.
pub fn encode(pixels: &Pixels, quality: u8, lossless: bool) -> Result<Vec<u8>> {
    let fail = |what: &str| encode_error("WebP", what);
    let config = {
        let mut config = webp::WebPConfig::new_with_preset(
            webp::WebPPreset::WEBP_PRESET_DEFAULT,
            f32::from(quality),
        )
        .map_err(|()| fail("libwebp version mismatch"))?;
        if lossless {
            // SAFETY: `config` is an initialised configuration.
            if unsafe { webp::WebPConfigLosslessPreset(&mut config, LOSSLESS_LEVEL) } == 0 {
                return Err(fail("invalid lossless level"));
            }
        }
        if !lossless {
            config.method = LOSSY_METHOD;
        }
        config
    };
    let (width, height) = (
        c_int::try_from(pixels.width).map_err(|e| encode_error("WebP", e))?,
        c_int::try_from(pixels.height).map_err(|e| encode_error("WebP", e))?,
    );
    let (data, alpha) = colour(pixels);
    let mut encoding = Encoding {
        picture: webp::WebPPicture::new().map_err(|()| fail("libwebp version mismatch"))?,
        // SAFETY: plain-old-data, initialised by WebPMemoryWriterInit below.
        writer: unsafe { std::mem::zeroed() },
    };
    // SAFETY: the writer is initialised before use; the picture imports from `data`, which
    // holds `height` rows of `width * channels` bytes; the writer callback receives a pointer
    // to `encoding.writer`, which outlives the WebPEncode call.
    unsafe {
        webp::WebPMemoryWriterInit(&mut encoding.writer);
        let picture = &mut encoding.picture;
        picture.use_argb = c_int::from(config.lossless != 0);
        picture.width = width;
        picture.height = height;
        let imported = if alpha {
            webp::WebPPictureImportRGBA(picture, data.as_ptr(), width * 4)
        } else {
            webp::WebPPictureImportRGB(picture, data.as_ptr(), width * 3)
        };
        if imported == 0 {
            return Err(fail("out of memory"));
        }
        picture.writer = Some(webp::WebPMemoryWrite);
        picture.custom_ptr = (&mut encoding.writer as *mut webp::WebPMemoryWriter).cast();
        if webp::WebPEncode(&config, &mut encoding.picture) == 0 {
            return Err(encode_error(
                "WebP",
                format!("{:?}", encoding.picture.error_code),
            ));
        }
        Ok(std::slice::from_raw_parts(encoding.writer.mem, encoding.writer.size).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::super::codec::tests::{mean_abs_diff, picture};
    use super::*;

    #[test]
    fn lossy_round_trips_closely_and_quality_matters() {
        let pic = picture(200, 150, Layout::Rgb);
        let bytes = encode(&pic, 86, false).unwrap();
        assert_eq!(&bytes[12..16], b"VP8 ", "opaque lossy is simple VP8");
        assert!(!wordpress_lossless(&bytes));
        assert_eq!(dimensions(&bytes).unwrap(), (200, 150));
        let back = decode(&bytes).unwrap();
        assert_eq!(back.pixels.layout, Layout::Rgb);
        assert!(!back.webp_lossless);
        let mad = mean_abs_diff(&back.pixels, &pic);
        assert!(mad < 3.0, "{mad}");
        assert!(encode(&pic, 30, false).unwrap().len() < bytes.len());
    }

    #[test]
    fn lossless_round_trips_exactly() {
        for layout in [Layout::Rgb, Layout::Rgba] {
            let pic = picture(61, 37, layout);
            let bytes = encode(&pic, 86, true).unwrap();
            assert!(wordpress_lossless(&bytes), "{layout:?}");
            let back = decode(&bytes).unwrap();
            assert!(back.webp_lossless);
            if layout == Layout::Rgba {
                // libwebp may change the colour of fully transparent pixels only.
                for (a, b) in back
                    .pixels
                    .data
                    .chunks_exact(4)
                    .zip(pic.data.chunks_exact(4))
                {
                    assert_eq!(a[3], b[3]);
                    if b[3] != 0 {
                        assert_eq!(a, b);
                    }
                }
            } else {
                assert_eq!(back.pixels, pic);
            }
        }
    }

    #[test]
    fn lossy_keeps_alpha() {
        let pic = picture(120, 80, Layout::Rgba);
        let bytes = encode(&pic, 86, false).unwrap();
        assert_eq!(&bytes[12..16], b"VP8X", "alpha needs the extended format");
        assert!(!wordpress_lossless(&bytes));
        let back = decode(&bytes).unwrap();
        assert_eq!(back.pixels.layout, Layout::Rgba);
        let alpha_diff: u64 = back
            .pixels
            .data
            .chunks_exact(4)
            .zip(pic.data.chunks_exact(4))
            .map(|(a, b)| u64::from(a[3].abs_diff(b[3])))
            .sum();
        assert!(
            alpha_diff as f64 / (120.0 * 80.0) < 1.0,
            "alpha is lossless by default"
        );
    }

    #[test]
    fn refuses_garbage_truncation_and_animation() {
        let bytes = encode(&picture(64, 64, Layout::Rgb), 80, false).unwrap();
        assert!(decode(&bytes[..bytes.len() / 2]).is_err());
        assert!(decode(&crate::format::samples::webp(b"VP8 ", 3, 2)).is_err());
        // The extended header of an animation (flags: animation), canvas 3x2, no frame.
        let mut animated = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
        animated.extend_from_slice(&[0x02, 0, 0, 0, 2, 0, 0, 1, 0, 0]);
        let err = dimensions(&animated).unwrap_err().to_string();
        assert!(err.contains("animated WebP"), "{err}");
        assert!(decode(&animated).is_err());
    }
}
