//! A whole `GetImagenesArticulosWS` response, parsed and processed in Rust.
//!
//! PHP's `json_decode` of a multi-MB body costs more than the images themselves; here the body
//! is parsed by serde_json borrowing the base64 strings in place (only a string with JSON
//! escapes such as WCF's `\/` is unescaped into a copy). Images are inspected in parallel, the
//! dedup decision is taken in response order, and only new content is written.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::dedup::DedupIndex;
use crate::error::{ImageError, Result};
use crate::image::{self, ImageFacts, Options};

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(rename = "InfoError")]
    info_error: InfoError,
    #[serde(rename = "Imagenes", borrow, default)]
    imagenes: Option<Vec<Imagen<'a>>>,
}

#[derive(Deserialize)]
struct InfoError {
    #[serde(rename = "Codigo")]
    codigo: i64,
    #[serde(rename = "Descripcion", default)]
    descripcion: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Imagen<'a> {
    #[serde(rename = "ID_Articulo")]
    id_articulo: i64,
    #[serde(rename = "Imagen", borrow, default)]
    imagen: Option<Cow<'a, str>>,
}

/// What happened to one image of the response.
#[derive(Debug)]
pub enum Outcome {
    /// Written to `path`.
    Imported {
        facts: ImageFacts,
        path: PathBuf,
    },
    /// Valid; nothing was asked to be written.
    Inspected {
        facts: ImageFacts,
    },
    /// Content already in the dedup index under this attachment.
    Known {
        facts: ImageFacts,
        attachment_id: u64,
    },
    /// Same content as an earlier image of this response (written there, if anywhere).
    Repeated {
        facts: ImageFacts,
        path: Option<PathBuf>,
    },
    Failed {
        error: ImageError,
    },
}

#[derive(Debug)]
pub struct ImageRow {
    pub article_id: i64,
    pub position: u32,
    pub outcome: Outcome,
}

/// Converts a line/column from serde_json into a byte offset in `body`.
fn byte_offset(body: &str, line: usize, column: usize) -> usize {
    let line_start: usize = body
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(body.len())
}

fn parse(body: &str) -> Result<Vec<Imagen<'_>>> {
    let parsed: Body<'_> = serde_json::from_str(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => ImageError::InvalidJson {
            offset: body.len(),
            reason: "unexpected end of body (truncated)".into(),
        },
        _ => ImageError::InvalidJson {
            offset: byte_offset(body, e.line(), e.column()),
            reason: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        },
    })?;
    if parsed.info_error.codigo != 0 {
        return Err(ImageError::Api {
            code: parsed.info_error.codigo,
            description: parsed
                .info_error
                .descripcion
                .unwrap_or_else(|| "(no description)".into()),
        });
    }
    parsed.imagenes.ok_or_else(|| ImageError::InvalidJson {
        offset: 0,
        reason: "missing field `Imagenes`".into(),
    })
}

fn with_context(article_id: i64, position: u32, error: ImageError) -> ImageError {
    ImageError::InImage {
        article_id,
        position,
        inner: Box::new(error),
    }
}

/// Parses `body` and processes every image. With `directory`, new content is written as
/// `verial-<article>-<position>.<ext>`; with `known`, content already imported is not.
pub fn import_response(
    body: &str,
    directory: Option<&Path>,
    known: Option<&DedupIndex>,
    options: &Options,
) -> Result<Vec<ImageRow>> {
    let images = parse(body)?;
    if let Some(dir) = directory {
        // A missing directory is one failure of the call, not one per image.
        if !dir.is_dir() {
            return Err(ImageError::storage(
                format!("directory {}", dir.display()),
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
    }
    let mut next_position: HashMap<i64, u32> = HashMap::new();
    let located: Vec<(i64, u32, &[u8])> = images
        .iter()
        .map(|img| {
            let slot = next_position.entry(img.id_articulo).or_insert(0);
            let position = *slot;
            *slot += 1;
            let payload = img.imagen.as_deref().unwrap_or("").as_bytes();
            (img.id_articulo, position, payload)
        })
        .collect();

    let inspected: Vec<Result<ImageFacts>> = located
        .par_iter()
        .map(|&(_, _, payload)| image::inspect(payload, options))
        .collect();

    // Decide in response order: first occurrence of a content is the one written.
    let mut first_seen: HashSet<[u8; 32]> = HashSet::new();
    let mut rows: Vec<ImageRow> = Vec::with_capacity(located.len());
    let mut to_write: Vec<usize> = Vec::new();
    for (i, (facts, &(article_id, position, _))) in inspected.into_iter().zip(&located).enumerate()
    {
        let outcome = match facts {
            Err(error) => Outcome::Failed {
                error: with_context(article_id, position, error),
            },
            Ok(facts) => {
                if let Some(attachment_id) = known.and_then(|k| k.get(&facts.sha256)) {
                    Outcome::Known {
                        facts,
                        attachment_id,
                    }
                } else if !first_seen.insert(facts.sha256) {
                    Outcome::Repeated { facts, path: None }
                } else {
                    if directory.is_some() {
                        to_write.push(i);
                    }
                    Outcome::Inspected { facts }
                }
            }
        };
        rows.push(ImageRow {
            article_id,
            position,
            outcome,
        });
    }

    if let Some(dir) = directory {
        let written: Vec<(usize, Result<PathBuf>)> = to_write
            .par_iter()
            .map(|&i| {
                let (article_id, position, payload) = located[i];
                let Outcome::Inspected { facts } = &rows[i].outcome else {
                    unreachable!("only inspected rows are written")
                };
                let stem = format!("verial-{article_id}-{position}");
                let result = image::write_inspected(payload, dir, &stem, facts.format)
                    .map_err(|e| with_context(article_id, position, e));
                (i, result)
            })
            .collect();
        let mut paths: HashMap<[u8; 32], PathBuf> = HashMap::new();
        for (i, result) in written {
            let row = &mut rows[i];
            let Outcome::Inspected { facts } = &row.outcome else {
                unreachable!("only inspected rows are written")
            };
            let facts = facts.clone();
            row.outcome = match result {
                Ok(path) => {
                    paths.insert(facts.sha256, path.clone());
                    Outcome::Imported { facts, path }
                }
                Err(error) => Outcome::Failed { error },
            };
        }
        for row in &mut rows {
            if let Outcome::Repeated { facts, path } = &mut row.outcome {
                *path = paths.get(&facts.sha256).cloned();
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_bytes_across_lines() {
        let body = "{\n  \"a\": [\n1,";
        assert_eq!(byte_offset(body, 3, 2), 12);
        assert_eq!(byte_offset(body, 1, 1), 0);
    }

    #[test]
    fn api_errors_carry_code_and_description() {
        let err = parse(r#"{"InfoError":{"Codigo":2,"Descripcion":"Error SQL"}}"#).unwrap_err();
        match err {
            ImageError::Api { code, description } => {
                assert_eq!(code, 2);
                assert_eq!(description, "Error SQL");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_bodies_name_the_offset() {
        let body =
            r#"{"InfoError":{"Codigo":0,"Descripcion":null},"Imagenes":[{"ID_Articulo":1,"Ima"#;
        match parse(body).unwrap_err() {
            ImageError::InvalidJson { offset, reason } => {
                assert_eq!(offset, body.len());
                assert!(reason.contains("truncated"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn escaped_slashes_are_unescaped_before_decoding() {
        let body = r#"{"InfoError":{"Codigo":0,"Descripcion":null},"Imagenes":[{"ID_Articulo":7,"Imagen":"ab\/+"}]}"#;
        let images = parse(body).unwrap();
        assert_eq!(images[0].imagen.as_deref(), Some("ab/+"));
    }
}
