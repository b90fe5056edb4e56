//! Errors of the plain-Rust core. The PHP layer maps each variant to one exception class.

use thiserror::Error;

/// Everything that can go wrong while turning a payload into an image file or an index.
#[derive(Debug, Error)]
pub enum ImageError {
    /// A character that is not base64, misplaced padding or a dangling final symbol.
    #[error("invalid base64: {reason} at byte offset {offset}")]
    InvalidBase64 { offset: usize, reason: String },

    /// Decoded bytes that are not a complete JPEG, PNG, GIF or WebP.
    #[error("{0}")]
    UnsupportedFormat(String),

    /// The decoded image would exceed the configured limit.
    #[error("decoded image exceeds the limit of {limit} bytes")]
    SizeLimit { limit: u64 },

    /// File-system failure (missing directory, permissions, disk full).
    #[error("{context}: {source}")]
    Storage {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// Arguments the caller got wrong (file stem, hash text, serialized index, rows).
    #[error("{0}")]
    InvalidInput(String),

    /// Verial answered with a non-zero `InfoError.Codigo`.
    #[error("Verial InfoError {code}: {description}")]
    Api { code: i64, description: String },

    /// An error of one image of a response, with the article and position it belongs to.
    #[error("article {article_id} position {position}: {inner}")]
    InImage {
        article_id: i64,
        position: u32,
        inner: Box<ImageError>,
    },

    /// The response body is not the JSON shape Verial sends.
    #[error("invalid JSON response: {reason} at byte offset {offset}")]
    InvalidJson { offset: usize, reason: String },
}

impl ImageError {
    pub(crate) fn storage(context: impl Into<String>, source: std::io::Error) -> Self {
        ImageError::Storage {
            context: context.into(),
            source,
        }
    }

    /// Which kind of failure this is (an image's context does not change its kind).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ImageError::InImage { inner, .. } => inner.kind(),
            ImageError::InvalidBase64 { .. } => ErrorKind::InvalidBase64,
            ImageError::UnsupportedFormat(_) => ErrorKind::UnsupportedFormat,
            ImageError::SizeLimit { .. } => ErrorKind::SizeLimit,
            ImageError::Storage { .. } => ErrorKind::Storage,
            ImageError::InvalidInput(_) => ErrorKind::InvalidInput,
            ImageError::Api { .. } => ErrorKind::Api,
            ImageError::InvalidJson { .. } => ErrorKind::InvalidJson,
        }
    }
}

/// The kinds of failure; each surfaces in PHP as its own exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidBase64,
    UnsupportedFormat,
    SizeLimit,
    Storage,
    InvalidInput,
    Api,
    InvalidJson,
}

impl ErrorKind {
    /// Short name of the PHP exception class.
    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::InvalidBase64 => "InvalidBase64Exception",
            ErrorKind::UnsupportedFormat => "UnsupportedFormatException",
            ErrorKind::SizeLimit => "SizeLimitException",
            ErrorKind::Storage => "StorageException",
            ErrorKind::InvalidInput => "InvalidInputException",
            ErrorKind::Api => "ApiErrorException",
            ErrorKind::InvalidJson => "InvalidJsonException",
        }
    }
}

pub type Result<T> = std::result::Result<T, ImageError>;
