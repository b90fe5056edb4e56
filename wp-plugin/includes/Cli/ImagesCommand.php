<?php
/**
 * `wp verial-images`: phase 1, phase 2, status, cancel and diagnostics.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

use VerialImageSync\Assign\AssignJob;
use VerialImageSync\Assign\AssignmentPolicy;
use VerialImageSync\Assign\AssignmentReport;
use VerialImageSync\Assign\AssignModule;
use VerialImageSync\Codec;
use VerialImageSync\Plugin;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Sync\BatchWorker;
use VerialImageSync\Sync\RunAlreadyActiveException;
use VerialImageSync\Sync\TimeBox;
use WP_CLI;
use WP_CLI\Utils;

/**
 * Imports Verial ERP product images into the media library and assigns them to WooCommerce
 * products.
 *
 * Phase 1 (`sync`) imports every article's images once, deduplicated by content; phase 2
 * (`assign`) sets each product's main image and gallery from them. Both use the same services as
 * the admin page and the background jobs.
 */
final class ImagesCommand {

	/**
	 * Seconds of work per phase 1 slice in the foreground: WP-CLI has no request time limit, the
	 * slices are short only so that the progress bar moves.
	 */
	private const PROGRESS_SLICE_SECONDS = 2;

	/**
	 * Errors or products listed as warnings at most.
	 */
	private const MAX_WARNINGS = 50;

	/**
	 * Most worker processes `sync --workers` starts (each holds a database connection and up to
	 * parallel_requests image replies in memory).
	 */
	private const MAX_WORKERS = 32;

	/**
	 * How often the parent of the worker processes updates the progress bar.
	 */
	private const WORKERS_POLL_MICROSECONDS = 500000;

	/**
	 * Imports the images of Verial's articles into the media library (phase 1).
	 *
	 * Runs the same persistent, resumable batches as the background job, in this process: an
	 * interrupted sync continues with --resume. Articles whose images could not all be imported
	 * are listed as warnings, and the command then exits with status 1.
	 *
	 * By default only the articles Verial lists as changed since the previous sync started are
	 * fetched, plus those that failed in it; the first sync, and one every "full check days", goes
	 * over every article. Pictures an article dropped are unlinked from it and, once no article
	 * uses them, deleted or reported as orphaned.
	 *
	 * ## OPTIONS
	 *
	 * [--resume]
	 * : Continue the active run (started by the admin page, the background job or an interrupted sync) instead of starting one.
	 *
	 * [--full]
	 * : Every article, whatever the previous syncs did (the verification pass).
	 *
	 * [--since=<date>]
	 * : Only the articles Verial lists as created or modified since then: YYYY-MM-DD or "YYYY-MM-DD HH:MM[:SS]", in Verial's time zone. Stored on the run.
	 *
	 * [--article=<ids>]
	 * : Only these article ids, comma-separated (WP-CLI keeps only the last of a repeated flag).
	 *
	 * [--dry-run]
	 * : List what would be imported, and write nothing. The articles are chosen as a sync started now would choose them (incremental or full); their images are still downloaded (and inspected in memory).
	 *
	 * [--workers=<n>]
	 * : Import with this many worker processes, each on its own batches; this process shows the progress and the summary. Default 1 (this process imports).
	 *
	 * ## EXAMPLES
	 *
	 *     # Import what changed since the previous sync (everything the first time)
	 *     $ wp verial-images sync
	 *     Importing images  100% [==========================] 0:42 / 0:42
	 *     Success: Imported the images of 7879 articles: 4491 pictures created, 512 reused.
	 *
	 *     # Every article
	 *     $ wp verial-images sync --full
	 *
	 *     # Only what changed since the 1st of June, first without writing anything
	 *     $ wp verial-images sync --since=2025-06-01 --dry-run
	 *
	 *     # Two articles
	 *     $ wp verial-images sync --article=1001,1002
	 *
	 *     # Continue a run that was interrupted
	 *     $ wp verial-images sync --resume
	 *
	 *     # Four worker processes
	 *     $ wp verial-images sync --workers=4
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options.
	 */
	public function sync( array $args, array $assoc_args ): void {
		try {
			$since    = Args::since( $assoc_args );
			$articles = Args::ids( $assoc_args, 'article' );
		} catch ( \InvalidArgumentException $e ) {
			WP_CLI::error( $e->getMessage() );
		}
		$full = (bool) Utils\get_flag_value( $assoc_args, 'full', false );
		if ( $full && ( null !== $since || $articles ) ) {
			WP_CLI::error( __( '--full goes over every article: it takes no --since or --article.', 'verial-image-sync' ) );
		}
		$workers = (string) Utils\get_flag_value( $assoc_args, 'workers', '1' );
		if ( ! preg_match( '/^\d+$/', $workers ) || (int) $workers < 1 || (int) $workers > self::MAX_WORKERS ) {
			/* translators: %d: most worker processes allowed. */
			WP_CLI::error( sprintf( __( '--workers takes a number from 1 to %d.', 'verial-image-sync' ), self::MAX_WORKERS ) );
		}
		if ( Utils\get_flag_value( $assoc_args, 'dry-run', false ) ) {
			$this->preview( $since, $articles, $full );
			return;
		}
		$services = Plugin::services();
		if ( Utils\get_flag_value( $assoc_args, 'resume', false ) ) {
			if ( null !== $since || $articles || $full ) {
				WP_CLI::error( __( '--resume continues the active run as it was started: it takes no --full, --since or --article.', 'verial-image-sync' ) );
			}
			$run = $services->runs->active();
			if ( null === $run ) {
				WP_CLI::error( __( 'There is no active run to resume.', 'verial-image-sync' ) );
			}
			$run_id = (int) $run['id'];
		} else {
			try {
				$run_id = $services->runner->start( 'cli', $since, $articles, $full );
			} catch ( RunAlreadyActiveException $e ) {
				WP_CLI::error( $e->getMessage() . ' ' . __( 'Use --resume to continue it in this process, or wp verial-images cancel.', 'verial-image-sync' ) );
			} catch ( \RuntimeException $e ) {
				WP_CLI::error( $e->getMessage() );
			}
		}
		$status = (int) $workers > 1 ? $this->run_with_workers( $run_id, (int) $workers ) : $this->run_with_progress( $run_id );
		$this->sync_summary( $status );
	}

	/**
	 * Works on the active phase 1 run as one of several workers, until the run ends.
	 *
	 * `wp verial-images sync --workers=N` starts N of these. On other web servers that share the
	 * database, run it there too (or `sync --resume`): each worker claims its own batches, and a
	 * worker that dies leaves its batch to the others after the claim timeout. Shows nothing while
	 * it works; `wp verial-images status` shows the progress.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp verial-images work
	 *     Success: The run ended.
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options (none).
	 */
	public function work( array $args, array $assoc_args ): void {
		if ( BatchWorker::IDLE === Plugin::services()->foreground->run() ) {
			WP_CLI::success( __( 'There is no active run to work on.', 'verial-image-sync' ) );
			return;
		}
		WP_CLI::success( __( 'The run ended.', 'verial-image-sync' ) );
	}

	/**
	 * Assigns the imported images to WooCommerce products (phase 2).
	 *
	 * Position 0 of an article becomes its products' main image, the rest their gallery. Products
	 * are found through the existing sync plugin's links (its mapping table, then the
	 * `_verial_product_id` meta) or by SKU = ReferenciaBarras. Products whose pictures were set by
	 * hand are listed and left alone unless --force is given. Nothing is written for a product
	 * that already shows the right pictures.
	 *
	 * ## OPTIONS
	 *
	 * [--article=<ids>]
	 * : Only the products of these article ids, comma-separated.
	 *
	 * [--product=<ids>]
	 * : Only these product ids, comma-separated.
	 *
	 * [--dry-run]
	 * : List what would change, and write nothing.
	 *
	 * [--force]
	 * : Also replace pictures that were set by hand (they are kept for --restore).
	 *
	 * [--restore]
	 * : The rollback: give every product this plugin assigned the pictures it had before, unless they were changed by hand since. Works while assignment is turned off.
	 *
	 * [--format=<format>]
	 * : Format of the list of changes.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - csv
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     # Every product
	 *     $ wp verial-images assign
	 *     Assigning images  100% [==========================] 0:03 / 0:03
	 *     Success: Assigned images to 7812 products (0 already right, 3 set by hand left alone).
	 *
	 *     # What would change for two articles
	 *     $ wp verial-images assign --article=1001,1002 --dry-run
	 *
	 *     # Undo: back to the pictures products had before
	 *     $ wp verial-images assign --restore
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options.
	 */
	public function assign( array $args, array $assoc_args ): void {
		try {
			$articles = Args::ids( $assoc_args, 'article' );
			$products = Args::ids( $assoc_args, 'product' );
		} catch ( \InvalidArgumentException $e ) {
			WP_CLI::error( $e->getMessage() );
		}
		$services = Plugin::services();
		$dry_run  = (bool) Utils\get_flag_value( $assoc_args, 'dry-run', false );
		$force    = (bool) Utils\get_flag_value( $assoc_args, 'force', false );
		$format   = (string) Utils\get_flag_value( $assoc_args, 'format', 'table' );
		if ( Utils\get_flag_value( $assoc_args, 'restore', false ) ) {
			if ( $services->settings->assign_images() ) {
				WP_CLI::warning( __( 'Image assignment is still turned on: the next assignment will put the images back. Turn it off in the settings first to roll back for good.', 'verial-image-sync' ) );
			}
			$report = $services->assigner->restore_all( $dry_run );
			$this->list_changes( $report, $dry_run, $format );
			/* translators: %d: product id. */
			$this->warn_skipped( $report, __( 'Product %d was changed by hand since it was assigned: it keeps its images.', 'verial-image-sync' ) );
			/* translators: 1: products restored, 2: products left as they are. */
			$message = sprintf( __( '%1$d products got their previous images back; %2$d changed by hand were left as they are.', 'verial-image-sync' ), $report->products_updated, $report->products_skipped_manual );
			WP_CLI::success( ( $dry_run ? __( 'Dry run, nothing written: ', 'verial-image-sync' ) : '' ) . $message );
			return;
		}
		if ( ! $services->settings->assign_images() ) {
			WP_CLI::error( AssignJob::disabled_message() . ' ' . __( 'Nothing was assigned.', 'verial-image-sync' ) );
		}
		if ( $articles || $products ) {
			$report = $services->assigner->assign_articles( $articles, $dry_run, $force );
			$report->merge( $services->assigner->assign_products( $products, $dry_run, $force ) );
		} else {
			$report = $this->assign_all_with_progress( $dry_run, $force );
		}
		$this->list_changes( $report, $dry_run, $format );
		/* translators: %d: product id. */
		$this->warn_skipped( $report, __( 'Product %d keeps the images set by hand (use --force to replace them).', 'verial-image-sync' ) );
		$this->report_table( $report );
		/* translators: 1: products updated, 2: products already right, 3: products set by hand. */
		$message = sprintf( __( 'Assigned images to %1$d products (%2$d already right, %3$d set by hand left alone).', 'verial-image-sync' ), $report->products_updated, $report->products_unchanged, $report->products_skipped_manual );
		WP_CLI::success( ( $dry_run ? __( 'Dry run, nothing written: ', 'verial-image-sync' ) : '' ) . $message );
	}

	/**
	 * Shows phase 1's current or latest run and phase 2's background job.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : Output format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp verial-images status
	 *     $ wp verial-images status --format=json
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options.
	 */
	public function status( array $args, array $assoc_args ): void {
		$services = Plugin::services();
		$run      = $services->runner->status( null, 0 );
		$job      = AssignModule::status();
		$item     = array(
			'codec'           => Codec::engine(),
			'run'             => $run['id'] ?? null,
			'status'          => $run['status'] ?? 'none',
			'active'          => $run['active'] ?? false,
			'mode'            => $run['mode'] ?? null,
			'since'           => $run['since'] ?? null,
			'retried'         => implode( ',', $run['retried'] ?? array() ),
			'articles_total'  => $run['articles']['total'] ?? 0,
			'articles_done'   => $run['articles']['done'] ?? 0,
			'articles_failed' => $run['articles']['failed'] ?? 0,
			'images_seen'     => $run['images']['seen'] ?? 0,
			'images_created'  => $run['images']['created'] ?? 0,
			'images_reused'   => $run['images']['duplicates_avoided'] ?? 0,
			'images_failed'   => $run['images']['failed'] ?? 0,
			'images_orphaned' => $run['images']['orphaned'] ?? 0,
			'images_deleted'  => $run['images']['deleted'] ?? 0,
			'errors'          => $run['error_count'] ?? 0,
			'started_at'      => $run['timings']['started_at'] ?? null,
			'finished_at'     => $run['timings']['finished_at'] ?? null,
			'assign_enabled'  => $job['enabled'],
			'assign_state'    => $job['state'],
			'assign_articles' => sprintf( '%d/%d', $job['articles']['done'], $job['articles']['total'] ),
		) + $job['counts'];
		$format = (string) Utils\get_flag_value( $assoc_args, 'format', 'table' );
		if ( 'table' === $format ) {
			$rows = array();
			foreach ( $item as $field => $value ) {
				$rows[] = array(
					'field' => $field,
					'value' => is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : (string) $value,
				);
			}
			Utils\format_items( 'table', $rows, array( 'field', 'value' ) );
			return;
		}
		Utils\format_items( $format, array( $item ), array_keys( $item ) );
	}

	/**
	 * Cancels the active phase 1 run and the phase 2 background job.
	 *
	 * A worker busy with an article finishes that article, then stops; everything done so far is
	 * kept, and a later sync reuses it.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp verial-images cancel
	 *     Success: Cancelled run #12.
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options (none).
	 */
	public function cancel( array $args, array $assoc_args ): void {
		$services = Plugin::services();
		$run      = $services->runs->active();
		$run_done = null !== $run && $services->runner->cancel( (int) $run['id'] );
		$job_done = AssignModule::cancel();
		if ( ! $run_done && ! $job_done ) {
			WP_CLI::warning( __( 'Nothing to cancel: no run and no assignment job is active.', 'verial-image-sync' ) );
			return;
		}
		if ( $run_done ) {
			/* translators: %d: run id. */
			WP_CLI::success( sprintf( __( 'Cancelled run #%d.', 'verial-image-sync' ), (int) $run['id'] ) );
		}
		if ( $job_done ) {
			WP_CLI::success( __( 'Cancelled the image assignment job.', 'verial-image-sync' ) );
		}
	}

	/**
	 * Checks the installation: codec (extension or polyfill, version, build), tables, image rows
	 * whose attachment is gone, Verial attachments missing from the table, attachments without
	 * their file, temporary files left in uploads, and the state of both phases.
	 *
	 * Exits with status 1 when a check fails; each failure names its repair.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : Output format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - yaml
	 *   - csv
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp verial-images doctor
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options.
	 */
	public function doctor( array $args, array $assoc_args ): void {
		$checks = ( new Doctor( Plugin::services() ) )->checks();
		$format = (string) Utils\get_flag_value( $assoc_args, 'format', 'table' );
		Utils\format_items( $format, $checks, array( 'check', 'status', 'details' ) );
		$failed = count( array_filter( $checks, static fn( array $check ): bool => Doctor::ERROR === $check['status'] ) );
		if ( $failed > 0 ) {
			/* translators: %d: failed checks. */
			WP_CLI::error( sprintf( _n( '%d check failed.', '%d checks failed.', $failed, 'verial-image-sync' ), $failed ) );
		}
		if ( 'table' === $format ) {
			WP_CLI::success( __( 'Every check passed.', 'verial-image-sync' ) );
		}
	}

	/**
	 * Lists what a phase 1 run would do.
	 *
	 * @param string|null $since    --since.
	 * @param list<int>   $articles --article.
	 * @param bool        $full     --full.
	 */
	private function preview( ?string $since, array $articles, bool $full ): void {
		$services  = Plugin::services();
		$preview   = new SyncPreview( $services->client, $services->images, $services->settings );
		$selection = $services->runner->selection( $since, $articles, $full );
		if ( RunStore::MODE_INCREMENTAL === $selection['mode'] ) {
			WP_CLI::log(
				sprintf(
					/* translators: 1: date and time in Verial's time zone, 2: number of articles. */
					__( 'Incremental: the articles changed since %1$s, and %2$d that failed last time (--full for every article).', 'verial-image-sync' ),
					(string) $selection['since'],
					count( $selection['article_ids'] )
				)
			);
		}
		try {
			$articles = $preview->articles( $selection );
		} catch ( \VerialImageSync\Api\VerialException $e ) {
			WP_CLI::error( $e->getMessage() );
		}
		$bar   = Utils\make_progress_bar( __( 'Inspecting images', 'verial-image-sync' ), count( $articles ) );
		$items = $preview->inspect( $articles, static fn() => $bar->tick() );
		$bar->finish();
		$listed = array_values( array_filter( $items, static fn( array $item ): bool => SyncPreview::UNCHANGED !== $item['action'] || $item['failed'] > 0 ) );
		if ( $listed ) {
			Utils\format_items( 'table', $listed, array( 'article_id', 'action', 'images', 'new', 'known', 'failed', 'error' ) );
		}
		$by_action = array_count_values( array_column( $items, 'action' ) ) + array_fill_keys( array( SyncPreview::IMPORT, SyncPreview::UPDATE, SyncPreview::UNCHANGED, SyncPreview::FAILED ), 0 );
		WP_CLI::success(
			sprintf(
				/* translators: 1: articles, 2: with new pictures, 3: new pictures, 4: reordered, 5: unchanged, 6: failed. */
				__( 'Dry run, nothing written: of %1$d articles, %2$d have %3$d new pictures to import, %4$d would change positions only, %5$d are unchanged and %6$d could not be read.', 'verial-image-sync' ),
				count( $items ),
				$by_action[ SyncPreview::IMPORT ],
				array_sum( array_column( $items, 'new' ) ),
				$by_action[ SyncPreview::UPDATE ],
				$by_action[ SyncPreview::UNCHANGED ],
				$by_action[ SyncPreview::FAILED ]
			)
		);
	}

	/**
	 * Processes the run to its end in this process with a progress bar.
	 *
	 * @return array<string, mixed> The run's final status.
	 */
	private function run_with_progress( int $run_id ): array {
		$short = static function ( $values ) {
			$values['time_limit'] = min( (int) ( $values['time_limit'] ?? self::PROGRESS_SLICE_SECONDS ), self::PROGRESS_SLICE_SECONDS );
			return $values;
		};
		add_filter( 'verial_image_sync_settings', $short );
		Plugin::reset_services();
		$progress = new RunProgress( $run_id );
		try {
			Plugin::services()->foreground->run( array( $progress, 'update' ) );
		} catch ( \RuntimeException $e ) {
			WP_CLI::error( $e->getMessage() );
		} finally {
			remove_filter( 'verial_image_sync_settings', $short );
			Plugin::reset_services();
		}
		$progress->finish();
		return (array) Plugin::services()->runner->status( $run_id, self::MAX_WARNINGS );
	}

	/**
	 * Starts the worker processes and shows the run's progress until they have all exited.
	 *
	 * @return array<string, mixed> The run's final status.
	 */
	private function run_with_workers( int $run_id, int $count ): array {
		$services = Plugin::services();
		try {
			$pool = new WorkerPool( WorkerPool::wp_cli_command() );
			$pool->start( $count );
		} catch ( \RuntimeException $e ) {
			WP_CLI::error( $e->getMessage() );
		}
		$progress = new RunProgress( $run_id );
		do {
			usleep( self::WORKERS_POLL_MICROSECONDS );
			$running = $pool->running();
			$progress->update();
		} while ( $running > 0 );
		$progress->finish();
		foreach ( $pool->failures() as $failure ) {
			/* translators: 1: worker number, 2: exit status, 3: the worker's last error lines. */
			WP_CLI::warning( sprintf( __( 'Worker %1$d exited with status %2$d: %3$s', 'verial-image-sync' ), $failure['worker'], $failure['code'], $failure['stderr'] ) );
		}
		$status = (array) $services->runner->status( $run_id, self::MAX_WARNINGS );
		if ( $status['active'] ) {
			/* translators: %d: run id. */
			WP_CLI::error( sprintf( __( 'The workers stopped before run #%d ended; wp verial-images sync --resume continues it.', 'verial-image-sync' ), $run_id ) );
		}
		return $status;
	}

	/**
	 * Summary table, the errors as warnings, and the exit status of a finished run.
	 *
	 * @param array<string, mixed> $status Run status.
	 */
	private function sync_summary( array $status ): void {
		Utils\format_items(
			'table',
			array(
				array(
					'run'             => $status['id'],
					'status'          => $status['status'],
					'articles'        => $status['articles']['total'],
					'articles_failed' => $status['articles']['failed'],
					'images'          => $status['images']['seen'],
					'created'         => $status['images']['created'],
					'reused'          => $status['images']['duplicates_avoided'],
					'images_failed'   => $status['images']['failed'],
					'orphaned'        => $status['images']['orphaned'],
					'deleted'         => $status['images']['deleted'],
					'seconds'         => $status['timings']['work_seconds'],
					'mode'            => (string) $status['mode'],
					'since'           => (string) $status['since'],
				),
			),
			array( 'run', 'status', 'articles', 'articles_failed', 'images', 'created', 'reused', 'images_failed', 'orphaned', 'deleted', 'seconds', 'mode', 'since' )
		);
		foreach ( $status['orphans'] as $orphan ) {
			WP_CLI::log( $orphan['message'] );
		}
		foreach ( $status['errors'] as $error ) {
			WP_CLI::warning( $error['message'] );
		}
		if ( $status['error_count'] > count( $status['errors'] ) ) {
			/* translators: %d: errors not shown. */
			WP_CLI::warning( sprintf( __( '... and %d more errors (wp verial-images status, or the admin page, lists them all).', 'verial-image-sync' ), $status['error_count'] - count( $status['errors'] ) ) );
		}
		switch ( $status['status'] ) {
			case RunStore::COMPLETED:
			case RunStore::COMPLETED_WITH_ERRORS:
				if ( $status['articles']['failed'] > 0 ) {
					/* translators: 1: failed articles, 2: articles. */
					WP_CLI::error( sprintf( __( '%1$d of %2$d articles failed (listed above); the others were imported. Run wp verial-images sync again to retry them.', 'verial-image-sync' ), $status['articles']['failed'], $status['articles']['total'] ) );
				}
				/* translators: 1: articles, 2: pictures created, 3: pictures reused. */
				WP_CLI::success( sprintf( __( 'Imported the images of %1$d articles: %2$d pictures created, %3$d reused.', 'verial-image-sync' ), $status['articles']['total'], $status['images']['created'], $status['images']['duplicates_avoided'] ) );
				return;
			case RunStore::CANCELLED:
				WP_CLI::error( __( 'The run was cancelled; wp verial-images sync starts a new one that reuses everything imported so far.', 'verial-image-sync' ) );
				return;
			default:
				/* translators: %s: why the run failed. */
				WP_CLI::error( sprintf( __( 'The run failed: %s', 'verial-image-sync' ), (string) $status['last_error'] ) );
		}
	}

	/**
	 * Phase 2 over every product, in slices of about a second so that the progress bar moves.
	 */
	private function assign_all_with_progress( bool $dry_run, bool $force ): AssignmentReport {
		$services = Plugin::services();
		$bar      = Utils\make_progress_bar( __( 'Assigning images', 'verial-image-sync' ), $services->assigner->count_articles() );
		$report   = new AssignmentReport();
		do {
			$slice = $services->assigner->assign_all( $dry_run, new TimeBox( 1, $services->settings->memory_ratio() ), $report->next_cursor, $force );
			$report->merge( $slice );
			$bar->tick( $slice->articles_seen );
		} while ( ! $slice->complete );
		$bar->finish();
		return $report;
	}

	/**
	 * The products a dry run would change, or that the rollback restores.
	 */
	private function list_changes( AssignmentReport $report, bool $dry_run, string $format ): void {
		if ( $dry_run && $report->changes ) {
			Utils\format_items( $format, $report->changes, array( 'product_id', 'article_id', 'action', 'before', 'after' ) );
		}
	}

	/**
	 * One warning per product left alone, up to MAX_WARNINGS.
	 *
	 * @param string $message Format with %d for the product id.
	 */
	private function warn_skipped( AssignmentReport $report, string $message ): void {
		$skipped = array_values( array_filter( $report->changes, static fn( array $change ): bool => AssignmentPolicy::SKIPPED_MANUAL === $change['action'] ) );
		foreach ( array_slice( $skipped, 0, self::MAX_WARNINGS ) as $change ) {
			WP_CLI::warning( sprintf( $message, $change['product_id'] ) );
		}
	}

	/**
	 * The counts of a phase 2 pass as a table.
	 */
	private function report_table( AssignmentReport $report ): void {
		Utils\format_items( 'table', array( $report->counts() ), array_keys( $report->counts() ) );
	}
}
