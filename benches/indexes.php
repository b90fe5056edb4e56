<?php
/**
 * Benchmark: DedupIndex and ArticleIndex at catalog scale, native vs the pure-PHP polyfill.
 * Usage: php benches/indexes.php /path/to/libverial_images.so [entries=1000000]
 * Rows are generated the way $wpdb returns them (numeric strings); each codec runs in its own
 * process. Prints load time, memory per entry and lookup cost.
 */

declare(strict_types=1);

if (($argv[1] ?? '') === '--worker') {
    require __DIR__ . '/../wp-plugin/polyfill/bootstrap.php';
    $n = (int) $argv[2];
    $hashRows = [];
    $articleRows = [];
    for ($i = 0; $i < $n; $i++) {
        $hashRows[] = [hash('sha256', (string) $i), (string) ($i + 1)];
        $articleRows[] = [(string) (1000 + intdiv($i, 6)), (string) ($i % 6), (string) ($i + 1)];
    }
    $rss = fn () => (int) preg_replace('/.*VmRSS:\s+(\d+) kB.*/s', '$1', (string) file_get_contents('/proc/self/status')) * 1024;

    $before = $rss();
    $phpBefore = memory_get_usage();
    $t = hrtime(true);
    $dedup = new VerialImages\Native\DedupIndex();
    $dedup->load($hashRows);
    $loadDedup = (hrtime(true) - $t) / 1e9;
    $dedupBytes = max($rss() - $before, memory_get_usage() - $phpBefore);

    $probe = array_map(fn ($r) => $r[0], array_slice($hashRows, 0, 100_000));
    $t = hrtime(true);
    foreach ($probe as $h) {
        $dedup->get($h);
    }
    $lookup = (hrtime(true) - $t) / 1e9 / count($probe);

    $before = $rss();
    $phpBefore = memory_get_usage();
    $t = hrtime(true);
    $articles = VerialImages\Native\ArticleIndex::fromRows($articleRows);
    $loadArticles = (hrtime(true) - $t) / 1e9;
    $articleBytes = max($rss() - $before, memory_get_usage() - $phpBefore);
    $batch = range(1000, 1000 + 499);
    $articles->getMany($batch); // warm-up
    $t = hrtime(true);
    for ($k = 0; $k < 100; $k++) {
        $articles->getMany($batch);
    }
    $getMany = (hrtime(true) - $t) / 1e9 / 100;

    echo json_encode(compact('loadDedup', 'dedupBytes', 'lookup', 'loadArticles', 'articleBytes', 'getMany') + ['count' => $dedup->count(), 'native_bytes' => $dedup->memoryBytes()]), "\n";
    exit;
}

$extension = $argv[1] ?? '';
$n = (int) ($argv[2] ?? 1_000_000);
if (!is_file($extension)) {
    fwrite(STDERR, "usage: php benches/indexes.php /path/to/libverial_images.so [entries]\n");
    exit(2);
}
echo "| codec | entries | DedupIndex load | bytes/entry | lookup | ArticleIndex build | bytes/pair | getMany(500 articles) |\n";
echo "|---|---:|---:|---:|---:|---:|---:|---:|\n";
foreach (['native' => '-d extension=' . escapeshellarg($extension), 'polyfill' => ''] as $codec => $flag) {
    $cmd = sprintf('%s -d memory_limit=4G %s %s --worker %d', escapeshellarg(PHP_BINARY), $flag, escapeshellarg(__FILE__), $n);
    $r = json_decode((string) shell_exec($cmd), true);
    printf(
        "| %s | %s | %.2f s | %.0f | %.2f µs | %.2f s | %.0f | %.2f ms |\n",
        $codec,
        number_format($r['count']),
        $r['loadDedup'],
        $r['dedupBytes'] / $r['count'],
        $r['lookup'] * 1e6,
        $r['loadArticles'],
        $r['articleBytes'] / $n,
        $r['getMany'] * 1e3
    );
}
