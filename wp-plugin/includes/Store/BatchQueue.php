<?php
/**
 * The persistent queue of a run's article batches.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * Batches move pending -> running (claimed with a token) -> done, or back to pending when a
 * worker's time is up (checkpointed at `next_index`) or when it died (found "running" by the
 * next lock holder). Every write by a worker names its claim token, so a worker that lost its
 * claim cannot commit anything more for that batch.
 */
final class BatchQueue {

	public const PENDING   = 'pending';
	public const RUNNING   = 'running';
	public const DONE      = 'done';
	public const FAILED    = 'failed';
	public const CANCELLED = 'cancelled';

	/**
	 * Rows per INSERT statement when creating batches.
	 */
	private const INSERT_CHUNK = 200;

	/**
	 * Replaces the run's batches with the given article lists (a redone listing starts clean).
	 *
	 * @param int             $run_id  Run id.
	 * @param list<list<int>> $batches Article ids per batch.
	 */
	public function replace( int $run_id, array $batches ): void {
		global $wpdb;
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		Transaction::check( $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE run_id = %d", $run_id ) ), 'clearing batches' );
		foreach ( array_chunk( $batches, self::INSERT_CHUNK, true ) as $chunk ) {
			$values = array();
			foreach ( $chunk as $seq => $articles ) {
				$values[] = $wpdb->prepare( '(%d, %d, %s, %d, %s)', $run_id, $seq + 1, wp_json_encode( array_values( $articles ) ), count( $articles ), self::PENDING );
			}
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- values prepared above.
			Transaction::check( $wpdb->query( "INSERT INTO {$table} (run_id, seq, articles, article_count, status) VALUES " . implode( ', ', $values ) ), 'creating batches' );
		}
	}

	/**
	 * Atomically claims the run's next pending batch.
	 *
	 * @return array<string, mixed>|null The claimed row (articles decoded), or null when none is pending.
	 */
	public function claim( int $run_id ): ?array {
		global $wpdb;
		$table = Tables::batches();
		$token = bin2hex( random_bytes( 16 ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$claimed = $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s, claim_token = %s, claimed_at = %s WHERE run_id = %d AND status = %s ORDER BY seq LIMIT 1", self::RUNNING, $token, current_time( 'mysql', true ), $run_id, self::PENDING ) );
		Transaction::check( $claimed, 'claiming a batch' );
		if ( 1 !== $claimed ) {
			return null;
		}
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE claim_token = %s", $token ), ARRAY_A );
		if ( ! is_array( $row ) ) {
			return null;
		}
		$articles        = json_decode( (string) $row['articles'], true );
		$row['articles'] = is_array( $articles ) ? array_map( 'intval', $articles ) : array();
		foreach ( array( 'id', 'run_id', 'seq', 'article_count', 'next_index', 'attempts', 'needs_recovery' ) as $int_column ) {
			$row[ $int_column ] = (int) $row[ $int_column ];
		}
		return $row;
	}

	/**
	 * Batches left "running" by a worker that died go back to pending, flagged for recovery
	 * (their partial files are removed before they are redone). Call only while holding the lock:
	 * then no live worker has a running batch.
	 *
	 * @return int How many were recovered.
	 */
	public function recover_abandoned( int $run_id ): int {
		global $wpdb;
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$result = $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s, claim_token = NULL, attempts = attempts + 1, needs_recovery = 1, error = %s WHERE run_id = %d AND status = %s", self::PENDING, 'Worker stopped while processing this batch', $run_id, self::RUNNING ) );
		Transaction::check( $result, 'recovering abandoned batches' );
		return (int) $result;
	}

	/**
	 * Pending batches that were interrupted too often, to be given up.
	 *
	 * @return list<array<string, mixed>> Rows with articles decoded.
	 */
	public function exhausted( int $run_id, int $max_attempts ): array {
		global $wpdb;
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE run_id = %d AND status = %s AND attempts >= %d", $run_id, self::PENDING, $max_attempts ), ARRAY_A );
		foreach ( $rows as &$row ) {
			$row['articles'] = array_map( 'intval', (array) json_decode( (string) $row['articles'], true ) );
		}
		return $rows;
	}

	/**
	 * Records where this batch writes its files, so a redo cleans the same directory.
	 */
	public function set_upload_dir( int $batch_id, string $token, string $dir ): void {
		$this->update_claimed( $batch_id, $token, array( 'upload_dir' => $dir ) );
	}

	/**
	 * Moves the checkpoint past an article; part of that article's transaction.
	 *
	 * @return bool False when the claim was lost (another worker took the batch over).
	 */
	public function checkpoint( int $batch_id, string $token, int $next_index ): bool {
		return $this->update_claimed( $batch_id, $token, array( 'next_index' => $next_index ) );
	}

	/**
	 * Recovery cleanup finished.
	 */
	public function recovered( int $batch_id, string $token ): void {
		$this->update_claimed( $batch_id, $token, array( 'needs_recovery' => 0 ) );
	}

	/**
	 * Every article of the batch was handled.
	 */
	public function complete( int $batch_id, string $token ): void {
		$this->update_claimed(
			$batch_id,
			$token,
			array(
				'status'      => self::DONE,
				'claim_token' => null,
				'error'       => null,
				'finished_at' => current_time( 'mysql', true ),
			)
		);
	}

	/**
	 * The worker's time is up: the batch goes back to the queue at its checkpoint.
	 */
	public function release( int $batch_id, string $token ): void {
		$this->update_claimed(
			$batch_id,
			$token,
			array(
				'status'      => self::PENDING,
				'claim_token' => null,
			)
		);
	}

	/**
	 * Processing threw: the batch is retried later (and cleaned first), or marked failed.
	 *
	 * @return string The batch's new status.
	 */
	public function fail_attempt( int $batch_id, string $token, string $error, int $attempts_so_far, int $max_attempts ): string {
		$status = $attempts_so_far + 1 >= $max_attempts ? self::FAILED : self::PENDING;
		$this->update_claimed(
			$batch_id,
			$token,
			array(
				'status'         => $status,
				'claim_token'    => null,
				'attempts'       => $attempts_so_far + 1,
				'needs_recovery' => 1,
				'error'          => $error,
				'finished_at'    => self::FAILED === $status ? current_time( 'mysql', true ) : null,
			)
		);
		return $status;
	}

	/**
	 * Gives up an exhausted batch (not claimed).
	 */
	public function give_up( int $batch_id ): void {
		global $wpdb;
		$wpdb->update(
			Tables::batches(),
			array(
				'status'      => self::FAILED,
				'finished_at' => current_time( 'mysql', true ),
			),
			array(
				'id'     => $batch_id,
				'status' => self::PENDING,
			)
		);
	}

	/**
	 * Cancels every batch of the run that has not finished.
	 */
	public function cancel_open( int $run_id ): void {
		global $wpdb;
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s, claim_token = NULL WHERE run_id = %d AND status IN (%s, %s)", self::CANCELLED, $run_id, self::PENDING, self::RUNNING ) );
	}

	/**
	 * Batch counts by status.
	 *
	 * @return array<string, int>
	 */
	public function counts( int $run_id ): array {
		global $wpdb;
		$table  = Tables::batches();
		$counts = array_fill_keys( array( self::PENDING, self::RUNNING, self::DONE, self::FAILED, self::CANCELLED ), 0 );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		foreach ( $wpdb->get_results( $wpdb->prepare( "SELECT status, COUNT(*) AS n FROM {$table} WHERE run_id = %d GROUP BY status", $run_id ), ARRAY_A ) as $row ) {
			$counts[ $row['status'] ] = (int) $row['n'];
		}
		return $counts;
	}

	/**
	 * Whether any batch of the run is pending or running.
	 */
	public function has_open( int $run_id ): bool {
		$counts = $this->counts( $run_id );
		return $counts[ self::PENDING ] + $counts[ self::RUNNING ] > 0;
	}

	/**
	 * Updates the batch only while $token still holds its claim.
	 *
	 * @param array<string, int|string|null> $fields Column => value.
	 * @return bool Whether the row was updated.
	 */
	private function update_claimed( int $batch_id, string $token, array $fields ): bool {
		global $wpdb;
		$sets = array();
		foreach ( $fields as $column => $value ) {
			$sets[] = null === $value ? "{$column} = NULL" : $wpdb->prepare( "{$column} = %s", (string) $value );
		}
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- prepared pieces.
		$result = $wpdb->query( "UPDATE {$table} SET " . implode( ', ', $sets ) . $wpdb->prepare( ' WHERE id = %d AND claim_token = %s', $batch_id, $token ) );
		Transaction::check( $result, 'updating a batch' );
		return $result > 0;
	}
}
