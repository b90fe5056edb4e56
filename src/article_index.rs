//! Verial article id -> attachment ids ordered by position (position 0 = main image).
//!
//! Built in one call from the rows of one query, so phase 2 never queries per product. The
//! layout is one flat vector of attachment ids plus, per article, a range into it.

use std::collections::{HashMap, HashSet};

use crate::error::{ImageError, Result};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArticleIndex {
    ranges: HashMap<u64, (u32, u32)>,
    ids: Vec<u64>,
}

/// One row of the plugin's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub article_id: u64,
    pub position: u64,
    pub attachment_id: u64,
}

const MAGIC: &[u8; 5] = b"VIAI\x01";

impl ArticleIndex {
    /// Builds the index. A repeated (article, position) keeps the lowest attachment id; an
    /// attachment repeated within one article keeps its lowest position.
    pub fn from_rows(mut rows: Vec<Row>) -> ArticleIndex {
        rows.sort_unstable();
        rows.dedup_by(|b, a| a.article_id == b.article_id && a.position == b.position);
        let mut index = ArticleIndex {
            ranges: HashMap::new(),
            ids: Vec::with_capacity(rows.len()),
        };
        let mut seen: HashSet<u64> = HashSet::new();
        for group in rows.chunk_by(|a, b| a.article_id == b.article_id) {
            seen.clear();
            let start = index.ids.len();
            for row in group {
                if seen.insert(row.attachment_id) {
                    index.ids.push(row.attachment_id);
                }
            }
            let len = index.ids.len() - start;
            index
                .ranges
                .insert(group[0].article_id, (start as u32, len as u32));
        }
        index
    }

    pub fn get(&self, article_id: u64) -> &[u64] {
        self.ranges.get(&article_id).map_or(&[], |&(start, len)| {
            &self.ids[start as usize..(start + len) as usize]
        })
    }

    pub fn has(&self, article_id: u64) -> bool {
        self.ranges.contains_key(&article_id)
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Number of (article, attachment) pairs.
    pub fn image_count(&self) -> usize {
        self.ids.len()
    }

    pub fn article_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.ranges.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Compact, versioned binary form: magic, article count, then per article (ascending)
    /// the id delta, the image count and the attachment ids, all as LEB128 varints.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.ids.len() * 4 + self.ranges.len() * 4);
        out.extend_from_slice(MAGIC);
        put_varint(&mut out, self.ranges.len() as u64);
        let mut previous = 0u64;
        for article in self.article_ids() {
            put_varint(&mut out, article - previous);
            previous = article;
            let ids = self.get(article);
            put_varint(&mut out, ids.len() as u64);
            for &id in ids {
                put_varint(&mut out, id);
            }
        }
        out
    }

    pub fn unserialize(data: &[u8]) -> Result<ArticleIndex> {
        let bad = |what: &str, at: usize| {
            ImageError::InvalidInput(format!(
                "invalid serialized article index: {what} at byte {at}"
            ))
        };
        if !data.starts_with(MAGIC) {
            return Err(bad("unknown header", 0));
        }
        let mut reader = Reader {
            data,
            pos: MAGIC.len(),
        };
        let articles = reader
            .varint()
            .ok_or_else(|| bad("truncated", reader.pos))?;
        // Every article takes at least 2 bytes: refuse counts the data cannot hold.
        if articles > (data.len() / 2) as u64 {
            return Err(bad("article count too large", MAGIC.len()));
        }
        let mut index = ArticleIndex::default();
        let mut article = 0u64;
        for n in 0..articles {
            let delta = reader
                .varint()
                .ok_or_else(|| bad("truncated", reader.pos))?;
            if n > 0 && delta == 0 {
                return Err(bad("article ids not ascending", reader.pos));
            }
            article = article
                .checked_add(delta)
                .ok_or_else(|| bad("article id overflow", reader.pos))?;
            let count = reader
                .varint()
                .ok_or_else(|| bad("truncated", reader.pos))?;
            if count > (data.len() - reader.pos) as u64 {
                return Err(bad("image count too large", reader.pos));
            }
            let start = index.ids.len();
            for _ in 0..count {
                let id = reader
                    .varint()
                    .ok_or_else(|| bad("truncated", reader.pos))?;
                index.ids.push(id);
            }
            index.ranges.insert(article, (start as u32, count as u32));
        }
        if reader.pos != data.len() {
            return Err(bad("trailing data", reader.pos));
        }
        Ok(index)
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.data.get(self.pos)?;
            self.pos += 1;
            v |= ((b & 0x7F) as u64).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(article_id: u64, position: u64, attachment_id: u64) -> Row {
        Row {
            article_id,
            position,
            attachment_id,
        }
    }

    #[test]
    fn orders_by_position_and_resolves_ties() {
        let index = ArticleIndex::from_rows(vec![
            row(7, 2, 30),
            row(7, 0, 10),
            row(7, 1, 20),
            row(7, 1, 25),
            row(7, 3, 10),
            row(9, 0, 10),
        ]);
        assert_eq!(index.get(7), &[10, 20, 30]);
        assert_eq!(index.get(9), &[10]);
        assert_eq!(index.get(8), &[] as &[u64]);
        assert_eq!(index.len(), 2);
        assert_eq!(index.image_count(), 4);
    }

    #[test]
    fn serialization_round_trips_and_refuses_garbage() {
        let rows: Vec<Row> = (0..5_000u64)
            .map(|n| row(1000 + n / 7 * 3, n % 7, 50_000 + n))
            .collect();
        let index = ArticleIndex::from_rows(rows);
        let data = index.serialize();
        assert_eq!(ArticleIndex::unserialize(&data).unwrap(), index);
        for cut in [0, 3, 5, 6, data.len() / 2, data.len() - 1] {
            assert!(
                ArticleIndex::unserialize(&data[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let mut extra = data.clone();
        extra.push(0);
        assert!(ArticleIndex::unserialize(&extra).is_err());
    }
}
