<?php
/**
 * Processes the active run, one time-boxed slice at a time.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Api\VerialClient;
use VerialImageSync\Api\VerialException;
use VerialImageSync\Media\LegacyAttachments;
use VerialImageSync\Media\OrphanFiles;
use VerialImageSync\Media\ThumbnailQueue;
use VerialImageSync\Settings;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\ErrorLog;
use VerialImageSync\Store\ImageTable;
use VerialImageSync\Store\RunStore;

/**
 * One slice = list the articles if the run is new (once, under the lock), then take back the
 * batches of silent workers, claim batches and process them until the time box is used up (the
 * next batch is claimed ahead when the current one's last image requests are sent, so the API's
 * latency is hidden across batches too: RequestsAhead), and end the run (once, under the lock)
 * when no batch is left. Several workers (cron or Action Scheduler slices on several web
 * servers, WP-CLI worker processes) drain one run together, each on its own claimed batch. Every
 * driver just calls run_slice() and reacts to its result.
 */
final class BatchWorker {

	public const BUSY     = 'busy';      // Other workers are on it: the lock (listing, ending) is held or every open batch is claimed.
	public const IDLE     = 'idle';      // No active run.
	public const MORE     = 'more';      // Stopped with work left: call again.
	public const FINISHED = 'finished';  // The run ended (during this slice, or meanwhile by another worker).

	public function __construct(
		private Settings $settings,
		private Lock $lock,
		private RunStore $runs,
		private BatchQueue $queue,
		private ErrorLog $errors,
		private ImageTable $images,
		private KnownContents $known,
		private LegacyAttachments $legacy,
		private OrphanFiles $orphans,
		private VerialClient $client,
		private RunPlanner $planner,
		private ArticleImporter $importer,
		private ArticleGroup $group,
		private ThumbnailQueue $thumbnails
	) {
	}

	/**
	 * Works on the active run until it ends, nothing is left to claim, or the slice's time is up.
	 *
	 * @return string One of the class constants.
	 */
	public function run_slice(): string {
		$time_box = new TimeBox( $this->settings->time_limit(), $this->settings->memory_ratio() );
		$run      = $this->runs->active();
		if ( null === $run ) {
			return self::IDLE;
		}
		$run_id = (int) $run['id'];
		try {
			$this->runs->mark_started( $run_id );
			if ( RunStore::LISTING === $run['status'] ) {
				$planned = $this->plan_once( $run_id );
				if ( null !== $planned ) {
					return $planned;
				}
			}
			// At least one batch per slice (of which process() does at least one article), so
			// that a slice started past its memory budget still moves the run forward.
			$running = new RunningCheck( $this->runs, $run_id );
			$ahead   = $this->requests_ahead( $running, $time_box );
			try {
				do {
					if ( ! $running->running() ) {
						return self::FINISHED; // Cancelled, or ended by another worker.
					}
					$batch = $ahead?->next_batch() ?? $this->claim_next( $run_id );
					if ( null === $batch ) {
						// Nothing to claim: the open batches, if any, are other workers'.
						return $this->queue->has_open( $run_id ) ? self::BUSY : $this->finish_once( $run_id );
					}
					if ( ! $this->process( $batch, $time_box, $running, $ahead ) ) {
						return self::MORE;
					}
				} while ( ! $time_box->expired() );
				return self::MORE;
			} finally {
				$unbegun = $ahead?->close(); // Aborts the requests sent ahead when the slice stops early.
				if ( null !== $unbegun ) {
					$this->queue->release( (int) $unbegun['id'], (string) $unbegun['claim_token'] );
				}
			}
		} finally {
			$this->runs->add_slice( $run_id, $time_box->elapsed(), memory_get_peak_usage( true ) );
		}
	}

	/**
	 * Takes back the batches of silent workers and claims the next pending one.
	 *
	 * @return array<string, mixed>|null The claimed row, or null when none is pending.
	 */
	private function claim_next( int $run_id ): ?array {
		$this->queue->recover_stale( $run_id, $this->settings->claim_timeout() );
		$this->give_up_exhausted( $run_id );
		return $this->queue->claim( $run_id, $this->settings->max_batch_attempts() );
	}

	/**
	 * With parallel_requests = N > 1, the image requests of the next N articles stay in flight
	 * for the whole slice, across batches: the next batch is claimed ahead, unless the slice's
	 * time is up (it would only be released again).
	 */
	private function requests_ahead( RunningCheck $running, TimeBox $time_box ): ?RequestsAhead {
		$parallel = max( 1, $this->settings->parallel_requests() );
		$window   = $this->client->image_window( $parallel );
		if ( null === $window ) {
			return null;
		}
		$claim = function () use ( $running, $time_box ): ?array {
			if ( $time_box->expired() || ! $running->running() ) {
				return null;
			}
			$this->group->commit(); // Queue statements never run inside an article's transaction.
			return $this->claim_next( $running->run_id() );
		};
		return new RequestsAhead( $window, $parallel, $claim );
	}

	/**
	 * Lists the run's articles, unless another worker is doing it or did it meanwhile.
	 *
	 * @return string|null A result for run_slice() to return, or null to go on with the batches.
	 */
	private function plan_once( int $run_id ): ?string {
		if ( ! $this->lock->acquire() ) {
			return self::BUSY;
		}
		try {
			if ( RunStore::LISTING !== $this->runs->status( $run_id ) ) {
				return null;
			}
			try {
				$this->planner->plan( $run_id );
			} catch ( VerialException $e ) {
				$this->runs->finish( $run_id, RunStore::FAILED, 'Could not list the articles: ' . $e->getMessage() );
				return self::FINISHED;
			}
			return null;
		} finally {
			$this->lock->release();
		}
	}

	/**
	 * Ends the run once no batch is open; of several workers getting there together, the one
	 * holding the lock does it. Temporary files are swept now, when no worker of this run is
	 * writing (a killed worker can leave one; while others run, it cannot be told from theirs).
	 */
	private function finish_once( int $run_id ): string {
		if ( ! $this->lock->acquire() ) {
			return self::BUSY;
		}
		try {
			if ( RunStore::RUNNING === $this->runs->status( $run_id ) && ! $this->queue->has_open( $run_id ) ) {
				foreach ( $this->queue->upload_dirs( $run_id ) as $directory ) {
					$this->orphans->sweep( $directory, array() );
				}
				$this->finish( $run_id );
			}
			return self::FINISHED;
		} finally {
			$this->lock->release();
		}
	}

	/**
	 * Processes a claimed batch from its checkpoint, its replies taken from the requests sent
	 * ahead (when there are: see requests_ahead()).
	 *
	 * @param array<string, mixed> $batch    Claimed row (articles decoded).
	 * @param TimeBox              $time_box Slice budget.
	 * @param RunningCheck         $running  Whether the run goes on (it is asked before every article).
	 * @param RequestsAhead|null   $ahead    The slice's requests in flight.
	 * @return bool Whether the batch was completed (false: stopped early, it is back in the queue).
	 */
	private function process( array $batch, TimeBox $time_box, RunningCheck $running, ?RequestsAhead $ahead ): bool {
		$run_id   = (int) $batch['run_id'];
		$batch_id = (int) $batch['id'];
		$token    = (string) $batch['claim_token'];
		$articles = $batch['articles'];
		$index    = (int) $batch['next_index'];
		$new      = false;
		try {
			$ahead?->begin( $batch );
			$directory = (string) $batch['upload_dir'];
			if ( '' === $directory ) {
				$directory = $this->upload_directory();
				$this->queue->set_upload_dir( $batch_id, $token, $directory );
			}
			if ( $batch['needs_recovery'] ) {
				// Files of this batch's articles only: other workers write in the same directory.
				$this->orphans->sweep( $directory, $articles, false );
				$this->queue->recovered( $batch_id, $token );
			}
			$context   = new BatchContext(
				$run_id,
				$batch_id,
				$token,
				$directory,
				$this->known->for_run( $run_id ),
				$this->legacy->for_articles( $articles ),
				$this->images->rows_for_articles( $articles )
			);
			$heartbeat = function () use ( $batch_id, $token ): void {
				if ( ! $this->queue->heartbeat( $batch_id, $token ) ) {
					throw new LostClaimException( sprintf( 'Batch %d was taken over by another worker.', $batch_id ) );
				}
			};
			// The claim is refreshed every $parallel articles, before waiting on the API.
			$parallel = max( 1, $this->settings->parallel_requests() );
			$beat_at  = $index;
			for ( $count = count( $articles ); $index < $count; ++$index ) {
				if ( $index > (int) $batch['next_index'] && $time_box->expired() ) {
					$this->group->commit();
					$this->queue->release( $batch_id, $token );
					return false;
				}
				if ( ! $running->running() ) {
					$this->group->commit();
					return false; // Cancelled: cancel() already closed the batch.
				}
				$article_id = $articles[ $index ];
				$prefetched = null;
				if ( null !== $ahead ) {
					if ( $index >= $beat_at ) {
						$heartbeat();
						$beat_at = $index + $parallel;
					}
					$prefetched = $ahead->take( $article_id );
				}
				$counts = $this->import_article( $context, $index, $article_id, $prefetched, $heartbeat );
				$new    = $new || ( $counts['images_created'] ?? 0 ) > 0;
			}
			$this->group->commit();
			$this->queue->complete( $batch_id, $token );
			return true;
		} catch ( LostClaimException $e ) {
			$this->group->abandon();
			return false;
		} catch ( \Throwable $e ) {
			$this->group->abandon();
			$index   = $this->group->take_failed_index() ?? $index;
			$message = sprintf( 'Batch %d stopped at article %s: %s: %s', $batch_id, $articles[ $index ] ?? '-', get_class( $e ), $e->getMessage() );
			$status  = $this->queue->fail_attempt( $batch_id, $token, $message, (int) $batch['attempts'], $this->settings->max_batch_attempts() );
			if ( BatchQueue::FAILED === $status ) {
				$this->record_unprocessed( $run_id, $batch_id, array_slice( $articles, $index ), $message );
			}
			return false;
		} finally {
			if ( $new && $this->settings->generate_thumbnails() ) {
				$this->thumbnails->schedule();
			}
		}
	}

	/**
	 * Fetches (unless prefetched), decodes and commits one article.
	 *
	 * @param BatchContext    $context    The batch.
	 * @param int             $index      Article's index in the batch.
	 * @param int             $article_id Verial article id.
	 * @param string|null     $prefetched Its reply, when taken from the request window.
	 * @param callable(): void $heartbeat Refreshes the batch claim (before each retry).
	 * @return array<string, int> Counter increments.
	 */
	private function import_article( BatchContext $context, int $index, int $article_id, ?string $prefetched, callable $heartbeat ): array {
		$body   = '';
		$decode = function ( string $reply ) use ( $context, &$body ): array {
			$body = $reply;
			return $this->decode( $reply, $context );
		};
		try {
			$results = $this->client->import_images( $article_id, $decode, $prefetched, $heartbeat );
		} catch ( VerialException $e ) {
			$this->group->commit(); // fail() has a transaction of its own.
			return $this->importer->fail( $context, $index, $article_id, $e );
		}
		// Another worker stored one of these pictures first: the reply is imported again
		// once the worker's index knows that picture, so it is reused, not stored twice.
		$redo = function ( array $hashes ) use ( $context, &$body ): array {
			$this->known->refresh( $hashes );
			return $this->decode( $body, $context );
		};
		$again = fn(): array => $this->import_article( $context, $index, $article_id, null, $heartbeat );
		return $this->group->add( $context, $index, $article_id, $results, $redo, $again );
	}

	/**
	 * The codec's import of one reply: new pictures written to the batch's directory, the
	 * known ones recognised by the worker's dedup index.
	 *
	 * @return list<\VerialImages\Native\ImageResult>
	 */
	private function decode( string $body, BatchContext $context ): array {
		return \VerialImages\Native\import_response( $body, $context->directory, $context->index, true, $this->settings->max_image_bytes() );
	}

	/**
	 * Gives up batches interrupted max_batch_attempts times (e.g. an article that kills PHP).
	 */
	private function give_up_exhausted( int $run_id ): void {
		foreach ( $this->queue->exhausted( $run_id, $this->settings->max_batch_attempts() ) as $batch ) {
			if ( ! $this->queue->give_up( (int) $batch['id'] ) ) {
				continue; // Another worker gave it up.
			}
			$message = sprintf( 'Batch %d given up after %d interrupted attempts: %s', (int) $batch['id'], (int) $batch['attempts'], (string) $batch['error'] );
			$this->record_unprocessed( $run_id, (int) $batch['id'], array_slice( $batch['articles'], (int) $batch['next_index'] ), $message );
		}
	}

	/**
	 * Lists articles that a failed batch never processed among the run's errors.
	 *
	 * @param list<int> $article_ids Articles not processed.
	 */
	private function record_unprocessed( int $run_id, int $batch_id, array $article_ids, string $reason ): void {
		$errors = array();
		foreach ( $article_ids as $article_id ) {
			$errors[] = array(
				'article_id' => $article_id,
				'position'   => null,
				'kind'       => 'batch_failed',
				'message'    => sprintf( 'Article %d not processed. %s', $article_id, $reason ),
			);
		}
		$this->errors->add( $run_id, $batch_id, $errors );
		$this->runs->add_counts(
			$run_id,
			array(
				'articles_done'   => count( $article_ids ),
				'articles_failed' => count( $article_ids ),
			),
			null
		);
	}

	/**
	 * Ends the run: "completed" only when nothing failed.
	 */
	private function finish( int $run_id ): void {
		$counts = $this->queue->counts( $run_id );
		$failed = $this->errors->count_for_run( $run_id ) > 0 || $counts[ BatchQueue::FAILED ] > 0;
		$this->runs->finish( $run_id, $failed ? RunStore::COMPLETED_WITH_ERRORS : RunStore::COMPLETED );
	}

	/**
	 * This month's uploads directory, created if needed (wp_upload_dir() checks only once per
	 * request, and a long-running process may outlive the directory).
	 *
	 * @throws \RuntimeException When it cannot be created.
	 */
	private function upload_directory(): string {
		$uploads = wp_upload_dir( null, false );
		if ( ! empty( $uploads['error'] ) || ! wp_mkdir_p( $uploads['path'] ) ) {
			throw new \RuntimeException( sprintf( 'Uploads directory %s unavailable: %s', $uploads['path'], $uploads['error'] ?: 'cannot create it' ) );
		}
		return untrailingslashit( $uploads['path'] );
	}
}
