<?php
/**
 * Benchmark: WordPress's intermediate sizes, native make_subsizes() (one file per call) and
 * make_subsizes_many() (the class's files in one call, parallel across files) against WordPress
 * 6.1's own Imagick path (the real _wp_make_subsizes() + WP_Image_Editor_Imagick, loaded
 * standalone by tests/php/WordPressMedia.php), on the same JPEGs, GIFs and WebPs with
 * WordPress's and WooCommerce's sizes.
 *
 * Usage: php benches/thumbnails.php /path/to/libverial_images.so [--seconds=3]
 * Prints a Markdown table: images/s, ms/image and the ratio, per image class.
 */

declare(strict_types=1);

use VerialImages\Tests\WordPressMedia;

require_once __DIR__ . '/../tests/php/WordPressMedia.php';

$options = getopt('', ['seconds:', 'run']);
$seconds = (float) ($options['seconds'] ?? 3);
$positional = array_values(array_filter(array_slice($argv, 1), static fn ($a) => !str_starts_with($a, '--')));

if (!isset($options['run'])) {
    // Re-run this script in a PHP process that loads the extension.
    $extension = $positional[0] ?? '';
    if (!is_file($extension)) {
        fwrite(STDERR, "usage: php benches/thumbnails.php /path/to/libverial_images.so [--seconds=3]\n");
        exit(2);
    }
    $cmd = sprintf(
        '%s -d memory_limit=1G -d extension=%s %s --run --seconds=%s',
        escapeshellarg(PHP_BINARY),
        escapeshellarg(realpath($extension)),
        escapeshellarg(__FILE__),
        escapeshellarg((string) $seconds)
    );
    passthru($cmd, $status);
    exit($status);
}

if (!function_exists('VerialImages\\Native\\make_subsizes')) {
    fwrite(STDERR, "the extension is not loaded\n");
    exit(1);
}
WordPressMedia::load();
$sizes = WordPressMedia::registeredSizes();

// Product-photo-like pictures made by GD: JPEGs at quality 85 (4:2:0, as most uploaded
// photos), GIFs of 64 undithered colours and lossy WebPs, as the mock catalogue's.
$small = [[300, 300], [300, 225], [225, 300], [300, 300], [300, 225], [225, 300]];
$catalogue = [[300, 300], [300, 400], [400, 300], [300, 450], [450, 300], [300, 300]];
$classes = [
    'JPEG 300 px (300x300, 300x225, 225x300)' => ['jpeg', 'jpg', $small],
    'JPEG 1200x1600' => ['jpeg', 'jpg', [[1200, 1600], [1200, 1600], [1200, 1600]]],
    'GIF 300-450 px, 64 colours' => ['gif-flat', 'gif', $catalogue],
    'WebP 300-450 px, lossy' => ['webp', 'webp', $catalogue],
];
$work = sys_get_temp_dir() . '/vis-bench-thumbs-' . getmypid();
// [whether it takes all the class's files at once, the call; both return sub-sizes made]
$contenders = [
    'WordPress (Imagick)' => [false, static fn (string $file) => count(WordPressMedia::makeSubsizes($file, $sizes))],
    'native' => [false, static fn (string $file) => count(\VerialImages\Native\make_subsizes($file, $sizes))],
    'native, make_subsizes_many' => [true, static fn (array $files) => array_sum(array_map(
        static fn (array|string $made) => is_array($made) ? count($made) : throw new \RuntimeException($made),
        \VerialImages\Native\make_subsizes_many($files, $sizes)
    ))],
];

/** Deletes everything in $dir but the originals. */
$clean = static function (string $dir, array $originals): void {
    foreach (glob("$dir/*") ?: [] as $f) {
        if (!in_array(basename($f), $originals, true)) {
            unlink($f);
        }
    }
};

$rows = [];
$seed = 1;
foreach ($classes as $label => [$format, $ext, $dims]) {
    foreach ($contenders as $name => [$batch, $make]) {
        $dir = "$work/" . md5($label . $name);
        mkdir($dir, 0755, true);
        $files = [];
        foreach ($dims as $i => [$w, $h]) {
            $file = "$dir/photo-$i.$ext";
            file_put_contents($file, WordPressMedia::photo($w, $h, $seed + $i, $format, 85));
            $files[] = $file;
        }
        $originals = array_map('basename', $files);
        $make($batch ? $files : $files[0]);  // warm-up (thread pools, caches), not timed
        $clean($dir, $originals);
        $elapsed = 0.0;
        $images = 0;
        $outputs = 0;
        while ($elapsed < $seconds || $images < count($files)) {
            $start = hrtime(true);
            $outputs += $make($batch ? $files : $files[$images % count($files)]);
            $elapsed += (hrtime(true) - $start) / 1e9;
            $images += $batch ? count($files) : 1;
            $clean($dir, $originals);
        }
        $rows[$label][$name] = ['seconds' => $elapsed, 'images' => $images, 'sizes' => $outputs / $images];
        $clean($dir, []);
        rmdir($dir);
    }
    $seed += 100;
}
@rmdir($work);

$magick = \Imagick::getVersion()['versionString'];
$threads = \Imagick::getResourceLimit(\Imagick::RESOURCETYPE_THREAD);
printf(
    "%d CPU(s); %s (%d threads); PHP %s; sizes: %s\n\n",
    (int) shell_exec('nproc'),
    preg_replace('/ https?:\S+/', '', $magick),
    $threads,
    PHP_VERSION,
    implode(', ', array_map(
        static fn ($n, $s) => sprintf('%s %dx%d%s', $n, $s['width'], $s['height'], $s['crop'] ? ' crop' : ''),
        array_keys($sizes),
        $sizes
    ))
);
echo "| images | contender | sub-sizes / image | images/s | ms / image | ratio |\n";
echo "|---|---|---:|---:|---:|---:|\n";
foreach ($rows as $label => $byContender) {
    $wp = $byContender['WordPress (Imagick)'];
    $wpMs = $wp['seconds'] / $wp['images'] * 1000;
    foreach ($byContender as $name => $r) {
        $ms = $r['seconds'] / $r['images'] * 1000;
        printf(
            "| %s | %s | %.1f | %.1f | %.2f | %.1fx |\n",
            $label,
            $name,
            $r['sizes'],
            $r['images'] / $r['seconds'],
            $ms,
            $wpMs / $ms
        );
    }
}
