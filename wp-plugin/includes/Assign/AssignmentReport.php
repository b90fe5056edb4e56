<?php
/**
 * What a phase 2 pass did (or, in a dry run, would do).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

/**
 * Counts per outcome, the products that changed or were left alone (for `--dry-run` output and
 * the warnings), and where a pass over all articles stopped.
 */
final class AssignmentReport {

	public int $products_seen = 0;
	public int $products_updated = 0;
	public int $products_unchanged = 0;
	public int $products_skipped_manual = 0;
	public int $products_without_images = 0;
	public int $articles_without_product = 0;

	/**
	 * Articles covered, for progress.
	 */
	public int $articles_seen = 0;

	/**
	 * Last article id handled by assign_all(): where the next pass continues.
	 */
	public int $next_cursor = 0;

	/**
	 * Whether the pass reached the end of its articles.
	 */
	public bool $complete = false;

	/**
	 * Updated and skipped products: product_id, article_id, action, before, after (text form).
	 *
	 * @var list<array{product_id: int, article_id: int, action: string, before: string, after: string}>
	 */
	public array $changes = array();

	/**
	 * Accounts one product.
	 *
	 * @param int      $product_id Product post id.
	 * @param int      $article_id Its Verial article.
	 * @param string   $outcome    AssignmentPolicy constant (RECORD counts as unchanged).
	 * @param ImageSet $before     Pictures it showed.
	 * @param ImageSet $after      Pictures it shows after the update (or would).
	 */
	public function add( int $product_id, int $article_id, string $outcome, ImageSet $before, ImageSet $after ): void {
		++$this->products_seen;
		switch ( $outcome ) {
			case AssignmentPolicy::UPDATE:
				++$this->products_updated;
				break;
			case AssignmentPolicy::SKIPPED_MANUAL:
				++$this->products_skipped_manual;
				break;
			case AssignmentPolicy::NO_IMAGES:
				++$this->products_without_images;
				return;
			default:
				++$this->products_unchanged;
				return;
		}
		$this->changes[] = array(
			'product_id' => $product_id,
			'article_id' => $article_id,
			'action'     => $outcome,
			'before'     => $before->to_string(),
			'after'      => $after->to_string(),
		);
	}

	/**
	 * Adds another pass's counts and changes (a background job's slices).
	 */
	public function merge( self $other ): void {
		foreach ( $this->counts() as $name => $count ) {
			$this->{$name} = $count + $other->{$name};
		}
		$this->articles_seen += $other->articles_seen;
		$this->next_cursor    = $other->next_cursor;
		$this->complete       = $other->complete;
		array_push( $this->changes, ...$other->changes );
	}

	/**
	 * The six counters by name.
	 *
	 * @return array<string, int>
	 */
	public function counts(): array {
		return array(
			'products_seen'            => $this->products_seen,
			'products_updated'         => $this->products_updated,
			'products_unchanged'       => $this->products_unchanged,
			'products_skipped_manual'  => $this->products_skipped_manual,
			'products_without_images'  => $this->products_without_images,
			'articles_without_product' => $this->articles_without_product,
		);
	}
}
