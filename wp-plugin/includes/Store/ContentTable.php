<?php
/**
 * The claim on each stored picture's content hash.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * One row per picture this plugin stored (sha256 => attachment), with the hash as primary key.
 *
 * Several workers import at once, and two of them can meet the same new picture in different
 * articles (Verial's shared pool pictures). Each worker's in-memory dedup index may lag behind
 * the others, so the decision "this picture is new, create an attachment" is made atomic here:
 * the row is inserted in the article's transaction before the attachment is created. MariaDB
 * holds the second inserter on the first one's row lock until that transaction ends, then
 * reports the duplicate; the loser rolls its article back and redoes it reusing the winner's
 * attachment.
 *
 * A row whose attachment was deleted since (from the media library, or by SQL) is taken over,
 * so such a picture is imported again instead of being "reused" from a post that is gone.
 */
final class ContentTable {

	/**
	 * Rows created this many seconds before the previous read are read again by since(): a row
	 * becomes visible only when its transaction commits, which may be after a read that started
	 * later than the row's created_at.
	 */
	public const VISIBILITY_MARGIN = 60;

	/**
	 * Claims the content for the current transaction.
	 *
	 * @param string $sha256 Content hash.
	 * @return bool False when another worker stored this content (or is storing it and the
	 *              wait ended in a deadlock or timeout): the article must be redone.
	 * @throws \RuntimeException On any other database error.
	 */
	public function claim( string $sha256 ): bool {
		global $wpdb;
		$table    = Tables::contents();
		$suppress = $wpdb->suppress_errors( true );
		try {
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$inserted = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$table} (sha256, attachment_id, created_at) VALUES (%s, 0, UTC_TIMESTAMP())", $sha256 ) );
			if ( 1 === $inserted ) {
				return true;
			}
			if ( false === $inserted ) {
				return $this->lost_to_a_concurrent_writer( 'claiming a picture' );
			}
			// The row exists and is committed: locked reads see its current state, not this
			// transaction's snapshot, so a winner's fresh attachment is never missed.
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
			$owner = $wpdb->get_var( $wpdb->prepare( "SELECT p.ID FROM {$table} c LEFT JOIN {$wpdb->posts} p ON p.ID = c.attachment_id AND p.post_type = 'attachment' WHERE c.sha256 = %s FOR UPDATE", $sha256 ) );
			if ( '' !== $wpdb->last_error ) {
				return $this->lost_to_a_concurrent_writer( 'checking a claimed picture' );
			}
			if ( null !== $owner ) {
				return false;
			}
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$taken = $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET attachment_id = 0, created_at = UTC_TIMESTAMP() WHERE sha256 = %s", $sha256 ) );
			return false === $taken ? $this->lost_to_a_concurrent_writer( 'taking over a picture whose attachment is gone' ) : true;
		} finally {
			$wpdb->suppress_errors( $suppress );
		}
	}

	/**
	 * Records the attachment that stores the claimed content (same transaction as claim()).
	 */
	public function set_attachment( string $sha256, int $attachment_id ): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		Transaction::check( $wpdb->query( $wpdb->prepare( 'UPDATE ' . Tables::contents() . ' SET attachment_id = %d WHERE sha256 = %s', $attachment_id, $sha256 ) ), 'recording a picture' );
	}

	/**
	 * Gives a claim up when the attachment could not be created (the rest of the article is
	 * still committed).
	 */
	public function release( string $sha256 ): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		Transaction::check( $wpdb->query( $wpdb->prepare( 'DELETE FROM ' . Tables::contents() . ' WHERE sha256 = %s AND attachment_id = 0', $sha256 ) ), 'releasing a picture' );
	}

	/**
	 * Stored contents whose attachment exists, for the given hashes, in one query.
	 *
	 * @param list<string> $hashes Content hashes.
	 * @return list<array{0: string, 1: int}> [sha256, attachment id] rows for DedupIndex::load().
	 */
	public function stored( array $hashes ): array {
		global $wpdb;
		if ( ! $hashes ) {
			return array();
		}
		$table        = Tables::contents();
		$placeholders = implode( ', ', array_fill( 0, count( $hashes ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names and placeholders.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT c.sha256, c.attachment_id FROM {$table} c JOIN {$wpdb->posts} p ON p.ID = c.attachment_id AND p.post_type = 'attachment' WHERE c.sha256 IN ({$placeholders})", ...$hashes ), ARRAY_N );
		Transaction::check( is_array( $rows ), 'reading stored pictures' );
		return self::typed( $rows );
	}

	/**
	 * Contents stored since a moment (less VISIBILITY_MARGIN) whose attachment exists: what
	 * other workers added since this one last read, from the created_at index.
	 *
	 * @param string $since Database time (UTC, Y-m-d H:i:s) of the previous read.
	 * @return list<array{0: string, 1: int}>
	 */
	public function since( string $since ): array {
		global $wpdb;
		$table = Tables::contents();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT c.sha256, c.attachment_id FROM {$table} c JOIN {$wpdb->posts} p ON p.ID = c.attachment_id AND p.post_type = 'attachment' WHERE c.created_at >= %s - INTERVAL %d SECOND", $since, self::VISIBILITY_MARGIN ), ARRAY_N );
		Transaction::check( is_array( $rows ), 'reading new pictures' );
		return self::typed( $rows );
	}

	/**
	 * The database's clock (UTC), the one created_at is written with: web servers' clocks may
	 * differ from it and from each other.
	 */
	public function now(): string {
		global $wpdb;
		$now = $wpdb->get_var( 'SELECT UTC_TIMESTAMP()' );
		Transaction::check( is_string( $now ), 'reading the database clock' );
		return (string) $now;
	}

	/**
	 * Claims every picture stored before this table existed (upgrade), in one statement, so
	 * existing sites keep deduplicating against them.
	 */
	public static function fill_from_images(): void {
		global $wpdb;
		$contents = Tables::contents();
		$images   = Tables::images();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		$wpdb->query( "INSERT IGNORE INTO {$contents} (sha256, attachment_id, created_at) SELECT sha256, MIN(attachment_id), UTC_TIMESTAMP() FROM {$images} GROUP BY sha256" );
	}

	/**
	 * A failed statement that means "another worker holds or stored this content" (deadlock,
	 * lock wait timeout) gives false; anything else is an error.
	 *
	 * @throws \RuntimeException For other database errors.
	 */
	private function lost_to_a_concurrent_writer( string $what ): bool {
		global $wpdb;
		if ( preg_match( '/deadlock|lock wait timeout/i', $wpdb->last_error ) ) {
			return false;
		}
		throw new \RuntimeException( sprintf( 'Database error while %s: %s', $what, $wpdb->last_error ) );
	}

	/**
	 * @param list<array{0: string, 1: string}> $rows Rows as read.
	 * @return list<array{0: string, 1: int}>
	 */
	private static function typed( array $rows ): array {
		return array_map( static fn( array $row ): array => array( (string) $row[0], (int) $row[1] ), $rows );
	}
}
