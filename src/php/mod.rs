//! The `verial_images` PHP extension: a thin layer over the plain-Rust core.
//!
//! Payloads and bodies come in as `BinarySlice<u8>` (zero copy, no UTF-8 requirement, so a
//! stray byte is our clear InvalidBase64 error instead of a TypeError). Nothing decoded is ever
//! handed back to PHP: only facts, paths and ids.

mod exceptions;
mod indexes;
mod thumbnails;

use std::collections::HashMap;
use std::path::Path;

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::error::ImageError;
use crate::image::{self, ImageFacts, Options, DEFAULT_MAX_BYTES};
use crate::response::{self, Outcome};
use indexes::DedupIndex;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Facts about one valid image (read-only).
#[php_class]
#[php(name = "VerialImages\\Native\\ImageInfo")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Clone)]
pub struct ImageInfo {
    facts: ImageFacts,
    path: Option<String>,
}

#[php_impl]
impl ImageInfo {
    /// Lowercase hex SHA-256 of the decoded bytes.
    #[php(getter, name = "sha256")]
    pub fn get_sha256(&self) -> String {
        image::to_hex(&self.facts.sha256)
    }

    /// Decoded size in bytes.
    #[php(getter, name = "bytes")]
    pub fn get_bytes(&self) -> i64 {
        self.facts.bytes as i64
    }

    /// MIME type from the magic bytes: image/jpeg, image/png, image/gif or image/webp.
    #[php(getter, name = "mime")]
    pub fn get_mime(&self) -> &'static str {
        self.facts.format.mime()
    }

    /// File extension for that type: jpg, png, gif or webp.
    #[php(getter, name = "extension")]
    pub fn get_extension(&self) -> &'static str {
        self.facts.format.extension()
    }

    #[php(getter, name = "width")]
    pub fn get_width(&self) -> i64 {
        self.facts.width as i64
    }

    #[php(getter, name = "height")]
    pub fn get_height(&self) -> i64 {
        self.facts.height as i64
    }

    /// md5('data:image/jpeg;base64,' . payload) when asked for, else null.
    #[php(getter, name = "legacy_md5")]
    pub fn get_legacy_md5(&self) -> Option<String> {
        self.facts.legacy_md5.map(|m| image::to_hex(&m))
    }

    /// The file written, for imports.
    #[php(getter, name = "path")]
    pub fn get_path(&self) -> Option<String> {
        self.path.clone()
    }
}

impl ImageInfo {
    fn new(facts: ImageFacts, path: Option<&Path>) -> Self {
        ImageInfo {
            facts,
            path: path.map(|p| p.to_string_lossy().into_owned()),
        }
    }
}

/// What happened to one image of a response (read-only).
#[php_class]
#[php(name = "VerialImages\\Native\\ImageResult")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct ImageResult {
    article_id: i64,
    position: i64,
    status: &'static str,
    info: Option<ImageInfo>,
    attachment_id: Option<i64>,
    error: Option<ImageError>,
}

#[php_impl]
impl ImageResult {
    #[php(getter, name = "article_id")]
    pub fn get_article_id(&self) -> i64 {
        self.article_id
    }

    /// 0-based index among this article's images in the response.
    #[php(getter, name = "position")]
    pub fn get_position(&self) -> i64 {
        self.position
    }

    /// imported | inspected | known | repeated | failed
    #[php(getter, name = "status")]
    pub fn get_status(&self) -> &'static str {
        self.status
    }

    #[php(getter, name = "info")]
    pub fn get_info(&self) -> Option<ImageInfo> {
        self.info.clone()
    }

    /// For status "known": the attachment that already holds this content.
    #[php(getter, name = "attachment_id")]
    pub fn get_attachment_id(&self) -> Option<i64> {
        self.attachment_id
    }

    /// For status "failed": the exception class that import_file would have thrown.
    #[php(getter, name = "error_kind")]
    pub fn get_error_kind(&self) -> Option<&'static str> {
        self.error.as_ref().map(|e| e.kind().class_name())
    }

    /// For status "failed": the message, naming article, position and byte offset.
    #[php(getter, name = "error")]
    pub fn get_error(&self) -> Option<String> {
        self.error.as_ref().map(ToString::to_string)
    }
}

fn options(legacy_md5: bool, max_bytes: i64) -> Result<Options, ImageError> {
    if max_bytes <= 0 {
        return Err(ImageError::InvalidInput(format!(
            "max_bytes must be positive, got {max_bytes}"
        )));
    }
    Ok(Options {
        legacy_md5,
        max_bytes: max_bytes as u64,
    })
}

/// The extension's version.
#[php_function]
#[php(name = "VerialImages\\Native\\version")]
pub fn version() -> &'static str {
    VERSION
}

/// Build facts: version, git_revision, php_api, rustc, target, profile, base64_engine.
#[php_function]
#[php(name = "VerialImages\\Native\\build_info")]
pub fn build_info() -> HashMap<String, String> {
    build_facts()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn build_facts() -> [(&'static str, &'static str); 8] {
    [
        ("version", VERSION),
        ("git_revision", env!("VIS_GIT_REVISION")),
        ("php_api", env!("VIS_PHP_API")),
        ("php_version", env!("VIS_PHP_VERSION")),
        ("rustc", env!("VIS_RUSTC")),
        ("target", env!("VIS_TARGET")),
        ("profile", env!("VIS_PROFILE")),
        ("base64_engine", crate::decode::engine_name()),
    ]
}

/// Decodes, hashes and sniffs a payload without writing anything.
#[php_function]
#[php(name = "VerialImages\\Native\\inspect")]
#[php(defaults(legacy_md5 = false, max_bytes = 26214400))]
pub fn inspect(payload: BinarySlice<u8>, legacy_md5: bool, max_bytes: i64) -> PhpResult<ImageInfo> {
    let options = options(legacy_md5, max_bytes)?;
    let facts = image::inspect(&payload, &options)?;
    Ok(ImageInfo::new(facts, None))
}

/// Decodes a payload into "$directory/$stem.<real extension>" (first free name), atomically.
#[php_function]
#[php(name = "VerialImages\\Native\\import_file")]
#[php(defaults(legacy_md5 = false, max_bytes = 26214400))]
pub fn import_file(
    payload: BinarySlice<u8>,
    directory: &str,
    stem: &str,
    legacy_md5: bool,
    max_bytes: i64,
) -> PhpResult<ImageInfo> {
    let options = options(legacy_md5, max_bytes)?;
    let (facts, path) = image::import_file(&payload, Path::new(directory), stem, &options)?;
    Ok(ImageInfo::new(facts, Some(&path)))
}

/// Parses a whole GetImagenesArticulosWS body and processes every image in it.
#[php_function]
#[php(name = "VerialImages\\Native\\import_response")]
#[php(defaults(legacy_md5 = false, max_bytes = 26214400))]
#[php(optional = "directory")]
pub fn import_response(
    body: BinarySlice<u8>,
    directory: Option<&str>,
    known: Option<&DedupIndex>,
    legacy_md5: bool,
    max_bytes: i64,
) -> PhpResult<Vec<ImageResult>> {
    let options = options(legacy_md5, max_bytes)?;
    let body = std::str::from_utf8(&body).map_err(|e| ImageError::InvalidJson {
        offset: e.valid_up_to(),
        reason: "invalid UTF-8".into(),
    })?;
    let rows = response::import_response(
        body,
        directory.map(Path::new),
        known.map(DedupIndex::inner),
        &options,
    )?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (status, info, attachment_id, error) = match row.outcome {
                Outcome::Imported { facts, path } => (
                    "imported",
                    Some(ImageInfo::new(facts, Some(&path))),
                    None,
                    None,
                ),
                Outcome::Inspected { facts } => {
                    ("inspected", Some(ImageInfo::new(facts, None)), None, None)
                }
                Outcome::Known {
                    facts,
                    attachment_id,
                } => (
                    "known",
                    Some(ImageInfo::new(facts, None)),
                    Some(attachment_id as i64),
                    None,
                ),
                Outcome::Repeated { facts, path } => (
                    "repeated",
                    Some(ImageInfo::new(facts, path.as_deref())),
                    None,
                    None,
                ),
                Outcome::Failed { error } => ("failed", None, None, Some(error)),
            };
            ImageResult {
                article_id: row.article_id,
                position: row.position as i64,
                status,
                info,
                attachment_id,
                error,
            }
        })
        .collect())
}

extern "C" fn module_info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("verial_images support", "enabled");
    for (key, value) in build_facts() {
        info_table_row!(key, value);
    }
    let default_limit = DEFAULT_MAX_BYTES.to_string();
    info_table_row!("default max_bytes", default_limit.as_str());
    info_table_end!();
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = exceptions::register(module);
    let module = indexes::register(module);
    let module = thumbnails::register(module);
    module
        .class::<ImageInfo>()
        .class::<ImageResult>()
        .function(wrap_function!(version))
        .function(wrap_function!(build_info))
        .function(wrap_function!(inspect))
        .function(wrap_function!(import_file))
        .function(wrap_function!(import_response))
        .info_function(module_info)
}
