//! Image format sniffing from magic bytes, fed chunk by chunk as the payload decodes.
//!
//! The type of a stored file comes from here and nowhere else (never from a `data:` prefix or
//! a name). A file is accepted only when it is a complete JPEG, PNG, GIF or WebP with a
//! non-zero size in its header, so that truncated downloads and disguised text are refused.

use crate::error::{ImageError, Result};

/// The formats Verial serves and WordPress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl ImageFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
        }
    }

    fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
        }
    }

    fn from_magic(head: &[u8]) -> Option<ImageFormat> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            Some(ImageFormat::Gif)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(ImageFormat::Webp)
        } else {
            None
        }
    }
}

/// What the sniffer established about a complete image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Bytes of the header kept to read the format and the PNG/GIF/WebP dimensions.
const HEAD: usize = 32;
/// Bytes of the end kept to check the end marker (JPEG may carry some zero padding).
const TAIL: usize = 64;
const PNG_IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

/// Walks JPEG marker segments up to the first start-of-frame, whatever chunks they span.
#[derive(Debug, Clone, Copy)]
enum JpegWalk {
    /// Expecting the 0xFF that starts a marker (fill bytes 0xFF are allowed).
    Marker,
    /// Read 0xFF, expecting the marker code.
    Code,
    /// Reading a segment's 2-byte length.
    Length {
        code: u8,
        hi: Option<u8>,
    },
    /// Skipping the rest of a segment.
    Skip(u64),
    /// Reading precision(1), height(2), width(2) of a start-of-frame segment.
    Frame {
        got: usize,
        buf: [u8; 7],
    },
    Done {
        width: u32,
        height: u32,
    },
    Failed {
        offset: u64,
        reason: &'static str,
    },
}

impl JpegWalk {
    /// Feeds `chunk`, whose first byte is at absolute `offset`.
    fn feed(&mut self, chunk: &[u8], offset: u64) {
        let mut i = 0usize;
        while i < chunk.len() {
            match *self {
                JpegWalk::Done { .. } | JpegWalk::Failed { .. } => return,
                JpegWalk::Skip(n) => {
                    let step = n.min((chunk.len() - i) as u64);
                    i += step as usize;
                    *self = if step == n {
                        JpegWalk::Marker
                    } else {
                        JpegWalk::Skip(n - step)
                    };
                    continue;
                }
                _ => {}
            }
            let b = chunk[i];
            let at = offset + i as u64;
            *self = match *self {
                JpegWalk::Marker if b == 0xFF => JpegWalk::Code,
                JpegWalk::Marker => JpegWalk::Failed {
                    offset: at,
                    reason: "corrupt jpeg: expected a marker",
                },
                JpegWalk::Code => match b {
                    0xFF => JpegWalk::Code,
                    0xD8 | 0x01 | 0xD0..=0xD7 => JpegWalk::Marker,
                    0xDA | 0xD9 | 0x00 => JpegWalk::Failed {
                        offset: at,
                        reason: "no dimensions found in jpeg header",
                    },
                    code => JpegWalk::Length { code, hi: None },
                },
                JpegWalk::Length { code, hi: None } => JpegWalk::Length { code, hi: Some(b) },
                JpegWalk::Length { code, hi: Some(hi) } => {
                    let len = u16::from_be_bytes([hi, b]) as u64;
                    let is_frame =
                        matches!(code, 0xC0..=0xCF) && !matches!(code, 0xC4 | 0xC8 | 0xCC);
                    if len < 2 || (is_frame && len < 7) {
                        JpegWalk::Failed {
                            offset: at,
                            reason: "corrupt jpeg: bad segment length",
                        }
                    } else if is_frame {
                        JpegWalk::Frame {
                            got: 0,
                            buf: [0; 7],
                        }
                    } else if len == 2 {
                        JpegWalk::Marker
                    } else {
                        JpegWalk::Skip(len - 2)
                    }
                }
                JpegWalk::Frame { got, mut buf } => {
                    buf[got] = b;
                    if got + 1 < 5 {
                        JpegWalk::Frame { got: got + 1, buf }
                    } else {
                        JpegWalk::Done {
                            height: u16::from_be_bytes([buf[1], buf[2]]) as u32,
                            width: u16::from_be_bytes([buf[3], buf[4]]) as u32,
                        }
                    }
                }
                state => state,
            };
            i += 1;
        }
    }
}

/// Scans for `<?php` (any case) across chunk boundaries: such a file is refused even when its
/// magic bytes say image, so no PHP/image polyglot ever reaches the uploads directory.
#[derive(Debug, Default)]
struct PhpTagScan {
    /// The last 4 bytes of the previous chunk, lower-cased.
    carry: Vec<u8>,
    found: Option<u64>,
}

impl PhpTagScan {
    const TAG: &'static [u8] = b"<?php";

    fn feed(&mut self, chunk: &[u8], offset: u64) {
        if self.found.is_some() {
            return;
        }
        // The boundary: the carried bytes followed by the start of this chunk.
        let mut seam = self.carry.clone();
        seam.extend(chunk.iter().take(4).map(u8::to_ascii_lowercase));
        if let Some(p) = seam.windows(5).position(|w| w == Self::TAG) {
            self.found = Some(offset - self.carry.len() as u64 + p as u64);
            return;
        }
        for p in memchr::memchr_iter(b'<', chunk) {
            let rest = &chunk[p..];
            if rest.len() >= 5 && rest[1] == b'?' && rest[2..5].eq_ignore_ascii_case(b"php") {
                self.found = Some(offset + p as u64);
                return;
            }
        }
        let mut joined = std::mem::take(&mut self.carry);
        joined.extend(
            chunk[chunk.len().saturating_sub(4)..]
                .iter()
                .map(u8::to_ascii_lowercase),
        );
        joined.drain(..joined.len().saturating_sub(4));
        self.carry = joined;
    }
}

/// Incremental sniffer: feed every decoded chunk in order, then `finish`.
#[derive(Debug)]
pub struct Sniffer {
    head: Vec<u8>,
    tail: Vec<u8>,
    total: u64,
    format: Option<ImageFormat>,
    jpeg: JpegWalk,
    /// Bytes of the stream already fed to the JPEG walker.
    walked: u64,
    php: PhpTagScan,
}

impl Default for Sniffer {
    fn default() -> Self {
        Sniffer {
            head: Vec::with_capacity(HEAD),
            tail: Vec::with_capacity(TAIL * 2),
            total: 0,
            format: None,
            jpeg: JpegWalk::Marker,
            walked: 0,
            php: PhpTagScan::default(),
        }
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl Sniffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next decoded chunk. Fails early on an unknown format, so a non-image payload
    /// is refused after its first window instead of being decoded to the end.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        let offset = self.total;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if self.format.is_none() && self.head.len() >= 12 {
            let format = ImageFormat::from_magic(&self.head).ok_or_else(|| {
                ImageError::UnsupportedFormat(format!(
                    "unknown image format (first bytes: {})",
                    hex_prefix(&self.head)
                ))
            })?;
            self.format = Some(format);
            if format == ImageFormat::Jpeg {
                // The header bytes seen so far, past the SOI marker.
                let head = std::mem::take(&mut self.head);
                self.jpeg.feed(&head[2..], 2);
                self.walked = head.len() as u64;
                self.head = head;
            }
        }
        if self.format == Some(ImageFormat::Jpeg) {
            let end = offset + chunk.len() as u64;
            if self.walked < end {
                let from = self.walked.max(offset);
                self.jpeg.feed(&chunk[(from - offset) as usize..], from);
                self.walked = end;
            }
        }
        self.php.feed(chunk, offset);
        if let Some(at) = self.php.found {
            return Err(ImageError::UnsupportedFormat(format!(
                "embedded PHP code at byte offset {at}"
            )));
        }
        self.total += chunk.len() as u64;
        self.tail
            .extend_from_slice(&chunk[chunk.len().saturating_sub(TAIL)..]);
        if self.tail.len() > TAIL {
            self.tail.drain(..self.tail.len() - TAIL);
        }
        Ok(())
    }

    /// Checks completeness and returns format and dimensions.
    pub fn finish(self) -> Result<Sniffed> {
        let unsupported = |msg: String| Err(ImageError::UnsupportedFormat(msg));
        if self.total == 0 {
            return unsupported("empty image".into());
        }
        let format = match self.format.or_else(|| ImageFormat::from_magic(&self.head)) {
            Some(f) => f,
            None => {
                return unsupported(format!(
                    "unknown image format (first bytes: {})",
                    hex_prefix(&self.head)
                ))
            }
        };
        let h = &self.head;
        let short = |need: usize| h.len() < need;
        let (width, height) = match format {
            ImageFormat::Jpeg => match self.jpeg {
                JpegWalk::Done { width, height } => (width, height),
                JpegWalk::Failed { offset, reason } => {
                    return unsupported(format!("{reason} (byte offset {offset})"))
                }
                _ => return unsupported("truncated jpeg: no frame header".into()),
            },
            ImageFormat::Png => {
                if short(24) || &h[12..16] != b"IHDR" {
                    return unsupported("png has no IHDR header".into());
                }
                (be32(&h[16..20]), be32(&h[20..24]))
            }
            ImageFormat::Gif => {
                if short(10) {
                    return unsupported("truncated gif header".into());
                }
                (le16(&h[6..8]), le16(&h[8..10]))
            }
            ImageFormat::Webp => webp_dimensions(h)?,
        };
        if width == 0 || height == 0 {
            return unsupported(format!("zero width or height in {} header", format.name()));
        }
        self.check_end(format)?;
        Ok(Sniffed {
            format,
            width,
            height,
        })
    }

    fn check_end(&self, format: ImageFormat) -> Result<()> {
        let t = &self.tail;
        let complete = match format {
            ImageFormat::Jpeg => {
                let end = t.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                end >= 2 && t[end - 2..end] == [0xFF, 0xD9]
            }
            ImageFormat::Png => t.ends_with(&PNG_IEND),
            ImageFormat::Gif => t.last() == Some(&0x3B),
            ImageFormat::Webp => {
                let riff = le32(&self.head[4..8]) as u64 + 8;
                self.total == riff || self.total == riff + 1
            }
        };
        if complete {
            Ok(())
        } else {
            Err(ImageError::UnsupportedFormat(match format {
                ImageFormat::Jpeg => "truncated jpeg: no end-of-image marker".into(),
                ImageFormat::Png => "truncated png: no IEND chunk".into(),
                ImageFormat::Gif => "truncated gif: no trailer".into(),
                ImageFormat::Webp => format!(
                    "truncated webp: RIFF size {} but {} bytes",
                    le32(&self.head[4..8]) as u64 + 8,
                    self.total
                ),
            }))
        }
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le16(b: &[u8]) -> u32 {
    u16::from_le_bytes([b[0], b[1]]) as u32
}

fn webp_dimensions(h: &[u8]) -> Result<(u32, u32)> {
    let bad = |what: &str| Err(ImageError::UnsupportedFormat(format!("webp: {what}")));
    if h.len() < 30 {
        return bad("truncated header");
    }
    match &h[12..16] {
        b"VP8 " => {
            if h[23..26] != [0x9D, 0x01, 0x2A] {
                return bad("bad VP8 start code");
            }
            Ok((le16(&h[26..28]) & 0x3FFF, le16(&h[28..30]) & 0x3FFF))
        }
        b"VP8L" => {
            if h[20] != 0x2F {
                return bad("bad VP8L signature");
            }
            let bits = le32(&h[21..25]);
            Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            let w = u32::from_le_bytes([h[24], h[25], h[26], 0]) + 1;
            let hh = u32::from_le_bytes([h[27], h[28], h[29], 0]) + 1;
            Ok((w, hh))
        }
        _ => bad("unknown chunk"),
    }
}

/// Sniffs a whole in-memory file (tests and small inputs).
pub fn sniff(bytes: &[u8], chunk: usize) -> Result<Sniffed> {
    let mut s = Sniffer::new();
    for piece in bytes.chunks(chunk.max(1)) {
        s.feed(piece)?;
    }
    s.finish()
}

#[cfg(test)]
pub(crate) mod samples {
    //! Structurally valid small images, built byte by byte so the sniffer is tested on every
    //! segment layout it must walk (the PHP tests add files from real encoders).

    /// A baseline JPEG with `app1_len` bytes of APP1 metadata before the frame header.
    pub fn jpeg(width: u16, height: u16, app1_len: usize) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        v.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        // Large metadata comes as several APP1 segments (a segment holds at most 65533 bytes).
        let mut left = app1_len;
        while left > 0 {
            let part = left.min(65_000);
            v.extend_from_slice(&[0xFF, 0xE1]);
            v.extend_from_slice(&((part + 2) as u16).to_be_bytes());
            v.extend((0..part).map(|i| (i % 251) as u8));
            left -= part;
        }
        v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
        v.extend_from_slice(&[1u8; 64]);
        v.extend_from_slice(&[0xFF, 0xFF, 0xC0, 0x00, 0x0B, 0x08]);
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        v.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        v.extend_from_slice(&[0, 0, 0, 2, b'I', b'D', b'A', b'T', 0x78, 0x9C, 0, 0, 0, 0]);
        v.extend_from_slice(&super::PNG_IEND);
        v
    }

    pub fn gif(width: u16, height: u16) -> Vec<u8> {
        let mut v = b"GIF89a".to_vec();
        v.extend_from_slice(&width.to_le_bytes());
        v.extend_from_slice(&height.to_le_bytes());
        v.extend_from_slice(&[
            0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0x00, 0x3B,
        ]);
        v
    }

    /// A WebP of the given chunk kind ("VP8 ", "VP8L" or "VP8X").
    pub fn webp(kind: &[u8; 4], width: u32, height: u32) -> Vec<u8> {
        let mut payload = vec![0u8; 14];
        match kind {
            b"VP8 " => {
                payload[3..6].copy_from_slice(&[0x9D, 0x01, 0x2A]);
                payload[6..8].copy_from_slice(&(width as u16).to_le_bytes());
                payload[8..10].copy_from_slice(&(height as u16).to_le_bytes());
            }
            b"VP8L" => {
                payload[0] = 0x2F;
                let bits = (width - 1) | ((height - 1) << 14);
                payload[1..5].copy_from_slice(&bits.to_le_bytes());
            }
            _ => {
                payload[4..7].copy_from_slice(&(width - 1).to_le_bytes()[..3]);
                payload[7..10].copy_from_slice(&(height - 1).to_le_bytes()[..3]);
            }
        }
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&((4 + 8 + payload.len()) as u32).to_le_bytes());
        v.extend_from_slice(b"WEBP");
        v.extend_from_slice(kind);
        v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        v.extend_from_slice(&payload);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn dims(bytes: &[u8]) -> (ImageFormat, u32, u32) {
        let s = sniff(bytes, 7).unwrap();
        (s.format, s.width, s.height)
    }

    fn refused(bytes: &[u8]) -> String {
        match sniff(bytes, 5) {
            Err(ImageError::UnsupportedFormat(msg)) => msg,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn reads_every_format_and_its_dimensions() {
        assert_eq!(dims(&jpeg(640, 480, 70_000)), (ImageFormat::Jpeg, 640, 480));
        assert_eq!(dims(&png(300, 200)), (ImageFormat::Png, 300, 200));
        assert_eq!(dims(&gif(17, 9)), (ImageFormat::Gif, 17, 9));
        assert_eq!(
            dims(&webp(b"VP8 ", 320, 240)),
            (ImageFormat::Webp, 320, 240)
        );
        assert_eq!(dims(&webp(b"VP8L", 33, 44)), (ImageFormat::Webp, 33, 44));
        assert_eq!(
            dims(&webp(b"VP8X", 5000, 3000)),
            (ImageFormat::Webp, 5000, 3000)
        );
    }

    #[test]
    fn refuses_truncated_files_of_every_format() {
        for file in [
            jpeg(10, 10, 100),
            png(10, 10),
            gif(10, 10),
            webp(b"VP8 ", 10, 10),
        ] {
            let msg = refused(&file[..file.len() - 3]);
            assert!(msg.contains("truncated") || msg.contains("no "), "{msg}");
        }
        assert!(refused(&jpeg(10, 10, 100_000)[..50_000]).contains("jpeg"));
    }

    #[test]
    fn refuses_text_empty_zero_sizes_and_php() {
        assert!(refused(b"<html><body>Error 500</body></html>").starts_with("unknown image format"));
        assert_eq!(refused(b""), "empty image");
        assert!(refused(&png(0, 10)).contains("zero width"));
        let mut polyglot = gif(1, 1);
        polyglot.splice(13..13, b"<?PhP system($_GET[1]); ?>".iter().copied());
        assert!(refused(&polyglot).contains("embedded PHP code at byte offset 13"));
    }

    #[test]
    fn finds_php_tags_split_across_chunks() {
        let mut file = jpeg(10, 10, 4000);
        file.splice(2000..2000, b"<?php".iter().copied());
        for chunk in 1..9 {
            let mut s = Sniffer::new();
            let err = file.chunks(chunk).try_for_each(|c| s.feed(c)).unwrap_err();
            assert!(err.to_string().contains("byte offset 2000"), "{err}");
        }
    }

    #[test]
    fn tolerates_zero_padding_after_the_jpeg_end_marker() {
        let mut file = jpeg(8, 8, 10);
        file.extend_from_slice(&[0; 20]);
        assert_eq!(dims(&file), (ImageFormat::Jpeg, 8, 8));
    }
}
