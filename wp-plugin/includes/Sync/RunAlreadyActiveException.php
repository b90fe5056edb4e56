<?php
/**
 * Refusal to start a second run.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * Thrown when a run is requested while another one is active; the message says which one.
 */
final class RunAlreadyActiveException extends \RuntimeException {

	/**
	 * @param array<string, string> $active The active run's row.
	 */
	public function __construct( private array $active ) {
		parent::__construct(
			sprintf(
				/* translators: 1: run id, 2: run status, 3: creation date (UTC). */
				__( 'A Verial image sync is already in progress (run #%1$d, %2$s, started %3$s UTC). Wait for it to finish or cancel it before starting another.', 'verial-image-sync' ),
				(int) $active['id'],
				$active['status'],
				$active['created_at']
			)
		);
	}

	public function active_run_id(): int {
		return (int) $this->active['id'];
	}
}
