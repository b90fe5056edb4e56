//! PHP classes over the dedup index and the article index.
//!
//! Rows arrive as `$wpdb` returns them: arrays whose values are often numeric strings, so ids
//! are accepted as ints or numeric strings, and every bad row is named by its array key.

use ext_php_rs::binary::Binary;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};

use crate::article_index::{self, Row};
use crate::dedup::{self, parse_sha256};
use crate::error::ImageError;

fn key_name(key: &ArrayKey<'_>) -> String {
    match key {
        ArrayKey::Long(n) => n.to_string(),
        other => format!("{:?}", other.to_string()),
    }
}

/// A positive integer from an int or a numeric string.
fn positive_id(value: &Zval, what: &str, row: &ArrayKey<'_>) -> Result<u64, ImageError> {
    non_negative(value, what, row).and_then(|n| {
        if n == 0 {
            Err(ImageError::InvalidInput(format!(
                "row {row}: {what} must be positive"
            )))
        } else {
            Ok(n)
        }
    })
}

fn non_negative(value: &Zval, what: &str, row: &ArrayKey<'_>) -> Result<u64, ImageError> {
    let parsed = value
        .long()
        .or_else(|| value.str().and_then(|s| s.trim().parse::<i64>().ok()));
    match parsed {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(ImageError::InvalidInput(format!(
            "row {}: {what} must be a non-negative integer",
            key_name(row)
        ))),
    }
}

fn hash_arg(value: &Zval, row: &ArrayKey<'_>) -> Result<[u8; 32], ImageError> {
    let text = value.str().ok_or_else(|| {
        ImageError::InvalidInput(format!("row {}: hash must be a string", key_name(row)))
    })?;
    parse_sha256(text)
}

/// A field of a row given as a list ([0], [1], ...) or with named keys.
fn field<'a>(
    row: &'a ZendHashTable,
    index: u64,
    name: &str,
    row_key: &ArrayKey<'_>,
) -> Result<&'a Zval, ImageError> {
    row.get(index as i64)
        .or_else(|| row.get(name))
        .ok_or_else(|| {
            ImageError::InvalidInput(format!("row {}: missing {name}", key_name(row_key)))
        })
}

/// Content hash -> attachment id (see docs/native-api.md).
#[php_class]
#[php(name = "VerialImages\\Native\\DedupIndex")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Default)]
pub struct DedupIndex {
    inner: dedup::DedupIndex,
}

impl DedupIndex {
    pub fn inner(&self) -> &dedup::DedupIndex {
        &self.inner
    }
}

#[php_impl]
impl DedupIndex {
    pub fn __construct() -> Self {
        Self::default()
    }

    /// Loads rows [sha256, attachment_id] (or sha256 => attachment_id); returns how many
    /// hashes were new. Validates every row before changing anything.
    pub fn load(&mut self, rows: &ZendHashTable) -> PhpResult<i64> {
        let mut parsed = Vec::with_capacity(rows.len());
        for (key, value) in rows.iter() {
            let pair = match value.array() {
                Some(row) => (
                    hash_arg(field(row, 0, "sha256", &key)?, &key)?,
                    positive_id(field(row, 1, "attachment_id", &key)?, "attachment_id", &key)?,
                ),
                None => {
                    if let ArrayKey::Long(_) = key {
                        return Err(ImageError::InvalidInput(format!(
                            "row {}: expected [sha256, attachment_id] or sha256 => attachment_id",
                            key_name(&key)
                        ))
                        .into());
                    }
                    let hash = parse_sha256(&key.to_string())?;
                    (hash, positive_id(value, "attachment_id", &key)?)
                }
            };
            parsed.push(pair);
        }
        self.inner.reserve(parsed.len());
        let before = self.inner.len();
        for (hash, id) in &parsed {
            self.inner.insert(hash, *id);
        }
        Ok((self.inner.len() - before) as i64)
    }

    pub fn get(&self, sha256: &str) -> PhpResult<Option<i64>> {
        Ok(self.inner.get(&parse_sha256(sha256)?).map(|id| id as i64))
    }

    /// The hashes that are present, with their attachment ids (keys as given).
    pub fn get_many(&self, hashes: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        let mut found = ZendHashTable::new();
        for (key, value) in hashes.iter() {
            let text = value.str().ok_or_else(|| {
                ImageError::InvalidInput(format!("hash {}: must be a string", key_name(&key)))
            })?;
            if let Some(id) = self.inner.get(&parse_sha256(text)?) {
                found.insert(text, id as i64)?;
            }
        }
        Ok(found)
    }

    /// Inserts if absent; returns the id now stored for the hash.
    pub fn insert(&mut self, sha256: &str, attachment_id: i64) -> PhpResult<i64> {
        if attachment_id <= 0 {
            return Err(ImageError::InvalidInput(format!(
                "attachment_id must be positive, got {attachment_id}"
            ))
            .into());
        }
        Ok(self
            .inner
            .insert(&parse_sha256(sha256)?, attachment_id as u64) as i64)
    }

    pub fn remove(&mut self, sha256: &str) -> PhpResult<bool> {
        Ok(self.inner.remove(&parse_sha256(sha256)?))
    }

    pub fn count(&self) -> i64 {
        self.inner.len() as i64
    }

    /// Heap bytes held by the table (for memory reports).
    pub fn memory_bytes(&self) -> i64 {
        self.inner.memory_bytes() as i64
    }
}

/// Verial article id -> ordered attachment ids (see docs/native-api.md).
#[php_class]
#[php(name = "VerialImages\\Native\\ArticleIndex")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct ArticleIndex {
    inner: article_index::ArticleIndex,
}

fn id_list(ids: &[u64]) -> Vec<i64> {
    ids.iter().map(|&id| id as i64).collect()
}

#[php_impl]
impl ArticleIndex {
    /// Builds the index from rows [article_id, position, attachment_id] (or with those keys).
    pub fn from_rows(rows: &ZendHashTable) -> PhpResult<ArticleIndex> {
        let mut parsed = Vec::with_capacity(rows.len());
        for (key, value) in rows.iter() {
            let row = value.array().ok_or_else(|| {
                ImageError::InvalidInput(format!(
                    "row {}: expected [article_id, position, attachment_id]",
                    key_name(&key)
                ))
            })?;
            parsed.push(Row {
                article_id: non_negative(field(row, 0, "article_id", &key)?, "article_id", &key)?,
                position: non_negative(field(row, 1, "position", &key)?, "position", &key)?,
                attachment_id: positive_id(
                    field(row, 2, "attachment_id", &key)?,
                    "attachment_id",
                    &key,
                )?,
            });
        }
        Ok(ArticleIndex {
            inner: article_index::ArticleIndex::from_rows(parsed),
        })
    }

    /// The article's attachment ids by position ([] when it has none).
    pub fn get(&self, article_id: i64) -> Vec<i64> {
        u64::try_from(article_id).map_or_else(|_| Vec::new(), |id| id_list(self.inner.get(id)))
    }

    /// Every requested article id as a key, with its ordered attachment ids.
    pub fn get_many(&self, article_ids: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        let mut out = ZendHashTable::with_capacity(article_ids.len() as u32);
        for (key, value) in article_ids.iter() {
            let id = non_negative(value, "article id", &key)?;
            out.insert(id as i64, id_list(self.inner.get(id)))?;
        }
        Ok(out)
    }

    pub fn has(&self, article_id: i64) -> bool {
        u64::try_from(article_id).is_ok_and(|id| self.inner.has(id))
    }

    /// Number of articles.
    pub fn count(&self) -> i64 {
        self.inner.len() as i64
    }

    /// Number of (article, attachment) pairs.
    pub fn image_count(&self) -> i64 {
        self.inner.image_count() as i64
    }

    /// @return list<int> ascending
    pub fn article_ids(&self) -> Vec<i64> {
        id_list(&self.inner.article_ids())
    }

    /// Compact versioned binary form, for caching a built index.
    pub fn serialize(&self) -> Binary<u8> {
        Binary::from(self.inner.serialize())
    }

    pub fn unserialize(data: ext_php_rs::binary_slice::BinarySlice<u8>) -> PhpResult<ArticleIndex> {
        Ok(ArticleIndex {
            inner: article_index::ArticleIndex::unserialize(&data)?,
        })
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<DedupIndex>().class::<ArticleIndex>()
}
