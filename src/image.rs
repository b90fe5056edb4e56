//! One payload, one pass: streaming decode -> SHA-256 + format sniff (+ optional file).
//!
//! `inspect` writes nothing, so a duplicate costs no I/O. `import_file` writes into a temporary
//! file in the target directory and claims the final name only once the whole image decoded
//! and validated; any error removes the temporary file (also on unwind, via `TempFile`'s Drop).

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use md5::Md5;
use sha2::{Digest, Sha256};

use crate::decode::{decode_stream, Layout};
use crate::error::{ImageError, Result};
use crate::format::{ImageFormat, Sniffer};

/// 25 MiB: far above Verial's largest originals, far below a memory or disk problem.
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// The existing plugin hashed the payload with this literal prefix, whatever the real format.
pub const LEGACY_PREFIX: &[u8] = b"data:image/jpeg;base64,";
/// Temporary files start with this, so a sweep can recognise leftovers of a killed process.
pub const TEMP_PREFIX: &str = ".vis-tmp-";
const MAX_NAME_TRIES: u32 = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub legacy_md5: bool,
    pub max_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            legacy_md5: false,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The facts established about one valid image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFacts {
    pub sha256: [u8; 32],
    pub bytes: u64,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub legacy_md5: Option<[u8; 16]>,
}

pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// The existing plugin's `_verial_image_hash`: md5 of the prefixed payload, as given.
pub fn legacy_md5(payload: &[u8]) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(LEGACY_PREFIX);
    md5.update(payload);
    md5.finalize().into()
}

/// Decodes, hashes and sniffs, handing each decoded chunk to `sink` after it was validated
/// as far as the sniffer can tell. The md5, when asked for, runs on the other core meanwhile.
fn process<F>(payload: &[u8], options: &Options, mut sink: F) -> Result<ImageFacts>
where
    F: FnMut(&[u8]) -> Result<()> + Send,
{
    let mut decode = move || -> Result<(Sniffer, Sha256, u64)> {
        let layout = Layout::of(payload)?;
        if layout.decoded_len() > options.max_bytes {
            return Err(ImageError::SizeLimit {
                limit: options.max_bytes,
            });
        }
        let mut sniffer = Sniffer::new();
        let mut sha = Sha256::new();
        let bytes = decode_stream(payload, &layout, |piece| {
            sniffer.feed(piece)?;
            sha.update(piece);
            sink(piece)
        })?;
        Ok((sniffer, sha, bytes))
    };
    let (decoded, md5) = if options.legacy_md5 {
        let (d, m) = rayon::join(decode, || legacy_md5(payload));
        (d, Some(m))
    } else {
        (decode(), None)
    };
    let (sniffer, sha, bytes) = decoded?;
    let sniffed = sniffer.finish()?;
    Ok(ImageFacts {
        sha256: sha.finalize().into(),
        bytes,
        format: sniffed.format,
        width: sniffed.width,
        height: sniffed.height,
        legacy_md5: md5,
    })
}

/// Everything about the payload, nothing written.
pub fn inspect(payload: &[u8], options: &Options) -> Result<ImageFacts> {
    process(payload, options, |_| Ok(()))
}

/// A temporary file that removes itself unless it was persisted.
struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

/// Creates a new, uniquely named file starting with `TEMP_PREFIX` in `directory`: names are
/// claimed with `create_new`, so concurrent writers (threads or processes) never share one.
pub(crate) fn create_temp_file(directory: &Path) -> Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = directory.join(format!("{TEMP_PREFIX}{}-{n}-{nanos:x}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(ImageError::storage(
                    format!("cannot create a file in {}", directory.display()),
                    e,
                ))
            }
        }
    }
}

impl TempFile {
    fn create(directory: &Path) -> Result<TempFile> {
        let meta = fs::metadata(directory)
            .map_err(|e| ImageError::storage(format!("directory {}", directory.display()), e))?;
        if !meta.is_dir() {
            return Err(ImageError::storage(
                format!("{} is not a directory", directory.display()),
                std::io::Error::from(ErrorKind::NotADirectory),
            ));
        }
        let (path, file) = create_temp_file(directory)?;
        Ok(TempFile {
            path,
            file: Some(file),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let file = self
            .file
            .as_mut()
            .expect("temporary file is open until persisted");
        file.write_all(bytes)
            .map_err(|e| ImageError::storage(format!("writing {}", self.path.display()), e))
    }

    /// Links the temporary file to the first free `stem.ext`, `stem-1.ext`, ... and removes
    /// the temporary name. `hard_link` fails when the target exists, so the name is claimed
    /// atomically even with several writers in the same directory.
    fn persist(mut self, directory: &Path, stem: &str, ext: &str) -> Result<PathBuf> {
        drop(self.file.take());
        for n in 0..MAX_NAME_TRIES {
            let name = if n == 0 {
                format!("{stem}.{ext}")
            } else {
                format!("{stem}-{n}.{ext}")
            };
            let target = directory.join(name);
            match fs::hard_link(&self.path, &target) {
                Ok(()) => return Ok(target),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(_) => {
                    // File systems without hard links: claim the name, then replace it.
                    match OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&target)
                    {
                        Ok(_) => {
                            return fs::rename(&self.path, &target)
                                .map(|()| target.clone())
                                .map_err(|e| {
                                    let _ = fs::remove_file(&target);
                                    ImageError::storage(
                                        format!("moving into {}", target.display()),
                                        e,
                                    )
                                })
                        }
                        Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                        Err(e) => {
                            return Err(ImageError::storage(
                                format!("creating {}", target.display()),
                                e,
                            ))
                        }
                    }
                }
            }
        }
        Err(ImageError::InvalidInput(format!(
            "no free file name for {stem}.{ext} after {MAX_NAME_TRIES} tries"
        )))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        drop(self.file.take());
        let _ = fs::remove_file(&self.path);
    }
}

/// A file stem we are willing to put on disk: no separators, no hidden files, no surprises.
pub fn validate_stem(stem: &str) -> Result<()> {
    let ok = !stem.is_empty()
        && stem.len() <= 200
        && !stem.starts_with('.')
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ImageError::InvalidInput(format!(
            "invalid file stem {stem:?}: use 1-200 characters of A-Z a-z 0-9 . _ - not starting with '.'"
        )))
    }
}

/// Decodes the payload into `directory/stem.<real ext>` (or the first free `stem-N.<ext>`).
pub fn import_file(
    payload: &[u8],
    directory: &Path,
    stem: &str,
    options: &Options,
) -> Result<(ImageFacts, PathBuf)> {
    validate_stem(stem)?;
    let mut temp = TempFile::create(directory)?;
    let facts = process(payload, options, |piece| temp.write(piece))?;
    let path = temp.persist(directory, stem, facts.format.extension())?;
    Ok((facts, path))
}

/// Writes an already inspected payload: decode only, no hashing or sniffing again.
pub fn write_inspected(
    payload: &[u8],
    directory: &Path,
    stem: &str,
    format: ImageFormat,
) -> Result<PathBuf> {
    validate_stem(stem)?;
    let mut temp = TempFile::create(directory)?;
    let layout = Layout::of(payload)?;
    decode_stream(payload, &layout, |piece| temp.write(piece))?;
    temp.persist(directory, stem, format.extension())
}
