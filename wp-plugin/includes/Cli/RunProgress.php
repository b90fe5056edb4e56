<?php
/**
 * The progress bar of a phase 1 run in WP-CLI.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

use VerialImageSync\Plugin;
use WP_CLI\Utils;

/**
 * Follows a run's article count, whoever does the work (this process between slices, or worker
 * processes): the bar appears once the run is listed and moves by the articles done since the
 * last update.
 */
final class RunProgress {

	/**
	 * The bar, once the run's article count is known.
	 *
	 * @var \cli\progress\Bar|\WP_CLI\NoOp|null
	 */
	private $bar = null;

	private int $done = 0;

	public function __construct( private int $run_id ) {
	}

	/**
	 * Reads the run's counts and moves the bar.
	 */
	public function update(): void {
		$articles = Plugin::services()->runner->status( $this->run_id, 0 )['articles'] ?? array();
		if ( null === $this->bar && ( $articles['total'] ?? 0 ) > 0 ) {
			$this->bar = Utils\make_progress_bar( __( 'Importing images', 'verial-image-sync' ), $articles['total'] );
		}
		if ( null !== $this->bar && ( $articles['done'] ?? 0 ) > $this->done ) {
			$this->bar->tick( $articles['done'] - $this->done );
			$this->done = $articles['done'];
		}
	}

	public function finish(): void {
		$this->bar?->finish();
	}
}
