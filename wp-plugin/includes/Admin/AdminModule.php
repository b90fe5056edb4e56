<?php
/**
 * Registers the Admin module's hooks.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use VerialImageSync\Health\CodecCheck;
use VerialImageSync\Health\DebugInformation;
use VerialImageSync\Rest\Routes;

/**
 * Entry point called from Plugin::boot(): the admin page, its card on the existing plugin's
 * dashboard, the settings form, the REST routes the page polls, Site Health and translations.
 */
final class AdminModule {

	public static function register(): void {
		add_action( 'init', array( Translations::class, 'load' ) );
		add_action( 'rest_api_init', array( Routes::class, 'register' ) );
		add_action( 'admin_menu', array( AdminPage::class, 'add_menu' ) );
		add_action( 'admin_enqueue_scripts', array( AdminPage::class, 'enqueue' ) );
		add_action( 'admin_post_' . SettingsForm::ACTION, array( SettingsForm::class, 'handle' ) );
		add_action( 'mi_integracion_api_after_main_dashboard', array( DashboardCard::class, 'render' ) );
		add_filter( 'site_status_tests', array( CodecCheck::class, 'register' ) );
		add_filter( 'debug_information', array( DebugInformation::class, 'register' ) );
	}
}
