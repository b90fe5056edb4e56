<?php
/**
 * Phase 2 over every product, in the background.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Driver\BackgroundDriver;
use VerialImageSync\Settings;
use VerialImageSync\Sync\TimeBox;

/**
 * Runs assign_all() in time-boxed slices through the same background driver as phase 1 (WP-Cron
 * or Action Scheduler), each slice continuing from the cursor the previous one stored. Its state
 * is one option: small, rewritten once per slice, not per product.
 *
 * A slice that dies leaves the job "running" without a successor; starting it again continues
 * from the stored cursor (re-assigning is harmless: nothing unchanged is written).
 */
final class AssignJob {

	public const HOOK   = 'verial_image_sync_assign';
	public const OPTION = 'verial_image_sync_assign_job';

	public const IDLE    = 'idle';
	public const RUNNING = 'running';
	public const DONE    = 'done';

	/**
	 * @param AssignmentService $assigner Phase 2.
	 * @param BackgroundDriver  $driver   Schedules the slices.
	 * @param Settings          $settings Time box and the rollback switch.
	 */
	public function __construct( private AssignmentService $assigner, private BackgroundDriver $driver, private Settings $settings ) {
	}

	/**
	 * Starts the job and returns at once; when it is running already, makes sure its next slice
	 * is scheduled (which also restarts a chain whose worker died).
	 *
	 * @throws \RuntimeException When image assignment is turned off.
	 */
	public function start(): void {
		if ( ! $this->settings->assign_images() ) {
			throw new \RuntimeException( self::disabled_message() );
		}
		if ( self::RUNNING !== $this->load()['state'] ) {
			$this->save(
				array(
					'state'          => self::RUNNING,
					'job'            => bin2hex( random_bytes( 8 ) ),
					'started_at'     => current_time( 'mysql', true ),
					'finished_at'    => null,
					'cursor'         => 0,
					'articles_total' => $this->assigner->count_articles(),
					'articles_done'  => 0,
					'counts'         => ( new AssignmentReport() )->counts(),
					'error'          => null,
				)
			);
		}
		$this->driver->schedule( self::HOOK );
	}

	/**
	 * Background hook: one slice, then the next one scheduled while articles remain.
	 */
	public function run_slice(): void {
		$job = $this->load( true );
		if ( self::RUNNING !== $job['state'] ) {
			return;
		}
		if ( ! $this->settings->assign_images() ) {
			$this->finish( $job, self::IDLE, self::disabled_message() );
			return;
		}
		try {
			$report = $this->assigner->assign_all( false, new TimeBox( $this->settings->time_limit(), $this->settings->memory_ratio() ), (int) $job['cursor'] );
		} catch ( \Throwable $e ) {
			$this->finish( $job, self::DONE, $e->getMessage() );
			return;
		}
		$current = $this->load( true );
		if ( self::RUNNING !== $current['state'] || $current['job'] !== $job['job'] ) {
			return; // Cancelled or restarted meanwhile.
		}
		foreach ( $report->counts() as $name => $count ) {
			$job['counts'][ $name ] = (int) ( $job['counts'][ $name ] ?? 0 ) + $count;
		}
		$job['cursor']         = $report->next_cursor;
		$job['articles_done'] += $report->articles_seen;
		if ( $report->complete ) {
			$this->finish( $job, self::DONE, null );
			return;
		}
		$this->save( $job );
		$this->driver->schedule( self::HOOK, true );
	}

	/**
	 * Stops a running job after its current slice.
	 *
	 * @return bool Whether a job was running.
	 */
	public function cancel(): bool {
		$job = $this->load( true );
		if ( self::RUNNING !== $job['state'] ) {
			return false;
		}
		$this->finish( $job, self::IDLE, __( 'Cancelled.', 'verial-image-sync' ) );
		$this->driver->unschedule( self::HOOK );
		return true;
	}

	/**
	 * The job for status displays: state (idle, running, done), whether assignment is enabled,
	 * started_at / finished_at (UTC, Y-m-d H:i:s), articles total and done, the counts of
	 * AssignmentReport summed over the slices, and the error that ended it, if any.
	 *
	 * @return array{state: string, enabled: bool, started_at: ?string, finished_at: ?string, articles: array{total: int, done: int}, counts: array<string, int>, error: ?string}
	 */
	public function status(): array {
		$job = $this->load();
		return array(
			'state'       => $job['state'],
			'enabled'     => $this->settings->assign_images(),
			'started_at'  => $job['started_at'],
			'finished_at' => $job['finished_at'],
			'articles'    => array(
				'total' => (int) $job['articles_total'],
				'done'  => min( (int) $job['articles_total'], (int) $job['articles_done'] ),
			),
			'counts'      => array_map( 'intval', $job['counts'] ),
			'error'       => $job['error'],
		);
	}

	/**
	 * Why nothing is assigned while the rollback switch is off.
	 */
	public static function disabled_message(): string {
		return __( 'Image assignment is turned off (the rollback switch in the Verial Image Sync settings): products keep the images they have and the existing sync plugin assigns them as before.', 'verial-image-sync' );
	}

	/**
	 * @param array<string, mixed> $job Job state.
	 */
	private function finish( array $job, string $state, ?string $error ): void {
		$job['state']       = $state;
		$job['finished_at'] = current_time( 'mysql', true );
		$job['error']       = $error;
		$this->save( $job );
	}

	/**
	 * The stored job over the defaults.
	 *
	 * @param bool $fresh Read the database, not this request's cache: another request may have
	 *                    cancelled the job while this one worked.
	 * @return array<string, mixed>
	 */
	private function load( bool $fresh = false ): array {
		if ( $fresh ) {
			wp_cache_delete( self::OPTION, 'options' );
		}
		$stored = get_option( self::OPTION, array() );
		return array_merge(
			array(
				'state'          => self::IDLE,
				'job'            => '',
				'started_at'     => null,
				'finished_at'    => null,
				'cursor'         => 0,
				'articles_total' => 0,
				'articles_done'  => 0,
				'counts'         => ( new AssignmentReport() )->counts(),
				'error'          => null,
			),
			is_array( $stored ) ? $stored : array()
		);
	}

	/**
	 * @param array<string, mixed> $job Job state.
	 */
	private function save( array $job ): void {
		update_option( self::OPTION, $job, false );
	}
}
