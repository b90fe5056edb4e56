<?php
/**
 * Benchmark: the extension's import against the seed's pure-PHP phase-1 path, in one run.
 * Usage: php benches/import.php /path/to/libverial_images.so
 * Each (contender, size) runs in its own PHP process so that peak memory is its own.
 */

declare(strict_types=1);

$extension = $argv[1] ?? '';
if (!is_file($extension)) {
    fwrite(STDERR, "usage: php benches/import.php /path/to/libverial_images.so\n");
    exit(2);
}
$worker = __DIR__ . '/import_worker.php';
$sizes = ['32 KB' => 32 * 1024, '1 MB' => 1024 * 1024, '10 MB' => 10 * 1024 * 1024];
$contenders = ['seed' => false, 'polyfill' => false, 'native' => true, 'native-md5' => true];

$rows = [];
foreach ($sizes as $label => $size) {
    foreach ($contenders as $contender => $native) {
        $cmd = sprintf(
            '%s -d memory_limit=1G %s %s %s %d',
            escapeshellarg(PHP_BINARY),
            $native ? '-d extension=' . escapeshellarg($extension) : '',
            escapeshellarg($worker),
            escapeshellarg($contender),
            $size
        );
        $result = json_decode((string) shell_exec($cmd), true);
        if (!is_array($result)) {
            fwrite(STDERR, "benchmark worker failed: $cmd\n");
            exit(1);
        }
        $rows[$label][$contender] = $result;
    }
}

$lines = [
    '| payload (decoded) | contender | MB/s | ratio vs seed | ms / image | peak extra RSS | PHP peak extra |',
    '|---|---|---:|---:|---:|---:|---:|',
];
foreach ($rows as $label => $byContender) {
    $seed = $byContender['seed'];
    foreach ($byContender as $contender => $r) {
        $mbs = $r['decoded_bytes'] / $r['seconds'] / 1e6;
        $lines[] = sprintf(
            '| %s | %s | %.0f | %.1fx | %.3f | %s | %s |',
            $label,
            $contender,
            $mbs,
            $seed['seconds'] / $r['seconds'],
            $r['seconds'] * 1000,
            number_format($r['peak_extra_rss_kb']) . ' KB',
            number_format(intdiv($r['php_peak_extra_bytes'], 1024)) . ' KB'
        );
    }
}
echo implode("\n", $lines), "\n";
