<?php
/**
 * Action Scheduler background driver.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Driver;

/**
 * Used when Action Scheduler is loaded (WooCommerce ships it): async actions run by its queue
 * runner, which copes with busy sites better than WP-Cron.
 */
final class ActionSchedulerDriver implements BackgroundDriver {

	public const GROUP = 'verial-image-sync';

	/**
	 * Whether Action Scheduler's API is available.
	 */
	public static function is_available(): bool {
		return function_exists( 'as_enqueue_async_action' ) && function_exists( 'as_has_scheduled_action' );
	}

	public function name(): string {
		return 'action_scheduler';
	}

	/**
	 * A continuation enqueues unconditionally: the action running it still counts as scheduled
	 * ("in-progress") for as_has_scheduled_action().
	 */
	public function schedule( string $hook, bool $continuation = false ): void {
		if ( $continuation || ! as_has_scheduled_action( $hook, null, self::GROUP ) ) {
			as_enqueue_async_action( $hook, array(), self::GROUP );
		}
	}

	public function unschedule( string $hook ): void {
		if ( function_exists( 'as_unschedule_all_actions' ) ) {
			as_unschedule_all_actions( $hook, array(), self::GROUP );
		}
	}
}
