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
 * One slice = take the lock, list the articles if the run is new, recover batches of dead
 * workers, then claim and process batches until the time box is used up. Every driver (cron,
 * Action Scheduler, foreground) just calls run_slice() and reacts to its result.
 */
final class BatchWorker {

	public const BUSY     = 'busy';      // Another worker holds the lock.
	public const IDLE     = 'idle';      // No active run.
	public const MORE     = 'more';      // Stopped with work left: call again.
	public const FINISHED = 'finished';  // The run ended during this slice.

	public function __construct(
		private Settings $settings,
		private Lock $lock,
		private RunStore $runs,
		private BatchQueue $queue,
		private ErrorLog $errors,
		private ImageTable $images,
		private LegacyAttachments $legacy,
		private OrphanFiles $orphans,
		private VerialClient $client,
		private RunPlanner $planner,
		private ArticleImporter $importer,
		private ThumbnailQueue $thumbnails
	) {
	}

	/**
	 * Works on the active run until it ends or the slice's time is up.
	 *
	 * @return string One of the class constants.
	 */
	public function run_slice(): string {
		$time_box = new TimeBox( $this->settings->time_limit(), $this->settings->memory_ratio() );
		if ( ! $this->lock->acquire() ) {
			return self::BUSY;
		}
		$run_id = 0;
		try {
			$run = $this->runs->active();
			if ( null === $run ) {
				return self::IDLE;
			}
			$run_id = (int) $run['id'];
			$this->runs->mark_started( $run_id );
			if ( RunStore::LISTING === $run['status'] ) {
				try {
					$this->planner->plan( $run_id );
				} catch ( VerialException $e ) {
					$this->runs->finish( $run_id, RunStore::FAILED, 'Could not list the articles: ' . $e->getMessage() );
					return self::FINISHED;
				}
			}
			$this->queue->recover_abandoned( $run_id );
			$this->give_up_exhausted( $run_id );

			while ( ! $time_box->expired() ) {
				if ( RunStore::RUNNING !== $this->runs->status( $run_id ) ) {
					return self::FINISHED; // Cancelled meanwhile.
				}
				$batch = $this->queue->claim( $run_id );
				if ( null === $batch ) {
					break;
				}
				if ( ! $this->process( $batch, $time_box ) ) {
					return self::MORE;
				}
			}
			if ( $this->queue->has_open( $run_id ) ) {
				return self::MORE;
			}
			$this->finish( $run_id );
			return self::FINISHED;
		} finally {
			if ( $run_id > 0 ) {
				$this->runs->add_slice( $run_id, $time_box->elapsed(), memory_get_peak_usage( true ) );
			}
			$this->lock->release();
		}
	}

	/**
	 * Processes a claimed batch from its checkpoint.
	 *
	 * @param array<string, mixed> $batch    Claimed row (articles decoded).
	 * @param TimeBox              $time_box Slice budget.
	 * @return bool Whether the batch was completed (false: stopped early, it is back in the queue).
	 */
	private function process( array $batch, TimeBox $time_box ): bool {
		$run_id   = (int) $batch['run_id'];
		$batch_id = (int) $batch['id'];
		$token    = (string) $batch['claim_token'];
		$articles = $batch['articles'];
		$index    = (int) $batch['next_index'];
		$new      = false;
		try {
			$directory = (string) $batch['upload_dir'];
			if ( '' === $directory ) {
				$directory = $this->upload_directory();
				$this->queue->set_upload_dir( $batch_id, $token, $directory );
			}
			if ( $batch['needs_recovery'] ) {
				$this->orphans->sweep( $directory, $articles );
				$this->queue->recovered( $batch_id, $token );
			}
			$context = new BatchContext(
				$run_id,
				$batch_id,
				$token,
				$directory,
				$this->images->dedup_index(),
				$this->legacy->for_articles( $articles ),
				$this->images->rows_for_articles( $articles )
			);
			$max_bytes = $this->settings->max_image_bytes();
			for ( $count = count( $articles ); $index < $count; ++$index ) {
				if ( $index > (int) $batch['next_index'] && $time_box->expired() ) {
					$this->queue->release( $batch_id, $token );
					return false;
				}
				if ( ! $this->lock->renew() ) {
					throw new LostClaimException( 'The worker lock expired and was taken over.' );
				}
				if ( RunStore::RUNNING !== $this->runs->status( $run_id ) ) {
					return false; // Cancelled: cancel() already closed the batch.
				}
				$article_id = $articles[ $index ];
				try {
					$results = $this->client->import_images(
						$article_id,
						static fn( string $body ): array => \VerialImages\Native\import_response( $body, $directory, $context->index, true, $max_bytes )
					);
				} catch ( VerialException $e ) {
					$this->importer->fail( $context, $index, $article_id, $e );
					continue;
				}
				$counts = $this->importer->apply( $context, $index, $article_id, $results );
				$new    = $new || $counts['images_created'] > 0;
			}
			$this->queue->complete( $batch_id, $token );
			return true;
		} catch ( LostClaimException $e ) {
			return false;
		} catch ( \Throwable $e ) {
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
	 * Gives up batches interrupted max_batch_attempts times (e.g. an article that kills PHP).
	 */
	private function give_up_exhausted( int $run_id ): void {
		foreach ( $this->queue->exhausted( $run_id, $this->settings->max_batch_attempts() ) as $batch ) {
			$this->queue->give_up( (int) $batch['id'] );
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
