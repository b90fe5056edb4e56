<?php
/**
 * The `_wp_attachment_metadata` of many attachments, written together.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

use VerialImageSync\Store\Transaction;

/**
 * Writes what wp_update_attachment_metadata() writes for each attachment of a chunk, with one
 * UPDATE for the whole chunk instead of about three queries per attachment (get_post(), the
 * meta id SELECT and the UPDATE of update_metadata()). The deferred thumbnail job made its
 * sizes in a fraction of a millisecond per picture; those queries had become most of its time.
 *
 * Per attachment, in WordPress's order: the `wp_update_attachment_metadata` filter (offload and
 * CDN plugins copy the new sizes there), wp_unslash() + sanitize_meta(), the
 * `update_post_metadata` short-circuit, the "unchanged value" check against the cached row,
 * `update_post_meta` / `update_postmeta` before the write and `updated_post_meta` /
 * `updated_postmeta` after it, with the real meta ids (read in one query: the UPDATE goes by
 * them), and the meta cache dropped. tests/wp/ThumbnailQueueTest.php proves the rows equal
 * those wp_update_attachment_metadata() writes.
 *
 * What the one UPDATE cannot do is left to WordPress, attachment by attachment: metadata that the
 * filter empties (WordPress deletes the row then), and attachments with no metadata row or with
 * several (add_metadata() or an update of every row).
 */
final class AttachmentMetadataBatch {

	private const KEY = '_wp_attachment_metadata';

	/**
	 * Writes each attachment's metadata. Expects the chunk's meta cache to be primed
	 * (update_meta_cache()), as ThumbnailQueue does: the "unchanged" check and the count of rows
	 * are read from it.
	 *
	 * @param array<int, array<string, mixed>> $metadata Attachment id => its new metadata.
	 * @throws \RuntimeException When the UPDATE fails (nothing of it is applied then).
	 */
	public function write( array $metadata ): void {
		global $wpdb;
		$batched = array();
		foreach ( $metadata as $attachment_id => $data ) {
			/** This filter is documented in wp-includes/post.php */
			$data = apply_filters( 'wp_update_attachment_metadata', $data, $attachment_id );
			$rows = get_metadata_raw( 'post', $attachment_id, self::KEY );
			if ( ! $data ) {
				delete_post_meta( $attachment_id, self::KEY ); // What wp_update_attachment_metadata() does with empty metadata.
				continue;
			}
			if ( ! is_array( $rows ) || 1 !== count( $rows ) ) {
				update_post_meta( $attachment_id, self::KEY, $data );
				continue;
			}
			$value = sanitize_meta( self::KEY, wp_unslash( $data ), 'post', 'attachment' );
			/** This filter is documented in wp-includes/meta.php */
			if ( null !== apply_filters( 'update_post_metadata', null, $attachment_id, self::KEY, $value, '' ) || $rows[0] === $value ) {
				continue;
			}
			$batched[ $attachment_id ] = $value;
		}
		if ( ! $batched ) {
			return;
		}
		$meta_ids = $this->meta_ids( array_keys( $batched ) );
		$batched  = array_intersect_key( $batched, $meta_ids ); // A row deleted meanwhile stays deleted.
		if ( ! $batched ) {
			return;
		}
		foreach ( $batched as $attachment_id => $value ) {
			$this->fire( 'update', $meta_ids[ $attachment_id ], $attachment_id, $value );
		}
		$cases = array();
		foreach ( $batched as $attachment_id => $value ) {
			$cases[] = $wpdb->prepare( 'WHEN %d THEN %s', $meta_ids[ $attachment_id ], maybe_serialize( $value ) );
		}
		$ids = implode( ', ', array_map( 'intval', array_intersect_key( $meta_ids, $batched ) ) );
		// By primary key: only these rows are locked. By meta_key and post_id, InnoDB locked the
		// index range too, and the UPDATE deadlocked with an import inserting metadata rows in
		// its open transaction (Sync\ArticleGroup); a conflict left is retried.
		Transaction::retrying(
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- table name, prepared cases, integers.
			fn() => $wpdb->query( "UPDATE {$wpdb->postmeta} SET meta_value = CASE meta_id " . implode( ' ', $cases ) . " END WHERE meta_id IN ($ids)" ),
			'writing the attachment metadata'
		);
		foreach ( $batched as $attachment_id => $value ) {
			wp_cache_delete( $attachment_id, 'post_meta' );
			$this->fire( 'updated', $meta_ids[ $attachment_id ], $attachment_id, $value );
		}
	}

	/**
	 * @param list<int> $attachment_ids Attachments with exactly one metadata row.
	 * @return array<int, string> Attachment id => meta id (a string, as update_metadata() passes it).
	 */
	private function meta_ids( array $attachment_ids ): array {
		global $wpdb;
		$ids = array();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and integers.
		foreach ( $wpdb->get_results( $wpdb->prepare( "SELECT post_id, meta_id FROM {$wpdb->postmeta} WHERE meta_key = %s AND post_id IN (" . implode( ', ', array_map( 'intval', $attachment_ids ) ) . ')', self::KEY ), ARRAY_N ) as $row ) {
			$ids[ (int) $row[0] ] = (string) $row[1];
		}
		return $ids;
	}

	/**
	 * Fires update_metadata()'s actions for one row: the generic one with the value, then the
	 * posts-only one with the serialized value, as WordPress does.
	 *
	 * @param string      $tense         "update" (before the write) or "updated" (after it).
	 * @param string      $meta_id       The row's meta id.
	 * @param int         $attachment_id Attachment id.
	 * @param mixed       $value         The metadata.
	 */
	private function fire( string $tense, string $meta_id, int $attachment_id, mixed $value ): void {
		do_action( "{$tense}_post_meta", $meta_id, $attachment_id, self::KEY, $value );
		do_action( "{$tense}_postmeta", $meta_id, $attachment_id, self::KEY, maybe_serialize( $value ) );
	}
}
