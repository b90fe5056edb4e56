<?php
/**
 * Database transactions around a unit of work.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * Runs a callback inside START TRANSACTION / COMMIT, rolling back when it throws.
 *
 * An article's attachments, postmeta, image rows, errors and the batch checkpoint are committed
 * together, so a process killed in the middle leaves none of them (WordPress's tables and ours
 * are InnoDB).
 */
final class Transaction {

	/**
	 * Tries of a statement that keeps meeting lock conflicts (see retrying()).
	 */
	private const CONFLICT_ATTEMPTS = 6;

	/**
	 * The connection the open transaction runs on, or null outside one.
	 */
	private static ?object $connection = null;

	/**
	 * @template T
	 * @param callable(): T $work Database work.
	 * @return T
	 * @throws \Throwable Whatever $work threw, after the rollback.
	 * @throws ConnectionLostException When the connection dropped during the transaction.
	 */
	public static function run( callable $work ): mixed {
		self::begin();
		try {
			$result = $work();
		} catch ( \Throwable $e ) {
			self::rollback();
			throw $e;
		}
		self::commit();
		return $result;
	}

	/**
	 * Opens a transaction that stays open across calls (see Sync\ArticleGroup), until commit()
	 * or rollback().
	 *
	 * @throws \LogicException When one is open already: transactions do not nest.
	 */
	public static function begin(): void {
		global $wpdb;
		if ( null !== self::$connection ) {
			throw new \LogicException( 'A transaction is already open.' );
		}
		self::guard_reconnects();
		$wpdb->query( 'START TRANSACTION' );
		self::$connection = $wpdb->dbh;
	}

	/**
	 * Commits the open transaction, or rolls it back and throws when that cannot be done.
	 *
	 * @throws ConnectionLostException When the connection dropped during the transaction.
	 * @throws \RuntimeException When COMMIT failed.
	 */
	public static function commit(): void {
		global $wpdb;
		try {
			self::check_connection();
			if ( false === $wpdb->query( 'COMMIT' ) ) {
				throw new \RuntimeException( 'COMMIT failed: ' . $wpdb->last_error );
			}
			self::check_connection();
		} catch ( \Throwable $e ) {
			self::rollback();
			throw $e;
		}
		self::$connection = null;
	}

	/**
	 * Rolls the open transaction back (nothing happens when none is open).
	 */
	public static function rollback(): void {
		global $wpdb;
		self::$connection = null;
		$wpdb->query( 'ROLLBACK' );
	}

	/**
	 * Throws when the last $wpdb query failed, so a transaction never commits half of its work.
	 *
	 * @param int|bool|null $result Return value of the $wpdb call.
	 * @param string        $what   What the query did, for the message.
	 */
	public static function check( int|bool|null $result, string $what ): void {
		global $wpdb;
		if ( false === $result || '' !== $wpdb->last_error ) {
			$message = sprintf( 'Database error while %s: %s', $what, $wpdb->last_error );
			throw self::is_conflict( (string) $wpdb->last_error ) ? new LockConflictException( $message ) : new \RuntimeException( $message );
		}
		self::check_connection();
	}

	/**
	 * Runs one statement outside a transaction, and again after a short random pause when
	 * InnoDB made it the victim of a deadlock or its lock wait timed out: workers updating the
	 * same queue rows at once make that a normal event, and a victim statement changed nothing,
	 * so running it again is safe. Inside a transaction the whole unit of work was rolled back,
	 * so the error goes to its owner at once.
	 *
	 * @param callable(): (int|bool|null) $statement Runs the statement, returns $wpdb's result.
	 * @param string                      $what      What it does, for the message.
	 * @return int|bool|null The statement's result.
	 * @throws \RuntimeException When it still fails.
	 */
	public static function retrying( callable $statement, string $what ): int|bool|null {
		global $wpdb;
		for ( $attempt = 1; ; ++$attempt ) {
			$result   = $statement();
			$conflict = false === $result && self::is_conflict( (string) $wpdb->last_error );
			if ( ! $conflict || null !== self::$connection || $attempt >= self::CONFLICT_ATTEMPTS ) {
				self::check( $result, $what );
				return $result;
			}
			usleep( random_int( 5000, 50000 ) * $attempt );
		}
	}

	/**
	 * WordPress reconnects silently when the server has gone away and re-runs the failed
	 * statement on the new connection, outside the transaction, which the server has rolled back
	 * with the old connection: the rest of the work would then be committed statement by
	 * statement, half an article without its first half. A reconnection always sets the SQL
	 * mode, the one place where wpdb calls back into plugins while connecting, so throwing there
	 * stops the re-run statement and everything after it.
	 */
	private static function guard_reconnects(): void {
		if ( has_filter( 'incompatible_sql_modes', array( self::class, 'refuse_reconnect' ) ) ) {
			return;
		}
		add_filter( 'incompatible_sql_modes', array( self::class, 'refuse_reconnect' ), PHP_INT_MIN );
		add_filter( 'query', array( self::class, 'refuse_after_conflict' ), PHP_INT_MIN );
	}

	/**
	 * Filter callback on every statement: passes it through, except inside a transaction whose
	 * previous statement lost a lock conflict. A deadlock victim's whole transaction is rolled
	 * back by InnoDB, and a timed-out lock wait drops the statement; code that ignores a failed
	 * statement (WordPress's functions return false) would go on writing the rest of the unit of
	 * work outside any transaction, or commit it incomplete. wpdb runs this filter before it
	 * clears the previous statement's error, so the error can still be seen here.
	 *
	 * @param mixed $query The statement.
	 * @return mixed The same statement.
	 * @throws LockConflictException Inside a transaction after a lost lock conflict.
	 */
	public static function refuse_after_conflict( mixed $query ): mixed {
		global $wpdb;
		if ( null !== self::$connection && self::is_conflict( (string) $wpdb->last_error ) ) {
			self::$connection = null;
			throw new LockConflictException( 'Database lock conflict with another worker: ' . $wpdb->last_error );
		}
		return $query;
	}

	/**
	 * Whether a MariaDB error is a lost lock conflict (deadlock victim or lock wait timeout).
	 */
	private static function is_conflict( string $error ): bool {
		return 1 === preg_match( '/Deadlock found|Lock wait timeout/', $error );
	}

	/**
	 * Filter callback: passes the modes through, except while a transaction's connection was
	 * replaced.
	 *
	 * @param mixed $modes incompatible_sql_modes value.
	 * @return mixed The same value.
	 * @throws ConnectionLostException Inside a transaction whose connection was replaced.
	 */
	public static function refuse_reconnect( mixed $modes ): mixed {
		global $wpdb;
		if ( null === self::$connection || $wpdb->dbh === self::$connection ) {
			return $modes;
		}
		// The new connection is still half set up (wpdb selects the database after this filter):
		// finish what wpdb::db_connect() does, so the process can go on working after the throw.
		self::$connection = null;
		$wpdb->set_sql_mode();
		$wpdb->select( $wpdb->dbname, $wpdb->dbh );
		throw self::lost();
	}

	/**
	 * Throws when the open transaction's connection is no longer $wpdb's (the server did not
	 * report an SQL mode, so the filter above did not run): nothing after this may be committed.
	 *
	 * @throws ConnectionLostException When the connection changed.
	 */
	private static function check_connection(): void {
		global $wpdb;
		if ( null !== self::$connection && $wpdb->dbh !== self::$connection ) {
			self::$connection = null;
			throw self::lost();
		}
	}

	private static function lost(): ConnectionLostException {
		return new ConnectionLostException( 'Lost connection to the database in the middle of a transaction: the server rolled it back, nothing of it was kept.' );
	}
}
