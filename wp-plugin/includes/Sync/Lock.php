<?php
/**
 * A lock that expires when its holder dies.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * One holder at a time, across PHP processes and web servers sharing the database. Workers
 * import concurrently, each on its own claimed batch; this lock guards the steps of a run that
 * must happen exactly once: listing its articles and ending it.
 *
 * Stored as an options row "token|expiry" written with atomic SQL (INSERT IGNORE on the unique
 * option_name, compare-and-swap UPDATEs), never through get_option(), whose caches would make two
 * processes both believe they hold it. A holder that dies leaves it, and after `ttl` seconds the
 * next worker takes it over.
 */
final class Lock {

	/**
	 * This holder's token, set while held.
	 *
	 * @var string|null
	 */
	private ?string $token = null;

	/**
	 * @param string $name Option name of the lock.
	 * @param int    $ttl  Seconds after which a holder's lock may be taken over (longer than listing a catalog takes).
	 */
	public function __construct( private string $name, private int $ttl ) {
	}

	/**
	 * Takes the lock if it is free or expired.
	 */
	public function acquire(): bool {
		global $wpdb;
		$token = bin2hex( random_bytes( 16 ) );
		$value = $this->value( $token );
		$taken = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')", $this->name, $value ) );
		if ( 1 !== $taken ) {
			$current = $this->current();
			if ( null === $current || $current['expires'] > microtime( true ) ) {
				return false;
			}
			$taken = $wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->options} SET option_value = %s WHERE option_name = %s AND option_value = %s", $value, $this->name, $current['raw'] ) );
			if ( 1 !== $taken ) {
				return false;
			}
		}
		$this->token = $token;
		return true;
	}

	/**
	 * Releases the lock if this instance holds it.
	 */
	public function release(): void {
		global $wpdb;
		if ( null === $this->token ) {
			return;
		}
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s AND option_value LIKE %s", $this->name, $this->token . '|%' ) );
		$this->token = null;
	}

	/**
	 * The lock as stored, whoever holds it.
	 *
	 * @return array{raw: string, expires: float}|null
	 */
	public function current(): ?array {
		global $wpdb;
		$raw = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $this->name ) );
		if ( null === $raw ) {
			return null;
		}
		$parts = explode( '|', (string) $raw, 2 );
		return array(
			'raw'     => (string) $raw,
			'expires' => (float) ( $parts[1] ?? 0 ),
		);
	}

	/**
	 * A fresh value: expiry with microseconds, so a takeover always changes the row (MariaDB
	 * reports 0 affected rows for an UPDATE that writes the same value).
	 */
	private function value( string $token ): string {
		return sprintf( '%s|%.6F', $token, microtime( true ) + $this->ttl );
	}
}
