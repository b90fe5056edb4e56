<?php
/**
 * Persistent phase 1 runs.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

use VerialImageSync\Sync\RunAlreadyActiveException;

/**
 * The runs table. At most one run is active: `active_slot` is 1 for it and NULL for finished
 * runs, and a UNIQUE key on that column makes a second concurrent start fail in the database
 * itself, whatever the timing.
 */
final class RunStore {

	public const LISTING   = 'listing';
	public const RUNNING   = 'running';
	public const COMPLETED = 'completed';
	public const COMPLETED_WITH_ERRORS = 'completed_with_errors';
	public const FAILED    = 'failed';
	public const CANCELLED = 'cancelled';

	/**
	 * Run modes: every article, the articles changed since a moment (plus earlier failures),
	 * or a given list of articles.
	 */
	public const MODE_FULL        = 'full';
	public const MODE_INCREMENTAL = 'incremental';
	public const MODE_ARTICLES    = 'articles';

	/**
	 * Counter columns that add_counts() accepts.
	 */
	private const COUNTERS = array( 'articles_done', 'articles_failed', 'images_seen', 'images_created', 'images_reused', 'images_adopted', 'images_failed', 'images_orphaned', 'images_deleted', 'bytes_written' );

	/**
	 * Creates the active run, or refuses because one exists.
	 *
	 * @param string      $trigger     What started it (cron, foreground, ...).
	 * @param string      $codec       Codec engine name.
	 * @param int         $image_size  numpixelsladomenor used for this run.
	 * @param string      $mode        One of the MODE_ constants.
	 * @param string|null $since       Only articles created or modified since (Y-m-d H:i:s, Verial's
	 *                                 time zone), or null.
	 * @param list<int>   $article_ids MODE_ARTICLES: only these articles (no listing);
	 *                                 MODE_INCREMENTAL: retried besides the listed ones.
	 * @throws RunAlreadyActiveException When another run is active.
	 */
	public function create( string $trigger, string $codec, int $image_size, string $mode, ?string $since = null, array $article_ids = array() ): int {
		global $wpdb;
		// Two attempts: the active run may end between a refused insert and the look-up.
		for ( $attempt = 1; ; ++$attempt ) {
			$now        = current_time( 'mysql', true );
			$suppressed = $wpdb->suppress_errors( true );
			$inserted   = $wpdb->insert(
				Tables::runs(),
				array(
					'status'         => self::LISTING,
					'active_slot'    => 1,
					'trigger_source' => $trigger,
					'codec'          => $codec,
					'run_mode'       => $mode,
					'image_size'     => $image_size,
					'since'          => $since,
					'only_articles'  => $article_ids ? wp_json_encode( array_values( array_map( 'intval', $article_ids ) ) ) : null,
					'created_at'     => $now,
					'updated_at'     => $now,
				),
				array( '%s', '%d', '%s', '%s', '%s', '%d', '%s', '%s', '%s', '%s' )
			);
			$error      = $wpdb->last_error;
			$wpdb->suppress_errors( $suppressed );
			if ( false !== $inserted ) {
				return (int) $wpdb->insert_id;
			}
			$active = $this->active();
			if ( null !== $active ) {
				throw new RunAlreadyActiveException( $active );
			}
			if ( $attempt >= 2 ) {
				throw new \RuntimeException( 'Could not create the run: ' . $error );
			}
		}
	}

	/**
	 * The active run, if any.
	 *
	 * @return array<string, string>|null
	 */
	public function active(): ?array {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$row = $wpdb->get_row( "SELECT * FROM {$table} WHERE active_slot = 1", ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/**
	 * @return array<string, string>|null
	 */
	public function get( int $run_id ): ?array {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $run_id ), ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/**
	 * The most recent run, active or not.
	 *
	 * @return array<string, string>|null
	 */
	public function latest(): ?array {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$row = $wpdb->get_row( "SELECT * FROM {$table} ORDER BY id DESC LIMIT 1", ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/**
	 * The most recent run that went through (completed, with or without errors) in one of the
	 * given modes: a failed or cancelled run did not look at every article it should have.
	 *
	 * @param list<string> $modes MODE_ constants.
	 * @return array<string, string>|null
	 */
	public function last_finished( array $modes ): ?array {
		global $wpdb;
		$table  = Tables::runs();
		$values = array_merge( array( self::COMPLETED, self::COMPLETED_WITH_ERRORS ), $modes );
		$marks  = implode( ', ', array_fill( 0, count( $modes ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- table name and placeholders only.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE status IN (%s, %s) AND run_mode IN ({$marks}) ORDER BY id DESC LIMIT 1", $values ), ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	public function status( int $run_id ): ?string {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$status = $wpdb->get_var( $wpdb->prepare( "SELECT status FROM {$table} WHERE id = %d", $run_id ) );
		return null === $status ? null : (string) $status;
	}

	/**
	 * Listing done: the run's batches exist and work can start.
	 */
	public function mark_running( int $run_id, int $total_articles, int $total_batches ): void {
		$this->update(
			$run_id,
			array(
				'status'         => self::RUNNING,
				'total_articles' => $total_articles,
				'total_batches'  => $total_batches,
			),
			self::LISTING
		);
	}

	/**
	 * Sets started_at the first time a worker picks the run up.
	 */
	public function mark_started( int $run_id ): void {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET started_at = %s WHERE id = %d AND started_at IS NULL", current_time( 'mysql', true ), $run_id ) );
	}

	/**
	 * Adds to the run's counters and records the article in hand, in one statement.
	 *
	 * @param int              $run_id  Run id.
	 * @param array<string,int> $deltas Counter column => increment.
	 * @param int|null         $current_article Article being processed.
	 */
	public function add_counts( int $run_id, array $deltas, ?int $current_article ): void {
		global $wpdb;
		$sets = array();
		foreach ( array_intersect_key( $deltas, array_flip( self::COUNTERS ) ) as $column => $delta ) {
			if ( 0 !== (int) $delta ) {
				$sets[] = sprintf( '%1$s = %1$s + %2$d', $column, (int) $delta );
			}
		}
		$sets[] = null === $current_article ? 'current_article = NULL' : sprintf( 'current_article = %d', $current_article );
		$sets[] = $wpdb->prepare( 'updated_at = %s', current_time( 'mysql', true ) );
		$table  = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- built from whitelisted columns and integers.
		Transaction::check( $wpdb->query( "UPDATE {$table} SET " . implode( ', ', $sets ) . ' WHERE id = ' . $run_id ), 'updating run counters' );
	}

	/**
	 * Accounts one worker slice: its working seconds and the peak memory seen.
	 */
	public function add_slice( int $run_id, float $seconds, int $peak_memory ): void {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET work_seconds = work_seconds + %f, peak_memory = GREATEST(peak_memory, %d) WHERE id = %d", $seconds, $peak_memory, $run_id ) );
	}

	/**
	 * Ends the run: it is no longer active and a new one may start.
	 *
	 * @param int         $run_id Run id.
	 * @param string      $status Final status.
	 * @param string|null $error  Why it failed, for FAILED.
	 * @return bool Whether this call ended it (false when it was already over).
	 */
	public function finish( int $run_id, string $status, ?string $error = null ): bool {
		$fields = array(
			'status'          => $status,
			'active_slot'     => null,
			'current_article' => null,
			'finished_at'     => current_time( 'mysql', true ),
		);
		if ( null !== $error ) {
			$fields['last_error'] = $error;
		}
		return $this->update( $run_id, $fields, null, true );
	}

	/**
	 * Updates fields of a run, optionally only from a given status and only while active.
	 *
	 * @param int                     $run_id      Run id.
	 * @param array<string, mixed>    $fields      Column => value (null allowed).
	 * @param string|null             $from_status Required current status.
	 * @param bool                    $only_active Require active_slot = 1.
	 */
	private function update( int $run_id, array $fields, ?string $from_status = null, bool $only_active = false ): bool {
		global $wpdb;
		$fields['updated_at'] = current_time( 'mysql', true );
		$sets                 = array();
		foreach ( $fields as $column => $value ) {
			$sets[] = null === $value ? "{$column} = NULL" : $wpdb->prepare( "{$column} = %s", (string) $value );
		}
		$where = $wpdb->prepare( 'id = %d', $run_id );
		if ( null !== $from_status ) {
			$where .= $wpdb->prepare( ' AND status = %s', $from_status );
		}
		if ( $only_active ) {
			$where .= ' AND active_slot = 1';
		}
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- prepared above.
		$result = $wpdb->query( "UPDATE {$table} SET " . implode( ', ', $sets ) . " WHERE {$where}" );
		Transaction::check( $result, 'updating the run' );
		return $result > 0;
	}
}
