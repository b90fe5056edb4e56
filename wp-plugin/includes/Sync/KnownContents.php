<?php
/**
 * The dedup index a worker process keeps between batches.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Store\ContentTable;
use VerialImageSync\Store\ImageTable;

/**
 * Content hash => attachment of every stored picture, loaded in full once per run and process
 * (one scan of the image table), then topped up before each batch with only what other workers
 * stored since (one small query on the contents table's created_at index) instead of being
 * reloaded: at a million pictures the full scan costs far more than a batch.
 *
 * Lagging behind another worker is harmless: the contents table's claim catches a picture that
 * worker stored meanwhile, and stored() fills it in. A new run loads in full again, so
 * attachments deleted between runs are forgotten.
 */
final class KnownContents {

	private ?\VerialImages\Native\DedupIndex $index = null;

	private int $run_id = 0;

	/**
	 * Database time of the last read.
	 */
	private string $read_at = '';

	public function __construct( private ImageTable $images, private ContentTable $contents ) {
	}

	/**
	 * The index, up to date with what every worker committed before this call.
	 *
	 * @param int $run_id The run being worked on.
	 */
	public function for_run( int $run_id ): \VerialImages\Native\DedupIndex {
		$now = $this->contents->now();
		if ( null === $this->index || $this->run_id !== $run_id ) {
			$this->index  = $this->images->dedup_index();
			$this->run_id = $run_id;
		} else {
			$this->add( $this->contents->since( $this->read_at ) );
		}
		$this->read_at = $now;
		return $this->index;
	}

	/**
	 * Adds the given contents as stored by now (after a claim was lost to another worker).
	 *
	 * @param list<string> $hashes Content hashes.
	 */
	public function refresh( array $hashes ): void {
		if ( null !== $this->index ) {
			$this->add( $this->contents->stored( $hashes ) );
		}
	}

	/**
	 * @param list<array{0: string, 1: int}> $rows [sha256, attachment id]; hashes already known keep their attachment.
	 */
	private function add( array $rows ): void {
		if ( $rows && null !== $this->index ) {
			$this->index->load( $rows );
		}
	}
}
