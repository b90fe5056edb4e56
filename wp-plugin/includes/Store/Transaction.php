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
		global $wpdb;
		self::guard_reconnects();
		$wpdb->query( 'START TRANSACTION' );
		self::$connection = $wpdb->dbh;
		try {
			$result = $work();
			self::check_connection();
			if ( false === $wpdb->query( 'COMMIT' ) ) {
				throw new \RuntimeException( 'COMMIT failed: ' . $wpdb->last_error );
			}
			self::check_connection();
		} catch ( \Throwable $e ) {
			self::$connection = null;
			$wpdb->query( 'ROLLBACK' );
			throw $e;
		}
		self::$connection = null;
		return $result;
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
			throw new \RuntimeException( sprintf( 'Database error while %s: %s', $what, $wpdb->last_error ) );
		}
		self::check_connection();
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
