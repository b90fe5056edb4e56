<?php
/**
 * What a worker loads once per batch.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * The claimed batch and the lookups loaded for it with one query each: the worker's dedup index
 * of every stored picture, the existing plugin's hashes for the batch's articles, and the
 * batch's current image rows.
 *
 * Pictures an article stores are staged, and enter the shared dedup index only once the
 * article's transaction committed: the index lives as long as the worker process, and an entry
 * for a rolled-back attachment would make later articles "reuse" a post that does not exist.
 */
final class BatchContext {

	/**
	 * sha256 => attachment id stored by the article in progress.
	 *
	 * @var array<string, int>
	 */
	private array $staged = array();

	/**
	 * @param int                                                              $run_id    Run id.
	 * @param int                                                              $batch_id  Batch id.
	 * @param string                                                           $token     Claim token.
	 * @param string                                                           $directory Absolute directory new files go to.
	 * @param \VerialImages\Native\DedupIndex                                  $index     sha256 => attachment id.
	 * @param array<string, list<array{attachment_id: int, article_id: int}>>  $legacy    Legacy md5 => attachments.
	 * @param array<int, array<int, array<string, string>>>                    $rows      article => position => stored row.
	 */
	public function __construct(
		public readonly int $run_id,
		public readonly int $batch_id,
		public readonly string $token,
		public readonly string $directory,
		public readonly \VerialImages\Native\DedupIndex $index,
		public readonly array $legacy,
		public readonly array $rows
	) {
	}

	/**
	 * Notes a picture stored by the article in progress.
	 */
	public function stage( string $sha256, int $attachment_id ): void {
		$this->staged[ $sha256 ] = $attachment_id;
	}

	/**
	 * The article committed (or, in an ArticleGroup, was recorded in the open transaction): its
	 * pictures are known from now on.
	 *
	 * @return array<string, int> What was published, sha256 => attachment id (for unpublish()).
	 */
	public function publish_staged(): array {
		$published = $this->staged;
		foreach ( $published as $sha256 => $attachment_id ) {
			$this->index->insert( (string) $sha256, $attachment_id );
		}
		$this->staged = array();
		return $published;
	}

	/**
	 * Takes pictures published by an ArticleGroup back out of the index: the group's transaction
	 * was rolled back, so their attachments do not exist.
	 *
	 * @param array<string, int> $published publish_staged() results.
	 */
	public function unpublish( array $published ): void {
		foreach ( $published as $sha256 => $attachment_id ) {
			if ( $this->index->get( (string) $sha256 ) === $attachment_id ) {
				$this->index->remove( (string) $sha256 );
			}
		}
	}

	/**
	 * The article was rolled back: its pictures were not stored.
	 */
	public function discard_staged(): void {
		$this->staged = array();
	}
}
