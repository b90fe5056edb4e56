<?php
/**
 * The plugin's image table: which attachment holds each (article, position).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * Source of truth for phase 1: one row per Verial (article, position) with the content hash and
 * the attachment that stores it. Many rows may share an attachment (the same picture under
 * several articles is stored once).
 *
 * Every read here is one query for a whole batch, never one per image.
 */
final class ImageTable {

	/**
	 * Columns written by upsert(), in order.
	 */
	private const COLUMNS = array( 'article_id', 'position', 'attachment_id', 'sha256', 'legacy_md5', 'bytes', 'mime', 'width', 'height', 'last_seen_run' );

	/**
	 * Content hash -> attachment id for every stored picture, in one query.
	 */
	public function dedup_index(): \VerialImages\Native\DedupIndex {
		global $wpdb;
		$table = Tables::images();
		$index = new \VerialImages\Native\DedupIndex();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = $wpdb->get_results( "SELECT sha256, MIN(attachment_id) FROM {$table} GROUP BY sha256", ARRAY_N );
		Transaction::check( is_array( $rows ), 'loading the dedup index' );
		if ( $rows ) {
			$index->load( $rows );
		}
		return $index;
	}

	/**
	 * Stored rows of the given articles, in one query.
	 *
	 * @param list<int> $article_ids Verial article ids.
	 * @return array<int, array<int, array<string, string>>> article_id => position => row.
	 */
	public function rows_for_articles( array $article_ids ): array {
		global $wpdb;
		if ( ! $article_ids ) {
			return array();
		}
		$table = Tables::images();
		$ids   = implode( ',', array_map( 'intval', $article_ids ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and table name.
		$rows = $wpdb->get_results( "SELECT * FROM {$table} WHERE article_id IN ({$ids})", ARRAY_A );
		Transaction::check( is_array( $rows ), 'reading image rows' );
		$by_article = array_fill_keys( array_map( 'intval', $article_ids ), array() );
		foreach ( $rows as $row ) {
			$by_article[ (int) $row['article_id'] ][ (int) $row['position'] ] = $row;
		}
		return $by_article;
	}

	/**
	 * Which of the attachments some row (of any article) still refers to, in one query.
	 *
	 * @param list<int> $attachment_ids Attachment ids.
	 * @return list<int>
	 */
	public function referenced( array $attachment_ids ): array {
		global $wpdb;
		if ( ! $attachment_ids ) {
			return array();
		}
		$table = Tables::images();
		$ids   = implode( ',', array_map( 'intval', $attachment_ids ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and table name.
		$found = $wpdb->get_col( "SELECT DISTINCT attachment_id FROM {$table} WHERE attachment_id IN ({$ids})" );
		Transaction::check( is_array( $found ), 'reading which pictures are still used' );
		return array_map( 'intval', $found );
	}

	/**
	 * Every given article's attachments in image order, from one query: phase 2's read path.
	 * The native index orders each article by position and drops a picture repeated within the
	 * article, so the first id is the main image and the rest the gallery.
	 *
	 * @param list<int> $article_ids Verial article ids.
	 */
	public function index_for_articles( array $article_ids ): \VerialImages\Native\ArticleIndex {
		global $wpdb;
		$rows = array();
		if ( $article_ids ) {
			$table = Tables::images();
			$ids   = implode( ',', array_map( 'intval', $article_ids ) );
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and table name.
			$rows = $wpdb->get_results( "SELECT article_id, position, attachment_id FROM {$table} WHERE article_id IN ({$ids})", ARRAY_N );
			Transaction::check( is_array( $rows ), 'reading the article index' );
		}
		return \VerialImages\Native\ArticleIndex::fromRows( $rows );
	}

	/**
	 * Deletes rows whose attachment no longer exists (e.g. posts deleted by SQL or a partial
	 * database restore, which bypass the delete_attachment hook).
	 *
	 * @return int Rows deleted.
	 */
	public function delete_orphans(): int {
		global $wpdb;
		$table = Tables::images();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		$deleted = $wpdb->query( "DELETE i FROM {$table} i LEFT JOIN {$wpdb->posts} p ON p.ID = i.attachment_id AND p.post_type = 'attachment' WHERE p.ID IS NULL" );
		Transaction::check( $deleted, 'deleting orphan image rows' );
		return (int) $deleted;
	}

	/**
	 * Inserts or updates rows by (article_id, position) in one statement.
	 *
	 * @param list<array<string, int|string>> $rows Rows keyed like COLUMNS.
	 */
	public function upsert( array $rows ): void {
		global $wpdb;
		if ( ! $rows ) {
			return;
		}
		$now    = current_time( 'mysql', true );
		$values = array();
		foreach ( $rows as $row ) {
			$values[] = $wpdb->prepare(
				'(%d, %d, %d, %s, %s, %d, %s, %d, %d, %d, %s, %s)',
				$row['article_id'],
				$row['position'],
				$row['attachment_id'],
				$row['sha256'],
				$row['legacy_md5'],
				$row['bytes'],
				$row['mime'],
				$row['width'],
				$row['height'],
				$row['last_seen_run'],
				$now,
				$now
			);
		}
		$table   = Tables::images();
		$columns = implode( ', ', self::COLUMNS );
		// updated_at moves only when the content or attachment changed; MariaDB applies the
		// assignments left to right, so it must be compared before those columns are overwritten.
		$update = array( 'updated_at = IF(attachment_id <> VALUES(attachment_id) OR sha256 <> VALUES(sha256), VALUES(updated_at), updated_at)' );
		foreach ( array_slice( self::COLUMNS, 2 ) as $column ) {
			$update[] = "{$column} = VALUES({$column})";
		}
		$sql = "INSERT INTO {$table} ({$columns}, created_at, updated_at) VALUES " . implode( ', ', $values )
			. ' ON DUPLICATE KEY UPDATE ' . implode( ', ', $update );
		// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- values prepared above.
		Transaction::check( $wpdb->query( $sql ), 'saving image rows' );
	}

	/**
	 * Deletes the rows of an article's positions that Verial no longer lists.
	 *
	 * @param int $article_id Verial article id.
	 * @param int $count      Number of images the article has now.
	 */
	public function delete_positions_from( int $article_id, int $count ): void {
		global $wpdb;
		$table = Tables::images();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		Transaction::check( $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE article_id = %d AND position >= %d", $article_id, $count ) ), 'deleting image rows' );
	}

	/**
	 * Forgets an attachment deleted from the media library, so its content is imported again.
	 *
	 * @param int $attachment_id Attachment post id.
	 */
	public function delete_attachment( int $attachment_id ): void {
		global $wpdb;
		$wpdb->delete( Tables::images(), array( 'attachment_id' => $attachment_id ), array( '%d' ) );
	}
}
