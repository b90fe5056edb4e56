<?php
/**
 * WordPress 6.1's own media code, loaded without a database: the real wp-includes/media.php,
 * the real image editor classes and the real wp-admin/includes/image.php
 * (wp_create_image_subsizes(), _wp_make_subsizes()), with get_option() answered from an array
 * through WordPress's own `pre_option` filter and the few post-meta functions stubbed.
 *
 * Used by the thumbnail tests (the reference native output is compared with) and by
 * benches/thumbnails.php (the contender). WordPress comes from Debian's `wordpress` package
 * (/usr/share/wordpress), or from VIS_WORDPRESS_DIR.
 */

declare(strict_types=1);

namespace VerialImages\Tests {

final class WordPressMedia
{
    /** WordPress's default sizes (wp-admin/includes/schema.php) and WooCommerce's. */
    public const DEFAULT_OPTIONS = [
        'thumbnail_size_w' => 150,
        'thumbnail_size_h' => 150,
        'thumbnail_crop' => 1,
        'medium_size_w' => 300,
        'medium_size_h' => 300,
        'medium_large_size_w' => 768,
        'medium_large_size_h' => 0,
        'large_size_w' => 1024,
        'large_size_h' => 1024,
        'blog_charset' => 'UTF-8',
        'uploads_use_yearmonth_folders' => 0,
    ];

    /** @var array<string, mixed> */
    private static array $options = self::DEFAULT_OPTIONS;
    private static bool $loaded = false;

    public static function root(): string
    {
        $dir = getenv('VIS_WORDPRESS_DIR');
        return rtrim($dir !== false && $dir !== '' ? $dir : '/usr/share/wordpress', '/');
    }

    public static function available(): bool
    {
        return is_file(self::root() . '/wp-includes/media.php') && extension_loaded('imagick');
    }

    /** Loads the media code once; the registered sizes are WordPress's + WooCommerce's. */
    public static function load(): void
    {
        if (self::$loaded) {
            return;
        }
        if (!self::available()) {
            throw new \RuntimeException(
                'WordPress (' . self::root() . ') and the imagick extension are needed: apt-get install wordpress php-imagick'
            );
        }
        self::$loaded = true;
        $root = self::root();
        define('ABSPATH', $root . '/');
        define('WPINC', 'wp-includes');
        define('WP_MEMORY_LIMIT', '256M');
        define('WP_MAX_MEMORY_LIMIT', '512M');
        define('WP_CONTENT_DIR', sys_get_temp_dir());
        // wp_initial_constants() (default-constants.php) defines these on a real site.
        define('KB_IN_BYTES', 1024);
        define('MB_IN_BYTES', 1024 * KB_IN_BYTES);
        define('GB_IN_BYTES', 1024 * MB_IN_BYTES);
        define('TB_IN_BYTES', 1024 * GB_IN_BYTES);
        require_once $root . '/wp-includes/load.php';
        require_once $root . '/wp-includes/class-wp-error.php';
        require_once $root . '/wp-includes/plugin.php';
        require_once $root . '/wp-includes/functions.php';
        require_once $root . '/wp-includes/formatting.php';
        require_once $root . '/wp-includes/kses.php';
        require_once $root . '/wp-includes/shortcodes.php';
        require_once $root . '/wp-includes/media.php';
        require_once $root . '/wp-admin/includes/image.php';

        // get_option() without a database: WordPress's own short-circuit filter. An option not
        // set here is '' (it must not be false, which would fall through to the database).
        add_filter('pre_option', static fn ($pre, string $option) => self::$options[$option] ?? '', 10, 2);
        // The editor under comparison: Imagick (GD only if Imagick cannot load the file).
        add_filter('wp_image_editors', static fn () => ['WP_Image_Editor_Imagick']);

        // default-filters.php: add_action('plugins_loaded', '_wp_add_additional_image_sizes', 0).
        _wp_add_additional_image_sizes();
        // WooCommerce's sizes (WC_Post_Types / wc_get_image_size() defaults), as it registers them.
        add_image_size('woocommerce_thumbnail', 300, 300, true);
        add_image_size('woocommerce_single', 600, 0, false);
        add_image_size('woocommerce_gallery_thumbnail', 100, 100, true);
    }

    /** @return array<string, array{width: int, height: int, crop: bool|array}> */
    public static function registeredSizes(): array
    {
        self::load();
        return wp_get_registered_image_subsizes();
    }

    /**
     * A photo-like test picture made with GD, deterministic for a seed: soft shapes (drawn
     * small and scaled up, like out-of-focus background), then sharp text, lines and a fine
     * pattern (like product edges and labels). Returns the encoded file.
     * $format: jpeg | png | png-alpha | gray-jpeg | cmyk-jpeg | gif (256 colours, dithered by
     * GD) | gif-flat (64 undithered colours, as the mock catalogue's) | gif-alpha (gif-flat with
     * a transparent corner) | gif-animated (gif-flat, then a second frame) | webp (lossy) |
     * webp-lossless | webp-alpha (lossy with a transparent corner) | webp-animated.
     */
    public static function photo(int $width, int $height, int $seed, string $format = 'jpeg', int $quality = 90): string
    {
        if ($format === 'gif-animated' || $format === 'webp-animated') {
            $still = $format === 'gif-animated' ? 'gif-flat' : 'webp';
            $frames = new \Imagick();
            foreach ([$seed, $seed + 1] as $frameSeed) {
                $frame = new \Imagick();
                $frame->readImageBlob(self::photo($width, $height, $frameSeed, $still, $quality));
                $frame->setImageDelay(50);
                $frames->addImage($frame);
            }
            $frames->setFormat($still === 'gif-flat' ? 'gif' : 'webp');
            $blob = $frames->getImagesBlob();
            // ImageMagick 6.9 appends another RIFF file after an animated WebP: keep the first.
            return $still === 'webp' ? substr($blob, 0, 8 + unpack('V', substr($blob, 4, 4))[1]) : $blob;
        }
        mt_srand($seed);
        $sw = max(8, intdiv($width, 8));
        $sh = max(8, intdiv($height, 8));
        $small = imagecreatetruecolor($sw, $sh);
        for ($y = 0; $y < $sh; $y++) {
            $c = imagecolorallocate($small, 40 + intdiv(150 * $y, $sh), 90, 200 - intdiv(120 * $y, $sh));
            imageline($small, 0, $y, $sw, $y, $c);
        }
        for ($i = 0; $i < 30; $i++) {
            $c = imagecolorallocatealpha($small, mt_rand(0, 255), mt_rand(0, 255), mt_rand(0, 255), mt_rand(20, 90));
            imagefilledellipse($small, mt_rand(0, $sw), mt_rand(0, $sh), mt_rand(2, $sw), mt_rand(2, $sh), $c);
        }
        imagesetinterpolation($small, IMG_BICUBIC);
        $im = imagescale($small, $width, $height, IMG_BICUBIC);
        imagedestroy($small);
        for ($i = 0; $i < 12; $i++) {
            $c = imagecolorallocate($im, mt_rand(0, 255), mt_rand(0, 255), mt_rand(0, 255));
            imagefilledrectangle($im, $x = mt_rand(0, $width), $y = mt_rand(0, $height), $x + mt_rand(5, intdiv($width, 4) + 5), $y + mt_rand(5, intdiv($height, 4) + 5), $c);
            imagesetthickness($im, mt_rand(1, 4));
            imageline($im, mt_rand(0, $width), mt_rand(0, $height), mt_rand(0, $width), mt_rand(0, $height), $c);
        }
        $ink = imagecolorallocate($im, 20, 20, 20);
        for ($y = 10; $y < $height; $y += max(20, intdiv($height, 10))) {
            imagestring($im, 5, mt_rand(0, max(1, $width - 150)), $y, 'Verial ' . mt_rand(1000, 9999), $ink);
        }
        if ($format === 'png-alpha' || $format === 'webp-alpha') {
            imagealphablending($im, false);
            imagesavealpha($im, true);
            $clear = imagecolorallocatealpha($im, 255, 255, 255, 127);
            imagefilledrectangle($im, 0, 0, intdiv($width, 5), intdiv($height, 5), $clear);
        }
        if ($format === 'gif-flat' || $format === 'gif-alpha') {
            imagetruecolortopalette($im, false, 64);
        }
        if ($format === 'gif-alpha') {
            $clear = imagecolorallocate($im, 1, 2, 3);
            imagecolortransparent($im, $clear);
            imagefilledrectangle($im, 0, 0, intdiv($width, 5), intdiv($height, 5), $clear);
        }
        ob_start();
        match ($format) {
            'jpeg', 'gray-jpeg', 'cmyk-jpeg' => imagejpeg($im, null, $quality),
            'png', 'png-alpha' => imagepng($im),
            'gif', 'gif-flat', 'gif-alpha' => imagegif($im),
            'webp', 'webp-alpha' => imagewebp($im, null, $quality),
            'webp-lossless' => imagewebp($im, null, IMG_WEBP_LOSSLESS),
        };
        $bytes = (string) ob_get_clean();
        imagedestroy($im);
        if ($format === 'gray-jpeg' || $format === 'cmyk-jpeg') {
            $magick = new \Imagick();
            $magick->readImageBlob($bytes);
            $magick->transformImageColorspace($format === 'gray-jpeg' ? \Imagick::COLORSPACE_GRAY : \Imagick::COLORSPACE_CMYK);
            $magick->setImageCompressionQuality($quality);
            $bytes = $magick->getImageBlob();
        }
        return $bytes;
    }

    /**
     * Mean absolute difference of two images' samples, 0-255 (Imagick's MAE metric). With
     * $overWhite both are first flattened onto white, so that what is transparent compares
     * as what shows, whatever colour a transparent pixel stores.
     */
    public static function meanAbsDiff(string $fileA, string $fileB, bool $overWhite = false): float
    {
        [$a, $b] = array_map(static function (string $file) use ($overWhite): \Imagick {
            $image = new \Imagick($file);
            if (!$overWhite) {
                return $image;
            }
            $image->setImageBackgroundColor('white');
            return $image->mergeImageLayers(\Imagick::LAYERMETHOD_FLATTEN);
        }, [$fileA, $fileB]);
        return $a->compareImages($b, \Imagick::METRIC_MEANABSOLUTEERROR)[1] * 255;
    }

    /**
     * WordPress's sub-sizes of $file: the `sizes` part of what wp_create_image_subsizes()
     * stores (files written next to $file by WP_Image_Editor_Imagick). $sizes replaces the
     * registered sizes (through the `intermediate_image_sizes_advanced` filter) when given.
     * @param array<string, array{width: int, height: int, crop: bool|array}>|null $sizes
     * @return array<string, array{file: string, width: int, height: int, mime-type: string, filesize: int}>
     */
    public static function createSubsizes(string $file, ?array $sizes = null): array
    {
        self::load();
        $replace = static fn () => $sizes;
        if ($sizes !== null) {
            add_filter('intermediate_image_sizes_advanced', $replace);
        }
        try {
            $meta = wp_create_image_subsizes($file, 0);
        } finally {
            remove_filter('intermediate_image_sizes_advanced', $replace);
        }
        return $meta['sizes'] ?? [];
    }

    /**
     * Only the sub-size loop of _wp_make_subsizes() (editor load + make_subsize() per size):
     * the work make_subsizes() replaces, for the benchmark.
     * @param array<string, array{width: int, height: int, crop: bool|array}> $sizes
     * @return array<string, array<string, mixed>>
     */
    public static function makeSubsizes(string $file, array $sizes): array
    {
        self::load();
        [$width, $height] = getimagesize($file) ?: [0, 0];
        $meta = ['width' => $width, 'height' => $height, 'file' => basename($file), 'sizes' => []];
        return _wp_make_subsizes($sizes, $file, $meta, 0)['sizes'];
    }
}

}

namespace {
    // The post-meta and translation functions the media code calls, without a database
    // (WordPress's own versions live in post.php and l10n.php, which need one).
    if (!function_exists('__')) {
        function __($text, $domain = 'default')
        {
            return $text;
        }
    }
    if (!function_exists('wp_update_attachment_metadata')) {
        function wp_update_attachment_metadata($attachment_id, $data)
        {
            return true;
        }
    }
    if (!function_exists('_wp_relative_upload_path')) {
        function _wp_relative_upload_path($path)
        {
            return basename($path);
        }
    }
}
