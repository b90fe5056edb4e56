//! Property tests of the plain-Rust core: whatever the bytes, the decoder agrees with a
//! reference implementation, errors instead of panicking, and streaming equals one-shot.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use verial_images::decode::{decode_stream, Layout};
use verial_images::error::ImageError;
use verial_images::format::{sniff, Sniffer};

fn decode(payload: &[u8]) -> Result<Vec<u8>, ImageError> {
    let layout = Layout::of(payload)?;
    let mut out = Vec::new();
    decode_stream(payload, &layout, |piece| {
        out.extend_from_slice(piece);
        Ok(())
    })?;
    Ok(out)
}

fn wrap(text: &str, every: usize, sep: &str) -> String {
    text.as_bytes()
        .chunks(every.max(1))
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(sep)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn decodes_what_the_reference_encodes(
        data in prop::collection::vec(any::<u8>(), 0..200_000),
        prefix in any::<bool>(),
        line in prop::sample::select(vec![0usize, 60, 64, 76]),
        crlf in any::<bool>(),
        strip_padding in any::<bool>(),
    ) {
        let mut text = STANDARD.encode(&data);
        if strip_padding {
            text = text.trim_end_matches('=').to_string();
        }
        if line > 0 {
            text = wrap(&text, line, if crlf { "\r\n" } else { "\n" });
        }
        if prefix {
            text = format!("data:image/png;base64,{text}");
        }
        let decoded = decode(text.as_bytes()).unwrap();
        prop_assert_eq!(Sha256::digest(&decoded), Sha256::digest(&data));
        prop_assert_eq!(decoded, data);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_agree_with_strict_decoding(
        payload in prop::collection::vec(any::<u8>(), 0..5_000),
    ) {
        let ours = decode(&payload);
        let cleaned: Vec<u8> = payload.iter().copied().filter(|b| !b" \t\r\n".contains(b)).collect();
        let reference = STANDARD.decode(&cleaned);
        if let Ok(expected) = reference {
            prop_assert_eq!(ours.unwrap(), expected);
        }
    }

    #[test]
    fn one_invalid_byte_is_reported_at_its_offset(
        data in prop::collection::vec(any::<u8>(), 3..150_000),
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(b"*?!#%&-_~\x00\x7f\xc3".to_vec()),
    ) {
        let mut text = STANDARD.encode(&data).trim_end_matches('=').as_bytes().to_vec();
        let at = at.index(text.len());
        text[at] = bad;
        match decode(&text) {
            Err(ImageError::InvalidBase64 { offset, .. }) => prop_assert_eq!(offset, at),
            other => prop_assert!(false, "expected InvalidBase64, got {:?}", other),
        }
    }

    #[test]
    fn sniffing_does_not_depend_on_chunk_boundaries(
        data in prop::collection::vec(any::<u8>(), 0..3_000),
        magic in prop::sample::select(vec![
            vec![0xFFu8, 0xD8, 0xFF, 0xE0], b"\x89PNG\r\n\x1a\n".to_vec(), b"GIF89a".to_vec(),
            b"RIFF\0\0\0\0WEBPVP8 ".to_vec(), vec![],
        ]),
        chunk in 1usize..700,
    ) {
        let mut file = magic.clone();
        file.extend_from_slice(&data);
        let whole = sniff(&file, file.len().max(1)).map_err(|e| e.to_string());
        let mut s = Sniffer::new();
        let streamed = file
            .chunks(chunk)
            .try_for_each(|c| s.feed(c))
            .and_then(|()| s.finish())
            .map_err(|e| e.to_string());
        prop_assert_eq!(whole, streamed);
    }
}
