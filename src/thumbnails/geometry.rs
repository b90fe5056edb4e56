//! WordPress 6.1's sub-size geometry, ported line by line so that every size gets exactly the
//! dimensions, crop rectangle and file name WordPress would give it:
//!
//! - `php_round`: PHP 8's `round()` (half away from zero, after "pre-rounding" to 15
//!   significant digits), because WordPress rounds with it;
//! - `constrain_dimensions`: `wp_constrain_dimensions()` (with its 1-px rounding fix);
//! - `resize_dimensions`: `image_resize_dimensions()` (crop positions, the "larger than the
//!   original" skip, the `wp_fuzzy_number_match()` "same size" skip);
//! - `plan`: `WP_Image_Editor_Imagick::make_subsize()` -> `resize()` (whose first line keeps
//!   a size equal to the original as is) and the name suffix `WxH` of `get_suffix()`;
//! - `priority_order`: the order `_wp_make_subsizes()` creates (and stores) sizes in.
//!
//! The filters WordPress offers on the way (`image_resize_dimensions`,
//! `wp_constrain_dimensions`, `wp_image_resize_identical_dimensions`) are taken at their
//! defaults.

/// Horizontal crop anchor (`$crop[0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CropX {
    Left,
    Center,
    Right,
}

/// Vertical crop anchor (`$crop[1]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CropY {
    Top,
    Center,
    Bottom,
}

/// A registered size's `crop`: `false`, or the anchors (`true` is center/center).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crop {
    No,
    Anchored(CropX, CropY),
}

impl Crop {
    /// `true` of WordPress: crop around the center.
    pub const CENTER: Crop = Crop::Anchored(CropX::Center, CropY::Center);

    /// An anchor pair the way `image_resize_dimensions()` reads `list($x, $y) = $crop`: only
    /// 'left'/'right' and 'top'/'bottom' (exact, case-sensitive) move the crop; anything else,
    /// a missing value included, means center.
    pub fn from_anchors(x: Option<&str>, y: Option<&str>) -> Crop {
        let x = match x {
            Some("left") => CropX::Left,
            Some("right") => CropX::Right,
            _ => CropX::Center,
        };
        let y = match y {
            Some("top") => CropY::Top,
            Some("bottom") => CropY::Bottom,
            _ => CropY::Center,
        };
        Crop::Anchored(x, y)
    }
}

/// What `image_resize_dimensions()` returns: the source rectangle and the new size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResizeDims {
    pub src_x: u32,
    pub src_y: u32,
    pub src_w: u32,
    pub src_h: u32,
    pub dst_w: u32,
    pub dst_h: u32,
}

/// How one sub-size is made from the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The size equals the original's (`resize()` returns early): the original pixels are
    /// saved again under the `WxH` name.
    Original { width: u32, height: u32 },
    /// Crop `src` out of the original (the whole image when not cropping) and resize it.
    Resize(ResizeDims),
}

impl Plan {
    /// The size that goes into the file name and the metadata.
    pub fn size(&self) -> (u32, u32) {
        match *self {
            Plan::Original { width, height } => (width, height),
            Plan::Resize(d) => (d.dst_w, d.dst_h),
        }
    }
}

/// 10^power the way PHP's `php_intpow10()` computes it (a table of exact values, else `pow`).
fn php_intpow10(power: i32) -> f64 {
    if (0..=22).contains(&power) {
        // Every power of ten up to 1e22 is exactly representable, so this is the table.
        10f64.powi(power)
    } else {
        10f64.powf(f64::from(power))
    }
}

/// PHP's `php_round_helper()` for PHP_ROUND_HALF_UP.
fn php_round_helper(value: f64) -> f64 {
    if value >= 0.0 {
        (value + 0.5).floor()
    } else {
        (value - 0.5).ceil()
    }
}

/// PHP 8.2's `round($value)` (`_php_math_round($value, 0, PHP_ROUND_HALF_UP)`): the value is
/// first rounded to 15 significant digits, so that e.g. `round(2.4999999999999996)` is 3 as in
/// PHP, not 2 as a plain `f64::round` would give.
pub fn php_round(value: f64) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    let places = 0i32;
    let precision_places = 14 - value.abs().log10().floor() as i32;
    let tmp = if precision_places > places && precision_places - 15 < places {
        let use_precision = precision_places.max(-(4 * 15));
        let scaled = if use_precision >= 0 {
            value * php_intpow10(use_precision)
        } else {
            value / php_intpow10(-use_precision)
        };
        let pre = php_round_helper(scaled);
        let back = (places - use_precision).max(-(4 * 15));
        pre / php_intpow10(back.abs())
    } else {
        if value.abs() >= 1e15 {
            return value;
        }
        value
    };
    php_round_helper(tmp)
}

/// `(int) round($x)` for the non-negative values the geometry produces.
fn round_int(value: f64) -> i64 {
    php_round(value) as i64
}

/// `wp_fuzzy_number_match($expected, $actual)` with its default precision of 1.
pub fn fuzzy_number_match(expected: i64, actual: i64) -> bool {
    (expected - actual).abs() <= 1
}

/// `wp_constrain_dimensions()`: the largest size of the same proportions within the box
/// (0 = unbounded), never larger than the current size, at least 1x1.
pub fn constrain_dimensions(current_w: u32, current_h: u32, max_w: u32, max_h: u32) -> (u32, u32) {
    if max_w == 0 && max_h == 0 {
        return (current_w, current_h);
    }
    let (cw, ch) = (f64::from(current_w), f64::from(current_h));
    let (mw, mh) = (i64::from(max_w), i64::from(max_h));
    let mut width_ratio = 1.0f64;
    let mut height_ratio = 1.0f64;
    let mut did_width = false;
    let mut did_height = false;

    if max_w > 0 && current_w > 0 && current_w > max_w {
        width_ratio = f64::from(max_w) / cw;
        did_width = true;
    }
    if max_h > 0 && current_h > 0 && current_h > max_h {
        height_ratio = f64::from(max_h) / ch;
        did_height = true;
    }

    let smaller_ratio = width_ratio.min(height_ratio);
    let larger_ratio = width_ratio.max(height_ratio);

    let ratio = if round_int(cw * larger_ratio) > mw || round_int(ch * larger_ratio) > mh {
        // The larger ratio is too big. It would result in an overflow.
        smaller_ratio
    } else {
        // The larger ratio fits, and is likely to be a more "snug" fit.
        larger_ratio
    };

    // Very small dimensions may result in 0, 1 should be the minimum.
    let mut w = round_int(cw * ratio).max(1);
    let mut h = round_int(ch * ratio).max(1);

    // The 1-px rounding fix: 465x700 in a 177x177 box is 117x176, a pixel short: bump it up.
    if did_width && w == mw - 1 {
        w = mw;
    }
    if did_height && h == mh - 1 {
        h = mh;
    }
    (w as u32, h as u32)
}

/// `image_resize_dimensions()`: `None` where WordPress returns false (nothing to make: the
/// size is larger than the original, or virtually the same as it).
pub fn resize_dimensions(
    orig_w: u32,
    orig_h: u32,
    dest_w: u32,
    dest_h: u32,
    crop: Crop,
) -> Option<ResizeDims> {
    if orig_w == 0 || orig_h == 0 {
        return None;
    }
    // At least one of $dest_w or $dest_h must be specific.
    if dest_w == 0 && dest_h == 0 {
        return None;
    }
    // Stop if the destination size is larger than the original image dimensions.
    if dest_h == 0 {
        if orig_w < dest_w {
            return None;
        }
    } else if dest_w == 0 {
        if orig_h < dest_h {
            return None;
        }
    } else if orig_w < dest_w && orig_h < dest_h {
        return None;
    }

    let (ow, oh) = (f64::from(orig_w), f64::from(orig_h));
    let (new_w, new_h, crop_w, crop_h, s_x, s_y) = match crop {
        Crop::Anchored(x, y) => {
            let aspect_ratio = ow / oh;
            let mut new_w = i64::from(dest_w.min(orig_w));
            let mut new_h = i64::from(dest_h.min(orig_h));
            if new_w == 0 {
                new_w = round_int(new_h as f64 * aspect_ratio);
            }
            if new_h == 0 {
                new_h = round_int(new_w as f64 / aspect_ratio);
            }
            let size_ratio = (new_w as f64 / ow).max(new_h as f64 / oh);
            let crop_w = php_round(new_w as f64 / size_ratio);
            let crop_h = php_round(new_h as f64 / size_ratio);
            let s_x = match x {
                CropX::Left => 0.0,
                CropX::Right => ow - crop_w,
                CropX::Center => ((ow - crop_w) / 2.0).floor(),
            };
            let s_y = match y {
                CropY::Top => 0.0,
                CropY::Bottom => oh - crop_h,
                CropY::Center => ((oh - crop_h) / 2.0).floor(),
            };
            (
                new_w,
                new_h,
                crop_w as i64,
                crop_h as i64,
                s_x as i64,
                s_y as i64,
            )
        }
        Crop::No => {
            let (w, h) = constrain_dimensions(orig_w, orig_h, dest_w, dest_h);
            (
                i64::from(w),
                i64::from(h),
                i64::from(orig_w),
                i64::from(orig_h),
                0,
                0,
            )
        }
    };

    if fuzzy_number_match(new_w, i64::from(orig_w)) && fuzzy_number_match(new_h, i64::from(orig_h))
    {
        // The new size has virtually the same dimensions as the original image.
        return None;
    }

    let clamp = |v: i64, hi: u32| v.clamp(0, i64::from(hi)) as u32;
    let src_x = clamp(s_x, orig_w - 1);
    let src_y = clamp(s_y, orig_h - 1);
    Some(ResizeDims {
        src_x,
        src_y,
        // Degenerate sizes (a side rounding to 0 px, for aspect ratios beyond ~1:200) get 1 px.
        src_w: clamp(crop_w, orig_w - src_x).max(1),
        src_h: clamp(crop_h, orig_h - src_y).max(1),
        dst_w: clamp(new_w, orig_w).max(1),
        dst_h: clamp(new_h, orig_h).max(1),
    })
}

/// `make_subsize()` of WordPress's Imagick editor for one registered size: `None` when
/// WordPress makes nothing for it.
pub fn plan(orig_w: u32, orig_h: u32, width: u32, height: u32, crop: Crop) -> Option<Plan> {
    // resize(): "if ( $this->size['width'] == $max_w && $this->size['height'] == $max_h )
    // return true;" -- the image is saved unchanged under its own WxH name.
    if orig_w == width && orig_h == height {
        return Some(Plan::Original {
            width: orig_w,
            height: orig_h,
        });
    }
    resize_dimensions(orig_w, orig_h, width, height, crop).map(Plan::Resize)
}

/// The order `_wp_make_subsizes()` processes sizes in (and so the order of the stored `sizes`
/// array): medium, large, thumbnail, medium_large first when registered, then the others in
/// their registration order. Returns indexes into `names`.
pub fn priority_order<S: AsRef<str>>(names: &[S]) -> Vec<usize> {
    const PRIORITY: [&str; 4] = ["medium", "large", "thumbnail", "medium_large"];
    let mut order: Vec<usize> = PRIORITY
        .iter()
        .filter_map(|p| names.iter().position(|n| n.as_ref() == *p))
        .collect();
    order.extend((0..names.len()).filter(|i| !PRIORITY.contains(&names[*i].as_ref())));
    order
}

/// `WP_Image_Editor::generate_filename()` for a sub-size: "{name}-{W}x{H}.{ext}" where name is
/// the original's base name without its extension and ext its extension in lowercase.
pub fn subsize_file_name(stem: &str, extension: &str, width: u32, height: u32) -> String {
    format!("{stem}-{width}x{height}.{}", extension.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(
        orig: (u32, u32),
        dest: (u32, u32),
        crop: Crop,
    ) -> Option<(u32, u32, u32, u32, u32, u32)> {
        resize_dimensions(orig.0, orig.1, dest.0, dest.1, crop)
            .map(|d| (d.src_x, d.src_y, d.dst_w, d.dst_h, d.src_w, d.src_h))
    }

    #[test]
    fn php_round_matches_php() {
        // Values checked with php 8.2: php -r 'var_dump(round(X));'
        assert_eq!(php_round(2.5), 3.0);
        assert_eq!(php_round(3.5), 4.0);
        assert_eq!(php_round(-2.5), -3.0);
        assert_eq!(php_round(2.4999999999999996), 3.0);
        assert_eq!(php_round(0.49999999999999994), 1.0);
        assert_eq!(php_round(1.4999999999999), 1.0);
        assert_eq!(php_round(299.5), 300.0);
        assert_eq!(php_round(112.49999999999999), 113.0);
        assert_eq!(php_round(0.0), 0.0);
        assert_eq!(php_round(1e20), 1e20);
    }

    // The cases of WordPress's own tests (tests/phpunit/tests/media.php,
    // test_wp_constrain_dimensions_*, and tests/image/dimensions.php).
    #[test]
    fn constrain_dimensions_like_wordpress() {
        assert_eq!(constrain_dimensions(640, 480, 0, 0), (640, 480));
        assert_eq!(constrain_dimensions(640, 480, 320, 0), (320, 240));
        assert_eq!(constrain_dimensions(640, 480, 0, 240), (320, 240));
        assert_eq!(constrain_dimensions(640, 480, 320, 320), (320, 240));
        assert_eq!(constrain_dimensions(640, 480, 640, 480), (640, 480));
        assert_eq!(constrain_dimensions(640, 480, 1000, 1000), (640, 480));
        assert_eq!(constrain_dimensions(465, 700, 177, 177), (118, 177));
        // The 1-px rounding fix: 600x400 in 300x199 is 298.5 -> 299 wide, bumped to 300.
        assert_eq!(constrain_dimensions(600, 400, 300, 199), (300, 199));
        assert_eq!(constrain_dimensions(400, 600, 199, 300), (199, 300));
        assert_eq!(constrain_dimensions(1200, 1600, 150, 150), (113, 150));
        // Very small results are at least 1 px.
        assert_eq!(constrain_dimensions(10_000, 10, 100, 0), (100, 1));
    }

    #[test]
    fn wp_constrain_dimensions_is_stable() {
        // WordPress's test_wp_constrain_dimensions_*: constraining to the result of a
        // constraint yields the original result.
        for (w, h) in [
            (640, 480),
            (465, 700),
            (1200, 1600),
            (1601, 1199),
            (333, 777),
        ] {
            for max in 1..300u32 {
                let first = constrain_dimensions(w, h, max, max);
                let again = constrain_dimensions(w, h, first.0, first.1);
                assert_eq!(first, again, "{w}x{h} in {max}x{max}");
            }
        }
    }

    #[test]
    fn resize_dimensions_without_crop() {
        // WordPress's tests/image/dimensions.php.
        assert_eq!(
            dims((640, 480), (0, 0), Crop::No),
            None,
            "no dimensions given"
        );
        assert_eq!(
            dims((640, 480), (400, 0), Crop::No),
            Some((0, 0, 400, 300, 640, 480))
        );
        assert_eq!(
            dims((640, 480), (0, 400), Crop::No),
            Some((0, 0, 533, 400, 640, 480))
        );
        assert_eq!(
            dims((640, 480), (400, 500), Crop::No),
            Some((0, 0, 400, 300, 640, 480))
        );
        assert_eq!(
            dims((640, 480), (500, 400), Crop::No),
            Some((0, 0, 500, 375, 640, 480))
        );
        // Larger than the original: nothing.
        assert_eq!(dims((640, 480), (1024, 768), Crop::No), None);
        assert_eq!(dims((640, 480), (700, 0), Crop::No), None);
        assert_eq!(dims((640, 480), (0, 500), Crop::No), None);
        // One side larger, the other smaller: resized to fit.
        assert_eq!(
            dims((640, 480), (700, 400), Crop::No),
            Some((0, 0, 533, 400, 640, 480))
        );
    }

    #[test]
    fn resize_dimensions_with_crop() {
        assert_eq!(
            dims((640, 480), (400, 500), Crop::CENTER),
            Some((120, 0, 400, 480, 400, 480)),
            "only the larger side is cropped when the box is taller than the image"
        );
        assert_eq!(
            dims((640, 480), (500, 400), Crop::CENTER),
            Some((20, 0, 500, 400, 600, 480))
        );
        assert_eq!(
            dims((640, 480), (400, 0), Crop::CENTER),
            Some((0, 0, 400, 300, 640, 480))
        );
        assert_eq!(
            dims((640, 480), (0, 400), Crop::CENTER),
            Some((0, 0, 533, 400, 640, 480))
        );
        // 600x300 cropped to 400x400 is 400x300 (the box is a maximum).
        assert_eq!(
            dims((600, 300), (400, 400), Crop::CENTER),
            Some((100, 0, 400, 300, 400, 300))
        );
        assert_eq!(
            dims((1200, 1600), (300, 300), Crop::CENTER),
            Some((0, 200, 300, 300, 1200, 1200))
        );
    }

    #[test]
    fn crop_anchors() {
        let at = |x, y| dims((640, 480), (400, 400), Crop::Anchored(x, y)).map(|d| (d.0, d.1));
        assert_eq!(at(CropX::Left, CropY::Top), Some((0, 0)));
        assert_eq!(at(CropX::Center, CropY::Center), Some((80, 0)));
        assert_eq!(at(CropX::Right, CropY::Bottom), Some((160, 0)));
        let tall = |x, y| dims((480, 640), (400, 400), Crop::Anchored(x, y)).map(|d| (d.0, d.1));
        assert_eq!(tall(CropX::Left, CropY::Top), Some((0, 0)));
        assert_eq!(tall(CropX::Left, CropY::Center), Some((0, 80)));
        assert_eq!(tall(CropX::Left, CropY::Bottom), Some((0, 160)));
        // Odd remainders round down for center.
        assert_eq!(
            dims((641, 480), (400, 400), Crop::CENTER).map(|d| d.0),
            Some(80)
        );
        assert_eq!(
            Crop::from_anchors(Some("top"), Some("left")),
            Crop::CENTER,
            "anchors in the wrong order are center, as in WordPress"
        );
        assert_eq!(
            Crop::from_anchors(Some("right"), None),
            Crop::Anchored(CropX::Right, CropY::Center)
        );
    }

    #[test]
    fn fuzzy_same_size_is_skipped() {
        assert_eq!(dims((301, 300), (300, 300), Crop::No), None);
        assert_eq!(dims((300, 301), (300, 300), Crop::CENTER), None);
        assert_eq!(
            dims((302, 300), (300, 0), Crop::No),
            Some((0, 0, 300, 298, 302, 300))
        );
        // Equal to the original: resize_dimensions says no, but make_subsize keeps it.
        assert_eq!(dims((300, 300), (300, 300), Crop::No), None);
        assert_eq!(
            plan(300, 300, 300, 300, Crop::CENTER),
            Some(Plan::Original {
                width: 300,
                height: 300
            })
        );
        assert_eq!(plan(300, 300, 300, 0, Crop::No), None);
    }

    #[test]
    fn woocommerce_sizes_on_a_portrait_image() {
        let sizes: [(&str, u32, u32, Crop); 9] = [
            ("thumbnail", 150, 150, Crop::CENTER),
            ("medium", 300, 300, Crop::No),
            ("medium_large", 768, 0, Crop::No),
            ("large", 1024, 1024, Crop::No),
            ("1536x1536", 1536, 1536, Crop::No),
            ("2048x2048", 2048, 2048, Crop::No),
            ("woocommerce_thumbnail", 300, 300, Crop::CENTER),
            ("woocommerce_single", 600, 0, Crop::No),
            ("woocommerce_gallery_thumbnail", 100, 100, Crop::CENTER),
        ];
        let got: Vec<_> = sizes
            .iter()
            .map(|(n, w, h, c)| (*n, plan(1200, 1600, *w, *h, *c).map(|p| p.size())))
            .collect();
        assert_eq!(
            got,
            vec![
                ("thumbnail", Some((150, 150))),
                ("medium", Some((225, 300))),
                ("medium_large", Some((768, 1024))),
                ("large", Some((768, 1024))),
                ("1536x1536", Some((1152, 1536))),
                ("2048x2048", None),
                ("woocommerce_thumbnail", Some((300, 300))),
                ("woocommerce_single", Some((600, 800))),
                ("woocommerce_gallery_thumbnail", Some((100, 100))),
            ]
        );
        let names: Vec<&str> = sizes.iter().map(|s| s.0).collect();
        let ordered: Vec<&str> = priority_order(&names).iter().map(|&i| names[i]).collect();
        assert_eq!(
            ordered,
            [
                "medium",
                "large",
                "thumbnail",
                "medium_large",
                "1536x1536",
                "2048x2048",
                "woocommerce_thumbnail",
                "woocommerce_single",
                "woocommerce_gallery_thumbnail"
            ]
        );
    }

    #[test]
    fn image_smaller_than_the_sizes() {
        // A 120x90 image: only the 100x100 crop (-> 100x90) is made.
        assert_eq!(plan(120, 90, 150, 150, Crop::CENTER), None);
        assert_eq!(plan(120, 90, 300, 300, Crop::No), None);
        assert_eq!(
            plan(120, 90, 100, 100, Crop::CENTER),
            Some(Plan::Resize(ResizeDims {
                src_x: 10,
                src_y: 0,
                src_w: 100,
                src_h: 90,
                dst_w: 100,
                dst_h: 90
            }))
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(
            subsize_file_name("verial-1001-0", "JPG", 300, 225),
            "verial-1001-0-300x225.jpg"
        );
        assert_eq!(subsize_file_name("a.b", "png", 1, 2), "a.b-1x2.png");
    }
}
