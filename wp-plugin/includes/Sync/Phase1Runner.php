<?php
/**
 * Starts, cancels and reports phase 1 runs.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Codec;
use VerialImageSync\Media\ThumbnailQueue;
use VerialImageSync\Settings;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\ErrorLog;
use VerialImageSync\Store\RunStore;

/**
 * The run's lifecycle as the outside (drivers, WP-CLI, the later status endpoint) sees it.
 * Starting only records the run, so it answers at once; the listing and the imports happen in
 * the workers.
 */
final class Phase1Runner {

	public function __construct(
		private Settings $settings,
		private RunStore $runs,
		private BatchQueue $queue,
		private ErrorLog $errors,
		private Lock $lock,
		private ThumbnailQueue $thumbnails
	) {
	}

	/**
	 * Creates the active run. What it covers is the caller's explicit choice (a list of articles,
	 * a since moment, or full), else RunModePolicy's: incremental since the previous finished run,
	 * with the articles that failed in that run added so they are retried, or full.
	 *
	 * @param string      $trigger     What starts it (cron, action_scheduler, foreground, cli...).
	 * @param string|null $since       Only articles Verial lists as created or modified since this
	 *                                 moment (Y-m-d H:i:s, Verial's fecha/hora), or null.
	 * @param list<int>   $article_ids Only these articles (nothing is listed), or empty.
	 * @param bool        $full        Every article, whatever the policy would choose.
	 * @return int Run id.
	 * @throws RunAlreadyActiveException When a run is active.
	 * @throws \InvalidArgumentException When $full is combined with $since or $article_ids.
	 * @throws \RuntimeException When the plugin cannot run (no codec, no API URL).
	 */
	public function start( string $trigger, ?string $since = null, array $article_ids = array(), bool $full = false ): int {
		if ( $full && ( null !== $since || $article_ids ) ) {
			throw new \InvalidArgumentException( __( 'A full sync covers every article: it takes no since moment and no article list.', 'verial-image-sync' ) );
		}
		if ( ! Codec::is_available() ) {
			throw new \RuntimeException( __( 'Verial Image Sync cannot run: neither the verial_images extension nor its PHP polyfill is available.', 'verial-image-sync' ) );
		}
		if ( '' === $this->settings->base_url() ) {
			throw new \RuntimeException( __( 'Verial Image Sync cannot run: the Verial API URL is not configured.', 'verial-image-sync' ) );
		}
		$selection = $this->selection( $since, $article_ids, $full );
		return $this->runs->create( $trigger, Codec::engine(), $this->settings->image_size(), $selection['mode'], $selection['since'], $selection['article_ids'] );
	}

	/**
	 * What a run started now with these choices would cover (start() stores it on the run;
	 * `sync --dry-run` previews it). Without a choice, RunModePolicy decides: full, or
	 * incremental since the previous run plus the articles that failed in it.
	 *
	 * @param string|null $since       Only articles changed since (Verial's time zone), or null.
	 * @param list<int>   $article_ids Only these articles, or empty.
	 * @param bool        $full        Every article.
	 * @return array{mode: string, since: ?string, article_ids: list<int>} RunStore::MODE_*; for
	 *         an incremental run, article_ids are retried besides those listed since then.
	 */
	public function selection( ?string $since, array $article_ids, bool $full ): array {
		if ( $article_ids ) {
			$mode = RunStore::MODE_ARTICLES;
		} elseif ( $full ) {
			$mode = RunStore::MODE_FULL;
		} elseif ( null !== $since ) {
			$mode = RunStore::MODE_INCREMENTAL;
		} else {
			$previous = $this->runs->last_finished( array( RunStore::MODE_FULL, RunStore::MODE_INCREMENTAL ) );
			$policy   = new RunModePolicy( $this->settings->since_margin_minutes(), $this->settings->verial_timezone(), $this->settings->full_check_days() );
			$decision = $policy->decide( $previous, $this->runs->last_finished( array( RunStore::MODE_FULL ) ), new \DateTimeImmutable( 'now', new \DateTimeZone( 'UTC' ) ) );
			$mode     = $decision['mode'];
			$since    = $decision['since'];
			if ( RunStore::MODE_INCREMENTAL === $mode && null !== $previous ) {
				$article_ids = $this->errors->failed_articles( (int) $previous['id'] );
			}
		}
		return array(
			'mode'        => $mode,
			'since'       => $since,
			'article_ids' => $article_ids,
		);
	}

	/**
	 * Cancels the active run (or the given one, if active). A worker in the middle of an article
	 * finishes that article and stops.
	 *
	 * @return bool Whether a run was cancelled.
	 */
	public function cancel( ?int $run_id = null ): bool {
		$run = null === $run_id ? $this->runs->active() : $this->runs->get( $run_id );
		if ( null === $run || null === $run['active_slot'] ) {
			return false;
		}
		$cancelled = $this->runs->finish( (int) $run['id'], RunStore::CANCELLED );
		$this->queue->cancel_open( (int) $run['id'] );
		return $cancelled;
	}

	/**
	 * Everything the status endpoint needs about a run (the active one, else the latest).
	 *
	 * @param int|null $run_id Run id, or null.
	 * @param int      $max_errors At most this many errors listed.
	 * @return array<string, mixed>|null
	 */
	public function status( ?int $run_id = null, int $max_errors = 200 ): ?array {
		$run = null === $run_id ? ( $this->runs->active() ?? $this->runs->latest() ) : $this->runs->get( $run_id );
		if ( null === $run ) {
			return null;
		}
		$id      = (int) $run['id'];
		$seconds = (float) $run['work_seconds'];
		$seen    = (int) $run['images_seen'];
		$lock    = $this->lock->current();
		return array(
			'id'              => $id,
			'status'          => $run['status'],
			'active'          => null !== $run['active_slot'],
			'trigger'         => $run['trigger_source'],
			'codec'           => $run['codec'],
			'image_size'      => (int) $run['image_size'],
			'mode'            => '' === $run['run_mode'] ? null : $run['run_mode'],
			'since'           => $run['since'],
			'retried'         => RunStore::MODE_INCREMENTAL === $run['run_mode'] ? array_map( 'intval', (array) json_decode( (string) $run['only_articles'], true ) ) : array(),
			'current_article' => null === $run['current_article'] ? null : (int) $run['current_article'],
			'articles'        => array(
				'total'  => (int) $run['total_articles'],
				'done'   => (int) $run['articles_done'],
				'failed' => (int) $run['articles_failed'],
			),
			'images'          => array(
				'seen'               => $seen,
				'created'            => (int) $run['images_created'],
				'reused'             => (int) $run['images_reused'],
				'adopted'            => (int) $run['images_adopted'],
				'failed'             => (int) $run['images_failed'],
				'orphaned'           => (int) $run['images_orphaned'],
				'deleted'            => (int) $run['images_deleted'],
				'duplicates_avoided' => (int) $run['images_reused'] + (int) $run['images_adopted'],
				'bytes_written'      => (int) $run['bytes_written'],
			),
			'batches'         => $this->queue->counts( $id ),
			'timings'         => array(
				'created_at'        => $run['created_at'],
				'started_at'        => $run['started_at'],
				'finished_at'       => $run['finished_at'],
				'updated_at'        => $run['updated_at'],
				'work_seconds'      => round( $seconds, 3 ),
				'images_per_second' => $seconds > 0 ? round( $seen / $seconds, 1 ) : null,
			),
			'peak_memory'        => (int) $run['peak_memory'],
			'last_error'         => $run['last_error'],
			'error_count'        => $this->errors->count_for_run( $id ),
			'errors'             => $this->errors->for_run( $id, $max_errors ),
			'orphans'            => $this->errors->orphans_for_run( $id, $max_errors ),
			'thumbnails_pending' => $this->thumbnails->count_pending(),
			'worker_lock'        => null === $lock ? null : array( 'expires_at' => gmdate( 'Y-m-d H:i:s', (int) $lock['expires'] ) ),
		);
	}
}
