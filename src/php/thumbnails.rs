//! `make_subsizes()`: WordPress's registered sizes in, WordPress's `sizes` metadata out;
//! `make_subsizes_many()`: the same for many files at once, each file's failure its message.
//!
//! `$sizes` arrives exactly as `wp_get_registered_image_subsizes()` returns it; each entry is
//! read the way `WP_Image_Editor_Imagick::make_subsize()` reads it (missing or null width or
//! height = 0, missing crop = false, a crop array of two anchors = those anchors, any other
//! non-empty array = center). Values WordPress never produces there (negative or fractional
//! sizes, a string crop, ...) are InvalidInputException rather than guesses.

use std::path::Path;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};

use crate::error::ImageError;
use crate::thumbnails::{self, Crop, Quality, SizeRequest, Subsize};

/// How an input key (a size's name, a file's key) came in, so that it goes back out as the
/// same array key.
enum Key {
    Long(i64),
    Name(String),
}

impl Key {
    fn of(key: ArrayKey<'_>) -> Key {
        match key {
            ArrayKey::Long(n) => Key::Long(n),
            other => Key::Name(other.to_string()),
        }
    }

    fn name(&self) -> String {
        match self {
            Key::Long(n) => n.to_string(),
            Key::Name(name) => name.clone(),
        }
    }

    fn insert<V: IntoZval>(&self, table: &mut ZendHashTable, value: V) -> Result<(), PhpException> {
        match self {
            Key::Long(n) => table.insert(*n, value)?,
            Key::Name(name) => table.insert(name.as_str(), value)?,
        }
        Ok(())
    }
}

fn bad(name: &str, what: impl std::fmt::Display) -> ImageError {
    ImageError::InvalidInput(format!("size {name:?}: {what}"))
}

fn dimension(entry: &ZendHashTable, field: &str, name: &str) -> Result<u32, ImageError> {
    let Some(value) = entry.get(field).filter(|v| !v.is_null()) else {
        return Ok(0);
    };
    let number = value
        .long()
        .or_else(|| value.str().and_then(|s| s.trim().parse::<i64>().ok()));
    match number {
        Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Ok(n as u32),
        _ => Err(bad(name, format!("{field} must be a non-negative integer"))),
    }
}

fn crop(entry: &ZendHashTable, name: &str) -> Result<Crop, ImageError> {
    let Some(value) = entry.get("crop").filter(|v: &&Zval| !v.is_null()) else {
        return Ok(Crop::No);
    };
    if let Some(flag) = value.bool() {
        return Ok(if flag { Crop::CENTER } else { Crop::No });
    }
    if let Some(n) = value.long() {
        return Ok(if n != 0 { Crop::CENTER } else { Crop::No });
    }
    if let Some(anchors) = value.array() {
        return Ok(match anchors.len() {
            0 => Crop::No,
            2 => Crop::from_anchors(
                anchors.get(0i64).and_then(Zval::str),
                anchors.get(1i64).and_then(Zval::str),
            ),
            _ => Crop::CENTER,
        });
    }
    Err(bad(
        name,
        "crop must be a bool or an array [x, y] of 'left'|'center'|'right' and 'top'|'center'|'bottom'",
    ))
}

fn requests(sizes: &ZendHashTable) -> Result<(Vec<SizeRequest>, Vec<Key>), ImageError> {
    let mut requests = Vec::with_capacity(sizes.len());
    let mut keys = Vec::with_capacity(sizes.len());
    for (key, value) in sizes.iter() {
        let key = Key::of(key);
        let name = key.name();
        let entry = value.array().ok_or_else(|| {
            bad(
                &name,
                "expected ['width' => int, 'height' => int, 'crop' => bool|array]",
            )
        })?;
        requests.push(SizeRequest {
            width: dimension(entry, "width", &name)?,
            height: dimension(entry, "height", &name)?,
            crop: crop(entry, &name)?,
            name,
        });
        keys.push(key);
    }
    Ok((requests, keys))
}

fn quality(jpeg_quality: i64, webp_quality: i64) -> Result<Quality, ImageError> {
    Ok(Quality {
        jpeg: thumbnails::quality("jpeg_quality", jpeg_quality)?,
        webp: thumbnails::quality("webp_quality", webp_quality)?,
    })
}

/// The `sizes` array of one file, keyed by the size names as they came in.
fn metadata(made: Vec<Subsize>, keys: &[Key]) -> Result<ZBox<ZendHashTable>, PhpException> {
    let mut out = ZendHashTable::with_capacity(made.len() as u32);
    for size in made {
        let mut meta = ZendHashTable::with_capacity(5);
        meta.insert("file", size.file)?;
        meta.insert("width", i64::from(size.width))?;
        meta.insert("height", i64::from(size.height))?;
        meta.insert("mime-type", size.mime)?;
        meta.insert("filesize", size.filesize as i64)?;
        keys[size.request].insert(&mut out, meta)?;
    }
    Ok(out)
}

/// Makes WordPress's intermediate sizes of a JPEG, PNG, GIF or WebP natively (see
/// docs/native-api.md).
#[php_function]
#[php(name = "VerialImages\\Native\\make_subsizes")]
#[php(defaults(jpeg_quality = 82, webp_quality = 86))]
pub fn make_subsizes(
    file: &str,
    sizes: &ZendHashTable,
    jpeg_quality: i64,
    webp_quality: i64,
) -> PhpResult<ZBox<ZendHashTable>> {
    let quality = quality(jpeg_quality, webp_quality)?;
    let (requests, keys) = requests(sizes)?;
    let made = thumbnails::make_subsizes(Path::new(file), &requests, quality)?;
    metadata(made, &keys)
}

/// make_subsizes() for every path of `$files`, in parallel: the same keys in the same order,
/// each value that file's `sizes` array or, when it failed, the message make_subsizes() would
/// have thrown it with (see docs/native-api.md).
#[php_function]
#[php(name = "VerialImages\\Native\\make_subsizes_many")]
#[php(defaults(jpeg_quality = 82, webp_quality = 86))]
pub fn make_subsizes_many(
    files: &ZendHashTable,
    sizes: &ZendHashTable,
    jpeg_quality: i64,
    webp_quality: i64,
) -> PhpResult<ZBox<ZendHashTable>> {
    let quality = quality(jpeg_quality, webp_quality)?;
    let (requests, keys) = requests(sizes)?;
    let mut file_keys = Vec::with_capacity(files.len());
    let mut paths = Vec::with_capacity(files.len());
    for (key, value) in files.iter() {
        let path = value.str().ok_or_else(|| {
            ImageError::InvalidInput(format!("files[{key}]: expected a path string"))
        })?;
        paths.push(path.to_string());
        file_keys.push(Key::of(key));
    }
    let results = thumbnails::make_subsizes_many(&paths, &requests, quality);
    let mut out = ZendHashTable::with_capacity(results.len() as u32);
    for (key, result) in file_keys.iter().zip(results) {
        let value = match result {
            Ok(made) => metadata(made, &keys)?.into_zval(false)?,
            Err(e) => e.to_string().into_zval(false)?,
        };
        key.insert(&mut out, value)?;
    }
    Ok(out)
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(make_subsizes))
        .function(wrap_function!(make_subsizes_many))
}
