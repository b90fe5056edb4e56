<?php
/**
 * What a product shows now, and what this plugin knows about it.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

/**
 * The product's current pictures plus this plugin's two notes on it: what it assigned last
 * (so a later difference is known to come from someone else) and what the product showed
 * before this plugin first assigned anything (what the rollback restores).
 */
final class ProductImageState {

	/**
	 * @param ImageSet      $current  Pictures the product shows now.
	 * @param ImageSet|null $assigned What this plugin assigned last; null when it never did.
	 * @param ImageSet|null $previous Pictures before this plugin's first assignment; null when none was made.
	 */
	public function __construct( public readonly ImageSet $current, public readonly ?ImageSet $assigned, public readonly ?ImageSet $previous ) {
	}

	/**
	 * Whether the product still shows exactly what this plugin assigned.
	 */
	public function shows_our_assignment(): bool {
		return null !== $this->assigned && $this->current->equals( $this->assigned );
	}
}
