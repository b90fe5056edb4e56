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
	QueryCounter::start();
	$started = microtime( true );
	$services->runner->start( 'foreground' );
	$services->foreground->run();
	$import          = microtime( true ) - $started;
	$import_queries  = QueryCounter::$count;
	$import_rss      = \VisBench\rss_high_water();
	$import_php      = memory_get_peak_usage( true );
	$thumbnail_time  = 0.0;
	if ( $thumbnails ) {
		$started = microtime( true );
		while ( $services->thumbnails->count_pending() > 0 ) {
			$services->thumbnails->run( new \VerialImageSync\Sync\TimeBox( 3600, 0.95 ) );
		}
		$thumbnail_time = microtime( true ) - $started;
	}
	$status = $services->runner->status( null, 0 );
	$codec  = \VerialImageSync\Codec::report();
	$result += array(
		'engine'             => $codec['engine'] . ' ' . $codec['version'],
		'import_seconds'     => $import,
		'thumbnail_seconds'  => $thumbnail_time,
		'import_queries'     => $import_queries,
		'queries'            => QueryCounter::$count,
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
\VisBench\emit( $result );
