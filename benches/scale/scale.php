<?php
/**
 * One step of the re-sync and scale benchmark (called by benches/scale/run.sh after vis_setup).
 * Prints one JSON object.
 *
 *   php scale.php run <full|default> <parallel_requests>   phase 1 in the foreground, timed;
 *                                                           the mock's call stats of the run
 *   php scale.php mutate <percent>                          changes that share of the articles
 *                                                           (replace, add, remove, reorder, touch
 *                                                           in turn) through /__mock/mutate
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/../e2e/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;

use function VisBench\mock;

switch ( $argv[1] ?? '' ) {
	case 'run':
		$full     = 'full' === ( $argv[2] ?? '' );
		$parallel = (int) ( $argv[3] ?? 4 );
		\VerialImageSync\Settings::save(
			array(
				'base_url'            => rtrim( (string) getenv( 'VIS_MOCK_URL' ), '/' ) . '/WcfServiceLibraryVerial',
				'session'             => 18,
				'generate_thumbnails' => false,
				'parallel_requests'   => $parallel,
				'verial_timezone'     => 'UTC', // The mock's fecha/hora time zone.
			)
		);
		$services = \VerialImageSync\Plugin::services();
		mock( 'POST', '/__mock/stats/reset' );
		$started = microtime( true );
		$services->runner->start( 'foreground', null, array(), $full );
		$services->foreground->run();
		$seconds = microtime( true ) - $started;
		$stats   = mock( 'GET', '/__mock/stats' );
		$status  = $services->runner->status( null, 0 );
		\VisBench\emit(
			array(
				'mode'      => $status['mode'],
				'parallel'  => $parallel,
				'seconds'   => $seconds,
				'status'    => $status['status'],
				'articles'  => $status['articles']['total'],
				'images'    => $status['images']['seen'],
				'created'   => $status['images']['created'],
				'calls'     => array_sum( $stats['calls'] ?? array() ),
				'api_bytes' => array_sum( $stats['bytes'] ?? array() ),
				'rss_bytes' => \VisBench\rss_high_water(),
			)
		);
		break;

	case 'mutate':
		$ids     = array_keys( \VisBench\truth() );
		$percent = (float) ( $argv[2] ?? 5 );
		$count   = max( 1, (int) round( count( $ids ) * $percent / 100 ) );
		$ops     = array( 'replace', 'add', 'remove', 'reorder', 'touch' );
		$changed = 0;
		// Every k-th article, so the changed ones spread over the whole catalog (and its batches).
		$step = max( 1, intdiv( count( $ids ), $count ) );
		for ( $i = 0; $i < count( $ids ) && $changed < $count; $i += $step ) {
			$op   = $ops[ $changed % count( $ops ) ];
			$body = array(
				'article' => $ids[ $i ],
				'op'      => $op,
			);
			if ( in_array( $op, array( 'replace', 'remove' ), true ) ) {
				$body['position'] = 0;
			}
			// An article without images cannot lose or replace one (the mock answers 400 with an
			// "error"): touch it instead, so that it still counts as changed.
			if ( isset( mock( 'POST', '/__mock/mutate', $body )['error'] ) ) {
				$touched = mock(
					'POST',
					'/__mock/mutate',
					array(
						'article' => $ids[ $i ],
						'op'      => 'touch',
					)
				);
				if ( isset( $touched['error'] ) ) {
					throw new \RuntimeException( "mock refused to touch article {$ids[ $i ]}: {$touched['error']}" );
				}
			}
			++$changed;
		}
		\VisBench\emit( array( 'mutated' => $changed ) );
		break;

	default:
		fwrite( STDERR, "usage: php scale.php run <full|default> <parallel> | mutate <percent>\n" );
		exit( 2 );
}
