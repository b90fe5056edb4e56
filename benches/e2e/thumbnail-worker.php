<?php
/**
 * The thumbnail job's own worker during an e2e import (started by import.php with thumbnails
 * on): drains the deferred thumbnail job while the import runs, as WP-Cron or Action Scheduler
 * run it in their own requests on a live site, until the import has ended (the file named by
 * the first argument exists) and nothing is pending. Prints one JSON object: when it finished,
 * its queries, CPU and peaks.
 *
 *   php thumbnail-worker.php <import-done flag file>
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;

use VisBench\QueryCounter;

$done_flag = $argv[1] ?? '';
if ( '' === $done_flag ) {
	fwrite( STDERR, "usage: php thumbnail-worker.php <import-done flag file>\n" );
	exit( 2 );
}
$cpu = static function (): float {
	$usage = getrusage();
	return $usage['ru_utime.tv_sec'] + $usage['ru_utime.tv_usec'] / 1e6 + $usage['ru_stime.tv_sec'] + $usage['ru_stime.tv_usec'] / 1e6;
};
$cpu_before = $cpu();
QueryCounter::start();
$made       = 0;
$thumbnails = \VerialImageSync\Plugin::services()->thumbnails;
while ( true ) {
	// Read before the queue: once the import has ended, an empty queue stays empty.
	$import_done = is_file( $done_flag );
	if ( $thumbnails->count_pending() > 0 ) {
		$made += $thumbnails->run( new \VerialImageSync\Sync\TimeBox( 3600, 0.95 ) );
	} elseif ( $import_done ) {
		break;
	} else {
		usleep( 20000 ); // A cron worker would come back later; this one polls.
	}
}
\VisBench\emit(
	array(
		'finished_at'    => microtime( true ),
		'made'           => $made,
		'queries'        => QueryCounter::$count,
		'cpu_seconds'    => $cpu() - $cpu_before,
		'php_peak_bytes' => memory_get_peak_usage( true ),
		'rss_hwm_bytes'  => \VisBench\rss_high_water(),
	)
);
