<?php
/**
 * Per-run errors, by article and image position.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * What failed in a run, so a "completed with errors" run can list every failed article and image.
 * `position` is NULL when the whole article failed (API error after the retries).
 *
 * The same table holds the run's report of orphaned pictures (kind ORPHANED): pictures an
 * article dropped that were kept in the media library. They are not failures, so the error reads
 * (for_run, count_for_run, failed_articles) leave them out and orphans_for_run() lists them.
 */
final class ErrorLog {

	public const ORPHANED = 'orphaned';

	/**
	 * Stores errors in one statement.
	 *
	 * @param int                                                                 $run_id   Run id.
	 * @param int                                                                 $batch_id Batch id (0 when none).
	 * @param list<array{article_id: int, position: ?int, kind: string, message: string}> $errors Errors.
	 */
	public function add( int $run_id, int $batch_id, array $errors ): void {
		global $wpdb;
		if ( ! $errors ) {
			return;
		}
		$now    = current_time( 'mysql', true );
		$values = array();
		foreach ( $errors as $error ) {
			$values[] = $wpdb->prepare(
				'(%d, %d, %d, ' . ( null === $error['position'] ? 'NULL' : (int) $error['position'] ) . ', %s, %s, %s)',
				$run_id,
				$batch_id,
				$error['article_id'],
				substr( $error['kind'], 0, 64 ),
				$error['message'],
				$now
			);
		}
		$table = Tables::errors();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- values prepared above.
		Transaction::check( $wpdb->query( "INSERT INTO {$table} (run_id, batch_id, article_id, position, kind, message, created_at) VALUES " . implode( ', ', $values ) ), 'recording errors' );
	}

	/**
	 * The run's errors ordered by article and position.
	 *
	 * @param int $run_id Run id.
	 * @param int $limit  At most this many.
	 * @return list<array{article_id: int, position: ?int, kind: string, message: string}>
	 */
	public function for_run( int $run_id, int $limit = 1000 ): array {
		global $wpdb;
		$table = Tables::errors();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT article_id, position, kind, message FROM {$table} WHERE run_id = %d AND kind <> %s ORDER BY article_id, position, id LIMIT %d", $run_id, self::ORPHANED, $limit ), ARRAY_A );
		return self::entries( $rows );
	}

	/**
	 * The run's orphaned pictures, ordered by article and position.
	 *
	 * @param int $run_id Run id.
	 * @param int $limit  At most this many.
	 * @return list<array{article_id: int, position: ?int, kind: string, message: string}>
	 */
	public function orphans_for_run( int $run_id, int $limit = 1000 ): array {
		global $wpdb;
		$table = Tables::errors();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT article_id, position, kind, message FROM {$table} WHERE run_id = %d AND kind = %s ORDER BY article_id, position, id LIMIT %d", $run_id, self::ORPHANED, $limit ), ARRAY_A );
		return self::entries( $rows );
	}

	/**
	 * Articles of the run that failed as a whole (the API call failed after its retries, or
	 * their batch was given up), so the next incremental run fetches them again. A picture
	 * Verial sends corrupt is not among them: fetching the article again returns the same bytes
	 * until the article changes, and then the listing brings it anyway.
	 *
	 * @param int $run_id Run id.
	 * @return list<int>
	 */
	public function failed_articles( int $run_id ): array {
		global $wpdb;
		$table = Tables::errors();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$ids = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT article_id FROM {$table} WHERE run_id = %d AND position IS NULL AND kind <> %s ORDER BY article_id", $run_id, self::ORPHANED ) );
		return array_map( 'intval', $ids );
	}

	/**
	 * @param array<int, array<string, string|null>> $rows Query rows.
	 * @return list<array{article_id: int, position: ?int, kind: string, message: string}>
	 */
	private static function entries( array $rows ): array {
		return array_map(
			static fn( array $row ): array => array(
				'article_id' => (int) $row['article_id'],
				'position'   => null === $row['position'] ? null : (int) $row['position'],
				'kind'       => $row['kind'],
				'message'    => $row['message'],
			),
			$rows
		);
	}

	/**
	 * How many errors the run has (orphaned pictures are not errors).
	 */
	public function count_for_run( int $run_id ): int {
		global $wpdb;
		$table = Tables::errors();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE run_id = %d AND kind <> %s", $run_id, self::ORPHANED ) );
	}
}
