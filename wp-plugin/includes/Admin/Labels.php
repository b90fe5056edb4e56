<?php
/**
 * Human-readable names of the plugin's states.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use VerialImageSync\Codec;
use VerialImageSync\Store\RunStore;

/**
 * Translated labels for the machine names stored in the database and returned by the REST
 * routes, so the page, the status route and Site Health say the same thing in the user's language.
 */
final class Labels {

	/**
	 * A phase 1 run status.
	 *
	 * @param string $status RunStore status constant.
	 */
	public static function run_status( string $status ): string {
		$labels = array(
			RunStore::LISTING               => __( 'Listing articles', 'verial-image-sync' ),
			RunStore::RUNNING               => __( 'Importing images', 'verial-image-sync' ),
			RunStore::COMPLETED             => __( 'Completed', 'verial-image-sync' ),
			RunStore::COMPLETED_WITH_ERRORS => __( 'Completed with errors', 'verial-image-sync' ),
			RunStore::FAILED                => __( 'Failed', 'verial-image-sync' ),
			RunStore::CANCELLED             => __( 'Cancelled', 'verial-image-sync' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * What a phase 1 run covers (RunStore MODE_ constant; '' for runs from before modes existed).
	 *
	 * @param string $mode Run mode.
	 */
	public static function run_mode( string $mode ): string {
		$labels = array(
			RunStore::MODE_FULL        => __( 'Full sync', 'verial-image-sync' ),
			RunStore::MODE_INCREMENTAL => __( 'Changes only', 'verial-image-sync' ),
			RunStore::MODE_ARTICLES    => __( 'Selected articles', 'verial-image-sync' ),
		);
		return $labels[ $mode ] ?? $mode;
	}

	/**
	 * A phase 2 state (AssignModule::status()).
	 *
	 * @param string $state idle, running or done.
	 */
	public static function assign_state( string $state ): string {
		$labels = array(
			'idle'    => __( 'Not run yet', 'verial-image-sync' ),
			'running' => __( 'Assigning images', 'verial-image-sync' ),
			'done'    => __( 'Done', 'verial-image-sync' ),
		);
		return $labels[ $state ] ?? $state;
	}

	/**
	 * A phase 2 counter (a key of AssignModule::status()['counts']).
	 *
	 * @param string $key Counter name.
	 */
	public static function assign_count( string $key ): string {
		$labels = array(
			'products_seen'            => __( 'Products checked', 'verial-image-sync' ),
			'products_updated'         => __( 'Products updated', 'verial-image-sync' ),
			'products_unchanged'       => __( 'Already up to date', 'verial-image-sync' ),
			'products_skipped_manual'  => __( 'Skipped (images set by hand)', 'verial-image-sync' ),
			'products_without_images'  => __( 'Products without images', 'verial-image-sync' ),
			'articles_without_product' => __( 'Articles without a product', 'verial-image-sync' ),
		);
		return $labels[ $key ] ?? $key;
	}

	/**
	 * The codec in use.
	 *
	 * @param string $engine Codec engine constant.
	 */
	public static function codec( string $engine ): string {
		$labels = array(
			Codec::NATIVE   => __( 'Native extension (verial_images)', 'verial-image-sync' ),
			Codec::POLYFILL => __( 'PHP fallback (polyfill)', 'verial-image-sync' ),
			Codec::MISSING  => __( 'Not available', 'verial-image-sync' ),
		);
		return $labels[ $engine ] ?? $engine;
	}

	/**
	 * A background driver (BackgroundDriver::name()).
	 *
	 * @param string $driver Driver name.
	 */
	public static function driver( string $driver ): string {
		$labels = array(
			'wp_cron'          => __( 'WP-Cron', 'verial-image-sync' ),
			'action_scheduler' => __( 'Action Scheduler', 'verial-image-sync' ),
		);
		return $labels[ $driver ] ?? $driver;
	}
}
