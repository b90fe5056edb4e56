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
 * the row is inserted with its attachment in the article's transaction, once the attachment's
 * rows exist (all new pictures of an article in one statement). MariaDB holds the second
 * inserter on the first one's row lock until that transaction ends, then reports the
 * duplicate; the loser rolls its article back (its attachments with it) and redoes it reusing
 * the winner's attachment.
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
	 * Claims the contents for the current transaction, with the attachments that store them
	 * (created or adopted in the same transaction), in one statement for all of an article's
	 * new pictures.
	 *
	 * @param array<string, int> $attachments Content hash => attachment id.
	 * @return string|null Null when every content is claimed; else a hash another worker stored
	 *                     (or is storing, and the wait ended in a deadlock or timeout: then any
	 *                     of them), and the article must be redone.
	 * @throws \RuntimeException On any other database error.
	 */
	public function claim_many( array $attachments ): ?string {
		global $wpdb;
		if ( ! $attachments ) {
			return null;
		}
		// The same lock order in every worker: two of them claiming the same pictures wait for
		// each other instead of deadlocking.
		ksort( $attachments, SORT_STRING );
		$table  = Tables::contents();
		$tuples = array();
		foreach ( $attachments as $sha256 => $attachment_id ) {
			$tuples[] = $wpdb->prepare( '(%s, %d, UTC_TIMESTAMP())', (string) $sha256, $attachment_id );
		}
		$suppress = $wpdb->suppress_errors( true );
		try {
			// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- table name and tuples prepared above.
			$inserted = $wpdb->query( "INSERT IGNORE INTO {$table} (sha256, attachment_id, created_at) VALUES " . implode( ', ', $tuples ) );
			if ( count( $tuples ) === $inserted ) {
				return null;
			}
			if ( false === $inserted ) {
				return $this->lost_to_a_concurrent_writer( 'claiming pictures', (string) array_key_first( $attachments ) );
			}
			return $this->take_over( $attachments );
		} finally {
			$wpdb->suppress_errors( $suppress );
		}
	}

	/**
	 * After claim_many() found some contents claimed already (committed rows: locked reads see
	 * their current state, not this transaction's snapshot, so a winner's fresh attachment is
	 * never missed): one whose attachment exists is lost; one whose attachment was deleted
	 * since is taken over.
	 *
	 * @param array<string, int> $attachments Content hash => attachment id, all of the claim.
	 * @return string|null A lost hash, or null when all are ours now.
	 */
	private function take_over( array $attachments ): ?string {
		global $wpdb;
		$table        = Tables::contents();
		$hashes       = array_map( 'strval', array_keys( $attachments ) );
		$placeholders = implode( ', ', array_fill( 0, count( $hashes ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names and placeholders.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT c.sha256, c.attachment_id, p.ID FROM {$table} c LEFT JOIN {$wpdb->posts} p ON p.ID = c.attachment_id AND p.post_type = 'attachment' WHERE c.sha256 IN ({$placeholders}) FOR UPDATE", ...$hashes ), ARRAY_N );
		if ( '' !== $wpdb->last_error || ! is_array( $rows ) ) {
			return $this->lost_to_a_concurrent_writer( 'checking claimed pictures', $hashes[0] );
		}
		foreach ( $rows as list( $sha256, $attachment_id, $owner ) ) {
			if ( (int) $attachment_id === $attachments[ $sha256 ] ) {
				continue; // Inserted by this claim.
			}
			if ( null !== $owner ) {
				return (string) $sha256;
			}
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
			$taken = $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET attachment_id = %d, created_at = UTC_TIMESTAMP() WHERE sha256 = %s", $attachments[ $sha256 ], $sha256 ) );
			if ( false === $taken ) {
				return $this->lost_to_a_concurrent_writer( 'taking over a picture whose attachment is gone', (string) $sha256 );
			}
		}
		return null;
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
	 * lock wait timeout) gives the hash to report as lost; anything else is an error.
	 *
	 * @param string $what   What failed, for the error.
	 * @param string $sha256 The content to report as lost.
	 * @throws \RuntimeException For other database errors.
	 */
	private function lost_to_a_concurrent_writer( string $what, string $sha256 ): string {
		global $wpdb;
		if ( preg_match( '/deadlock|lock wait timeout/i', $wpdb->last_error ) ) {
			return $sha256;
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
