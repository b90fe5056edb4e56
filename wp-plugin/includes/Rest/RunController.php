<?php
/**
 * REST routes that start, cancel and resume phase 1 runs.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Rest;

use VerialImageSync\Plugin;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Sync\RunAlreadyActiveException;

/**
 * Thin over Plugin and Phase1Runner: each route only records a decision and schedules the
 * background worker, so it answers at once whatever the catalog size.
 */
final class RunController {

	/**
	 * POST /runs: starts a background run, in the default mode (incremental when possible) or,
	 * with `mode=full`, over every article.
	 *
	 * @param \WP_REST_Request $request Request; optional `mode` ("full").
	 * @return \WP_REST_Response|\WP_Error 202 with the run id; 400 for another mode; 409 when a run is active.
	 */
	public function start( \WP_REST_Request $request ): \WP_REST_Response|\WP_Error {
		$mode = (string) $request->get_param( 'mode' );
		if ( '' !== $mode && RunStore::MODE_FULL !== $mode ) {
			/* translators: %s: the mode given. */
			return new \WP_Error( 'verial_image_sync_bad_mode', sprintf( __( 'Unknown sync mode "%s": leave it out for the default, or send "full".', 'verial-image-sync' ), $mode ), array( 'status' => 400 ) );
		}
		try {
			$run_id = Plugin::start_background_run( RunStore::MODE_FULL === $mode );
		} catch ( RunAlreadyActiveException $e ) {
			return new \WP_Error( 'verial_image_sync_run_active', $e->getMessage(), array( 'status' => 409, 'run_id' => $e->active_run_id() ) );
		} catch ( \RuntimeException $e ) {
			// Not configured, or no codec: the message says which.
			return new \WP_Error( 'verial_image_sync_cannot_start', $e->getMessage(), array( 'status' => 400 ) );
		}
		return new \WP_REST_Response(
			array(
				'run_id'  => $run_id,
				'message' => __( 'Sync started. It runs in the background: you may leave this page.', 'verial-image-sync' ),
			),
			202
		);
	}

	/**
	 * POST /runs/cancel: cancels the active run; its worker stops after the article in hand.
	 *
	 * @return \WP_REST_Response|\WP_Error 200; 409 when no run is active.
	 */
	public function cancel(): \WP_REST_Response|\WP_Error {
		$run = Plugin::services()->runs->active();
		if ( null === $run || ! Plugin::services()->runner->cancel( (int) $run['id'] ) ) {
			return self::nothing_active();
		}
		return new \WP_REST_Response(
			array(
				'run_id'  => (int) $run['id'],
				'message' => __( 'Sync cancelled. Images already imported are kept and a new sync will not import them again.', 'verial-image-sync' ),
			),
			200
		);
	}

	/**
	 * POST /runs/resume: schedules the active run's worker again, for a run whose background
	 * chain stopped (plugin reactivated, WP-Cron events lost, a worker killed). Scheduling is
	 * idempotent and a second worker waits for the lock, so resuming a healthy run does no harm.
	 *
	 * @return \WP_REST_Response|\WP_Error 202; 409 when no run is active.
	 */
	public function resume(): \WP_REST_Response|\WP_Error {
		$services = Plugin::services();
		$run      = $services->runs->active();
		if ( null === $run ) {
			return self::nothing_active();
		}
		$services->driver->schedule( Plugin::PROCESS_HOOK );
		return new \WP_REST_Response(
			array(
				'run_id'  => (int) $run['id'],
				'message' => __( 'Sync resumed in the background.', 'verial-image-sync' ),
			),
			202
		);
	}

	private static function nothing_active(): \WP_Error {
		return new \WP_Error(
			'verial_image_sync_no_active_run',
			__( 'No sync is in progress. Start a new one: images already imported are recognised and not imported twice.', 'verial-image-sync' ),
			array( 'status' => 409 )
		);
	}
}
