<?php
/**
 * Who uses a set of attachments outside the image table.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

/**
 * Postmeta reads for the decision whether an unused picture may be deleted, each one query for
 * the whole set.
 */
final class AttachmentUsage {

	/**
	 * Posts that show the attachments: as featured image (`_thumbnail_id`, which is also the
	 * WooCommerce main image) or in a WooCommerce gallery (`_product_image_gallery`, a comma
	 * separated id list). Any post type counts: deleting a picture a page still shows breaks it.
	 *
	 * @param list<int> $attachment_ids Attachment ids.
	 * @return array<int, list<int>> Attachment id => ids of the posts using it (only used ones).
	 */
	public function users( array $attachment_ids ): array {
		global $wpdb;
		$ids = array_values( array_unique( array_filter( array_map( 'intval', $attachment_ids ) ) ) );
		if ( ! $ids ) {
			return array();
		}
		$in      = "'" . implode( "','", $ids ) . "'";
		$pattern = '(^|,)(' . implode( '|', $ids ) . ')(,|$)';
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only, the pattern prepared.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT post_id, meta_key, meta_value FROM {$wpdb->postmeta} WHERE (meta_key = '_thumbnail_id' AND meta_value IN ({$in})) OR (meta_key = '_product_image_gallery' AND meta_value REGEXP %s)", $pattern ), ARRAY_A );
		if ( ! is_array( $rows ) || '' !== $wpdb->last_error ) {
			throw new \RuntimeException( 'Database error while checking which posts use pictures: ' . $wpdb->last_error );
		}
		$wanted = array_flip( $ids );
		$users  = array();
		foreach ( $rows as $row ) {
			foreach ( explode( ',', (string) $row['meta_value'] ) as $value ) {
				$id = (int) trim( $value );
				if ( isset( $wanted[ $id ] ) ) {
					$users[ $id ][] = (int) $row['post_id'];
				}
			}
		}
		return array_map( static fn( array $posts ): array => array_values( array_unique( $posts ) ), $users );
	}

	/**
	 * Which of the attachments this plugin created (AttachmentWriter::META_CREATED).
	 *
	 * @param list<int> $attachment_ids Attachment ids.
	 * @return list<int>
	 */
	public function created_by_plugin( array $attachment_ids ): array {
		global $wpdb;
		$ids = array_values( array_unique( array_filter( array_map( 'intval', $attachment_ids ) ) ) );
		if ( ! $ids ) {
			return array();
		}
		$in = implode( ',', $ids );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
		$found = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT post_id FROM {$wpdb->postmeta} WHERE meta_key = %s AND post_id IN ({$in})", AttachmentWriter::META_CREATED ) );
		if ( '' !== $wpdb->last_error ) {
			throw new \RuntimeException( 'Database error while reading which pictures this plugin created: ' . $wpdb->last_error );
		}
		return array_map( 'intval', $found );
	}
}
