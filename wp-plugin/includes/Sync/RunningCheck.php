<?php
/**
 * Whether the run a worker is on is still running, asked of the database at most every few
 * tenths of a second.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Store\RunStore;

/**
 * A worker looks before every article whether the run was cancelled or ended by another
 * worker; asking the database each time was one query per article, about a tenth of an
 * import's queries. A cancel seen up to MAX_AGE late costs nothing but time: cancel() takes
 * the batches' claims back at once, so an article the worker commits after it fails its
 * claim check and is rolled back (see ArticleImporter::checkpoint()).
 */
final class RunningCheck {

	/** Seconds an answer is reused. */
	public const MAX_AGE = 0.25;

	private float $asked_at = -INF;

	private bool $running = false;

	public function __construct( private RunStore $runs, private int $run_id ) {
	}

	public function run_id(): int {
		return $this->run_id;
	}

	/**
	 * Whether the run was still running at most MAX_AGE seconds ago.
	 */
	public function running(): bool {
		$now = microtime( true );
		if ( ! $this->running || $now - $this->asked_at >= self::MAX_AGE ) {
			$this->running  = RunStore::RUNNING === $this->runs->status( $this->run_id );
			$this->asked_at = $now;
		}
		return $this->running;
	}
}
