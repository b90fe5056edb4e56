<?php
/**
 * Verial article -> its attachments in image order.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Codec;
use VerialImageSync\Store\ImageTable;

/**
 * The one read path of phase 2 and of the public functions in functions.php: one query on the
 * image table plus one native ArticleIndex for a whole batch of articles, then a filter so other
 * code can override the result.
 */
final class ImageSource {

	public const FILTER = 'verial_image_sync_images_for_articles';

	public function __construct( private ImageTable $images ) {
	}

	/**
	 * @param array<int|string> $article_ids Verial article ids.
	 * @return array<int, list<int>> Every valid requested id => attachment ids, main image first
	 *                               ([] when the article has no stored image).
	 */
	public function for_articles( array $article_ids ): array {
		$ids    = array_values( array_unique( array_filter( array_map( 'intval', $article_ids ), static fn( int $id ): bool => $id > 0 ) ) );
		$images = array_fill_keys( $ids, array() );
		if ( $ids && Codec::is_available() ) {
			$images = $this->images->index_for_articles( $ids )->getMany( $ids );
		}
		/**
		 * Filters the attachments of Verial articles, as phase 2 assigns them and as
		 * verial_image_sync_images_for_articles() returns them.
		 *
		 * @param array<int, list<int>> $images      Article id => attachment ids, main image first.
		 * @param list<int>             $article_ids The requested article ids.
		 */
		$filtered = apply_filters( self::FILTER, $images, $ids );
		return is_array( $filtered ) ? $filtered : $images;
	}
}
