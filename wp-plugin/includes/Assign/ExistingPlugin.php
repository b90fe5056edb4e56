<?php
/**
 * The existing Verial sync plugin (mi-integracion-api), as far as this plugin cares.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

/**
 * Its hook names and whether it is loaded. It defines `MiIntegracionApi_VERSION` when its main
 * file loads and fires `mi_integracion_api_initialized` once WooCommerce is ready.
 */
final class ExistingPlugin {

	/**
	 * Fired with ($product_id, $verial_id|null) after WooCommerce saved an existing product.
	 */
	public const PRODUCT_UPDATED = 'mi_integracion_api_wc_product_updated';

	/**
	 * Fired with ($product_id) after WooCommerce created a product.
	 */
	public const PRODUCT_CREATED = 'mi_integracion_api_wc_product_created';

	public static function is_active(): bool {
		return defined( 'MiIntegracionApi_VERSION' ) || did_action( 'mi_integracion_api_initialized' ) > 0;
	}

	/**
	 * Its version, when it is loaded.
	 */
	public static function version(): ?string {
		return defined( 'MiIntegracionApi_VERSION' ) ? (string) constant( 'MiIntegracionApi_VERSION' ) : null;
	}
}
