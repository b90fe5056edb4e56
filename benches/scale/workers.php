<?php
/**
 * A full run drained by W worker processes (called by benches/scale/run.sh after vis_setup):
 * the run is started here, then W copies of tests/wp/bin/worker.php "resume" work on it
 * together through the plugin's WorkerPool, as `wp verial-images sync --workers=W` does.
 * Prints one JSON object.
 *
 *   php workers.php <W>
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/../e2e/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;

use function VisBench\mock;

$workers = max( 1, (int) ( $argv[1] ?? 2 ) );
\VerialImageSync\Settings::save(
	array(
		'base_url'            => rtrim( (string) getenv( 'VIS_MOCK_URL' ), '/' ) . '/WcfServiceLibraryVerial',
		'session'             => 18,
		'generate_thumbnails' => false,
		'parallel_requests'   => 4,
	)
);
$command = array( PHP_BINARY, '-d', 'memory_limit=256M' );
if ( '' !== (string) getenv( 'VIS_PHP_EXTENSION' ) ) {
	array_push( $command, '-d', 'extension=' . getenv( 'VIS_PHP_EXTENSION' ) );
}
$command[] = \VisBench\ROOT . '/tests/wp/bin/worker.php';
$command[] = 'resume';

$services = \VerialImageSync\Plugin::services();
mock( 'POST', '/__mock/stats/reset' );
$started = microtime( true );
$run_id  = $services->runner->start( 'cli', null, array(), true );
$pool    = new \VerialImageSync\Cli\WorkerPool( $command );
$pool->start( $workers );
while ( $pool->running() > 0 ) {
	usleep( 100000 );
}
$seconds = microtime( true ) - $started;

global $wpdb;
$stats    = mock( 'GET', '/__mock/stats' );
$status   = $services->runner->status( $run_id, 0 );
$pictures = array();
foreach ( \VisBench\truth() as $images ) {
	foreach ( $images as $image ) {
		if ( null !== $image['sha256'] ) {
			$pictures[ $image['sha256'] ] = true;
		}
	}
}
\VisBench\emit(
	array(
		'workers'     => $workers,
		'seconds'     => $seconds,
		'status'      => $status['status'],
		'articles'    => $status['articles']['total'],
		'images'      => $status['images']['seen'],
		'attachments' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->posts} WHERE post_type = 'attachment'" ),
		'pictures'    => count( $pictures ),
		'calls'       => array_sum( $stats['calls'] ?? array() ),
		'api_bytes'   => array_sum( $stats['bytes'] ?? array() ),
	)
);
