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
	 * @template T
	 * @param callable(): T $work Database work.
	 * @return T
	 * @throws \Throwable Whatever $work threw, after the rollback.
	 */
	public static function run( callable $work ): mixed {
		global $wpdb;
		$wpdb->query( 'START TRANSACTION' );
		try {
			$result = $work();
		} catch ( \Throwable $e ) {
			$wpdb->query( 'ROLLBACK' );
			throw $e;
		}
		if ( false === $wpdb->query( 'COMMIT' ) ) {
			throw new \RuntimeException( 'COMMIT failed: ' . $wpdb->last_error );
		}
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
	}
}
