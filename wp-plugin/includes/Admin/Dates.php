<?php
/**
 * Dates as the site shows them.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

/**
 * The plugin stores UTC (datetime columns, Unix timestamps); people read the site's time zone
 * and date format.
 */
final class Dates {

	/**
	 * @param int|null $timestamp Unix time.
	 * @return string|null Local date and time, or null.
	 */
	public static function local( ?int $timestamp ): ?string {
		if ( null === $timestamp || $timestamp <= 0 ) {
			return null;
		}
		$formatted = wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $timestamp );
		return false === $formatted ? null : $formatted;
	}

	/**
	 * @param string|null $utc "Y-m-d H:i:s" in UTC, as the plugin's tables store it.
	 * @return string|null Local date and time, or null.
	 */
	public static function from_utc( ?string $utc ): ?string {
		if ( null === $utc || '' === $utc ) {
			return null;
		}
		$timestamp = strtotime( $utc . ' UTC' );
		return false === $timestamp ? null : self::local( $timestamp );
	}
}
