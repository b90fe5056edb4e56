<?php
/**
 * Reads products' pictures and this plugin's notes on them, a batch at a time.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Store\Transaction;

/**
 * Every read is one query for a whole batch of products, straight from postmeta, where
 * WooCommerce keeps a product's main image (`_thumbnail_id`) and gallery
 * (`_product_image_gallery`) whether or not it is active.
 */
final class ProductImages {

	public const THUMBNAIL_META = '_thumbnail_id';
	public const GALLERY_META   = '_product_image_gallery';

	/**
	 * What this plugin assigned last ("main,gallery..."): a later difference comes from
	 * someone else, and the rollback restores only products that still show it.
	 */
	public const ASSIGNED_META = '_verial_image_sync_assigned';

	/**
	 * What the product showed before this plugin first assigned it (possibly ""): what
	 * `wp verial-images assign --restore` puts back.
	 */
	public const PREVIOUS_META = '_verial_image_sync_previous';

	/**
	 * The state of each product, in one query.
	 *
	 * @param list<int> $product_ids Product post ids.
	 * @return array<int, ProductImageState> Every requested id is a key.
	 */
	public function for_products( array $product_ids ): array {
		global $wpdb;
		$values = array_fill_keys( array_map( 'intval', $product_ids ), array() );
		if ( $values ) {
			$ids  = implode( ',', array_keys( $values ) );
			$keys = array( self::THUMBNAIL_META, self::GALLERY_META, self::ASSIGNED_META, self::PREVIOUS_META );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and placeholders.
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT post_id, meta_key, meta_value FROM {$wpdb->postmeta} WHERE post_id IN ({$ids}) AND meta_key IN (%s, %s, %s, %s) ORDER BY meta_id", ...$keys ), ARRAY_N );
			Transaction::check( is_array( $rows ), 'reading product images' );
			foreach ( $rows as $row ) {
				$values[ (int) $row[0] ][ $row[1] ] ??= (string) $row[2];
			}
		}
		$states = array();
		foreach ( $values as $product_id => $meta ) {
			$states[ $product_id ] = new ProductImageState(
				ImageSet::from_meta( $meta[ self::THUMBNAIL_META ] ?? '', $meta[ self::GALLERY_META ] ?? '' ),
				isset( $meta[ self::ASSIGNED_META ] ) ? ImageSet::parse( $meta[ self::ASSIGNED_META ] ) : null,
				isset( $meta[ self::PREVIOUS_META ] ) ? ImageSet::parse( $meta[ self::PREVIOUS_META ] ) : null
			);
		}
		return $states;
	}

	/**
	 * The Verial articles each attachment carries in `_verial_article_id`, in one query.
	 *
	 * @param list<int> $attachment_ids Attachment ids.
	 * @return array<int, list<int>> Attachment id => article ids (absent: not a Verial picture).
	 */
	public function verial_articles_of( array $attachment_ids ): array {
		global $wpdb;
		if ( ! $attachment_ids ) {
			return array();
		}
		$ids = implode( ',', array_map( 'intval', $attachment_ids ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT post_id, meta_value FROM {$wpdb->postmeta} WHERE meta_key = %s AND post_id IN ({$ids})", AttachmentWriter::META_ARTICLE ), ARRAY_N );
		Transaction::check( is_array( $rows ), 'reading the articles of pictures' );
		$articles = array();
		foreach ( $rows as $row ) {
			$articles[ (int) $row[0] ][] = (int) $row[1];
		}
		return $articles;
	}

	/**
	 * Products that carry this plugin's assignment note, by id, after $after.
	 *
	 * @param int $after Product id cursor.
	 * @param int $limit At most this many.
	 * @return list<int>
	 */
	public function assigned_after( int $after, int $limit ): array {
		global $wpdb;
		$ids = $wpdb->get_col( $wpdb->prepare( "SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = %s AND post_id > %d ORDER BY post_id LIMIT %d", self::ASSIGNED_META, $after, $limit ) );
		return array_map( 'intval', $ids );
	}
}
