<?php
/**
 * The image requests a worker keeps in flight, across the batches it claims.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Api\FetchWindow;

/**
 * Keeps the request window full of the next articles to import, in order, also past the end of
 * the batch being imported: when its last articles are in flight, the worker's next batch is
 * claimed ahead and its first articles are requested, so that no batch starts by waiting a whole
 * API latency (with 100 ms of latency and batches of 25, that wait was about a third of the run).
 *
 * The batch claimed ahead is handed to the worker by next_batch(); whoever owns this object
 * releases it (close()) when the worker stops before processing it.
 */
final class RequestsAhead {

	/**
	 * Articles not requested yet, in import order.
	 *
	 * @var list<int>
	 */
	private array $pending = array();

	/**
	 * The batch claimed ahead (articles decoded), until next_batch() hands it out.
	 *
	 * @var array<string, mixed>|null
	 */
	private ?array $ahead = null;

	/**
	 * Whether the batch after the current one was asked for (claimed, or none was left).
	 */
	private bool $asked = false;

	/**
	 * @param FetchWindow                           $window The requests in flight.
	 * @param int                                   $size   Most requests in flight.
	 * @param \Closure(): (array<string, mixed>|null) $claim Claims the worker's next batch, or
	 *                                                       returns null (none left, or no time).
	 */
	public function __construct( private FetchWindow $window, private int $size, private \Closure $claim ) {
	}

	/**
	 * The worker starts (or resumes) a batch: unless it is the batch claimed ahead, whose first
	 * articles are in flight already, its articles from the checkpoint on are requested next.
	 *
	 * @param array<string, mixed> $batch Claimed row.
	 */
	public function begin( array $batch ): void {
		$this->asked = false;
		if ( null !== $this->ahead && $this->ahead['id'] === $batch['id'] ) {
			$this->ahead = null;
			return;
		}
		$this->pending = array_slice( $batch['articles'], (int) $batch['next_index'] );
	}

	/**
	 * An article's reply (see FetchWindow::take()); the window is topped up before waiting for
	 * it and right after, so the next requests are in flight while this article is imported.
	 *
	 * @return string|null Null: fetch it alone, with the retries.
	 */
	public function take( int $article_id ): ?string {
		$this->top_up();
		$body = $this->window->take( $article_id );
		$this->top_up();
		return $body;
	}

	/**
	 * The batch claimed ahead, if any (until begin() takes it).
	 *
	 * @return array<string, mixed>|null
	 */
	public function next_batch(): ?array {
		return $this->ahead;
	}

	/**
	 * Aborts the requests in flight.
	 *
	 * @return array<string, mixed>|null The batch claimed ahead that the worker did not begin:
	 *                                   the caller releases it.
	 */
	public function close(): ?array {
		$this->window->close();
		$ahead       = $this->ahead;
		$this->ahead = null;
		return $ahead;
	}

	private function top_up(): void {
		while ( $this->window->in_flight() < $this->size ) {
			if ( ! $this->pending ) {
				if ( $this->asked ) {
					return;
				}
				$this->asked = true;
				$this->ahead = ( $this->claim )();
				if ( null === $this->ahead ) {
					return;
				}
				$this->pending = array_slice( $this->ahead['articles'], (int) $this->ahead['next_index'] );
				continue;
			}
			$this->window->add( array_shift( $this->pending ) );
		}
	}
}
