//! WordPress's intermediate image sizes, made natively: decode the original once, crop and
//! resize it to every registered size in parallel, encode in the original's format, write
//! `name-WxH.ext` next to it, and return the `sizes` metadata WordPress 6.1's
//! `wp_create_image_subsizes()` would store for the same file.
//!
//! `geometry` is the line-by-line port of WordPress's size arithmetic, `codec` the JPEG/PNG
//! decoders and encoders (with `gif_codec` and `webp_codec` for GIF and WebP), `resize` the
//! SIMD crop + resize. This module ties them together and writes the files: all sub-sizes are
//! encoded in memory first, then each goes to a temporary file in the target directory, and
//! only when every one of them is written are they renamed into place, so that an error leaves
//! no file of this call behind. `make_subsizes_many` does that for many originals at once,
//! in parallel across files (small originals have only a size or two to spread over cores).
//!
//! Out of scope, as in WordPress where they happen elsewhere: the EXIF orientation (applied by
//! `wp_create_image_subsizes()` before the sizes are made) and the big-image threshold (the
//! "-scaled" copy).

pub mod codec;
pub mod geometry;
mod gif_codec;
mod jpeg_codec;
mod quantize;
mod resize;
mod webp_codec;

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{ImageError, Result};
use crate::image::create_temp_file;
use codec::Pixels;
pub use codec::{Quality, DEFAULT_JPEG_QUALITY, DEFAULT_WEBP_QUALITY};
pub use geometry::{Crop, CropX, CropY};
use geometry::{Plan, ResizeDims};

/// One registered size, as `wp_get_registered_image_subsizes()` describes it (0 = unbounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeRequest {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub crop: Crop,
}

/// One entry of the `sizes` metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subsize {
    /// Index of the request this entry answers (the metadata key is its name).
    pub request: usize,
    /// Base name of the file written: "{original stem}-{width}x{height}.{ext}".
    pub file: String,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    /// Bytes of this size's encoding (what `wp_filesize()` reads right after writing it).
    pub filesize: u64,
}

/// A quality as WordPress's editor accepts it: 1-100, where 0 means 1 as in
/// `WP_Image_Editor::set_quality()`. `name` is the argument's, for the error.
pub fn quality(name: &str, quality: i64) -> Result<u8> {
    match quality {
        0 => Ok(1),
        1..=100 => Ok(quality as u8),
        _ => Err(ImageError::InvalidInput(format!(
            "{name} must be between 0 and 100, got {quality}"
        ))),
    }
}

/// The original's directory, stem and lowercase extension, the way WordPress's
/// `generate_filename()` splits it (`pathinfo()`).
fn split_name(file: &Path) -> Result<(PathBuf, String, String)> {
    let base = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        ImageError::InvalidInput(format!("{} is not a file name", file.display()))
    })?;
    let (stem, ext) = base
        .rsplit_once('.')
        .filter(|(_, ext)| !ext.is_empty())
        .ok_or_else(|| {
            ImageError::InvalidInput(format!(
                "{base}: the original needs a file extension (WordPress names sub-sizes after it)"
            ))
        })?;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, stem.to_string(), ext.to_ascii_lowercase()))
}

/// One distinct piece of work: several sizes can share it (same rectangle, same size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Original,
    Resize(ResizeDims),
}

impl Job {
    fn of(plan: Plan) -> Job {
        match plan {
            Plan::Original { .. } => Job::Original,
            Plan::Resize(d) => Job::Resize(d),
        }
    }

    /// Output pixels, to hand the biggest pieces out first.
    fn weight(&self, orig: (u32, u32)) -> u64 {
        let (w, h) = match self {
            Job::Original => orig,
            Job::Resize(d) => (d.dst_w, d.dst_h),
        };
        u64::from(w) * u64::from(h)
    }
}

fn encode_job(original: &codec::Original, job: &Job, quality: Quality) -> Result<Vec<u8>> {
    let resized;
    let pixels: &Pixels = match job {
        Job::Original => &original.pixels,
        Job::Resize(dims) => {
            resized = resize::crop_resize(&original.pixels, dims)?;
            &resized
        }
    };
    codec::encode(&codec::Output::of(original, quality), pixels)
}

/// Makes every size of `sizes` that WordPress would make from `file`, writes them next to it
/// and returns their metadata in the order WordPress stores it.
///
/// Errors: the file cannot be read -> Storage; not a JPEG/PNG/GIF/WebP, or one the codecs
/// leave to WordPress (CMYK JPEG, animated WebP, ...), or undecodable -> UnsupportedFormat; a
/// file name without extension -> InvalidInput; writing fails -> Storage (and nothing of this
/// call remains).
pub fn make_subsizes(file: &Path, sizes: &[SizeRequest], quality: Quality) -> Result<Vec<Subsize>> {
    let (dir, stem, ext) = split_name(file)?;
    let bytes = fs::read(file)
        .map_err(|e| ImageError::storage(format!("reading {}", file.display()), e))?;
    let format = codec::native_format(&bytes)?;
    let (orig_w, orig_h) = codec::dimensions(format, &bytes)?;

    // What WordPress makes, in the order it makes it.
    let names: Vec<&str> = sizes.iter().map(|s| s.name.as_str()).collect();
    let planned: Vec<(usize, Plan)> = geometry::priority_order(&names)
        .into_iter()
        .filter_map(|i| {
            let s = &sizes[i];
            geometry::plan(orig_w, orig_h, s.width, s.height, s.crop).map(|p| (i, p))
        })
        .collect();
    if planned.is_empty() {
        return Ok(Vec::new());
    }

    let mut jobs: Vec<Job> = Vec::new();
    let mut job_of: Vec<usize> = Vec::with_capacity(planned.len());
    for (_, plan) in &planned {
        let job = Job::of(*plan);
        let index = jobs.iter().position(|j| *j == job).unwrap_or_else(|| {
            jobs.push(job);
            jobs.len() - 1
        });
        job_of.push(index);
    }

    let original = codec::decode(format, &bytes)?;
    drop(bytes);
    if (original.pixels.width, original.pixels.height) != (orig_w, orig_h) {
        return Err(ImageError::UnsupportedFormat(
            "image size differs between header and data".into(),
        ));
    }

    let mut schedule: Vec<usize> = (0..jobs.len()).collect();
    schedule.sort_by_key(|&j| std::cmp::Reverse(jobs[j].weight((orig_w, orig_h))));
    let mut encoded: Vec<(usize, Vec<u8>)> = schedule
        .par_iter()
        .map(|&j| encode_job(&original, &jobs[j], quality).map(|bytes| (j, bytes)))
        .collect::<Result<_>>()?;
    encoded.sort_by_key(|(j, _)| *j);
    drop(original);

    let entries: Vec<Subsize> = planned
        .iter()
        .zip(&job_of)
        .map(|((request, plan), &job)| {
            let (width, height) = plan.size();
            Subsize {
                request: *request,
                file: geometry::subsize_file_name(&stem, &ext, width, height),
                width,
                height,
                mime: format.mime(),
                filesize: encoded[job].1.len() as u64,
            }
        })
        .collect();

    // Sizes sharing a file name overwrite each other in WordPress: the last one stays.
    let mut last_for_name: HashMap<&str, usize> = HashMap::new();
    for (entry, &job) in entries.iter().zip(&job_of) {
        last_for_name.insert(entry.file.as_str(), job);
    }
    let mut files: Vec<(&str, &[u8])> = last_for_name
        .into_iter()
        .map(|(name, job)| (name, encoded[job].1.as_slice()))
        .collect();
    files.sort_unstable();
    write_all(&dir, &files)?;
    Ok(entries)
}

/// `make_subsizes` for every file, in parallel across files (and within each, across its
/// sizes): one result per file, in the order of `files`. A file's failure is its own result
/// and leaves nothing of that file behind; the others are made regardless.
pub fn make_subsizes_many<P: AsRef<Path> + Sync>(
    files: &[P],
    sizes: &[SizeRequest],
    quality: Quality,
) -> Vec<Result<Vec<Subsize>>> {
    files
        .par_iter()
        .map(|file| make_subsizes(file.as_ref(), sizes, quality))
        .collect()
}

/// Temporary files of one call; removed on drop unless every one was renamed into place.
struct Staged {
    temps: Vec<PathBuf>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        for temp in &self.temps {
            let _ = fs::remove_file(temp);
        }
    }
}

/// The permissions WordPress gives a sub-size: its directory's, without execute bits.
#[cfg(unix)]
fn wordpress_permissions(dir: &Path) -> std::io::Result<Option<fs::Permissions>> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(dir)?.permissions().mode() & 0o666;
    Ok(Some(fs::Permissions::from_mode(mode)))
}

#[cfg(not(unix))]
fn wordpress_permissions(_dir: &Path) -> std::io::Result<Option<fs::Permissions>> {
    Ok(None)
}

/// Writes every file to a temporary name, then renames them all into place (replacing older
/// files of the same name, as WordPress does). On error nothing of this call remains.
fn write_all(dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    let permissions = wordpress_permissions(dir)
        .map_err(|e| ImageError::storage(format!("directory {}", dir.display()), e))?;
    let mut staged = Staged {
        temps: Vec::with_capacity(files.len()),
    };
    for (_, bytes) in files {
        let (path, mut file) = create_temp_file(dir)?;
        staged.temps.push(path.clone());
        file.write_all(bytes)
            .and_then(|()| match &permissions {
                Some(p) => file.set_permissions(p.clone()),
                None => Ok(()),
            })
            .map_err(|e| ImageError::storage(format!("writing {}", path.display()), e))?;
    }
    let mut placed: Vec<PathBuf> = Vec::with_capacity(files.len());
    for ((name, _), temp) in files.iter().zip(staged.temps.clone()) {
        let target = dir.join(name);
        if let Err(e) = fs::rename(&temp, &target) {
            for done in &placed {
                let _ = fs::remove_file(done);
            }
            return Err(ImageError::storage(
                format!("moving into {}", target.display()),
                e,
            ));
        }
        placed.push(target);
    }
    staged.temps.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::codec::tests::{mean_abs_diff, picture};
    use super::codec::{Format, Layout, Original};
    use super::*;
    use crate::error::ErrorKind as Kind;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            static N: AtomicU64 = AtomicU64::new(0);
            let dir = std::env::temp_dir().join(format!(
                "vis-thumbs-{tag}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn entries(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn size(name: &str, width: u32, height: u32, crop: Crop) -> SizeRequest {
        SizeRequest {
            name: name.into(),
            width,
            height,
            crop,
        }
    }

    /// WordPress's defaults plus WooCommerce's sizes, in registration order.
    pub(super) fn woocommerce_sizes() -> Vec<SizeRequest> {
        vec![
            size("thumbnail", 150, 150, Crop::CENTER),
            size("medium", 300, 300, Crop::No),
            size("medium_large", 768, 0, Crop::No),
            size("large", 1024, 1024, Crop::No),
            size("1536x1536", 1536, 1536, Crop::No),
            size("2048x2048", 2048, 2048, Crop::No),
            size("woocommerce_thumbnail", 300, 300, Crop::CENTER),
            size("woocommerce_single", 600, 0, Crop::No),
            size("woocommerce_gallery_thumbnail", 100, 100, Crop::CENTER),
        ]
    }

    fn write_original(dir: &Path, name: &str, format: Format, pixels: &Pixels) -> PathBuf {
        let path = dir.join(name);
        fs::write(
            &path,
            codec::encode(&codec::Output::plain(format, 90), pixels).unwrap(),
        )
        .unwrap();
        path
    }

    fn read(path: &Path) -> Original {
        let bytes = fs::read(path).unwrap();
        codec::decode(codec::native_format(&bytes).unwrap(), &bytes).unwrap()
    }

    #[test]
    fn makes_woocommerce_sizes_of_a_portrait_jpeg() {
        let dir = TempDir::new("jpeg");
        let pic = picture(1200, 1600, Layout::Rgb);
        let file = write_original(&dir.0, "Photo.JPG", Format::Jpeg, &pic);
        let sizes = woocommerce_sizes();
        let out = make_subsizes(&file, &sizes, Quality::default()).unwrap();
        let got: Vec<(&str, &str, u32, u32)> = out
            .iter()
            .map(|s| {
                (
                    sizes[s.request].name.as_str(),
                    s.file.as_str(),
                    s.width,
                    s.height,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("medium", "Photo-225x300.jpg", 225, 300),
                ("large", "Photo-768x1024.jpg", 768, 1024),
                ("thumbnail", "Photo-150x150.jpg", 150, 150),
                ("medium_large", "Photo-768x1024.jpg", 768, 1024),
                ("1536x1536", "Photo-1152x1536.jpg", 1152, 1536),
                ("woocommerce_thumbnail", "Photo-300x300.jpg", 300, 300),
                ("woocommerce_single", "Photo-600x800.jpg", 600, 800),
                (
                    "woocommerce_gallery_thumbnail",
                    "Photo-100x100.jpg",
                    100,
                    100
                ),
            ]
        );
        assert_eq!(
            dir.entries(),
            [
                "Photo-100x100.jpg",
                "Photo-1152x1536.jpg",
                "Photo-150x150.jpg",
                "Photo-225x300.jpg",
                "Photo-300x300.jpg",
                "Photo-600x800.jpg",
                "Photo-768x1024.jpg",
                "Photo.JPG"
            ]
        );
        for s in &out {
            assert_eq!(s.mime, "image/jpeg");
            let path = dir.0.join(&s.file);
            assert_eq!(fs::metadata(&path).unwrap().len(), s.filesize, "{}", s.file);
            let thumb = read(&path);
            assert_eq!(
                (thumb.pixels.width, thumb.pixels.height),
                (s.width, s.height)
            );
        }
        // The center crop of the 300x300 is the middle square of the original.
        let square = read(&dir.0.join("Photo-300x300.jpg"));
        let mut middle = Pixels {
            width: 1200,
            height: 1200,
            layout: Layout::Rgb,
            data: pic.data[200 * 1200 * 3..1400 * 1200 * 3].to_vec(),
        };
        middle = resize::crop_resize(
            &middle,
            &ResizeDims {
                src_x: 0,
                src_y: 0,
                src_w: 1200,
                src_h: 1200,
                dst_w: 300,
                dst_h: 300,
            },
        )
        .unwrap();
        let mad = mean_abs_diff(&square.pixels, &middle);
        assert!(mad < 3.0, "{mad}");
    }

    #[test]
    fn png_keeps_format_and_alpha_and_original_size_is_saved_again() {
        let dir = TempDir::new("png");
        let pic = picture(300, 300, Layout::Rgba);
        let file = write_original(&dir.0, "logo.png", Format::Png, &pic);
        let out = make_subsizes(&file, &woocommerce_sizes(), Quality::default()).unwrap();
        let got: Vec<(&str, u32)> = out.iter().map(|s| (s.file.as_str(), s.width)).collect();
        assert_eq!(
            got,
            [
                ("logo-300x300.png", 300),
                ("logo-150x150.png", 150),
                ("logo-300x300.png", 300),
                ("logo-100x100.png", 100)
            ]
        );
        assert!(out.iter().all(|s| s.mime == "image/png"));
        // 300x300 is the original again (PNG is lossless: the very same pixels).
        assert_eq!(read(&dir.0.join("logo-300x300.png")).pixels, pic);
        let small = read(&dir.0.join("logo-100x100.png"));
        assert_eq!(small.pixels.layout, Layout::Rgba);
        assert!(
            small.pixels.data[3] < 4,
            "the transparent left edge stays transparent"
        );
    }

    #[test]
    fn nothing_to_make_writes_nothing() {
        let dir = TempDir::new("small");
        let file = write_original(
            &dir.0,
            "tiny.png",
            Format::Png,
            &picture(90, 60, Layout::Rgb),
        );
        let sizes = vec![
            size("medium", 300, 300, Crop::No),
            size("wide", 91, 0, Crop::No),
            size("none", 0, 0, Crop::CENTER),
            size("same", 89, 59, Crop::No),
        ];
        assert_eq!(
            make_subsizes(&file, &sizes, Quality::default()).unwrap(),
            vec![]
        );
        assert_eq!(dir.entries(), ["tiny.png"]);
    }

    #[test]
    fn same_name_last_one_wins_with_its_own_filesize() {
        let dir = TempDir::new("same-name");
        // 1200x1201: "medium" 300x300 without crop is 300x300 of the whole image; with crop
        // it is 300x300 of the top 1200x1200: different pixels, same name.
        let file = write_original(
            &dir.0,
            "a.png",
            Format::Png,
            &picture(1200, 1201, Layout::Rgb),
        );
        let sizes = vec![
            size("cropped", 300, 300, Crop::Anchored(CropX::Left, CropY::Top)),
            size("medium", 300, 300, Crop::No),
        ];
        let out = make_subsizes(&file, &sizes, Quality::default()).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].file, "a-300x300.png");
        assert_eq!(sizes[out[1].request].name, "cropped");
        let on_disk = fs::metadata(dir.0.join("a-300x300.png")).unwrap().len();
        assert_eq!(
            on_disk, out[1].filesize,
            "medium is made first, cropped last"
        );
        assert_eq!(dir.entries(), ["a-300x300.png", "a.png"]);
    }

    #[test]
    fn errors_leave_nothing_behind() {
        let dir = TempDir::new("errors");
        let kind = |r: Result<Vec<Subsize>>| r.map(|_| ()).map_err(|e| e.kind());
        assert_eq!(
            kind(make_subsizes(
                &dir.0.join("missing.jpg"),
                &woocommerce_sizes(),
                Quality::default()
            )),
            Err(Kind::Storage)
        );
        fs::write(
            dir.0.join("anim.gif"),
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        )
        .unwrap();
        assert_eq!(
            kind(make_subsizes(
                &dir.0.join("anim.gif"),
                &woocommerce_sizes(),
                Quality::default()
            )),
            Err(Kind::UnsupportedFormat)
        );
        let jpeg = codec::encode(
            &codec::Output::plain(Format::Jpeg, 82),
            &picture(400, 400, Layout::Rgb),
        )
        .unwrap();
        fs::write(dir.0.join("cut.jpg"), &jpeg[..jpeg.len() - 200]).unwrap();
        assert_eq!(
            kind(make_subsizes(
                &dir.0.join("cut.jpg"),
                &woocommerce_sizes(),
                Quality::default()
            )),
            Err(Kind::UnsupportedFormat)
        );
        fs::write(dir.0.join("noext"), &jpeg).unwrap();
        assert_eq!(
            kind(make_subsizes(
                &dir.0.join("noext"),
                &woocommerce_sizes(),
                Quality::default()
            )),
            Err(Kind::InvalidInput)
        );
        // A directory where a sub-size goes: the rename fails, nothing else remains.
        fs::write(dir.0.join("ok.jpg"), &jpeg).unwrap();
        fs::create_dir(dir.0.join("ok-150x150.jpg")).unwrap();
        let before = dir.entries();
        assert_eq!(
            kind(make_subsizes(
                &dir.0.join("ok.jpg"),
                &woocommerce_sizes(),
                Quality::default()
            )),
            Err(Kind::Storage)
        );
        assert_eq!(dir.entries(), before);
        assert_eq!(quality("q", 0).unwrap(), 1);
        assert_eq!(quality("q", 100).unwrap(), 100);
        assert!(quality("q", 101).is_err() && quality("q", -1).is_err());
        let message = quality("webp_quality", 101).unwrap_err().to_string();
        assert!(message.starts_with("webp_quality must be"), "{message}");
    }

    #[test]
    fn gif_and_webp_sub_sizes_keep_their_format() {
        let dir = TempDir::new("gif-webp");
        // An animated GIF: its sub-sizes are single-frame GIFs of the first frame.
        let palette = [255, 0, 0, 0, 0, 255, 255, 255, 255];
        let first: Vec<u8> = (0..400u32 * 300)
            .map(|i| u8::from(i % 400 >= 200) + u8::from(i / 400 >= 150))
            .collect();
        let gif = super::gif_codec::tests::gif_file(
            (400, 300),
            &palette,
            None,
            &[
                (0, 0, 400, 300, first),
                (0, 0, 400, 300, vec![2; 400 * 300]),
            ],
        );
        fs::write(dir.0.join("anim.gif"), gif).unwrap();
        let out = make_subsizes(
            &dir.0.join("anim.gif"),
            &woocommerce_sizes(),
            Quality::default(),
        )
        .unwrap();
        let files: Vec<&str> = out.iter().map(|s| s.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "anim-300x225.gif",
                "anim-150x150.gif",
                "anim-300x300.gif",
                "anim-100x100.gif"
            ]
        );
        assert!(out.iter().all(|s| s.mime == "image/gif"));
        let thumb = read(&dir.0.join("anim-150x150.gif"));
        assert_eq!(thumb.pixels.layout, Layout::Rgb);
        // The 150x150 center crop of the first frame: red top left, white bottom right.
        assert_eq!(&thumb.pixels.data[..3], [255, 0, 0]);
        assert_eq!(
            &thumb.pixels.data[thumb.pixels.data.len() - 3..],
            [255, 255, 255]
        );

        let pic = picture(400, 300, Layout::Rgba);
        write_original(&dir.0, "alpha.webp", Format::Webp, &pic);
        let low = Quality { jpeg: 82, webp: 20 };
        let small = make_subsizes(&dir.0.join("alpha.webp"), &woocommerce_sizes(), low).unwrap();
        let out = make_subsizes(
            &dir.0.join("alpha.webp"),
            &woocommerce_sizes(),
            Quality::default(),
        )
        .unwrap();
        assert_eq!(out[0].file, "alpha-300x225.webp");
        assert!(out.iter().all(|s| s.mime == "image/webp"));
        assert!(
            small[0].filesize < out[0].filesize,
            "webp quality is applied"
        );
        let medium = read(&dir.0.join("alpha-300x225.webp"));
        assert_eq!(medium.pixels.layout, Layout::Rgba);
        let expected = resize::crop_resize(
            &pic,
            &ResizeDims {
                src_x: 0,
                src_y: 0,
                src_w: 400,
                src_h: 300,
                dst_w: 300,
                dst_h: 225,
            },
        )
        .unwrap();
        let mad = mean_abs_diff(&medium.pixels, &expected);
        assert!(mad < 3.0, "{mad}");
    }

    #[test]
    fn many_files_keep_their_order_and_fail_alone() {
        let dir = TempDir::new("many");
        let a = write_original(
            &dir.0,
            "a.jpg",
            Format::Jpeg,
            &picture(640, 480, Layout::Rgb),
        );
        fs::write(dir.0.join("bad.jpg"), b"not a picture").unwrap();
        let c = write_original(
            &dir.0,
            "c.webp",
            Format::Webp,
            &picture(300, 400, Layout::Rgb),
        );
        let files = [
            a.clone(),
            dir.0.join("bad.jpg"),
            dir.0.join("missing.png"),
            c.clone(),
        ];
        let sizes = woocommerce_sizes();
        let results = make_subsizes_many(&files, &sizes, Quality::default());
        assert_eq!(results.len(), 4);
        let made = dir.entries();
        assert_eq!(
            results[0].as_ref().unwrap(),
            &make_subsizes(&a, &sizes, Quality::default()).unwrap()
        );
        assert_eq!(
            results[3].as_ref().unwrap(),
            &make_subsizes(&c, &sizes, Quality::default()).unwrap()
        );
        assert_eq!(dir.entries(), made, "the same files again, nothing else");
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            Kind::UnsupportedFormat
        );
        assert_eq!(results[2].as_ref().unwrap_err().kind(), Kind::Storage);
        assert!(made
            .iter()
            .all(|f| !f.starts_with("bad-") && !f.starts_with('.')));
        assert!(make_subsizes_many::<PathBuf>(&[], &sizes, Quality::default()).is_empty());
    }

    #[test]
    fn grayscale_jpeg_stays_grayscale() {
        let dir = TempDir::new("gray");
        let file = write_original(
            &dir.0,
            "g.jpeg",
            Format::Jpeg,
            &picture(640, 480, Layout::Gray),
        );
        let out = make_subsizes(
            &file,
            &[size("thumbnail", 150, 150, Crop::CENTER)],
            Quality::default(),
        )
        .unwrap();
        assert_eq!(out[0].file, "g-150x150.jpeg");
        assert_eq!(
            read(&dir.0.join("g-150x150.jpeg")).pixels.layout,
            Layout::Gray
        );
    }
}
