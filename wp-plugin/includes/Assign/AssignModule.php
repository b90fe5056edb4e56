<?php
/**
 * Registers the Assign module's hooks.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Plugin;

/**
 * Entry point called from Plugin::boot(), and the static entry points of phase 2 that the admin
 * page and WP-CLI call.
 */
final class AssignModule {

	/**
	 * The existing plugin's hooks are registered whether or not it is loaded yet (plugins load in
	 * any order); they only ever fire when it is.
	 */
	public static function register(): void {
		add_action( AssignJob::HOOK, array( self::class, 'run_background' ) );
		add_action( ExistingPlugin::PRODUCT_UPDATED, array( self::class, 'after_existing_plugin_save' ), 20, 1 );
		add_action( ExistingPlugin::PRODUCT_CREATED, array( self::class, 'after_existing_plugin_save' ), 20, 1 );
	}

	/**
	 * Starts phase 2 for every product in the background and returns at once.
	 *
	 * @throws \RuntimeException When image assignment is turned off (the message says so).
	 */
	public static function start_background(): void {
		Plugin::services()->assign_job->start();
	}

	/**
	 * The background job's state for status displays (see AssignJob::status()).
	 *
	 * @return array<string, mixed>
	 */
	public static function status(): array {
		return Plugin::services()->assign_job->status();
	}

	/**
	 * Stops the background job after its current slice.
	 *
	 * @return bool Whether a job was running.
	 */
	public static function cancel(): bool {
		return Plugin::services()->assign_job->cancel();
	}

	/**
	 * Background hook: one slice of the job.
	 */
	public static function run_background(): void {
		Plugin::services()->assign_job->run_slice();
	}

	/**
	 * After the existing plugin saved a product (its phase 2 sets the pictures it finds through
	 * the attachments' meta), the product gets this plugin's exact assignment. The link is looked
	 * up the way that plugin does it, so its $verial_id argument is not needed. Never throws into
	 * that plugin's sync: a failure is logged and the next assignment repairs the product.
	 *
	 * @param int|string $product_id Product post id.
	 */
	public static function after_existing_plugin_save( $product_id ): void {
		$services   = Plugin::services();
		$product_id = (int) $product_id;
		if ( $product_id <= 0 || ! $services->settings->assign_images() || $services->assigner->is_writing( $product_id ) ) {
			return;
		}
		try {
			$services->assigner->assign_products( array( $product_id ) );
		} catch ( \Throwable $e ) {
			error_log( sprintf( 'Verial Image Sync: could not assign images to product %d: %s', $product_id, $e->getMessage() ) ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		}
	}
}
