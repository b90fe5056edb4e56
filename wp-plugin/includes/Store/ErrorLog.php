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
 */
final class ErrorLog {

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
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT article_id, position, kind, message FROM {$table} WHERE run_id = %d ORDER BY article_id, position, id LIMIT %d", $run_id, $limit ), ARRAY_A );
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

	public function count_for_run( int $run_id ): int {
		global $wpdb;
		$table = Tables::errors();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		return (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE run_id = %d", $run_id ) );
	}
}
