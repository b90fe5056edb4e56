<?php
/**
 * One contender's phase 1 in the test WordPress (called by benches/e2e/run.sh after vis_setup,
 * the mock warmed and its stats reset). Prints one JSON object.
 *
 *   php import.php seed|ours 0|1      (second argument: thumbnails on)
 *   env VIS_E2E_QUERY_PROFILE=1: the SQL statements by shape, counted, on stderr
 *
 * seed: benches/e2e/lib/SeedBaseline.php (run.sh deactivates our plugin first).
 * ours: the plugin in the foreground (production settings: batches of 25); with thumbnails on,
 *       the deferred thumbnail job is then drained in the same process and timed separately.
 * DB queries are counted with the `query` filter from the start of the import (WordPress boot
 * excluded); peak memory is the whole process (boot included): PHP's and VmHWM.
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;
require __DIR__ . '/lib/SeedBaseline.php';

use VisBench\QueryCounter;

$usage      = getrusage();
$cpu_before = $usage['ru_utime.tv_sec'] + $usage['ru_utime.tv_usec'] / 1e6 + $usage['ru_stime.tv_sec'] + $usage['ru_stime.tv_usec'] / 1e6;

$contender  = $argv[1] ?? '';
$thumbnails = '1' === ( $argv[2] ?? '0' );
$base_url   = rtrim( (string) getenv( 'VIS_MOCK_URL' ), '/' ) . '/WcfServiceLibraryVerial';
$result     = array(
	'contender'      => $contender,
	'thumbnails'     => $thumbnails,
	'rss_boot_bytes' => \VisBench\rss_now(),  // WordPress loaded, nothing imported yet.
);

if ( 'seed' === $contender ) {
	if ( class_exists( '\VerialImageSync\Plugin', false ) ) {
		fwrite( STDERR, "our plugin is active in the seed's WordPress\n" );
		exit( 1 );
	}
	$seed = new \VisBench\SeedBaseline( $base_url, 18, $thumbnails );
	QueryCounter::start();
	$started = microtime( true );
	$seed->run();
	$wall = microtime( true ) - $started;
	$result += array(
		'engine'             => 'seed (pure PHP)',
		'import_seconds'     => $wall,
		'thumbnail_seconds'  => 0.0,
		'import_queries'     => QueryCounter::$count,
		'queries'            => QueryCounter::$count,
		'articles'           => $seed->stats['articles'],
		'created'            => $seed->stats['created'],
		'duplicates_avoided' => $seed->stats['duplicates'],
		'refused'            => $seed->stats['errors'],
		'status'             => 'done',
	);
} elseif ( 'ours' === $contender ) {
	\VerialImageSync\Settings::save(
		array(
			'base_url'            => $base_url,
			'session'             => 18,
			'generate_thumbnails' => $thumbnails,
		)
	);
	$services = \VerialImageSync\Plugin::services();
	// Thumbnails on: the deferred job has its own worker process, started with the import, as
	// WP-Cron or Action Scheduler run it on a live site while the import goes on.
	$worker = null;
	if ( $thumbnails ) {
		$done_flag = tempnam( sys_get_temp_dir(), 'vis-e2e-import-done' );
		unlink( $done_flag );
		$worker = proc_open(
			array_merge( array( PHP_BINARY ), \VisBench\php_ini_args(), array( __DIR__ . '/thumbnail-worker.php', $done_flag ) ),
			array( 1 => array( 'pipe', 'w' ), 2 => STDERR ),
			$pipes
		);
	}
	QueryCounter::start();
	$started = microtime( true );
	$services->runner->start( 'foreground' );
	$services->foreground->run();
	$import_end      = microtime( true );
	$import          = $import_end - $started;
	$import_queries  = QueryCounter::$count;
	$import_rss      = \VisBench\rss_high_water();
	$import_php      = memory_get_peak_usage( true );
	$thumbnail_time  = 0.0;
	$job             = null;
	if ( $worker ) {
		touch( $done_flag );
		$job = json_decode( (string) stream_get_contents( $pipes[1] ), true );
		if ( 0 !== proc_close( $worker ) || ! is_array( $job ) || $services->thumbnails->count_pending() > 0 ) {
			fwrite( STDERR, "the thumbnail worker failed\n" );
			exit( 1 );
		}
		unlink( $done_flag );
		// What the job adds to the import's wall time: how long it went on after the import.
		$thumbnail_time = max( 0.0, $job['finished_at'] - $import_end );
	}
	$status = $services->runner->status( null, 0 );
	$codec  = \VerialImageSync\Codec::report();
	$result += array(
		'engine'             => $codec['engine'] . ' ' . $codec['version'],
		'import_seconds'     => $import,
		'thumbnail_seconds'  => $thumbnail_time,
		'import_queries'     => $import_queries,
		'queries'            => QueryCounter::$count + ( $job['queries'] ?? 0 ),
		'job'                => $job,
		'import_rss_hwm_bytes' => $import_rss,
		'import_php_peak_bytes' => $import_php,
		'articles'           => $status['articles']['total'],
		'created'            => $status['images']['created'],
		'duplicates_avoided' => $status['images']['duplicates_avoided'],
		'refused'            => $status['images']['failed'],
		'status'             => $status['status'],
	);
} else {
	fwrite( STDERR, "usage: php import.php seed|ours 0|1\n" );
	exit( 2 );
}

if ( getenv( 'VIS_E2E_QUERY_PROFILE' ) ) {
	arsort( QueryCounter::$shapes );
	fwrite( STDERR, "queries by shape (top 25):\n" );
	foreach ( array_slice( QueryCounter::$shapes, 0, 25, true ) as $shape => $n ) {
		fprintf( STDERR, "%7d  %s\n", $n, $shape );
	}
}
$usage                    = getrusage();
$result['cpu_seconds']    = $usage['ru_utime.tv_sec'] + $usage['ru_utime.tv_usec'] / 1e6 + $usage['ru_stime.tv_sec'] + $usage['ru_stime.tv_usec'] / 1e6 - $cpu_before;
$result['php_peak_bytes'] = memory_get_peak_usage( true );
$result['rss_hwm_bytes']  = \VisBench\rss_high_water();
if ( isset( $result['job'] ) ) {
	// The thumbnail worker's share: its CPU counts, and the peaks are the higher process's.
	$result['cpu_seconds']   += $result['job']['cpu_seconds'];
	$result['php_peak_bytes'] = max( $result['php_peak_bytes'], $result['job']['php_peak_bytes'] );
	$result['rss_hwm_bytes']  = max( $result['rss_hwm_bytes'], $result['job']['rss_hwm_bytes'] );
}
\VisBench\emit( $result );
