<?php
/**
 * Prepares and changes the browser test's WordPress (run by run.sh and by the spec):
 *
 *   php site.php prepare <admin password> <subscriber password>   users and plugin settings
 *   php site.php locale <login> <locale>                          a user's admin language
 *
 * Env: VIS_WP_DIR, VIS_MOCK_URL (tests/wp/lib.sh's vis_setup).
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

require dirname( __DIR__, 2 ) . '/wp/bin/load-wordpress.php';

use VerialImageSync\Settings;

$command = $argv[1] ?? '';
if ( 'prepare' === $command && 4 === $argc ) {
	$admin = get_user_by( 'login', 'admin' );
	wp_set_password( $argv[2], $admin->ID );
	$subscriber = wp_insert_user(
		array(
			'user_login' => 'reader',
			'user_pass'  => $argv[3],
			'user_email' => 'reader@example.org',
			'role'       => 'subscriber',
		)
	);
	if ( is_wp_error( $subscriber ) ) {
		fwrite( STDERR, $subscriber->get_error_message() . "\n" );
		exit( 1 );
	}
	// Short slices and one request at a time, so the run is carried by several WP-Cron requests
	// as on a real site, and the page shows it between 0 and 100 %.
	Settings::save(
		array(
			'base_url'            => getenv( 'VIS_MOCK_URL' ),
			'session'             => 18,
			'batch_size'          => 10,
			'time_limit'          => 2,
			'parallel_requests'   => 1,
			'retry_delays_ms'     => array( 1, 1, 1 ),
			'generate_thumbnails' => false,
		)
	);
	exit( 0 );
}
if ( 'locale' === $command && 4 === $argc ) {
	$user = get_user_by( 'login', $argv[2] );
	if ( ! $user ) {
		fwrite( STDERR, "no user {$argv[2]}\n" );
		exit( 1 );
	}
	update_user_meta( $user->ID, 'locale', $argv[3] );
	exit( 0 );
}
fwrite( STDERR, "usage: site.php prepare <admin password> <subscriber password> | locale <login> <locale>\n" );
exit( 2 );
