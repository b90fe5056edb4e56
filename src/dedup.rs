//! Content hash -> attachment id, for a whole media library.
//!
//! SHA-256 digests are uniformly distributed, so their first 8 bytes are a perfect hash and a
//! flat open-addressing table with linear probing needs no hasher and no per-entry allocation:
//! 40 bytes per slot (32-byte digest + 8-byte id, id 0 = empty) at a load factor of at most 0.8,
//! i.e. about 50 bytes per entry after a bulk load (a `HashMap` with power-of-two growth needs
//! up to 90). Lookups are O(1) expected.

use crate::error::{ImageError, Result};

#[derive(Clone, Copy)]
struct Slot {
    key: [u8; 32],
    /// Attachment id; 0 marks an empty slot (WordPress never uses post id 0).
    id: u64,
}

const EMPTY: Slot = Slot {
    key: [0; 32],
    id: 0,
};
const MAX_LOAD_NUM: usize = 4;
const MAX_LOAD_DEN: usize = 5;

#[derive(Default)]
pub struct DedupIndex {
    slots: Vec<Slot>,
    len: usize,
}

/// Parses 64 hex digits (either case) into a digest.
pub fn parse_sha256(hex: &str) -> Result<[u8; 32]> {
    let bytes = hex.as_bytes();
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let invalid = || ImageError::InvalidInput(format!("not a SHA-256 hex digest: {hex:?}"));
    if bytes.len() != 64 {
        return Err(invalid());
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0]).ok_or_else(invalid)? << 4) | digit(pair[1]).ok_or_else(invalid)?;
    }
    Ok(out)
}

impl DedupIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held by the table.
    pub fn memory_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    fn home(&self, key: &[u8; 32]) -> usize {
        let h = u64::from_le_bytes(key[..8].try_into().expect("8 bytes"));
        // Multiply-shift maps the hash onto any table size, not only powers of two.
        ((h as u128 * self.slots.len() as u128) >> 64) as usize
    }

    /// Makes room for `additional` more entries without exceeding the load factor.
    pub fn reserve(&mut self, additional: usize) {
        let needed = self.len + additional;
        if needed * MAX_LOAD_DEN <= self.slots.len() * MAX_LOAD_NUM {
            return;
        }
        let size = (needed * MAX_LOAD_DEN).div_ceil(MAX_LOAD_NUM).max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        self.len = 0;
        for slot in old.into_iter().filter(|s| s.id != 0) {
            self.insert(&slot.key, slot.id);
        }
    }

    fn find(&self, key: &[u8; 32]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.home(key);
        loop {
            let slot = &self.slots[i];
            if slot.id == 0 {
                return None;
            }
            if &slot.key == key {
                return Some(i);
            }
            i = if i + 1 == self.slots.len() { 0 } else { i + 1 };
        }
    }

    pub fn get(&self, key: &[u8; 32]) -> Option<u64> {
        self.find(key).map(|i| self.slots[i].id)
    }

    /// Inserts if absent and returns the id stored for `key` (the earlier one if present):
    /// the first attachment imported for a content stays its owner.
    pub fn insert(&mut self, key: &[u8; 32], id: u64) -> u64 {
        assert!(id != 0, "attachment id 0 is reserved for empty slots");
        if let Some(i) = self.find(key) {
            return self.slots[i].id;
        }
        if (self.len + 1) * MAX_LOAD_DEN > self.slots.len() * MAX_LOAD_NUM {
            // Grow by half: keeps the load between 0.53 and 0.8.
            self.reserve((self.len / 2).max(8));
        }
        let mut i = self.home(key);
        while self.slots[i].id != 0 {
            i = if i + 1 == self.slots.len() { 0 } else { i + 1 };
        }
        self.slots[i] = Slot { key: *key, id };
        self.len += 1;
        id
    }

    /// Removes `key`; backward-shift deletion keeps every probe chain intact without tombstones.
    pub fn remove(&mut self, key: &[u8; 32]) -> bool {
        let Some(mut hole) = self.find(key) else {
            return false;
        };
        let n = self.slots.len();
        let mut j = hole;
        loop {
            j = (j + 1) % n;
            if self.slots[j].id == 0 {
                break;
            }
            let home = self.home(&self.slots[j].key);
            // Move slot j into the hole unless its home lies cyclically in (hole, j].
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = EMPTY;
        self.len -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;

    fn key(n: u64) -> [u8; 32] {
        Sha256::digest(n.to_le_bytes()).into()
    }

    #[test]
    fn behaves_like_a_map_under_inserts_and_removes() {
        let mut index = DedupIndex::new();
        let mut model: HashMap<[u8; 32], u64> = HashMap::new();
        for n in 0..20_000u64 {
            let k = key(n % 7_000);
            let stored = index.insert(&k, n + 1);
            assert_eq!(stored, *model.entry(k).or_insert(n + 1));
            if n % 3 == 0 {
                let r = key(n / 2);
                assert_eq!(index.remove(&r), model.remove(&r).is_some());
            }
        }
        assert_eq!(index.len(), model.len());
        for n in 0..7_000u64 {
            assert_eq!(index.get(&key(n)), model.get(&key(n)).copied());
        }
    }

    #[test]
    fn bulk_load_stays_under_64_bytes_per_entry() {
        let mut index = DedupIndex::new();
        index.reserve(100_000);
        for n in 0..100_000u64 {
            index.insert(&key(n), n + 1);
        }
        assert!(
            index.memory_bytes() / index.len() <= 64,
            "{}",
            index.memory_bytes() / index.len()
        );
    }

    #[test]
    fn parses_hex_digests() {
        let hex = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        assert_eq!(
            parse_sha256(hex).unwrap(),
            parse_sha256(&hex.to_lowercase()).unwrap()
        );
        assert!(parse_sha256("abc").is_err());
        assert!(parse_sha256(&"g".repeat(64)).is_err());
    }
}
