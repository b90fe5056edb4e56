<?php
/**
 * Writes a product's pictures.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Store\Transaction;

/**
 * Through WooCommerce's product API when WooCommerce is loaded (its caches, lookup tables and
 * hooks stay right), otherwise into the same post meta WooCommerce would write.
 *
 * The notes are written before the pictures (WooCommerce saves a product's meta data before its
 * props too), so a crash in between leaves a state the next assignment repairs, and never loses
 * the "previous" note.
 */
final class ProductImageWriter {

	/**
	 * Runs one batch's writes. Without WooCommerce they share one short transaction: one log
	 * flush instead of one per meta row, about ten times faster. Through WooCommerce there is no
	 * transaction of ours: its save fires other plugins' hooks, which may call remote APIs, and
	 * no lock may be held across those; besides, the existing sync plugin (which requires
	 * WooCommerce) calls us from inside its own product transaction, which a START TRANSACTION
	 * would commit half-done.
	 *
	 * @param callable(): void $writes The batch's writes.
	 */
	public function in_batch( callable $writes ): void {
		if ( self::uses_woocommerce() ) {
			$writes();
			return;
		}
		Transaction::run( $writes );
	}

	/**
	 * Whether WooCommerce's product API is available.
	 */
	public static function uses_woocommerce(): bool {
		return function_exists( 'wc_get_product' );
	}

	/**
	 * Sets the product's main image and gallery, and this plugin's notes.
	 *
	 * @param int                         $product_id Product post id.
	 * @param ImageSet                    $images     Pictures to show.
	 * @param array<string, string|null>  $notes      Meta key => value (null deletes it).
	 * @throws \RuntimeException When WooCommerce does not know the product.
	 */
	public function write( int $product_id, ImageSet $images, array $notes ): void {
		if ( self::uses_woocommerce() ) {
			$this->write_with_woocommerce( $product_id, $images, $notes );
			return;
		}
		$this->write_notes( $product_id, $notes );
		$this->set_meta( $product_id, ProductImages::THUMBNAIL_META, $images->main > 0 ? (string) $images->main : null );
		$this->set_meta( $product_id, ProductImages::GALLERY_META, $images->gallery ? implode( ',', $images->gallery ) : null );
	}

	/**
	 * Writes only this plugin's notes (the pictures are already right).
	 *
	 * @param int                        $product_id Product post id.
	 * @param array<string, string|null> $notes      Meta key => value (null deletes it).
	 */
	public function write_notes( int $product_id, array $notes ): void {
		foreach ( $notes as $key => $value ) {
			$this->set_meta( $product_id, $key, $value );
		}
	}

	/**
	 * @param int                        $product_id Product post id.
	 * @param ImageSet                   $images     Pictures to show.
	 * @param array<string, string|null> $notes      Meta key => value (null deletes it).
	 * @throws \RuntimeException When WooCommerce does not know the product.
	 */
	private function write_with_woocommerce( int $product_id, ImageSet $images, array $notes ): void {
		$product = wc_get_product( $product_id );
		if ( ! $product ) {
			throw new \RuntimeException( sprintf( 'WooCommerce does not know product %d.', $product_id ) );
		}
		foreach ( $notes as $key => $value ) {
			if ( null === $value ) {
				$product->delete_meta_data( $key );
			} else {
				$product->update_meta_data( $key, $value );
			}
		}
		$product->set_image_id( $images->main > 0 ? $images->main : '' );
		$product->set_gallery_image_ids( $images->gallery );
		$product->save();
	}

	private function set_meta( int $product_id, string $key, ?string $value ): void {
		if ( null === $value ) {
			delete_post_meta( $product_id, $key );
		} else {
			update_post_meta( $product_id, $key, $value );
		}
	}
}
