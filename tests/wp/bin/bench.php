<?php
/**
 * Measures one phase 1 run against the mock (called by tests/wp/bench.sh): production
 * settings (batches of 25, 20 s slices, no thumbnails on the critical path), a warm mock.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

require __DIR__ . '/load-wordpress.php';

use VerialImageSync\Codec;
use VerialImageSync\Plugin;
use VerialImageSync\Settings;

Settings::save(
	array(
		'base_url'            => getenv( 'VIS_MOCK_URL' ),
		'session'             => 18,
		'generate_thumbnails' => false,
	)
);
// Warm the mock's picture cache, so the run measures the plugin, not the mock's first render.
file_get_contents( getenv( 'VIS_MOCK_URL' ) . '/__mock/truth?numpixelsladomenor=300' );

$services = Plugin::services();
$started  = microtime( true );
$services->runner->start( 'foreground' );
$services->foreground->run();
$wall   = microtime( true ) - $started;
$status = $services->runner->status( null, 0 );

$codec = Codec::report();
printf( "codec              %s %s\n", $codec['engine'], $codec['version'] );
printf( "run                #%d %s\n", $status['id'], $status['status'] );
printf( "articles           %d (%d with errors)\n", $status['articles']['total'], $status['articles']['failed'] );
printf( "images seen        %d\n", $status['images']['seen'] );
printf( "attachments        %d created, %.1f MB written\n", $status['images']['created'], $status['images']['bytes_written'] / 1048576 );
printf( "duplicates avoided %d\n", $status['images']['duplicates_avoided'] );
printf( "errors             %d (images refused: %d)\n", $status['error_count'], $status['images']['failed'] );
printf( "wall time          %.2f s (worker time %.2f s)\n", $wall, $status['timings']['work_seconds'] );
printf( "throughput         %.1f images/s, %.1f articles/s\n", $status['images']['seen'] / $wall, $status['articles']['total'] / $wall );
printf( "peak memory        %.1f MB (memory_get_peak_usage(true))\n", $status['peak_memory'] / 1048576 );
