//! Streaming base64 decoding of Verial's `Imagen` payloads.
//!
//! The payload is decoded window by window into a small reused buffer and handed to a sink,
//! so memory stays bounded whatever the image size. The SIMD engine of the `base64` crate does
//! the work; whitespace (line-broken payloads) takes a copying slow path, and errors are located
//! by a scalar rescan so that every error names the exact byte offset in the payload as given.

use std::sync::OnceLock;

use base64::engine::general_purpose::GeneralPurposeConfig;
use base64::engine::simd::Simd;
use base64::engine::{DecodePaddingMode, Engine};

use crate::error::{ImageError, Result};

/// Base64 text decoded per window: 64 KiB in, 48 KiB out.
pub const WINDOW: usize = 64 * 1024;

fn engine() -> &'static Simd {
    static ENGINE: OnceLock<Simd> = OnceLock::new();
    ENGINE.get_or_init(|| {
        // Padding is validated by `Layout`; non-zero trailing bits are tolerated like PHP does.
        let config = GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true);
        Simd::standard(config)
    })
}

/// Name of the decoding engine, for `build_info()`.
pub fn engine_name() -> &'static str {
    "base64 simd (runtime-detected AVX2, scalar fallback)"
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_symbol(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Length of an optional `data:<anything>;base64,` prefix (0 when there is none).
pub fn data_prefix_len(payload: &[u8]) -> usize {
    const MAX_PREFIX: usize = 256;
    if !payload.starts_with(b"data:") {
        return 0;
    }
    let head = &payload[..payload.len().min(MAX_PREFIX)];
    head.windows(8)
        .position(|w| w == b";base64,")
        .map_or(0, |at| at + 8)
}

/// Where the symbols of a payload are: `[body_start, body_end)` holds symbols and whitespace,
/// then `padding` `=` signs, then only whitespace.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub body_start: usize,
    pub body_end: usize,
    pub padding: usize,
    /// Number of base64 symbols (whitespace excluded) in the body.
    pub symbols: usize,
}

impl Layout {
    /// Scans the payload once (vectorised byte counting) and validates the padding.
    pub fn of(payload: &[u8]) -> Result<Layout> {
        let body_start = data_prefix_len(payload);
        let mut end = payload.len();
        while end > body_start && is_space(payload[end - 1]) {
            end -= 1;
        }
        let mut body_end = end;
        while body_end > body_start && end - body_end < 2 && payload[body_end - 1] == b'=' {
            body_end -= 1;
        }
        let padding = end - body_end;
        let body = &payload[body_start..body_end];
        // memchr scans at memory speed; typical Verial payloads have no whitespace at all.
        if let Some(at) = memchr::memchr(b'=', body) {
            return Err(ImageError::InvalidBase64 {
                offset: body_start + at,
                reason: "padding '=' before the end".into(),
            });
        }
        let spaces = memchr::memchr3_iter(b'\n', b'\r', b' ', body).count()
            + memchr::memchr_iter(b'\t', body).count();
        let symbols = body.len() - spaces;
        let layout = Layout {
            body_start,
            body_end,
            padding,
            symbols,
        };
        // Padding, when present, must complete the last group exactly (as PHP's strict mode).
        match (symbols % 4, padding) {
            (1, _) => Err(layout.dangling_symbol(payload)),
            (0, 0) | (2, 0) | (3, 0) | (2, 2) | (3, 1) => Ok(layout),
            (0, _) => Err(ImageError::InvalidBase64 {
                offset: body_end,
                reason: "unexpected padding '='".into(),
            }),
            _ => Err(ImageError::InvalidBase64 {
                offset: end,
                reason: "truncated base64: incomplete padding".into(),
            }),
        }
    }

    /// Exact number of bytes the payload decodes to (when it is valid).
    pub fn decoded_len(&self) -> u64 {
        let full = (self.symbols / 4) as u64 * 3;
        full + match self.symbols % 4 {
            2 => 1,
            3 => 2,
            _ => 0,
        }
    }

    fn dangling_symbol(&self, payload: &[u8]) -> ImageError {
        let offset = (self.body_start..self.body_end)
            .rev()
            .find(|&i| !is_space(payload[i]))
            .unwrap_or(self.body_start);
        ImageError::InvalidBase64 {
            offset,
            reason: "truncated base64 (dangling final symbol)".into(),
        }
    }
}

/// Finds the first byte in `payload[from..to]` that is neither a symbol nor whitespace.
fn first_invalid(payload: &[u8], from: usize, to: usize) -> ImageError {
    for (i, &b) in payload[from..to].iter().enumerate() {
        if !is_symbol(b) && !is_space(b) {
            let reason = if b == b'=' {
                "padding '=' before the end".to_string()
            } else if b.is_ascii_graphic() {
                format!("invalid character '{}'", b as char)
            } else {
                format!("invalid byte 0x{b:02x}")
            };
            return ImageError::InvalidBase64 {
                offset: from + i,
                reason,
            };
        }
    }
    // The engine refused a window that the scalar check accepts: report its start.
    ImageError::InvalidBase64 {
        offset: from,
        reason: "undecodable base64".into(),
    }
}

/// Decodes the payload window by window, calling `sink` with each decoded piece (at most
/// `WINDOW / 4 * 3` bytes). Returns the number of decoded bytes.
pub fn decode_stream<F>(payload: &[u8], layout: &Layout, mut sink: F) -> Result<u64>
where
    F: FnMut(&[u8]) -> Result<()>,
{
    let engine = engine();
    let mut out = vec![0u8; WINDOW / 4 * 3 + 3];
    // Symbols copied out of whitespace-bearing windows, plus the 0-3 symbols carried over.
    let mut clean: Vec<u8> = Vec::new();
    let mut carry_len = 0usize;
    let mut total = 0u64;
    let has_space = layout.symbols != layout.body_end - layout.body_start;

    let mut pos = layout.body_start;
    while pos < layout.body_end {
        let end = (pos + WINDOW).min(layout.body_end);
        let window = &payload[pos..end];
        let last = end == layout.body_end;
        if !has_space && carry_len == 0 && (window.len().is_multiple_of(4) || last) {
            // Fast path: decode straight from the payload.
            let whole = window.len() / 4 * 4;
            let groups = if last { window.len() } else { whole };
            let n = engine
                .decode_slice(&window[..groups], &mut out)
                .map_err(|_| first_invalid(payload, pos, end))?;
            sink(&out[..n])?;
            total += n as u64;
        } else {
            // Slow path: strip whitespace after the carried symbols, decode whole groups.
            clean.truncate(carry_len);
            clean.extend(window.iter().copied().filter(|&b| !is_space(b)));
            let groups = if last {
                clean.len()
            } else {
                clean.len() / 4 * 4
            };
            let n = engine
                .decode_slice(&clean[..groups], &mut out)
                .map_err(|_| first_invalid(payload, pos.saturating_sub(WINDOW), end))?;
            sink(&out[..n])?;
            total += n as u64;
            carry_len = clean.len() - groups;
            clean.copy_within(groups.., 0);
            clean.truncate(carry_len);
        }
        pos = end;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn decode_all(payload: &[u8]) -> Result<Vec<u8>> {
        let layout = Layout::of(payload)?;
        let mut out = Vec::new();
        let n = decode_stream(payload, &layout, |piece| {
            out.extend_from_slice(piece);
            Ok(())
        })?;
        assert_eq!(n as usize, out.len());
        assert_eq!(layout.decoded_len(), n);
        Ok(out)
    }

    fn offset_of(err: ImageError) -> usize {
        match err {
            ImageError::InvalidBase64 { offset, .. } => offset,
            other => panic!("expected InvalidBase64, got {other:?}"),
        }
    }

    #[test]
    fn decodes_every_padding_case() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
            let text = STANDARD.encode(&data);
            assert_eq!(decode_all(text.as_bytes()).unwrap(), data, "len {len}");
            let unpadded = text.trim_end_matches('=');
            assert_eq!(decode_all(unpadded.as_bytes()).unwrap(), data);
        }
    }

    #[test]
    fn skips_prefix_and_line_breaks_across_windows() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let text = STANDARD.encode(&data);
        let wrapped: Vec<u8> = text
            .as_bytes()
            .chunks(76)
            .flat_map(|line| line.iter().copied().chain(*b"\r\n"))
            .collect();
        let mut prefixed = b"data:image/png;base64,".to_vec();
        prefixed.extend_from_slice(&wrapped);
        assert_eq!(decode_all(&prefixed).unwrap(), data);
    }

    #[test]
    fn names_the_offset_of_an_invalid_character() {
        let mut text = STANDARD.encode(vec![0u8; 300_000]).into_bytes();
        text[150_001] = b'*';
        assert_eq!(offset_of(decode_all(&text).unwrap_err()), 150_001);
        let mut prefixed = b"data:image/jpeg;base64,".to_vec();
        prefixed.extend_from_slice(&text);
        assert_eq!(offset_of(decode_all(&prefixed).unwrap_err()), 150_001 + 23);
    }

    #[test]
    fn names_the_offset_in_line_broken_text() {
        let text = STANDARD.encode(vec![1u8; 100_000]);
        let mut wrapped: Vec<u8> = text
            .as_bytes()
            .chunks(76)
            .flat_map(|line| line.iter().copied().chain(*b"\n"))
            .collect();
        wrapped[70_000] = 0xC3;
        let err = decode_all(&wrapped).unwrap_err();
        assert_eq!(offset_of(err), 70_000);
    }

    #[test]
    fn refuses_misplaced_padding_and_dangling_symbols() {
        assert_eq!(offset_of(decode_all(b"QUJD=REVG").unwrap_err()), 4);
        assert_eq!(offset_of(decode_all(b"QUJDR").unwrap_err()), 4);
        assert_eq!(offset_of(decode_all(b"QUJD=").unwrap_err()), 4);
        assert_eq!(offset_of(decode_all(b"QQ===").unwrap_err()), 2);
        assert_eq!(offset_of(decode_all(b"QQ=").unwrap_err()), 3);
        assert_eq!(offset_of(decode_all(b"QUI==").unwrap_err()), 5);
        assert_eq!(decode_all(b"QQ==").unwrap(), b"A");
        assert_eq!(decode_all(b"QUI=").unwrap(), b"AB");
    }

    #[test]
    fn empty_payload_decodes_to_nothing() {
        assert!(decode_all(b"").unwrap().is_empty());
        assert!(decode_all(b"data:image/png;base64,").unwrap().is_empty());
    }
}
