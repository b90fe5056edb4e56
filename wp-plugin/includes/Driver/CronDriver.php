<?php
/**
 * WP-Cron background driver.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Driver;

/**
 * The default: single events, each run rescheduling the next while work remains. WP-Cron removes
 * an event before running it, so a handler's continuation is never mistaken for a duplicate.
 */
final class CronDriver implements BackgroundDriver {

	public function name(): string {
		return 'wp_cron';
	}

	public function schedule( string $hook, bool $continuation = false ): void {
		if ( false === wp_next_scheduled( $hook ) ) {
			wp_schedule_single_event( time(), $hook );
		}
	}

	public function unschedule( string $hook ): void {
		wp_clear_scheduled_hook( $hook );
	}
}
