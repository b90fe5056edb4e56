<?php
/**
 * Uninstall: removes the plugin's tables, options and scheduled jobs. Never the media: the
 * attachments and files it imported belong to the site and the shop uses them.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/Autoloader.php';
\VerialImageSync\Autoloader::register( 'VerialImageSync\\', __DIR__ . '/includes' );

global $wpdb;

\VerialImageSync\Plugin::clear_scheduled_jobs();

foreach ( \VerialImageSync\Store\Tables::all() as $verial_image_sync_table ) {
	$wpdb->query( "DROP TABLE IF EXISTS {$verial_image_sync_table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table names.
}

delete_option( \VerialImageSync\Settings::OPTION );
delete_option( \VerialImageSync\Installer::SCHEMA_OPTION );
delete_option( \VerialImageSync\Services::LOCK_OPTION );
delete_post_meta_by_key( \VerialImageSync\Media\ThumbnailQueue::PENDING_META );
delete_option( \VerialImageSync\Assign\AssignJob::OPTION );
// The products keep the pictures assigned to them; only this plugin's notes on them go.
delete_post_meta_by_key( \VerialImageSync\Assign\ProductImages::ASSIGNED_META );
delete_post_meta_by_key( \VerialImageSync\Assign\ProductImages::PREVIOUS_META );
