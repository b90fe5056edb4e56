<?php
/**
 * Who may see and drive the plugin.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

/**
 * The one place that decides the capability of every page, REST route and form of the plugin:
 * shop managers run the sync when WooCommerce is there (it is their job, and they lack
 * manage_options), administrators otherwise.
 */
final class Capability {

	/**
	 * The capability the current site requires.
	 */
	public static function required(): string {
		return self::woocommerce_active() ? 'manage_woocommerce' : 'manage_options';
	}

	/**
	 * Whether the current user may use the plugin.
	 */
	public static function granted(): bool {
		return current_user_can( self::required() );
	}

	/**
	 * WooCommerce's main class is loaded once its plugin file ran (plugins_loaded), which is
	 * before any hook this plugin asks about it from.
	 */
	public static function woocommerce_active(): bool {
		return class_exists( 'WooCommerce' );
	}
}
