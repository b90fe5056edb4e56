<?php
/**
 * Commits one article's images.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Api\VerialException;
use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Media\LegacyAttachments;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\ContentTable;
use VerialImageSync\Store\ErrorLog;
use VerialImageSync\Store\ImageTable;
use VerialImageSync\Store\LockConflictException;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Transaction;

/**
 * Turns the codec's per-image results for one article into attachments, image rows, errors and
 * the batch checkpoint, all in one transaction: after a crash an article is either fully
 * recorded or not at all, and redoing it creates nothing twice.
 */
final class ArticleImporter {

	public function __construct(
		private AttachmentWriter $writer,
		private ImageTable $images,
		private ErrorLog $errors,
		private BatchQueue $queue,
		private RunStore $runs,
		private UnusedAttachments $unused,
		private ContentTable $contents
	) {
	}

	/**
	 * Records the article's images.
	 *
	 * When another worker stored one of the article's new pictures first (its content claim was
	 * lost), the article is rolled back and redone once from $redo's results, which reuse that
	 * worker's attachment. A lost lock conflict with another worker is redone once the same way.
	 *
	 * @param BatchContext                                           $batch      Claimed batch and its lookups.
	 * @param int                                                    $index      Article's index in the batch.
	 * @param int                                                    $article_id Verial article id.
	 * @param list<\VerialImages\Native\ImageResult>                 $results    import_response() results.
	 * @param (callable(list<string>): list<\VerialImages\Native\ImageResult>)|null $redo Imports the same reply again once the given hashes are known.
	 * @return array<string, int> Counter increments.
	 * @throws \Throwable After rolling back and deleting the files written for the article.
	 */
	public function apply( BatchContext $batch, int $index, int $article_id, array $results, ?callable $redo = null ): array {
		try {
			$counts = $this->commit( $batch, $index, $article_id, $results );
		} catch ( ContentClaimedException $e ) {
			if ( null === $redo ) {
				throw $e;
			}
			$counts = $this->commit( $batch, $index, $article_id, $redo( array( $e->sha256 ) ) );
		} catch ( LockConflictException $e ) {
			// Another worker's transaction held the rows: nothing was kept, so try once more.
			if ( null === $redo ) {
				throw $e;
			}
			usleep( random_int( 10000, 100000 ) );
			$counts = $this->commit( $batch, $index, $article_id, $redo( array() ) );
		}
		$counts['images_deleted'] = $this->unused->delete_released( $batch, $article_id );
		return $counts;
	}

	/**
	 * One attempt of apply(): the article's transaction, then its pictures published to the
	 * worker's dedup index; or the rollback, with the files written for the article deleted.
	 *
	 * @param list<\VerialImages\Native\ImageResult> $results import_response() results.
	 * @return array<string, int> Counter increments.
	 * @throws \Throwable After the rollback.
	 */
	private function commit( BatchContext $batch, int $index, int $article_id, array $results ): array {
		try {
			$counts = Transaction::run(
				function () use ( $batch, $index, $article_id, $results ): array {
					$this->checkpoint( $batch, $index );
					$counts = $this->record( $batch, $article_id, $results );
					$this->runs->add_counts( $batch->run_id, $counts, $article_id );
					return $counts;
				}
			);
		} catch ( \Throwable $e ) {
			$batch->discard_staged();
			self::delete_files( $results );
			throw $e;
		}
		$batch->publish_staged();
		return $counts;
	}

	/**
	 * record() inside the caller's open transaction (ArticleGroup), without the run's counters
	 * and the batch checkpoint (the group writes both once, just before its commit).
	 *
	 * @param BatchContext                           $batch      Claimed batch and its lookups.
	 * @param int                                    $article_id Verial article id.
	 * @param list<\VerialImages\Native\ImageResult> $results    import_response() results.
	 * @return array<string, int> Counter increments.
	 * @throws \Throwable With the article's files deleted; the transaction is the caller's to roll back.
	 */
	public function record_in_transaction( BatchContext $batch, int $article_id, array $results ): array {
		try {
			return $this->record( $batch, $article_id, $results );
		} catch ( \Throwable $e ) {
			$batch->discard_staged();
			self::delete_files( $results );
			throw $e;
		}
	}

	/**
	 * Deletes the files the codec wrote for an article that is not recorded.
	 *
	 * @param list<\VerialImages\Native\ImageResult> $results import_response() results.
	 */
	public static function delete_files( array $results ): void {
		foreach ( $results as $result ) {
			if ( 'imported' === $result->status && null !== $result->info?->path ) {
				wp_delete_file( $result->info->path );
			}
		}
	}

	/**
	 * Records an article whose images could not be fetched.
	 *
	 * @param BatchContext    $batch      Claimed batch.
	 * @param int             $index      Article's index in the batch.
	 * @param int             $article_id Verial article id.
	 * @param VerialException $failure    The API failure, after retries.
	 * @return array<string, int> Counter increments.
	 */
	public function fail( BatchContext $batch, int $index, int $article_id, VerialException $failure ): array {
		return Transaction::run(
			function () use ( $batch, $index, $article_id, $failure ): array {
				$this->checkpoint( $batch, $index );
				$this->errors->add(
					$batch->run_id,
					$batch->batch_id,
					array(
						array(
							'article_id' => $article_id,
							'position'   => null,
							'kind'       => $failure->kind(),
							'message'    => sprintf( 'Article %d: %s', $article_id, $failure->getMessage() ),
						),
					)
				);
				$counts = array(
					'articles_done'   => 1,
					'articles_failed' => 1,
				);
				$this->runs->add_counts( $batch->run_id, $counts, $article_id );
				return $counts;
			}
		);
	}

	/**
	 * The transaction body of apply() and of an ArticleGroup's article (the batch checkpoint and
	 * the run's counters are the caller's: one UPDATE each per transaction).
	 *
	 * @param BatchContext                           $batch      Claimed batch and its lookups.
	 * @param int                                    $article_id Verial article id.
	 * @param list<\VerialImages\Native\ImageResult> $results    import_response() results.
	 * @return array<string, int>
	 */
	private function record( BatchContext $batch, int $article_id, array $results ): array {
		$counts  = array_fill_keys( array( 'images_seen', 'images_created', 'images_reused', 'images_adopted', 'images_failed', 'images_orphaned', 'bytes_written' ), 0 );
		$stored  = $this->store_new( $batch, $article_id, $results );
		$rows    = array();
		$errors  = array();
		$by_hash = array();
		$created = array();
		foreach ( $results as $result ) {
			if ( $result->article_id !== $article_id ) {
				// Verial answered for another article: never this article's picture, and never
				// stored under the other article's name by a reply that was not about it.
				if ( 'imported' === $result->status && null !== $result->info?->path ) {
					wp_delete_file( $result->info->path );
				}
				$errors[] = array(
					'article_id' => $article_id,
					'position'   => null,
					'kind'       => 'ForeignArticle',
					'message'    => sprintf( 'Article %d: the reply also holds an image of article %d (its position %d), which was ignored.', $article_id, $result->article_id, $result->position ),
				);
				continue;
			}
			++$counts['images_seen'];
			$position = $result->position;
			$is_new   = false;
			try {
				$attachment_id = $this->resolve( $batch, $article_id, $result, $by_hash, $stored, $counts, $is_new );
			} catch ( ImageFailure $failure ) {
				++$counts['images_failed'];
				$errors[] = array(
					'article_id' => $article_id,
					'position'   => $position,
					'kind'       => $failure->kind,
					'message'    => $failure->getMessage(),
				);
				continue;
			}
			if ( $is_new ) {
				$created[] = $attachment_id;
			}
			$info                     = $result->info;
			$by_hash[ $info->sha256 ] = $attachment_id;
			$rows[ $position ]        = array(
				'article_id'    => $article_id,
				'position'      => $position,
				'attachment_id' => $attachment_id,
				'sha256'        => $info->sha256,
				'legacy_md5'    => (string) $info->legacy_md5,
				'bytes'         => $info->bytes,
				'mime'          => $info->mime,
				'width'         => $info->width,
				'height'        => $info->height,
				'last_seen_run' => $batch->run_id,
			);
		}
		$image_count = $counts['images_seen'];
		$old_rows    = $batch->rows[ $article_id ] ?? array();
		$dropped     = $this->sync_article_meta( $article_id, $old_rows, $rows, $image_count, $created );
		$this->images->upsert( array_values( $rows ) );
		if ( $old_rows && max( array_keys( $old_rows ) ) >= $image_count ) {
			$this->images->delete_positions_from( $article_id, $image_count );
		}
		$this->errors->add( $batch->run_id, $batch->batch_id, $errors );
		$counts['images_orphaned'] = $this->unused->release( $batch->run_id, $batch->batch_id, $article_id, $dropped );

		$counts['articles_done']   = 1;
		$counts['articles_failed'] = $errors ? 1 : 0;
		return $counts;
	}

	/**
	 * Stores the article's new pictures before its results are walked: those the existing
	 * plugin already holds are adopted, the others get their attachments from one
	 * create_many() call, and all their content hashes are claimed with one statement (after
	 * the attachments exist, in the article's transaction: see ContentTable).
	 *
	 * @param BatchContext                           $batch      Batch lookups (stored pictures are staged in it).
	 * @param int                                    $article_id Verial article id.
	 * @param list<\VerialImages\Native\ImageResult> $results    import_response() results.
	 * @return array{created: array<int, int>, adopted: array<int, int>, failed: array<int, string>}
	 *         Position => attachment id created or adopted, or => why no attachment could be created.
	 * @throws ContentClaimedException When another worker stored one of the pictures first.
	 */
	private function store_new( BatchContext $batch, int $article_id, array $results ): array {
		$stored      = array(
			'created' => array(),
			'adopted' => array(),
			'failed'  => array(),
		);
		$new         = array();
		$claims      = array();
		$position_of = array();
		$duplicates  = array();
		foreach ( $results as $result ) {
			$info = $result->info;
			if ( $result->article_id !== $article_id || 'imported' !== $result->status || null === $info ) {
				continue;
			}
			$position_of[ $info->sha256 ] = $result->position;
			$legacy                       = LegacyAttachments::pick( $batch->legacy, (string) $info->legacy_md5, $article_id );
			if ( null !== $legacy && is_file( (string) get_attached_file( $legacy ) ) ) {
				$stored['adopted'][ $result->position ] = $legacy;
				$claims[ $info->sha256 ]                = $legacy;
				$duplicates[]                           = (string) $info->path;
				continue;
			}
			$new[ $result->position ] = $info;
		}
		try {
			$stored['created'] = $this->writer->create_many( $article_id, $new );
		} catch ( \RuntimeException $e ) {
			$stored['failed'] = array_fill_keys( array_keys( $new ), $e->getMessage() );
		}
		foreach ( $stored['created'] as $at => $attachment_id ) {
			$claims[ $new[ $at ]->sha256 ] = $attachment_id;
		}
		// New to this worker, but another worker may have stored it since this worker's index
		// was last topped up: the claim decides.
		$lost = $this->contents->claim_many( $claims );
		if ( null !== $lost ) {
			throw new ContentClaimedException( $lost, $article_id, $position_of[ $lost ] );
		}
		// The adopted pictures' new files are copies of the existing plugin's.
		foreach ( $duplicates as $file ) {
			wp_delete_file( $file );
		}
		foreach ( $claims as $sha256 => $attachment_id ) {
			$batch->stage( (string) $sha256, $attachment_id );
		}
		return $stored;
	}

	/**
	 * The attachment that holds one image: reused, adopted from the existing plugin, or created
	 * (the last two by store_new()).
	 *
	 * @param BatchContext                     $batch   Batch lookups.
	 * @param int                              $article_id Verial article id.
	 * @param \VerialImages\Native\ImageResult $result  Codec result.
	 * @param array<string, int>               $by_hash Attachments of this article's earlier images.
	 * @param array{created: array<int, int>, adopted: array<int, int>, failed: array<int, string>} $stored store_new()'s result.
	 * @param array<string, int>               $counts  Counters, updated.
	 * @param bool|null                        $is_new  Set to whether an attachment was created.
	 * @throws ImageFailure When the image is refused.
	 */
	private function resolve( BatchContext $batch, int $article_id, \VerialImages\Native\ImageResult $result, array $by_hash, array $stored, array &$counts, ?bool &$is_new ): int {
		$is_new = false;
		$info   = $result->info;
		if ( 'failed' === $result->status || null === $info ) {
			throw new ImageFailure( (string) ( $result->error_kind ?? 'UnknownError' ), (string) ( $result->error ?? sprintf( 'article %d position %d: refused', $article_id, $result->position ) ) );
		}
		switch ( $result->status ) {
			case 'known':
				++$counts['images_reused'];
				return (int) $result->attachment_id;

			case 'repeated':
				$attachment_id = $by_hash[ $info->sha256 ] ?? $batch->index->get( $info->sha256 );
				if ( null === $attachment_id ) {
					throw new ImageFailure( 'RepeatedWithoutOriginal', sprintf( 'article %d position %d: repeats an earlier image that was not stored', $article_id, $result->position ) );
				}
				++$counts['images_reused'];
				return $attachment_id;

			case 'imported':
				if ( isset( $stored['adopted'][ $result->position ] ) ) {
					++$counts['images_adopted'];
					return $stored['adopted'][ $result->position ];
				}
				if ( ! isset( $stored['created'][ $result->position ] ) ) {
					throw new ImageFailure( 'AttachmentError', $stored['failed'][ $result->position ] );
				}
				$is_new = true;
				++$counts['images_created'];
				$counts['bytes_written'] += $info->bytes;
				return $stored['created'][ $result->position ];

			default:
				throw new ImageFailure( 'UnexpectedStatus', sprintf( 'article %d position %d: unexpected codec status "%s"', $article_id, $result->position, $result->status ) );
		}
	}

	/**
	 * Keeps the existing plugin's meta right for reused pictures: every article that shows an
	 * attachment is one of its `_verial_article_id` values (so that plugin's phase 2 finds a shared
	 * picture under each article), an article that dropped it is removed, and `_verial_image_order`
	 * follows the attachment's first article. New attachments already carry their meta.
	 *
	 * Pictures the article no longer shows are returned, for UnusedAttachments: the new list
	 * replaces the stored one (reordered pictures just get their new positions), but a position
	 * that failed this time keeps its old picture, so a bad reply never unlinks one.
	 *
	 * @param int                                   $article_id  Verial article id.
	 * @param array<int, array<string, string>>     $old_rows    Stored rows, position => row.
	 * @param array<int, array<string, int|string>> $new_rows    Rows of the images stored now.
	 * @param int                                   $image_count Images Verial lists now.
	 * @param list<int>                             $created     Attachments created for this article.
	 * @return array<int, array<string, string>> Dropped attachment id => its first old row.
	 */
	private function sync_article_meta( int $article_id, array $old_rows, array $new_rows, int $image_count, array $created ): array {
		$before = array();
		foreach ( $old_rows as $row ) {
			$before[ (int) $row['attachment_id'] ] = true;
		}
		// Rows of positions that failed this time are kept (a bad reply never loses an image).
		$after = array();
		foreach ( $old_rows as $position => $row ) {
			if ( $position < $image_count && ! isset( $new_rows[ $position ] ) ) {
				$after[ (int) $row['attachment_id'] ] = $after[ (int) $row['attachment_id'] ] ?? $position;
			}
		}
		foreach ( $new_rows as $position => $row ) {
			$after[ (int) $row['attachment_id'] ] = min( $position, $after[ (int) $row['attachment_id'] ] ?? PHP_INT_MAX );
		}
		$dropped = array();
		foreach ( $old_rows as $row ) {
			if ( ! isset( $after[ (int) $row['attachment_id'] ] ) ) {
				$dropped[ (int) $row['attachment_id'] ] ??= $row;
			}
		}
		$check = array_diff( array_keys( $after + $before ), $created );
		if ( ! $check ) {
			return $dropped;
		}
		update_meta_cache( 'post', $check );
		foreach ( $check as $attachment_id ) {
			$articles = array_map( 'intval', (array) get_post_meta( $attachment_id, AttachmentWriter::META_ARTICLE ) );
			if ( ! isset( $after[ $attachment_id ] ) ) {
				delete_post_meta( $attachment_id, AttachmentWriter::META_ARTICLE, (string) $article_id );
				continue;
			}
			if ( ! in_array( $article_id, $articles, true ) ) {
				add_post_meta( $attachment_id, AttachmentWriter::META_ARTICLE, $article_id );
				$articles[] = $article_id;
			}
			$position = $after[ $attachment_id ];
			if ( $articles[0] === $article_id && (int) get_post_meta( $attachment_id, AttachmentWriter::META_ORDER, true ) !== $position ) {
				update_post_meta( $attachment_id, AttachmentWriter::META_ORDER, $position );
			}
		}
		return $dropped;
	}

	/**
	 * Moves the batch checkpoint past this article, inside the article's (or its group's)
	 * transaction.
	 *
	 * @throws LostClaimException When another worker owns the batch now.
	 */
	public function checkpoint( BatchContext $batch, int $index ): void {
		if ( ! $this->queue->checkpoint( $batch->batch_id, $batch->token, $index + 1 ) ) {
			throw new LostClaimException( sprintf( 'Batch %d was taken over by another worker.', $batch->batch_id ) );
		}
	}
}
