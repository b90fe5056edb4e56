<?php
/**
 * What the status route and the admin page show.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Rest;

use VerialImageSync\Admin\Dates;
use VerialImageSync\Admin\Labels;
use VerialImageSync\Admin\RunHistory;
use VerialImageSync\Assign\AssignModule;
use VerialImageSync\Codec;
use VerialImageSync\Plugin;
use VerialImageSync\Store\RunStore;

/**
 * Assembles the status from reads only: it is polled every few seconds while a run is active,
 * so it must never write, schedule or nudge a worker (the workers run in the background; a
 * status request that did work would make progress depend on someone watching).
 */
final class StatusReport {

	public const DEFAULT_ERRORS = 50;
	public const MAX_ERRORS     = 500;

	/**
	 * @param RunHistory $history The last runs.
	 */
	public function __construct( private RunHistory $history ) {
	}

	/**
	 * The active run (else the latest), phase 2, the codec and the last runs.
	 *
	 * @param int $max_errors At most this many of the run's errors are listed (their total is given).
	 * @return array<string, mixed>
	 */
	public function build( int $max_errors = self::DEFAULT_ERRORS ): array {
		$services = Plugin::services();
		$run      = $services->runner->status( null, max( 0, min( self::MAX_ERRORS, $max_errors ) ) );
		$assign   = AssignModule::status();
		$codec    = Codec::report();
		return array(
			'run'        => null === $run ? null : self::describe_run( $run ),
			'assign'     => self::describe_assign( $assign ),
			'codec'      => array_merge( $codec, array( 'label' => Labels::codec( $codec['engine'] ) ) ),
			'configured' => '' !== $services->settings->base_url(),
			'history'    => $this->history->recent(),
		);
	}

	/**
	 * Phase1Runner::status() plus what a person reads off it: label, percent, local times.
	 *
	 * @param array<string, mixed> $run Phase1Runner::status() result.
	 * @return array<string, mixed>
	 */
	private static function describe_run( array $run ): array {
		$run['status_label'] = Labels::run_status( (string) $run['status'] );
		$run['mode_label']   = Labels::run_mode( (string) $run['mode'] );
		$run['percent']      = self::percent( $run );
		$run['started']      = Dates::from_utc( $run['timings']['created_at'] );
		$run['finished']     = Dates::from_utc( $run['timings']['finished_at'] );
		return $run;
	}

	/**
	 * AssignModule::status() plus label, local times and labelled counts (values formatted for
	 * the page, articles first).
	 *
	 * @param array<string, mixed> $assign Phase 2 status: state, enabled, started_at and finished_at (UTC), articles {total, done}, counts, error.
	 * @return array<string, mixed>
	 */
	private static function describe_assign( array $assign ): array {
		$assign['state_label'] = Labels::assign_state( (string) $assign['state'] );
		$assign['started']     = Dates::from_utc( $assign['started_at'] );
		$assign['finished']    = Dates::from_utc( $assign['finished_at'] );
		if ( null === $assign['started_at'] ) {
			$assign['counts'] = array(); // Never run: zeros would only be noise.
			return $assign;
		}
		$counts = array(
			array(
				'key'   => 'articles',
				'label' => __( 'Articles', 'verial-image-sync' ),
				'value' => sprintf(
					/* translators: 1: articles processed, 2: articles in total. */
					__( '%1$s of %2$s', 'verial-image-sync' ),
					number_format_i18n( (int) $assign['articles']['done'] ),
					number_format_i18n( (int) $assign['articles']['total'] )
				),
			),
		);
		foreach ( $assign['counts'] as $key => $value ) {
			$counts[] = array(
				'key'   => (string) $key,
				'label' => Labels::assign_count( (string) $key ),
				'value' => number_format_i18n( (int) $value ),
			);
		}
		$assign['counts'] = $counts;
		return $assign;
	}

	/**
	 * Share of the articles handled. A finished run shows 100 only when it went through (a
	 * cancelled or failed one shows how far it got); an active one never shows 100 before the
	 * worker has closed it.
	 *
	 * @param array<string, mixed> $run Phase1Runner::status() result.
	 */
	private static function percent( array $run ): int {
		if ( ! $run['active'] && in_array( $run['status'], array( RunStore::COMPLETED, RunStore::COMPLETED_WITH_ERRORS ), true ) ) {
			return 100;
		}
		$total = (int) $run['articles']['total'];
		if ( $total <= 0 ) {
			return 0;
		}
		$percent = (int) floor( 100 * (int) $run['articles']['done'] / $total );
		return $run['active'] ? min( 99, $percent ) : min( 100, $percent );
	}
}
