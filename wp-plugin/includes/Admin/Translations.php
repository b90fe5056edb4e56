<?php
/**
 * Loads the plugin's translations.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use const VerialImageSync\PLUGIN_FILE;

/**
 * The .mo files ship in languages/ (Domain Path); WordPress 6.1 only looks in wp-content/languages
 * by itself, so they are loaded explicitly. Loaded for every request, not only admin pages: the
 * REST answers, cron errors and WP-CLI output use the same strings.
 */
final class Translations {

	public const DOMAIN = 'verial-image-sync';

	/**
	 * Hooked to init.
	 */
	public static function load(): void {
		load_plugin_textdomain( self::DOMAIN, false, dirname( plugin_basename( PLUGIN_FILE ) ) . '/languages' );
	}
}
