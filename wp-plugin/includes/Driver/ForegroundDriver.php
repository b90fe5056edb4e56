<?php
/**
 * Runs the active run to its end in the current process.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Driver;

use VerialImageSync\Sync\BatchWorker;

/**
 * For WP-CLI, its worker processes and tests: slices back to back instead of one per background
 * request. While other workers hold the lock or every open batch, it waits and looks again: a
 * live worker finishes its batch, and a dead one's lock expires and its batch is taken back after
 * the claim timeout, so the wait always ends.
 */
final class ForegroundDriver {

	/**
	 * Pause between two looks while other workers are busy.
	 */
	private const BUSY_PAUSE_MICROSECONDS = 250000;

	/**
	 * @param BatchWorker $worker The worker.
	 */
	public function __construct( private BatchWorker $worker ) {
	}

	/**
	 * Processes the active run until it ends.
	 *
	 * @param callable|null $after_slice Called with each slice's result (progress output).
	 * @return string BatchWorker::FINISHED when the run ended (here or in another worker), or IDLE
	 *                when there was no active run to begin with.
	 */
	public function run( ?callable $after_slice = null ): string {
		$worked = false;
		while ( true ) {
			$result = $this->worker->run_slice();
			if ( null !== $after_slice ) {
				$after_slice( $result );
			}
			if ( BatchWorker::IDLE === $result ) {
				return $worked ? BatchWorker::FINISHED : BatchWorker::IDLE;
			}
			if ( BatchWorker::FINISHED === $result ) {
				return $result;
			}
			$worked = true;
			if ( BatchWorker::BUSY === $result ) {
				usleep( self::BUSY_PAUSE_MICROSECONDS );
			}
		}
	}
}
