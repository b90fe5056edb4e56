<?php
/**
 * Names of the plugin's database tables.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * One place for the table names, so the installer, the stores and uninstall agree.
 */
final class Tables {

	/**
	 * Images: one row per (article, position), the source of truth.
	 */
	public static function images(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_images';
	}

	/**
	 * Runs: one row per phase 1 run.
	 */
	public static function runs(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_image_runs';
	}

	/**
	 * Batches: the persistent queue of a run's articles.
	 */
	public static function batches(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_image_batches';
	}

	/**
	 * Errors: per run, per article (and image position when known).
	 */
	public static function errors(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_image_errors';
	}

	/**
	 * Articles: each listed Verial article's SKU (ReferenciaBarras), for phase 2's SKU matching.
	 */
	public static function articles(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_image_articles';
	}

	/**
	 * Contents: one row per stored picture (sha256), the claim that lets several workers
	 * import concurrently without storing a picture twice.
	 */
	public static function contents(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_image_sync_contents';
	}

	/**
	 * @return list<string>
	 */
	public static function all(): array {
		return array( self::images(), self::runs(), self::batches(), self::errors(), self::articles(), self::contents() );
	}
}
