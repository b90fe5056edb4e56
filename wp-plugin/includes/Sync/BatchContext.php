<?php
/**
 * What a worker loads once per batch.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * The claimed batch and the lookups loaded for it with one query each: the dedup index of every
 * stored picture, the existing plugin's hashes for the batch's articles, and the batch's current
 * image rows.
 */
final class BatchContext {

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
}
