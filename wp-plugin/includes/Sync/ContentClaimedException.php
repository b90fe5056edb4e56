<?php
/**
 * Another worker stored a picture first.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * Thrown inside an article's transaction when the claim on a new picture's content hash is lost
 * to another worker: the article is rolled back and redone reusing that worker's attachment.
 */
final class ContentClaimedException extends \RuntimeException {

	/**
	 * @param string $sha256 The picture's content hash.
	 * @param int    $article_id Verial article id.
	 * @param int    $position   Image position in the article.
	 */
	public function __construct( public readonly string $sha256, int $article_id, int $position ) {
		parent::__construct( sprintf( 'article %d position %d: picture %s was stored by another worker meanwhile', $article_id, $position, $sha256 ) );
	}
}
