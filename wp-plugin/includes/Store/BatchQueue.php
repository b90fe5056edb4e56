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
 * worker's time is up (checkpointed at `next_index`) or when it died. Several workers drain one
 * run, each on its own batch: a worker refreshes its claim's `claimed_at` as it goes (the
 * heartbeat), and a batch whose claim was not refreshed for the claim timeout is taken back by
 * whichever worker looks first. Every write by a worker names its claim token, so a worker that
 * lost its claim cannot commit anything more for that batch. Claim times use the database's
 * clock, which every web server shares.
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
	 * Atomically claims the run's next pending batch (UPDATE ... LIMIT 1: of two workers
	 * claiming at once, the second waits for the first's row lock and then skips that row).
	 *
	 * @param int $run_id       Run id.
	 * @param int $max_attempts Batches interrupted this often are left to give_up().
	 * @return array<string, mixed>|null The claimed row (articles decoded), or null when none is pending.
	 */
	public function claim( int $run_id, int $max_attempts ): ?array {
		global $wpdb;
		$table = Tables::batches();
		$token = bin2hex( random_bytes( 16 ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$claimed = Transaction::retrying( fn() => $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s, claim_token = %s, claimed_at = UTC_TIMESTAMP() WHERE run_id = %d AND status = %s AND attempts < %d ORDER BY seq LIMIT 1", self::RUNNING, $token, $run_id, self::PENDING, $max_attempts ) ), 'claiming a batch' );
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
	 * Batches whose worker went silent (no heartbeat for $timeout seconds, to the second of the
	 * database clock: it died, or hangs) go back to pending, flagged for recovery (their partial
	 * files are removed before they are redone) and with the attempt counted. One UPDATE, so when several workers look at once
	 * each batch is taken back once: the others find it pending already.
	 *
	 * @param int $run_id  Run id.
	 * @param int $timeout Seconds without heartbeat.
	 * @return int How many were taken back.
	 */
	public function recover_stale( int $run_id, int $timeout ): int {
		global $wpdb;
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		// A batch without an upload directory was never begun (claimed ahead, RequestsAhead): it
		// goes back as it was, without an attempt counted against it or anything to clean.
		$begun  = "upload_dir IS NOT NULL AND upload_dir <> ''";
		$result = Transaction::retrying( fn() => $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s, claim_token = NULL, attempts = attempts + IF({$begun}, 1, 0), needs_recovery = IF({$begun}, 1, needs_recovery), error = IF({$begun}, %s, error) WHERE run_id = %d AND status = %s AND claimed_at <= UTC_TIMESTAMP() - INTERVAL %d SECOND", self::PENDING, 'Worker stopped while processing this batch', $run_id, self::RUNNING, $timeout ) ), 'taking back batches of silent workers' );
		return (int) $result;
	}

	/**
	 * Refreshes the claim between articles (e.g. before a retry), outside any transaction, so
	 * that a slow article does not look like a dead worker.
	 *
	 * @return bool False when the claim was lost.
	 */
	public function heartbeat( int $batch_id, string $token ): bool {
		return $this->update_claimed( $batch_id, $token, array(), true );
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
		$this->update_claimed( $batch_id, $token, array( 'upload_dir' => $dir ), true );
	}

	/**
	 * Moves the checkpoint past an article, and refreshes the claim; part of that article's
	 * transaction.
	 *
	 * @return bool False when the claim was lost (another worker took the batch over).
	 */
	public function checkpoint( int $batch_id, string $token, int $next_index ): bool {
		return $this->update_claimed( $batch_id, $token, array( 'next_index' => $next_index ), true );
	}

	/**
	 * Recovery cleanup finished.
	 */
	public function recovered( int $batch_id, string $token ): void {
		$this->update_claimed( $batch_id, $token, array( 'needs_recovery' => 0 ), true );
	}

	/**
	 * Every article of the batch was handled. The error of an interrupted earlier attempt, if
	 * any, stays on the row: why the batch needed another attempt is worth knowing afterwards.
	 */
	public function complete( int $batch_id, string $token ): void {
		$this->update_claimed(
			$batch_id,
			$token,
			array(
				'status'      => self::DONE,
				'claim_token' => null,
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
	 *
	 * @return bool Whether this call gave it up (when several workers try, one does).
	 */
	public function give_up( int $batch_id ): bool {
		global $wpdb;
		$updated = Transaction::retrying(
			fn() => $wpdb->update(
				Tables::batches(),
				array(
					'status'      => self::FAILED,
					'finished_at' => current_time( 'mysql', true ),
				),
				array(
					'id'     => $batch_id,
					'status' => self::PENDING,
				)
			),
			'giving up a batch'
		);
		return 1 === $updated;
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
	 * Directories the run's batches wrote to.
	 *
	 * @return list<string>
	 */
	public function upload_dirs( int $run_id ): array {
		global $wpdb;
		$table = Tables::batches();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$dirs = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT upload_dir FROM {$table} WHERE run_id = %d AND upload_dir IS NOT NULL AND upload_dir <> ''", $run_id ) );
		Transaction::check( is_array( $dirs ), 'reading upload directories' );
		return array_map( 'strval', $dirs );
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
	 * @param array<string, int|string|null> $fields    Column => value.
	 * @param bool                           $heartbeat Also refresh claimed_at (the worker is alive).
	 * @return bool Whether the row was updated.
	 */
	private function update_claimed( int $batch_id, string $token, array $fields, bool $heartbeat = false ): bool {
		global $wpdb;
		$sets = array();
		foreach ( $fields as $column => $value ) {
			$sets[] = null === $value ? "{$column} = NULL" : $wpdb->prepare( "{$column} = %s", (string) $value );
		}
		if ( $heartbeat ) {
			$sets[] = 'claimed_at = UTC_TIMESTAMP()';
		}
		$table = Tables::batches();
		// A heartbeat within the same second changes no column, and MariaDB reports 0 affected
		// rows for it: the claim is checked by matched rows instead.
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- prepared pieces.
		$result = Transaction::retrying( fn() => $wpdb->query( "UPDATE {$table} SET " . implode( ', ', $sets ) . $wpdb->prepare( ' WHERE id = %d AND claim_token = %s', $batch_id, $token ) ), 'updating a batch' );
		return $result > 0 || ( $heartbeat && self::matched_rows() > 0 );
	}

	/**
	 * Rows the last UPDATE matched (MariaDB's info string), whether or not it changed them.
	 */
	private static function matched_rows(): int {
		global $wpdb;
		$info = $wpdb->dbh instanceof \mysqli ? (string) mysqli_info( $wpdb->dbh ) : '';
		return preg_match( '/Rows matched:\s*(\d+)/', $info, $match ) ? (int) $match[1] : 0;
	}
}
