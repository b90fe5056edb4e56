<?php
/**
 * The main job on the demo shop (scripts/demo.sh): phase 1 (every article's images into the
 * media library) then phase 2 (products get their main image and gallery), in the foreground
 * with a progress line, then a summary.
 *
 * Env: VIS_WP_DIR.
 */

declare(strict_types=1);

require __DIR__ . '/../../tests/wp/bin/load-wordpress.php';

use VerialImageSync\Codec;
use VerialImageSync\Plugin;

$services = Plugin::services();
$started = microtime(true);
$run_id = $services->runner->start('foreground');
// Called after each worker slice (the demo shop uses 2-second slices, so this ticks often).
$progress = static function () use ($services, $run_id): void {
    $s = $services->runner->status($run_id, 0);
    fprintf(STDERR, "\r  phase 1: %d/%d articles, %d images  ", $s['articles']['done'], $s['articles']['total'], $s['images']['seen']);
};
$services->foreground->run($progress);
$phase1 = microtime(true) - $started;
fwrite(STDERR, "\n");
$status = $services->runner->status($run_id, 1000);

$assign_started = microtime(true);
$report = $services->assigner->assign_all();
$phase2 = microtime(true) - $assign_started;
$counts = $report->counts();

$refused = [];
foreach ($status['errors'] ?? [] as $error) {
    $refused[(int) $error['article_id']] = true;
}
$codec = Codec::report();
$images = (int) $status['images']['seen'];
// A second invocation is an incremental run: only the articles Verial changed since the first.
printf("\nVerial Image Sync demo: run #%d %s, %s run%s\n", $status['id'], $status['status'], $status['mode'], null === $status['since'] ? '' : ' (articles changed since ' . $status['since'] . ')');
printf("  codec                 %s %s\n", $codec['engine'], $codec['version']);
printf("  articles              %d (%d with errors)\n", $status['articles']['total'], $status['articles']['failed']);
printf("  images imported       %d new attachments (%.1f MB), %d images seen\n", $status['images']['created'], $status['images']['bytes_written'] / 1048576, $images);
printf("  duplicates avoided    %d\n", $status['images']['duplicates_avoided']);
printf("  corrupt refused       %d, in articles %s\n", $status['images']['failed'], $refused ? implode(', ', array_keys($refused)) : '-');
printf("  phase 1 time          %.2f s (%.1f images/s)\n", $phase1, $images / max(0.001, $phase1));
printf("  products assigned     %d updated, %d unchanged, %d without images, %d skipped (hand-set images)\n",
    $counts['products_updated'] ?? 0, $counts['products_unchanged'] ?? 0, $counts['products_without_images'] ?? 0, $counts['products_skipped_manual'] ?? 0);
printf("  phase 2 time          %.2f s\n", $phase2);
printf("  peak memory           %.1f MB\n", memory_get_peak_usage(true) / 1048576);
exit('completed' === $status['status'] || 'completed_with_errors' === $status['status'] ? 0 : 1);
