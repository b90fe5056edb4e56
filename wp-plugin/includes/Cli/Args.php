<?php
/**
 * Parses the commands' option values.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

/**
 * Id lists and dates as the commands accept them. WP-CLI keeps only the last value of a flag
 * given twice, so lists are comma-separated ("--article=1001,1002"); a repeated flag's values
 * are taken too when the caller passes them as an array.
 */
final class Args {

	/**
	 * Positive integer ids from a comma-separated option.
	 *
	 * @param array<string, mixed> $assoc_args WP-CLI associative arguments.
	 * @param string               $flag       Option name without dashes.
	 * @return list<int> Empty when the option is absent.
	 * @throws \InvalidArgumentException For anything but positive integers.
	 */
	public static function ids( array $assoc_args, string $flag ): array {
		if ( ! isset( $assoc_args[ $flag ] ) ) {
			return array();
		}
		$ids = array();
		foreach ( (array) $assoc_args[ $flag ] as $value ) {
			foreach ( explode( ',', (string) $value ) as $id ) {
				$id = trim( $id );
				if ( ! ctype_digit( $id ) || (int) $id <= 0 ) {
					/* translators: 1: option name, 2: the value given. */
					throw new \InvalidArgumentException( sprintf( __( '--%1$s expects positive ids separated by commas; got "%2$s".', 'verial-image-sync' ), $flag, (string) $value ) );
				}
				$ids[ (int) $id ] = (int) $id;
			}
		}
		return array_values( $ids );
	}

	/**
	 * The --since moment as Verial's filter takes it (fecha + hora, its own time zone).
	 *
	 * @param array<string, mixed> $assoc_args WP-CLI associative arguments.
	 * @return string|null Y-m-d H:i:s, or null when absent.
	 * @throws \InvalidArgumentException For another format or an impossible date.
	 */
	public static function since( array $assoc_args ): ?string {
		if ( ! isset( $assoc_args['since'] ) ) {
			return null;
		}
		$value = trim( (string) $assoc_args['since'] );
		foreach ( array( '!Y-m-d', '!Y-m-d H:i', '!Y-m-d H:i:s', '!Y-m-d\TH:i', '!Y-m-d\TH:i:s' ) as $format ) {
			$moment = \DateTimeImmutable::createFromFormat( $format, $value );
			if ( false !== $moment && $moment->format( substr( $format, 1 ) ) === $value ) {
				return $moment->format( 'Y-m-d H:i:s' );
			}
		}
		/* translators: %s: the value given. */
		throw new \InvalidArgumentException( sprintf( __( '--since expects YYYY-MM-DD or "YYYY-MM-DD HH:MM[:SS]"; got "%s".', 'verial-image-sync' ), $value ) );
	}
}
