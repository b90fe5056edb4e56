<?php
/**
 * One benchmark measurement in a fresh process: `php import_worker.php <contender> <bytes>`.
 * Prints JSON: seconds per import, decoded bytes, and the peak extra memory of the import
 * (process RSS high-water mark, reset before the timed loop, minus the RSS before it, which
 * also counts memory the extension allocates outside PHP's allocator).
 *
 * Contenders:
 *  - seed:            the existing plugin's phase-1 path, step by step: md5 of the prefixed
 *                     payload, 10 KB substr/base64_decode chunks into a tempnam() file, the
 *                     file read back whole, then written into the uploads directory.
 *  - native:          VerialImages\Native\import_file() (extension loaded).
 *  - native-md5:      the same, also computing the legacy md5.
 *  - polyfill:        the plugin's pure-PHP fallback codec, same API.
 */

declare(strict_types=1);

require __DIR__ . '/../wp-plugin/polyfill/bootstrap.php';

[$contender, $size] = [$argv[1], (int) $argv[2]];

/** A valid JPEG of about $size bytes: a real tiny JPEG padded with incompressible APP1 data. */
function jpeg_of_size(int $size): string
{
    $im = imagecreatetruecolor(16, 16);
    ob_start();
    imagejpeg($im);
    $small = (string) ob_get_clean();
    mt_srand(42);
    $segments = '';
    $left = max(0, $size - strlen($small));
    while ($left > 4) {
        $part = min(65000, $left - 4);
        $noise = '';
        for ($i = 0; $i < $part; $i += 4) {
            $noise .= pack('N', mt_rand());
        }
        $segments .= "\xFF\xE1" . pack('n', $part + 2) . substr($noise, 0, $part);
        $left -= $part + 4;
    }
    return substr($small, 0, 2) . $segments . substr($small, 2);
}

function rss_kb(string $field): int
{
    preg_match('/^' . $field . ':\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);
    return (int) ($m[1] ?? 0);
}

function seed_import(string $payload, string $uploads, string $name): void
{
    $prefixed = 'data:image/jpeg;base64,' . $payload;
    md5($prefixed);
    $base64 = substr($prefixed, strpos($prefixed, ',') + 1);
    $tmp = tempnam(sys_get_temp_dir(), 'verial_img_');
    $fh = fopen($tmp, 'wb');
    $length = strlen($base64);
    for ($offset = 0; $offset < $length; $offset += 10240) {
        fwrite($fh, base64_decode(substr($base64, $offset, 10240)));
    }
    fclose($fh);
    $data = file_get_contents($tmp);
    unlink($tmp);
    file_put_contents("$uploads/$name.jpg", $data);
}

$bytes = jpeg_of_size($size);
$payload = base64_encode($bytes);
unset($bytes);
$uploads = sys_get_temp_dir() . '/vis-bench-' . getmypid();
mkdir($uploads);

$import = match ($contender) {
    'seed' => fn (int $i) => seed_import($payload, $uploads, "img-$i"),
    'native', 'polyfill' => fn (int $i) => VerialImages\Native\import_file($payload, $uploads, "img-$i"),
    'native-md5' => fn (int $i) => VerialImages\Native\import_file($payload, $uploads, "img-$i", true),
};
if (str_starts_with($contender, 'native') !== extension_loaded('verial_images')) {
    fwrite(STDERR, "contender $contender needs the extension " . (extension_loaded('verial_images') ? 'unloaded' : 'loaded') . "\n");
    exit(2);
}

$import(-1); // warm-up: page cache, lazy engine init
$reps = max(3, min(400, intdiv(200_000_000, max(1, strlen($payload)))));
$before = rss_kb('VmRSS');
file_put_contents('/proc/self/clear_refs', '5'); // reset VmHWM to the current RSS
memory_reset_peak_usage();
$php_before = memory_get_usage();
$start = hrtime(true);
for ($i = 0; $i < $reps; $i++) {
    $import($i);
    unlink("$uploads/img-$i.jpg");
}
$seconds = (hrtime(true) - $start) / 1e9 / $reps;
$peak_extra_kb = rss_kb('VmHWM') - $before;
$php_peak_extra = memory_get_peak_usage() - $php_before;
array_map('unlink', glob("$uploads/*") ?: []);
rmdir($uploads);

echo json_encode([
    'contender' => $contender,
    'decoded_bytes' => intdiv(strlen($payload), 4) * 3,
    'seconds' => $seconds,
    'reps' => $reps,
    'peak_extra_rss_kb' => $peak_extra_kb,
    'php_peak_extra_bytes' => $php_peak_extra,
]), "\n";
