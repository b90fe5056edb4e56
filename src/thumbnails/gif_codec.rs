//! GIF originals and sub-sizes, as WordPress's Imagick editor makes them: the first frame
//! only (`load()` selects it with `setIteratorIndex(0)`), written as a single-frame GIF.
//!
//! In: frame 0 of the `gif` crate's decoder, its colour indexes looked up in the local or
//! global colour table; the transparent index becomes alpha 0 (RGBA only when some pixel is
//! transparent, so opaque GIFs resize as RGB). A first frame that does not cover the logical
//! screen is refused: ImageMagick then works on the frame's own size, not the screen's that
//! WordPress's metadata holds, and such files are rare enough to leave to WordPress.
//!
//! Out: alpha thresholded at 50 % back to one transparent index (as ImageMagick's GIF writer
//! does), the colours kept exactly when there are at most 256 of them, else quantized to 256
//! by `quantize` (median cut; ImageMagick uses its octree quantizer with dithering, so the
//! palettes differ, see docs/native-api.md).

use std::io::Cursor;
use std::num::NonZeroU64;

use gif::{ColorOutput, DecodeOptions, MemoryLimit};

use super::codec::{check_size, encode_error, unsupported, Layout, Pixels, MAX_PIXELS};
use super::quantize;
use crate::error::{ImageError, Result};

/// Alpha from this value on is opaque in the GIF, below it transparent.
const ALPHA_THRESHOLD: u8 = 128;

fn gif_error(e: gif::DecodingError) -> ImageError {
    unsupported(format!("undecodable GIF: {e}"))
}

fn options() -> DecodeOptions {
    let mut options = DecodeOptions::new();
    options.set_color_output(ColorOutput::Indexed);
    // One byte per pixel of frame 0: the crate's 50 MB default would refuse what MAX_PIXELS
    // lets through.
    options.set_memory_limit(MemoryLimit::Bytes(
        NonZeroU64::new(MAX_PIXELS).expect("MAX_PIXELS is not zero"),
    ));
    options
}

/// The logical screen's size (what `getimagesize()` and WordPress's metadata say).
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    let decoder = options().read_info(Cursor::new(bytes)).map_err(gif_error)?;
    Ok((u32::from(decoder.width()), u32::from(decoder.height())))
}

/// Frame 0 as RGB, or RGBA when some of its pixels are transparent.
pub fn decode(bytes: &[u8]) -> Result<Pixels> {
    let mut decoder = options().read_info(Cursor::new(bytes)).map_err(gif_error)?;
    let (width, height) = (decoder.width(), decoder.height());
    check_size(u32::from(width), u32::from(height))?;
    let global = decoder.global_palette().map(<[u8]>::to_vec);
    let frame = decoder
        .read_next_frame()
        .map_err(gif_error)?
        .ok_or_else(|| unsupported("undecodable GIF: no image"))?;
    if (frame.left, frame.top, frame.width, frame.height) != (0, 0, width, height) {
        return Err(unsupported(format!(
            "GIF whose first frame ({}x{} at {},{}) does not cover its {width}x{height} screen is not resized natively: use WordPress's image editor",
            frame.width, frame.height, frame.left, frame.top
        )));
    }
    let palette = frame
        .palette
        .as_deref()
        .or(global.as_deref())
        .ok_or_else(|| unsupported("undecodable GIF: no colour table"))?;
    // 256 entries, so that any index reads something: an index past the table is black, as
    // browsers show it.
    let mut table = [[0u8, 0, 0, 255]; 256];
    for (entry, rgb) in table.iter_mut().zip(palette.chunks_exact(3)) {
        entry[..3].copy_from_slice(rgb);
    }
    let transparent = frame.transparent.filter(|&t| frame.buffer.contains(&t));
    if let Some(t) = transparent {
        table[usize::from(t)][3] = 0;
    }
    let layout = if transparent.is_some() {
        Layout::Rgba
    } else {
        Layout::Rgb
    };
    let channels = layout.channels();
    let mut data = Vec::with_capacity(frame.buffer.len() * channels);
    for &index in frame.buffer.iter() {
        data.extend_from_slice(&table[usize::from(index)][..channels]);
    }
    Ok(Pixels {
        width: u32::from(width),
        height: u32::from(height),
        layout,
        data,
    })
}

/// RGBA with alpha either 0 or 255.
fn thresholded_rgba(pixels: &Pixels) -> Vec<u8> {
    let opaque = |a: u8| if a >= ALPHA_THRESHOLD { 255 } else { 0 };
    let mut out = Vec::with_capacity(pixels.width as usize * pixels.height as usize * 4);
    match pixels.layout {
        Layout::Gray => pixels
            .data
            .iter()
            .for_each(|&g| out.extend_from_slice(&[g, g, g, 255])),
        Layout::GrayAlpha => pixels
            .data
            .chunks_exact(2)
            .for_each(|p| out.extend_from_slice(&[p[0], p[0], p[0], opaque(p[1])])),
        Layout::Rgb => pixels
            .data
            .chunks_exact(3)
            .for_each(|p| out.extend_from_slice(&[p[0], p[1], p[2], 255])),
        Layout::Rgba => pixels
            .data
            .chunks_exact(4)
            .for_each(|p| out.extend_from_slice(&[p[0], p[1], p[2], opaque(p[3])])),
    }
    out
}

/// A single-frame GIF89a of `pixels`: no loop count, no delay, one colour table.
pub fn encode(pixels: &Pixels) -> Result<Vec<u8>> {
    let (w, h) = (
        u16::try_from(pixels.width).map_err(|e| encode_error("GIF", e))?,
        u16::try_from(pixels.height).map_err(|e| encode_error("GIF", e))?,
    );
    let indexed = quantize::quantize(&thresholded_rgba(pixels));
    let frame = gif::Frame {
        width: w,
        height: h,
        buffer: indexed.indexes.into(),
        palette: Some(indexed.palette),
        transparent: indexed.transparent,
        ..gif::Frame::default()
    };
    let mut out = Vec::with_capacity(pixels.width as usize * pixels.height as usize / 2 + 1024);
    {
        let mut encoder =
            gif::Encoder::new(&mut out, w, h, &[]).map_err(|e| encode_error("GIF", e))?;
        encoder
            .write_frame(&frame)
            .map_err(|e| encode_error("GIF", e))?;
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::codec::tests::{mean_abs_diff, picture};
    use super::*;

    /// A GIF with one frame per entry of `frames`: (left, top, width, height, indexes),
    /// a global table of `palette`, `transparent` as every frame's transparent index.
    pub fn gif_file(
        screen: (u16, u16),
        palette: &[u8],
        transparent: Option<u8>,
        frames: &[(u16, u16, u16, u16, Vec<u8>)],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = gif::Encoder::new(&mut out, screen.0, screen.1, palette).unwrap();
            if frames.len() > 1 {
                encoder.set_repeat(gif::Repeat::Infinite).unwrap();
            }
            for (left, top, width, height, buffer) in frames {
                let frame = gif::Frame {
                    left: *left,
                    top: *top,
                    width: *width,
                    height: *height,
                    buffer: buffer.clone().into(),
                    transparent,
                    delay: 10,
                    ..gif::Frame::default()
                };
                encoder.write_frame(&frame).unwrap();
            }
        }
        out
    }

    /// Four colours: red, green, blue, white.
    const PALETTE: [u8; 12] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];

    /// Quadrants of the four colours.
    fn quadrants(w: u16, h: u16) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| u8::from(x >= w / 2) + 2 * u8::from(y >= h / 2)))
            .collect()
    }

    #[test]
    fn decodes_the_first_frame_of_an_animation() {
        let first = quadrants(40, 30);
        let second = vec![3u8; 40 * 30];
        let file = gif_file(
            (40, 30),
            &PALETTE,
            None,
            &[(0, 0, 40, 30, first), (0, 0, 40, 30, second)],
        );
        assert_eq!(dimensions(&file).unwrap(), (40, 30));
        let pixels = decode(&file).unwrap();
        assert_eq!(
            (pixels.width, pixels.height, pixels.layout),
            (40, 30, Layout::Rgb)
        );
        let at = |x: usize, y: usize| &pixels.data[(y * 40 + x) * 3..(y * 40 + x) * 3 + 3];
        assert_eq!(at(0, 0), [255, 0, 0]);
        assert_eq!(at(39, 0), [0, 255, 0]);
        assert_eq!(at(0, 29), [0, 0, 255]);
        assert_eq!(at(39, 29), [255, 255, 255]);
    }

    #[test]
    fn the_transparent_index_is_alpha_only_when_used() {
        let buffer = quadrants(20, 20);
        let used = decode(&gif_file(
            (20, 20),
            &PALETTE,
            Some(3),
            &[(0, 0, 20, 20, buffer)],
        ))
        .unwrap();
        assert_eq!(used.layout, Layout::Rgba);
        assert_eq!(&used.data[..4], [255, 0, 0, 255]);
        assert_eq!(used.data[(20 * 20 - 1) * 4 + 3], 0, "white is transparent");
        let unused = decode(&gif_file(
            (20, 20),
            &PALETTE,
            Some(3),
            &[(0, 0, 20, 20, vec![1; 400])],
        ))
        .unwrap();
        assert_eq!(unused.layout, Layout::Rgb);
    }

    #[test]
    fn refuses_a_first_frame_off_the_screen_and_garbage() {
        let file = gif_file((40, 30), &PALETTE, None, &[(5, 5, 10, 10, vec![0; 100])]);
        assert_eq!(dimensions(&file).unwrap(), (40, 30));
        let err = decode(&file).unwrap_err().to_string();
        assert!(err.contains("does not cover"), "{err}");
        let mut cut = gif_file(
            (40, 30),
            &PALETTE,
            None,
            &[(0, 0, 40, 30, quadrants(40, 30))],
        );
        cut.truncate(30);
        assert!(matches!(
            decode(&cut),
            Err(ImageError::UnsupportedFormat(_))
        ));
    }

    #[test]
    fn few_colours_round_trip_exactly() {
        let file = gif_file(
            (40, 30),
            &PALETTE,
            None,
            &[(0, 0, 40, 30, quadrants(40, 30))],
        );
        let pixels = decode(&file).unwrap();
        assert_eq!(decode(&encode(&pixels).unwrap()).unwrap(), pixels);
    }

    #[test]
    fn many_colours_are_quantized_closely_and_alpha_thresholded() {
        let pic = picture(200, 150, Layout::Rgba);
        let back = decode(&encode(&pic).unwrap()).unwrap();
        assert_eq!(back.layout, Layout::Rgba);
        let mut expected = pic.clone();
        for p in expected.data.chunks_exact_mut(4) {
            p[3] = if p[3] >= ALPHA_THRESHOLD { 255 } else { 0 };
        }
        // Transparent pixels' colours are whatever the table holds: compare opaque ones.
        let (mut sum, mut n) = (0u64, 0u64);
        for (a, b) in back.data.chunks_exact(4).zip(expected.data.chunks_exact(4)) {
            assert_eq!(a[3], b[3], "alpha is thresholded at 50 %");
            if b[3] == 255 {
                sum += (0..3).map(|i| u64::from(a[i].abs_diff(b[i]))).sum::<u64>();
                n += 3;
            }
        }
        let mad = sum as f64 / n as f64;
        assert!(mad < 3.0, "{mad}");
        let opaque = picture(200, 150, Layout::Rgb);
        let back = decode(&encode(&opaque).unwrap()).unwrap();
        assert_eq!(back.layout, Layout::Rgb, "no transparent index when opaque");
        // ~30,000 colours of a smooth two-dimensional ramp in 256 undithered cells: about
        // 28 levels per cell side, ~4.5 expected; a wrong mapping measures 30+.
        let mad = mean_abs_diff(&back, &opaque);
        assert!(mad < 4.5, "{mad}");
    }
}
