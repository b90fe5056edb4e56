<?php
/**
 * WordPress hooks of the plugin.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

use VerialImageSync\Driver\ActionSchedulerDriver;
use VerialImageSync\Driver\CronDriver;
use VerialImageSync\Media\ThumbnailQueue;
use VerialImageSync\Sync\BatchWorker;
use VerialImageSync\Sync\TimeBox;

/**
 * Registers the hooks and offers the entry points other code calls (WP-CLI and the admin of
 * later issues). Holds no logic of its own beyond reacting to a worker slice's result.
 */
final class Plugin {

	public const PROCESS_HOOK      = 'verial_image_sync_process';
	public const WATCHDOG_HOOK     = 'verial_image_sync_watchdog';
	public const WATCHDOG_SCHEDULE = 'verial_image_sync_five_minutes';

	/**
	 * Built on first use.
	 *
	 * @var Services|null
	 */
	private static ?Services $services = null;

	/**
	 * Called once from the main plugin file.
	 */
	public static function boot(): void {
		add_action( 'plugins_loaded', array( Installer::class, 'maybe_upgrade' ) );
		add_filter( 'cron_schedules', array( self::class, 'add_cron_schedule' ) );
		add_action( 'delete_attachment', array( self::class, 'forget_attachment' ) );
		add_action( 'add_option_' . Settings::OPTION, array( self::class, 'reset_services' ) );
		add_action( 'update_option_' . Settings::OPTION, array( self::class, 'reset_services' ) );
		if ( ! Codec::is_available() ) {
			add_action( 'admin_notices', array( self::class, 'codec_missing_notice' ) );
			return;
		}
		add_action( self::PROCESS_HOOK, array( self::class, 'process' ) );
		add_action( self::WATCHDOG_HOOK, array( self::class, 'watchdog' ) );
		add_action( ThumbnailQueue::HOOK, array( self::class, 'generate_thumbnails' ) );
		// The ways in, each registered by its own module: phase 2 assignment and the existing
		// plugin's hooks, the admin page with its REST routes and Site Health, WP-CLI.
		Assign\AssignModule::register();
		Admin\AdminModule::register();
		Cli\CliModule::register();
	}

	/**
	 * The plugin's objects, built from the current settings.
	 */
	public static function services(): Services {
		return self::$services ??= new Services( Settings::load() );
	}

	/**
	 * Drops the objects so the next use sees changed settings.
	 */
	public static function reset_services(): void {
		self::$services = null;
	}

	/**
	 * Starts a run processed in the background (WP-Cron or Action Scheduler) and returns at once.
	 *
	 * @param bool $full Every article; otherwise the default mode (incremental when possible).
	 * @return int Run id.
	 * @throws Sync\RunAlreadyActiveException When a run is active.
	 */
	public static function start_background_run( bool $full = false ): int {
		$services = self::services();
		$run_id   = $services->runner->start( $services->driver->name(), null, array(), $full );
		$services->driver->schedule( self::PROCESS_HOOK );
		self::schedule_watchdog();
		return $run_id;
	}

	/**
	 * Background hook: one worker slice, then the next one scheduled while work remains.
	 */
	public static function process(): void {
		$services = self::services();
		self::raise_time_limit( $services->settings );
		if ( BatchWorker::MORE === $services->worker->run_slice() ) {
			$services->driver->schedule( self::PROCESS_HOOK, true );
		}
	}

	/**
	 * The slice stops taking new articles after time_limit, but the article in hand may still
	 * need every retry of a slow API call; a PHP timeout then would cost the whole batch.
	 */
	private static function raise_time_limit( Settings $settings ): void {
		$worst_article = ( count( $settings->retry_delays_ms() ) + 1 ) * $settings->http_timeout() + (int) ceil( array_sum( $settings->retry_delays_ms() ) / 1000 );
		$needed        = $settings->time_limit() + $worst_article + 30;
		$current       = (int) ini_get( 'max_execution_time' );
		if ( $current > 0 && $current < $needed && function_exists( 'set_time_limit' ) ) {
			set_time_limit( $needed );
		}
	}

	private static function schedule_watchdog(): void {
		if ( false === wp_next_scheduled( self::WATCHDOG_HOOK ) ) {
			wp_schedule_event( time() + 300, self::WATCHDOG_SCHEDULE, self::WATCHDOG_HOOK );
		}
	}

	/**
	 * Every five minutes while a run is active: restarts the chain if a worker died without
	 * scheduling its successor (its lock expires; the new slice recovers its batch).
	 */
	public static function watchdog(): void {
		$services = self::services();
		if ( null === $services->runs->active() ) {
			wp_clear_scheduled_hook( self::WATCHDOG_HOOK );
			return;
		}
		$services->driver->schedule( self::PROCESS_HOOK );
	}

	/**
	 * Background hook of the deferred thumbnail job.
	 */
	public static function generate_thumbnails(): void {
		$settings = self::services()->settings;
		self::services()->thumbnails->run( new TimeBox( $settings->time_limit(), $settings->memory_ratio() ) );
	}

	/**
	 * An attachment deleted from the media library is forgotten, so its picture is imported again
	 * instead of being "reused" from a post that no longer exists.
	 *
	 * @param int $attachment_id Post id.
	 */
	public static function forget_attachment( $attachment_id ): void {
		self::services()->images->delete_attachment( (int) $attachment_id );
	}

	/**
	 * @param array<string, array<string, mixed>> $schedules Cron schedules.
	 * @return array<string, array<string, mixed>>
	 */
	public static function add_cron_schedule( $schedules ): array {
		$schedules                          = (array) $schedules;
		$schedules[ self::WATCHDOG_SCHEDULE ] = array(
			'interval' => 300,
			'display'  => __( 'Every five minutes (Verial Image Sync watchdog)', 'verial-image-sync' ),
		);
		return $schedules;
	}

	/**
	 * Tells administrators why nothing can be imported.
	 */
	public static function codec_missing_notice(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		printf(
			'<div class="notice notice-error"><p>%s</p></div>',
			esc_html__( 'Verial Image Sync: neither the verial_images PHP extension nor its bundled polyfill could be loaded; image imports are disabled.', 'verial-image-sync' )
		);
	}

	/**
	 * Activation: create or upgrade the tables, and pick up a run that deactivation paused.
	 */
	public static function activate(): void {
		Installer::install();
		if ( Codec::is_available() && null !== self::services()->runs->active() ) {
			self::services()->driver->schedule( self::PROCESS_HOOK );
			self::schedule_watchdog();
		}
	}

	/**
	 * Deactivation: stop the background jobs, keep data and settings (an active run stays
	 * active and continues on reactivation).
	 */
	public static function deactivate(): void {
		self::clear_scheduled_jobs();
	}

	/**
	 * Removes this plugin's events from WP-Cron and Action Scheduler.
	 */
	public static function clear_scheduled_jobs(): void {
		$drivers = array( new CronDriver() );
		if ( ActionSchedulerDriver::is_available() ) {
			$drivers[] = new ActionSchedulerDriver();
		}
		foreach ( $drivers as $driver ) {
			foreach ( array( self::PROCESS_HOOK, self::WATCHDOG_HOOK, ThumbnailQueue::HOOK, Assign\AssignJob::HOOK ) as $hook ) {
				$driver->unschedule( $hook );
			}
		}
	}
}
