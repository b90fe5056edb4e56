<?php
/**
 * A product's pictures: main image and gallery.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

/**
 * Immutable main image + gallery, comparable, with the compact text form stored in product
 * meta ("main,gallery1,gallery2"; "0,..." when there is a gallery but no main image).
 */
final class ImageSet {

	/**
	 * @param int       $main    Attachment id of the main image, 0 for none.
	 * @param list<int> $gallery Attachment ids of the gallery, in order.
	 */
	public function __construct( public readonly int $main, public readonly array $gallery ) {
	}

	/**
	 * From an article's ordered attachments: the first is the main image, the rest the gallery.
	 *
	 * @param list<int> $ids Attachment ids in image order.
	 */
	public static function from_ids( array $ids ): self {
		$ids = array_values( array_map( 'intval', $ids ) );
		return new self( $ids[0] ?? 0, array_slice( $ids, 1 ) );
	}

	/**
	 * From WooCommerce's post meta: `_thumbnail_id` and the comma-separated `_product_image_gallery`.
	 *
	 * @param string $thumbnail_id `_thumbnail_id` value.
	 * @param string $gallery      `_product_image_gallery` value.
	 */
	public static function from_meta( string $thumbnail_id, string $gallery ): self {
		return new self( max( 0, (int) $thumbnail_id ), self::id_list( $gallery ) );
	}

	/**
	 * From the text form written by to_string().
	 *
	 * @param string $text "main,gallery..." or ''.
	 */
	public static function parse( string $text ): self {
		$ids = array_map( 'intval', explode( ',', $text ) );
		return new self( max( 0, $ids[0] ), self::id_list( implode( ',', array_slice( $ids, 1 ) ) ) );
	}

	public function to_string(): string {
		if ( $this->is_empty() ) {
			return '';
		}
		return implode( ',', array_merge( array( $this->main ), $this->gallery ) );
	}

	/**
	 * Every attachment id shown, main image first.
	 *
	 * @return list<int>
	 */
	public function ids(): array {
		return $this->main > 0 ? array_merge( array( $this->main ), $this->gallery ) : $this->gallery;
	}

	public function is_empty(): bool {
		return 0 === $this->main && ! $this->gallery;
	}

	public function equals( self $other ): bool {
		return $this->main === $other->main && $this->gallery === $other->gallery;
	}

	/**
	 * @return list<int>
	 */
	private static function id_list( string $text ): array {
		return array_values( array_filter( array_map( 'intval', explode( ',', $text ) ), static fn( int $id ): bool => $id > 0 ) );
	}
}
