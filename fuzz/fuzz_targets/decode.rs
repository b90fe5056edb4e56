//! Any payload: the decoder and sniffer must answer with facts or an error, never panic, and
//! the streamed hash must equal the hash of a one-shot decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verial_images::decode::{decode_stream, Layout};
use verial_images::image::{inspect, Options};

fuzz_target!(|payload: &[u8]| {
    let mut decoded = Vec::new();
    let streamed = Layout::of(payload).and_then(|layout| {
        decode_stream(payload, &layout, |piece| {
            decoded.extend_from_slice(piece);
            Ok(())
        })
    });
    if let Ok(n) = streamed {
        assert_eq!(n as usize, decoded.len());
    }
    if let Ok(facts) = inspect(payload, &Options::default()) {
        use sha2::Digest;
        assert_eq!(facts.sha256, <[u8; 32]>::from(sha2::Sha256::digest(&decoded)));
        assert_eq!(facts.bytes as usize, decoded.len());
    }
});
