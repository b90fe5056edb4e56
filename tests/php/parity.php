<?php
/**
 * Prints, as canonical JSON, what the loaded codec says about a fixed corpus of payloads
 * (good images of every format and every kind of corrupt input). The test script runs it once
 * with the extension and once with the polyfill and requires identical output: both codecs
 * must give the same hashes, sizes, types, dimensions, legacy hashes and error classes.
 */

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use VerialImages\Native as N;
use VerialImages\Tests\ImageFixtures;

$corpus = [];
foreach (['jpeg', 'png', 'gif', 'webp'] as $i => $format) {
    foreach ([[1, 1], [300, 200], [97, 640]] as $j => [$w, $h]) {
        $bytes = ImageFixtures::make($format, $w, $h, $i * 10 + $j)['bytes'];
        $b64 = base64_encode($bytes);
        $corpus["$format-{$w}x{$h}"] = $b64;
        $corpus["$format-{$w}x{$h}-wrapped"] = chunk_split($b64, 76, "\r\n");
        $corpus["$format-{$w}x{$h}-prefixed"] = "data:image/$format;base64,$b64";
        $corpus["$format-{$w}x{$h}-truncated-image"] = base64_encode(substr($bytes, 0, intdiv(strlen($bytes), 2)));
        $corpus["$format-{$w}x{$h}-truncated-base64"] = substr($b64, 0, intdiv(strlen($b64), 4) * 4 - 3);
        $corpus["$format-{$w}x{$h}-bad-char"] = substr_replace($b64, '?', intdiv(strlen($b64), 3), 1);
    }
}
$corpus['large-jpeg'] = base64_encode(ImageFixtures::largeJpeg());
$corpus['html'] = base64_encode('<html><body>Service Unavailable</body></html>');
$corpus['php'] = base64_encode("<?php\nphpinfo();\n");
$corpus['empty'] = '';
$corpus['spaces-only'] = " \r\n ";
$corpus['padding-only'] = '==';

$out = [];
foreach ($corpus as $name => $payload) {
    try {
        $info = N\inspect($payload, true);
        $out[$name] = [$info->sha256, $info->bytes, $info->mime, $info->extension, $info->width, $info->height, $info->legacy_md5];
    } catch (N\NativeException $e) {
        $out[$name] = ['error' => (new ReflectionClass($e))->getShortName()];
    }
}
$body = json_encode(['InfoError' => ['Codigo' => 0, 'Descripcion' => null], 'Imagenes' => array_map(
    fn ($p) => ['ID_Articulo' => 4242, 'Imagen' => $p],
    array_values($corpus)
)], JSON_THROW_ON_ERROR);
$out['response'] = array_map(
    fn (N\ImageResult $r) => [$r->article_id, $r->position, $r->status, $r->info?->sha256, $r->error_kind],
    N\import_response($body)
);
echo json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
