<?php
/**
 * Installs the throw-away WordPress of a test run and activates the plugin.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

define( 'WP_INSTALLING', true );

// wp_install() mails the admin; there is no mail here.
function wp_new_blog_notification(): void {
}

require __DIR__ . '/load-wordpress.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$result = wp_install( 'Verial Image Sync tests', 'admin', 'admin@example.org', false, '', wp_generate_password( 24 ) );
if ( empty( $result['user_id'] ) ) {
	fwrite( STDERR, "wp_install failed\n" );
	exit( 1 );
}
$activated = activate_plugin( 'verial-image-sync/verial-image-sync.php', '', false, false );
if ( is_wp_error( $activated ) ) {
	fwrite( STDERR, 'activation failed: ' . $activated->get_error_message() . "\n" );
	exit( 1 );
}
exit( 0 );
