<?php
/**
 * Runs the active run to its end in the current process.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Driver;

use VerialImageSync\Sync\BatchWorker;
use VerialImageSync\Sync\Lock;

/**
 * For WP-CLI and tests: slices back to back instead of one per background request. When another
 * worker holds the lock it waits, up to the lock's lifetime (a dead holder's lock expires by then).
 */
final class ForegroundDriver {

	/**
	 * @param BatchWorker $worker The worker.
	 * @param Lock        $lock   The worker lock (for its lifetime).
	 */
	public function __construct( private BatchWorker $worker, private Lock $lock ) {
	}

	/**
	 * Processes the active run until it ends.
	 *
	 * @param callable|null $after_slice Called with each slice's result (progress output).
	 * @return string BatchWorker::FINISHED, or IDLE when there was no active run.
	 * @throws \RuntimeException When another worker keeps the lock longer than its lifetime.
	 */
	public function run( ?callable $after_slice = null ): string {
		$busy_since = null;
		while ( true ) {
			$result = $this->worker->run_slice();
			if ( null !== $after_slice ) {
				$after_slice( $result );
			}
			if ( BatchWorker::FINISHED === $result || BatchWorker::IDLE === $result ) {
				return $result;
			}
			if ( BatchWorker::BUSY !== $result ) {
				$busy_since = null;
				continue;
			}
			$busy_since ??= microtime( true );
			if ( microtime( true ) - $busy_since > $this->lock->ttl() + 5 ) {
				throw new \RuntimeException( __( 'Another Verial image sync worker is busy and kept its lock longer than its lifetime.', 'verial-image-sync' ) );
			}
			usleep( 250000 );
		}
	}
}
