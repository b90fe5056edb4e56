<?php
/**
 * Decides what phase 2 does with one product.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

/**
 * The shop's own pictures are never lost or overwritten silently. Verial is the source of truth
 * for the pictures it provides, so a product is updated when what it shows came from Verial or
 * from nobody:
 *
 * - nothing (no main image, no gallery);
 * - exactly what this plugin assigned last (Verial changed since: new order, new pictures);
 * - only pictures of its own article (they carry its `_verial_article_id`): what the existing
 *   sync plugin's phase 2 assigns, in its own order. A hand-made choice among the article's
 *   own pictures is therefore put back in Verial's order too.
 *
 * Anything else (a picture from outside Verial or from another article) was set by hand: the
 * product is reported and left alone, unless the caller forces it. Pictures are never removed:
 * an article without images leaves its products as they are.
 */
final class AssignmentPolicy {

	public const UPDATE         = 'update';          // Write the pictures.
	public const RECORD         = 'record';          // Pictures already right: only note them as ours.
	public const UNCHANGED      = 'unchanged';       // Nothing to write.
	public const SKIPPED_MANUAL = 'skipped_manual';  // Set by hand: reported, not overwritten.
	public const NO_IMAGES      = 'without_images';  // The article has no stored images.

	/**
	 * @param ProductImageState       $state      The product now.
	 * @param ImageSet                $desired    Its article's pictures.
	 * @param int                     $article_id Its article.
	 * @param array<int, list<int>>   $origins    Attachment id => Verial articles it belongs to.
	 * @param bool                    $force      Overwrite pictures set by hand too.
	 * @return string One of the class constants.
	 */
	public static function decide( ProductImageState $state, ImageSet $desired, int $article_id, array $origins, bool $force ): string {
		if ( $desired->is_empty() ) {
			return self::NO_IMAGES;
		}
		if ( $state->current->equals( $desired ) ) {
			return null !== $state->assigned && $state->assigned->equals( $desired ) ? self::UNCHANGED : self::RECORD;
		}
		if ( $force || $state->current->is_empty() || $state->shows_our_assignment() || self::only_pictures_of( $state->current, $article_id, $origins ) ) {
			return self::UPDATE;
		}
		return self::SKIPPED_MANUAL;
	}

	/**
	 * Whether deciding needs to know which articles the product's current pictures belong to
	 * (so the caller loads that, for the whole batch at once, only when some product needs it).
	 *
	 * @param ProductImageState $state The product now.
	 */
	public static function needs_origins( ProductImageState $state ): bool {
		return ! $state->current->is_empty() && ! $state->shows_our_assignment();
	}

	/**
	 * @param array<int, list<int>> $origins Attachment id => Verial articles.
	 */
	private static function only_pictures_of( ImageSet $images, int $article_id, array $origins ): bool {
		foreach ( $images->ids() as $attachment_id ) {
			if ( ! in_array( $article_id, $origins[ $attachment_id ] ?? array(), true ) ) {
				return false;
			}
		}
		return true;
	}
}
