//! The PHP exception hierarchy, one class per `ImageError` variant.

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;

use crate::error::{ErrorKind, ImageError};

/// Base class of every exception the extension throws.
#[php_class]
#[php(name = "VerialImages\\Native\\NativeException")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct NativeException;

/// The payload is not valid base64; the message names the byte offset.
#[php_class]
#[php(name = "VerialImages\\Native\\InvalidBase64Exception")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct InvalidBase64Exception;

/// The decoded bytes are not a complete JPEG, PNG, GIF or WebP.
#[php_class]
#[php(name = "VerialImages\\Native\\UnsupportedFormatException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct UnsupportedFormatException;

/// The decoded image exceeds `max_bytes`.
#[php_class]
#[php(name = "VerialImages\\Native\\SizeLimitException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct SizeLimitException;

/// A file-system failure: missing directory, permissions, disk full.
#[php_class]
#[php(name = "VerialImages\\Native\\StorageException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct StorageException;

/// An argument the caller got wrong: file stem, hash, rows, serialized index.
#[php_class]
#[php(name = "VerialImages\\Native\\InvalidInputException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct InvalidInputException;

/// Verial answered with a non-zero InfoError; getCode() is its Codigo.
#[php_class]
#[php(name = "VerialImages\\Native\\ApiErrorException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct ApiErrorException;

/// The response body is not the JSON Verial sends; the message names the byte offset.
#[php_class]
#[php(name = "VerialImages\\Native\\InvalidJsonException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct InvalidJsonException;

impl From<ImageError> for PhpException {
    fn from(error: ImageError) -> Self {
        let message = error.to_string();
        let class = match error.kind() {
            ErrorKind::InvalidBase64 => InvalidBase64Exception::get_metadata().ce(),
            ErrorKind::UnsupportedFormat => UnsupportedFormatException::get_metadata().ce(),
            ErrorKind::SizeLimit => SizeLimitException::get_metadata().ce(),
            ErrorKind::Storage => StorageException::get_metadata().ce(),
            ErrorKind::InvalidInput => InvalidInputException::get_metadata().ce(),
            ErrorKind::Api => ApiErrorException::get_metadata().ce(),
            ErrorKind::InvalidJson => InvalidJsonException::get_metadata().ce(),
        };
        let code = match error {
            ImageError::Api { code, .. } => i32::try_from(code).unwrap_or(i32::MAX),
            _ => 0,
        };
        PhpException::new(message, code, class)
    }
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<NativeException>()
        .class::<InvalidBase64Exception>()
        .class::<UnsupportedFormatException>()
        .class::<SizeLimitException>()
        .class::<StorageException>()
        .class::<InvalidInputException>()
        .class::<ApiErrorException>()
        .class::<InvalidJsonException>()
}
