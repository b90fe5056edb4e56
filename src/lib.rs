//! Native core of Verial Image Sync.
//!
//! The data path, one module per step: `decode` (streaming base64) -> `format` (magic-byte
//! sniffing) -> `image` (hash + atomic file) -> `response` (a whole Verial response) ->
//! `dedup` / `article_index` (the lookups phase 1 and phase 2 rely on). Everything here is
//! plain Rust, unit-tested without PHP; `php` is the thin ext-php-rs layer over it.

pub mod article_index;
pub mod decode;
pub mod dedup;
pub mod error;
pub mod format;
pub mod image;
pub mod response;
pub mod thumbnails;

#[cfg(feature = "php")]
mod php;
