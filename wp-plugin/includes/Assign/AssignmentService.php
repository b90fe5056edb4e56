<?php
/**
 * Phase 2: assigns the imported attachments to WooCommerce products.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Store\ArticleTable;
use VerialImageSync\Sync\TimeBox;

/**
 * Works in batches of articles: the batch's product links, its pictures (one query on the image
 * table plus one native ArticleIndex), the products' current pictures and, when needed, where
 * those pictures come from, each read in one query for the whole batch. Then only products whose
 * pictures differ are written (AssignmentPolicy decides), so a second pass writes nothing.
 */
final class AssignmentService {

	public const BATCH_SIZE = 200;

	/**
	 * Products being written right now: WooCommerce's save fires the existing plugin's hooks,
	 * which would ask to assign the same product again.
	 *
	 * @var array<int, true>
	 */
	private array $writing = array();

	/**
	 * @param ProductLinks       $links      Product <-> article links.
	 * @param ImageSource        $source     Article -> ordered attachments.
	 * @param ProductImages      $products   Products' current pictures.
	 * @param ProductImageWriter $writer     Writes pictures.
	 * @param ArticleTable       $articles   Known articles (the walk of assign_all()).
	 * @param int                $batch_size Articles or products per batch.
	 */
	public function __construct(
		private ProductLinks $links,
		private ImageSource $source,
		private ProductImages $products,
		private ProductImageWriter $writer,
		private ArticleTable $articles,
		private int $batch_size = self::BATCH_SIZE
	) {
	}

	/**
	 * Assigns the pictures of the given articles to their products.
	 *
	 * @param list<int> $article_ids Verial article ids.
	 * @param bool      $dry_run     Decide and report, write nothing.
	 * @param bool      $force       Overwrite pictures set by hand too.
	 */
	public function assign_articles( array $article_ids, bool $dry_run = false, bool $force = false ): AssignmentReport {
		$report = new AssignmentReport();
		foreach ( array_chunk( array_values( array_unique( array_map( 'intval', $article_ids ) ) ), $this->batch_size ) as $batch ) {
			$this->assign_batch( $this->links->for_articles( $batch ), $batch, $report, $dry_run, $force );
		}
		$report->complete = true;
		return $report;
	}

	/**
	 * Assigns the given products the pictures of the article each is linked to.
	 *
	 * @param list<int> $product_ids Product post ids (unlinked ones are ignored).
	 * @param bool      $dry_run     Decide and report, write nothing.
	 * @param bool      $force       Overwrite pictures set by hand too.
	 */
	public function assign_products( array $product_ids, bool $dry_run = false, bool $force = false ): AssignmentReport {
		$report = new AssignmentReport();
		foreach ( array_chunk( array_values( array_unique( array_map( 'intval', $product_ids ) ) ), $this->batch_size ) as $batch ) {
			$links = $this->links->for_products( $batch );
			$this->assign_batch( $links, array_values( array_unique( $links ) ), $report, $dry_run, $force );
		}
		$report->complete = true;
		return $report;
	}

	/**
	 * Walks every known article (stored images or listed by Verial) in ascending id order from a
	 * cursor, until done or out of time; a background job continues from the report's cursor.
	 *
	 * @param bool         $dry_run       Decide and report, write nothing.
	 * @param TimeBox|null $box           Stop between batches once expired (at least one batch runs).
	 * @param int          $after_article Cursor: continue after this article id.
	 * @param bool         $force         Overwrite pictures set by hand too.
	 */
	public function assign_all( bool $dry_run = false, ?TimeBox $box = null, int $after_article = 0, bool $force = false ): AssignmentReport {
		$report              = new AssignmentReport();
		$report->next_cursor = $after_article;
		do {
			$batch = $this->articles->known_after( $report->next_cursor, $this->batch_size );
			if ( ! $batch ) {
				$report->complete = true;
				break;
			}
			$this->assign_batch( $this->links->for_articles( $batch ), $batch, $report, $dry_run, $force );
			$report->next_cursor = $batch[ count( $batch ) - 1 ];
		} while ( null === $box || ! $box->expired() );
		return $report;
	}

	/**
	 * How many articles assign_all() walks over (for progress).
	 */
	public function count_articles(): int {
		return $this->articles->count_known();
	}

	/**
	 * The rollback: every product this plugin assigned gets back what it showed before (possibly
	 * nothing), if it still shows this plugin's assignment; a product changed by hand since keeps
	 * its pictures. Either way this plugin's notes are removed, so the product is no longer
	 * considered ours. Counted as updated (restored) or skipped_manual (changed since).
	 *
	 * @param bool $dry_run Report, write nothing.
	 */
	public function restore_all( bool $dry_run = false ): AssignmentReport {
		$report = new AssignmentReport();
		$notes  = array(
			ProductImages::ASSIGNED_META => null,
			ProductImages::PREVIOUS_META => null,
		);
		$after  = 0;
		while ( $batch = $this->products->assigned_after( $after, $this->batch_size ) ) { // phpcs:ignore Generic.CodeAnalysis.AssignmentInCondition.FoundInWhileCondition
			$after  = $batch[ count( $batch ) - 1 ];
			$writes = array();
			foreach ( $this->products->for_products( $batch ) as $product_id => $state ) {
				$previous = $state->previous ?? new ImageSet( 0, array() );
				$restore  = $state->shows_our_assignment();
				$report->add( $product_id, 0, $restore ? AssignmentPolicy::UPDATE : AssignmentPolicy::SKIPPED_MANUAL, $state->current, $restore ? $previous : $state->current );
				$writes[ $product_id ] = array( $restore ? $previous : null, $notes );
			}
			if ( ! $dry_run ) {
				$this->writer->in_batch( fn() => $this->write_all( $writes ) );
			}
		}
		$report->complete = true;
		return $report;
	}

	/**
	 * Whether this product is being written by this object now (its save hooks are running).
	 */
	public function is_writing( int $product_id ): bool {
		return isset( $this->writing[ $product_id ] );
	}

	/**
	 * Decides and writes one batch.
	 *
	 * @param array<int, int>  $links       Product id => article id.
	 * @param list<int>        $article_ids The batch's articles (for articles_without_product).
	 * @param AssignmentReport $report      Updated.
	 * @param bool             $dry_run     Write nothing.
	 * @param bool             $force       Overwrite pictures set by hand too.
	 */
	private function assign_batch( array $links, array $article_ids, AssignmentReport $report, bool $dry_run, bool $force ): void {
		$report->articles_seen += count( $article_ids );
		$images                 = $this->source->for_articles( array_merge( $article_ids, array_values( $links ) ) );
		$linked                 = array_flip( $links );
		foreach ( $article_ids as $article_id ) {
			if ( ! isset( $linked[ $article_id ] ) && ! empty( $images[ $article_id ] ) ) {
				++$report->articles_without_product;
			}
		}
		if ( ! $links ) {
			return;
		}
		$states  = $this->products->for_products( array_keys( $links ) );
		$unknown = array();
		foreach ( $states as $state ) {
			if ( AssignmentPolicy::needs_origins( $state ) ) {
				array_push( $unknown, ...$state->current->ids() );
			}
		}
		$origins = $this->products->verial_articles_of( array_values( array_unique( $unknown ) ) );
		$writes  = array();
		foreach ( $links as $product_id => $article_id ) {
			$state   = $states[ $product_id ];
			$desired = ImageSet::from_ids( $images[ $article_id ] ?? array() );
			$outcome = AssignmentPolicy::decide( $state, $desired, $article_id, $origins, $force );
			$report->add( $product_id, $article_id, $outcome, $state->current, $desired );
			if ( AssignmentPolicy::UPDATE !== $outcome && AssignmentPolicy::RECORD !== $outcome ) {
				continue;
			}
			$notes = array( ProductImages::ASSIGNED_META => $desired->to_string() );
			if ( null === $state->previous ) {
				// First assignment: remember what the product showed, for the rollback.
				$notes[ ProductImages::PREVIOUS_META ] = $state->current->to_string();
			}
			$writes[ $product_id ] = array( AssignmentPolicy::UPDATE === $outcome ? $desired : null, $notes );
		}
		if ( ! $dry_run && $writes ) {
			$this->writer->in_batch( fn() => $this->write_all( $writes ) );
		}
	}

	/**
	 * @param array<int, array{0: ImageSet|null, 1: array<string, string|null>}> $writes Product id => pictures (null: notes only) and notes.
	 */
	private function write_all( array $writes ): void {
		foreach ( $writes as $product_id => list( $images, $notes ) ) {
			if ( null === $images ) {
				$this->writer->write_notes( $product_id, $notes );
			} else {
				$this->write( $product_id, $images, $notes );
			}
		}
	}

	/**
	 * @param array<string, string|null> $notes Meta key => value (null deletes it).
	 */
	private function write( int $product_id, ImageSet $images, array $notes ): void {
		$this->writing[ $product_id ] = true;
		try {
			$this->writer->write( $product_id, $images, $notes );
		} finally {
			unset( $this->writing[ $product_id ] );
		}
	}
}
