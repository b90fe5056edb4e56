<?php
/**
 * PHPUnit bootstrap: loads the test run's WordPress (made by run.sh) with the plugin active.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

// PHPUnit includes this file inside a method; WordPress expects these at global scope.
// phpcs:ignore WordPress.NamingConventions.PrefixAllGlobals.NonPrefixedVariableFound
global $wpdb, $table_prefix, $wp_version, $wp_db_version, $wp, $wp_query, $wp_the_query, $wp_rewrite, $wp_roles, $wp_locale, $wp_embed, $wp_filter, $wp_actions, $wp_current_filter, $current_site, $current_blog, $shortcode_tags, $phpmailer, $wp_theme_directories, $wp_plugin_paths, $allowedposttags, $allowedtags;

foreach ( array( 'VIS_WP_DIR', 'VIS_MOCK_URL', 'VIS_MOCK_STATE' ) as $vis_variable ) {
	if ( false === getenv( $vis_variable ) ) {
		fwrite( STDERR, "$vis_variable is not set: run these tests through tests/wp/run.sh\n" );
		exit( 1 );
	}
}

require __DIR__ . '/bin/load-wordpress.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once __DIR__ . '/src/MockVerial.php';
require_once __DIR__ . '/src/SiteState.php';
require_once __DIR__ . '/src/ChildProcess.php';
require_once __DIR__ . '/src/E2eTestCase.php';

if ( ! is_plugin_active( 'verial-image-sync/verial-image-sync.php' ) ) {
	fwrite( STDERR, "the plugin is not active in the test WordPress\n" );
	exit( 1 );
}
fwrite( STDERR, sprintf( "[vis] codec: %s %s\n", \VerialImageSync\Codec::engine(), \VerialImages\Native\version() ) );
