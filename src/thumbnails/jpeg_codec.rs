//! JPEG originals and sub-sizes with libjpeg-turbo (the `turbojpeg` crate's TurboJPEG API,
//! statically built from its bundled source): the library ImageMagick itself reads and writes
//! WordPress's JPEG sub-sizes with. One decompressor and one compressor per thread, reused
//! (calls come from rayon threads, many small pictures each).
//!
//! What TurboJPEG does not expose is done here on the bytes: the ICC profile (APP2
//! `ICC_PROFILE` segments, read from the original and written into the sub-size after
//! SOI/APP0, as libjpeg's `jpeg_write_icc_profile` places them), the luma sampling factors
//! and the sample precision (from the frame header).

use std::cell::RefCell;

use turbojpeg::{Colorspace, Compressor, Decompressor, Image, PixelFormat, Subsamp};

use super::codec::{
    check_size, encode_error, unsupported, Format, Layout, Original, Output, Pixels,
};
use crate::error::{ImageError, Result};

thread_local! {
    static DECOMPRESSOR: RefCell<Option<Decompressor>> = const { RefCell::new(None) };
    static COMPRESSOR: RefCell<Option<Compressor>> = const { RefCell::new(None) };
}

fn jpeg_error(e: turbojpeg::Error) -> ImageError {
    unsupported(format!("undecodable JPEG: {e}"))
}

/// Runs `f` with this thread's codec handle in `slot`, made by `make` on first use.
fn with_handle<H, T>(
    slot: &'static std::thread::LocalKey<RefCell<Option<H>>>,
    make: impl FnOnce() -> Result<H>,
    f: impl FnOnce(&mut H) -> Result<T>,
) -> Result<T> {
    slot.with(|cell| {
        let mut handle = cell.borrow_mut();
        match handle.as_mut() {
            Some(handle) => f(handle),
            None => f(handle.insert(make()?)),
        }
    })
}

fn with_decompressor<T>(f: impl FnOnce(&mut Decompressor) -> Result<T>) -> Result<T> {
    with_handle(&DECOMPRESSOR, || Decompressor::new().map_err(jpeg_error), f)
}

fn with_compressor<T>(f: impl FnOnce(&mut Compressor) -> Result<T>) -> Result<T> {
    with_handle(
        &COMPRESSOR,
        || Compressor::new().map_err(|e| encode_error("JPEG", e)),
        f,
    )
}

/// The segments before the first scan: (marker, payload without the length field). Stops at
/// SOS, EOI or anything malformed.
struct Segments<'a> {
    bytes: &'a [u8],
    pos: usize,
}

fn segments(bytes: &[u8]) -> Segments<'_> {
    Segments { bytes, pos: 2 }
}

impl<'a> Iterator for Segments<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.bytes;
        loop {
            let i = self.pos;
            if i + 4 > bytes.len() || bytes[i] != 0xFF {
                return None;
            }
            let marker = bytes[i + 1];
            match marker {
                0xFF => {
                    self.pos += 1;
                    continue;
                }
                0x01 | 0xD0..=0xD7 => {
                    self.pos += 2;
                    continue;
                }
                0xD9 | 0xDA => return None,
                _ => {}
            }
            let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
            let payload = bytes.get(i + 4..i + 2 + len.max(2))?;
            self.pos = i + 2 + len.max(2);
            return Some((marker, payload));
        }
    }
}

fn is_frame(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// The start-of-frame payload: precision(1) height(2) width(2) count(1), then (id, HV,
/// table) per component.
fn frame(bytes: &[u8]) -> Option<&[u8]> {
    segments(bytes)
        .find(|&(marker, _)| is_frame(marker))
        .map(|(_, payload)| payload)
}

/// The luma sampling factors of a 3-component JPEG whose chroma components are 1x1, from its
/// start-of-frame segment (`None` for anything else: the encoder's default then applies).
pub fn jpeg_luma_sampling(bytes: &[u8]) -> Option<(u8, u8)> {
    let seg = frame(bytes)?;
    let count = usize::from(*seg.get(5)?);
    let comps = seg.get(6..6 + 3 * count)?;
    if count != 3 || comps[4] != 0x11 || comps[7] != 0x11 {
        return None;
    }
    Some((comps[1] >> 4, comps[1] & 0x0F))
}

const ICC_TAG: &[u8; 12] = b"ICC_PROFILE\0";
/// Profile bytes per APP2 segment: 65535 minus the length field, the tag and the two counters.
const ICC_CHUNK: usize = 65535 - 2 - ICC_TAG.len() - 2;

/// The ICC profile of the APP2 `ICC_PROFILE` segments, put together in their sequence order;
/// `None` when there is none or the sequence is inconsistent (as libjpeg's
/// `jpeg_read_icc_profile`).
fn read_icc_profile(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut chunks: Vec<(u8, u8, &[u8])> = segments(bytes)
        .filter(|&(marker, p)| marker == 0xE2 && p.len() >= 14 && p.starts_with(ICC_TAG))
        .map(|(_, p)| (p[12], p[13], &p[14..]))
        .collect();
    let count = chunks.first()?.1;
    chunks.sort_unstable_by_key(|&(seq, _, _)| seq);
    let consistent = chunks.len() == usize::from(count)
        && chunks
            .iter()
            .enumerate()
            .all(|(i, &(seq, n, _))| n == count && usize::from(seq) == i + 1);
    let profile: Vec<u8> = chunks
        .iter()
        .flat_map(|&(_, _, data)| data)
        .copied()
        .collect();
    (consistent && !profile.is_empty()).then_some(profile)
}

/// `jpeg` with the ICC profile written in APP2 segments right after SOI and the JFIF APP0
/// segment (where libjpeg's `jpeg_write_icc_profile` puts it).
fn with_icc_profile(jpeg: &[u8], icc: &[u8]) -> Result<Vec<u8>> {
    let count = icc.len().div_ceil(ICC_CHUNK);
    let count = u8::try_from(count).map_err(|_| encode_error("JPEG", "ICC profile too large"))?;
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        let len = jpeg
            .get(4..6)
            .map_or(0, |l| u16::from_be_bytes([l[0], l[1]]));
        at = (4 + usize::from(len)).min(jpeg.len());
    }
    let mut out = Vec::with_capacity(jpeg.len() + icc.len() + 18 * usize::from(count));
    out.extend_from_slice(&jpeg[..at]);
    for (i, chunk) in icc.chunks(ICC_CHUNK).enumerate() {
        let len = (2 + ICC_TAG.len() + 2 + chunk.len()) as u16;
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(ICC_TAG);
        out.extend_from_slice(&[i as u8 + 1, count]);
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&jpeg[at..]);
    Ok(out)
}

fn size(header: &turbojpeg::DecompressHeader) -> Result<(u32, u32)> {
    let out_of_range = |_| unsupported("undecodable JPEG: size out of range");
    let width = u32::try_from(header.width).map_err(out_of_range)?;
    let height = u32::try_from(header.height).map_err(out_of_range)?;
    check_size(width, height)?;
    Ok((width, height))
}

/// Width and height from the header alone (nothing decoded).
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    with_decompressor(|decompressor| size(&decompressor.read_header(bytes).map_err(jpeg_error)?))
}

/// Decodes the whole original into gray or RGB pixels (any baseline, progressive or lossless
/// 8-bit JPEG, with restart markers, any scan layout; chroma upsampled smoothly, as
/// ImageMagick reads it). libjpeg's warnings (a truncated or corrupt scan, an inconsistent
/// sequence of ICC segments) are errors: WordPress's editor then takes the file.
pub fn decode(bytes: &[u8]) -> Result<Original> {
    if let Some(&precision) = frame(bytes).and_then(|seg| seg.first()) {
        if precision > 8 {
            return Err(unsupported(format!(
                "{precision}-bit JPEG is not resized natively: use WordPress's image editor"
            )));
        }
    }
    let pixels = with_decompressor(|decompressor| {
        let header = decompressor.read_header(bytes).map_err(jpeg_error)?;
        let (width, height) = size(&header)?;
        let (layout, format) = match header.colorspace {
            Colorspace::Gray => (Layout::Gray, PixelFormat::GRAY),
            Colorspace::YCbCr | Colorspace::RGB => (Layout::Rgb, PixelFormat::RGB),
            // WordPress's Imagick editor keeps CMYK (print) JPEGs in CMYK; converting them
            // here would change their colours, so they are left to it.
            Colorspace::CMYK | Colorspace::YCCK => {
                return Err(unsupported(
                    "CMYK JPEG is not resized natively: use WordPress's image editor",
                ))
            }
        };
        let pitch = header.width * layout.channels();
        let mut data = vec![0u8; pitch * header.height];
        let image = Image {
            pixels: &mut data[..],
            width: header.width,
            pitch,
            height: header.height,
            format,
        };
        decompressor.decompress(bytes, image).map_err(jpeg_error)?;
        Ok(Pixels {
            width,
            height,
            layout,
            data,
        })
    })?;
    Ok(Original {
        format: Format::Jpeg,
        pixels,
        icc_profile: read_icc_profile(bytes),
        jpeg_sampling: jpeg_luma_sampling(bytes),
        webp_lossless: false,
    })
}

/// Huffman tables: libjpeg's standard ones. Optimised tables (what ImageMagick writes) made
/// files 5.3 % smaller but took 2.9x the encoding time (libjpeg-turbo 3.1, quality 82, 4:2:0,
/// 5,352 sub-sizes of the catalogue's 400x300 photos: 0.93 s standard, 2.70 s optimised).
const OPTIMIZED_HUFFMAN: bool = false;

/// The chroma subsampling of a colour sub-size: the original's (luma factors, chroma at 1x1)
/// where TurboJPEG can write it, else ImageMagick's default, 4:2:0 below quality 90 and 4:4:4
/// from 90 on.
fn subsampling(output: &Output<'_>) -> Subsamp {
    match output.jpeg_sampling {
        Some((2, 2)) => Subsamp::Sub2x2,
        Some((2, 1)) => Subsamp::Sub2x1,
        Some((1, 1)) => Subsamp::None,
        Some((1, 2)) => Subsamp::Sub1x2,
        Some((4, 1)) => Subsamp::Sub4x1,
        Some((1, 4)) => Subsamp::Sub1x4,
        _ if output.quality.jpeg < 90 => Subsamp::Sub2x2,
        _ => Subsamp::None,
    }
}

/// Baseline JPEG (like Imagick with `INTERLACE_NO`) with the original's chroma subsampling
/// (see `subsampling`), chroma averaged and the slow integer DCT (libjpeg's defaults, as
/// ImageMagick leaves them), standard Huffman tables (see `OPTIMIZED_HUFFMAN`); no metadata
/// but JFIF and the colour profile. Grayscale stays grayscale.
pub fn encode(pixels: &Pixels, output: &Output<'_>) -> Result<Vec<u8>> {
    let (format, subsamp) = match pixels.layout {
        Layout::Gray => (PixelFormat::GRAY, Subsamp::Gray),
        Layout::Rgb => (PixelFormat::RGB, subsampling(output)),
        // JPEG originals decode to gray or RGB only.
        Layout::GrayAlpha | Layout::Rgba => {
            return Err(encode_error("JPEG", "an alpha channel"));
        }
    };
    let width = pixels.width as usize;
    let image = Image {
        pixels: &pixels.data[..],
        width,
        pitch: width * pixels.layout.channels(),
        height: pixels.height as usize,
        format,
    };
    if image.pixels.len() != image.pitch * image.height {
        return Err(encode_error("JPEG", "pixel data of the wrong size"));
    }
    let jpeg = with_compressor(|compressor| {
        let fail = |e| encode_error("JPEG", e);
        compressor
            .set_quality(i32::from(output.quality.jpeg.clamp(1, 100)))
            .map_err(fail)?;
        compressor.set_subsamp(subsamp).map_err(fail)?;
        compressor.set_progressive(false).map_err(fail)?;
        compressor.set_optimize(OPTIMIZED_HUFFMAN).map_err(fail)?;
        compressor.compress_to_owned(image).map_err(fail)
    })?;
    match output.icc_profile {
        Some(icc) if !icc.is_empty() => with_icc_profile(&jpeg, icc),
        _ => Ok(jpeg.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icc_profile_round_trips_in_several_segments() {
        let pic = super::super::codec::tests::picture(16, 16, Layout::Rgb);
        // Three segments: two full ones and a short one.
        let icc: Vec<u8> = (0..2 * ICC_CHUNK + 100).map(|i| (i % 251) as u8).collect();
        let output = Output {
            icc_profile: Some(&icc),
            ..Output::plain(Format::Jpeg, 82)
        };
        let bytes = encode(&pic, &output).unwrap();
        let app2: Vec<(u8, &[u8])> = segments(&bytes).filter(|s| s.0 == 0xE2).collect();
        assert_eq!(app2.len(), 3);
        assert_eq!(&app2[2].1[12..14], &[3, 3]);
        // Right after SOI and JFIF, as libjpeg writes it.
        assert_eq!(&bytes[..4], &[0xFF, 0xD8, 0xFF, 0xE0]);
        let app0_end = 4 + usize::from(u16::from_be_bytes([bytes[4], bytes[5]]));
        assert_eq!(&bytes[app0_end..app0_end + 2], &[0xFF, 0xE2]);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.icc_profile.as_deref(), Some(&icc[..]));
        assert_eq!(back.pixels.width, 16);
    }

    #[test]
    fn inconsistent_icc_segments_are_ignored() {
        let pic = super::super::codec::tests::picture(8, 8, Layout::Rgb);
        let bytes = encode(&pic, &Output::plain(Format::Jpeg, 82)).unwrap();
        let icc = vec![7u8; 500];
        let mut one = with_icc_profile(&bytes, &icc).unwrap();
        assert_eq!(read_icc_profile(&one).as_deref(), Some(&icc[..]));
        // The segment says it is 1 of 2 and the second is missing.
        let tag = one.windows(12).position(|w| w == ICC_TAG).unwrap();
        assert_eq!(&one[tag + 12..tag + 14], &[1, 1]);
        one[tag + 13] = 2;
        assert_eq!(read_icc_profile(&one), None);
        // libjpeg warns about it, and its warnings are errors here: WordPress's editor then
        // takes the file.
        let err = decode(&one).unwrap_err();
        assert!(matches!(err, ImageError::UnsupportedFormat(_)), "{err}");
        assert!(err.to_string().contains("bad ICC marker"), "{err}");
    }

    #[test]
    fn maps_the_originals_subsampling_or_the_default() {
        let at = |sampling, quality| {
            subsampling(&Output {
                jpeg_sampling: sampling,
                ..Output::plain(Format::Jpeg, quality)
            })
        };
        assert_eq!(at(Some((2, 2)), 95), Subsamp::Sub2x2);
        assert_eq!(at(Some((2, 1)), 82), Subsamp::Sub2x1);
        assert_eq!(at(Some((1, 1)), 82), Subsamp::None);
        assert_eq!(at(Some((1, 2)), 82), Subsamp::Sub1x2);
        assert_eq!(at(Some((4, 1)), 82), Subsamp::Sub4x1);
        assert_eq!(at(Some((4, 2)), 82), Subsamp::Sub2x2, "not expressible");
        assert_eq!(at(Some((4, 2)), 90), Subsamp::None);
        assert_eq!(at(None, 89), Subsamp::Sub2x2);
        assert_eq!(at(None, 90), Subsamp::None);
        // And what the encoder writes is what the frame header says.
        let pic = super::super::codec::tests::picture(40, 24, Layout::Rgb);
        for (h, v) in [(2, 1), (1, 2), (4, 1), (1, 4)] {
            let output = Output {
                jpeg_sampling: Some((h, v)),
                ..Output::plain(Format::Jpeg, 82)
            };
            let bytes = encode(&pic, &output).unwrap();
            assert_eq!(jpeg_luma_sampling(&bytes), Some((h, v)));
            assert_eq!(decode(&bytes).unwrap().pixels.width, 40);
        }
    }

    #[test]
    fn refuses_high_precision_and_cmyk() {
        let pic = super::super::codec::tests::picture(8, 8, Layout::Rgb);
        let bytes = encode(&pic, &Output::plain(Format::Jpeg, 82)).unwrap();
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let mut twelve = bytes.clone();
        twelve[sof + 4] = 12;
        let err = decode(&twelve).unwrap_err().to_string();
        assert!(
            err.contains("12-bit JPEG") && err.contains("WordPress's image editor"),
            "{err}"
        );

        // A 4-component (CMYK) frame: turbojpeg compresses CMYK pixels into a YCCK JPEG.
        let mut compressor = Compressor::new().unwrap();
        let cmyk = Image {
            pixels: &[0u8; 8 * 8 * 4][..],
            width: 8,
            pitch: 32,
            height: 8,
            format: PixelFormat::CMYK,
        };
        let jpeg = compressor.compress_to_vec(cmyk).unwrap();
        let err = decode(&jpeg).unwrap_err().to_string();
        assert!(
            err.contains("CMYK JPEG") && err.contains("WordPress's image editor"),
            "{err}"
        );
    }
}
