<?php
/**
 * The admin button, WP-Cron and the CLI command all starting at the same moment.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Plugin;
use VerialImageSync\Rest\Routes;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

require_once __DIR__ . '/src/WordPressServer.php';

/**
 * Three separate processes released at the same instant: an HTTP POST to the REST start route
 * with a logged-in administrator's cookies and nonce (served by PHP's built-in server), a
 * WP-Cron firing of the process hook, and `wp verial-images sync`.
 */
final class ConcurrentStartTest extends E2eTestCase {

	private const CATALOG = 30;

	private ?WordPressServer $server = null;

	protected function tearDown(): void {
		$this->server?->stop();
		$this->server = null;
	}

	public function test_admin_button_cron_and_cli_started_together_create_one_run(): void {
		$this->fresh_site( self::CATALOG );
		$admin = get_user_by( 'login', 'vis-concurrent-admin' );
		$admin = $admin ? $admin->ID : wp_insert_user(
			array(
				'user_login' => 'vis-concurrent-admin',
				'user_pass'  => wp_generate_password(),
				'user_email' => 'vis-concurrent-admin@example.org',
				'role'       => 'administrator',
			)
		);
		$this->assertIsInt( $admin );
		$this->server = new WordPressServer();
		$session      = WordPressServer::login( $admin );

		// WordPress boots for each HTTP request: the POST leaves that much earlier, so that its
		// start and the CLI's race inside the plugin, not in the boot.
		$boot = microtime( true );
		file_get_contents( $this->server->url . '/?rest_route=/' . Routes::NAMESPACE );
		$boot     = microtime( true ) - $boot;
		$moment   = microtime( true ) + 2.0;
		$start_at = array( 'VIS_START_AT' => sprintf( '%.6F', $moment ) );
		$children = array(
			'rest' => new ChildProcess(
				'rest',
				array( 'VIS_START_AT' => sprintf( '%.6F', $moment - $boot ) ) + array(
					'VIS_REST_URL'    => $this->server->url . '/?rest_route=/' . Routes::NAMESPACE . '/runs',
					'VIS_REST_COOKIE' => $session['cookie'],
					'VIS_REST_NONCE'  => $session['nonce'],
				)
			),
			'cron' => new ChildProcess( 'cron', $start_at ),
			'cli'  => new ChildProcess( 'cli', $start_at ),
		);
		$codes = array();
		foreach ( $children as $name => $child ) {
			$codes[ $name ] = $child->wait();
		}
		$output = static fn( string $name ): string => "$name: exit {$codes[ $name ]}, stdout " . $children[ $name ]->stdout() . ', stderr ' . $children[ $name ]->stderr();
		$all    = implode( "\n", array_map( $output, array_keys( $children ) ) ) . "\nserver: " . $this->server->log();

		$this->assertSame( 1, $this->count_runs(), "exactly one run must exist\n$all" );
		$run = Plugin::services()->runs->latest();

		$rest = json_decode( $children['rest']->stdout(), true );
		$cli  = json_decode( $children['cli']->stdout(), true );
		$this->assertIsArray( $rest, $all );
		$this->assertIsArray( $cli, $all );
		$rest_won = 202 === $rest['status'];
		$cli_won  = 'cli' === $run['trigger_source'];
		$this->assertNotSame( $rest_won, $cli_won, "exactly one of the admin button and the CLI must start the run\n$all" );
		if ( $rest_won ) {
			$this->assertSame( (int) $run['id'], $rest['body']['run_id'], $all );
			$this->assertSame( 1, $codes['cli'], $all );
			$this->assertMatchesRegularExpression( "/already in progress \\(run #{$run['id']}/", $cli['stderr'], $all );
		} else {
			// The CLI ran it to its end (exit 1 only because of the planted corrupt images).
			$this->assertStringNotContainsString( 'already in progress', $cli['stderr'], $all );
			$this->assertMatchesRegularExpression( "/\\| {$run['id']}\s+\\| completed_with_errors/", $cli['stdout'], $all );
			$this->assertSame( 409, $rest['status'], $all );
			$this->assertSame( 'verial_image_sync_run_active', $rest['body']['code'], $all );
			$this->assertStringContainsString( "already in progress (run #{$run['id']}", $rest['body']['message'], $all );
		}
		// Cron found no run or worked on the one run: either way it ended cleanly and made none.
		$this->assertSame( 0, $codes['cron'], $all );

		// The one run proceeds to the truth (the CLI finished it; a background one is finished here).
		Plugin::reset_services();
		if ( null !== Plugin::services()->runs->active() ) {
			$this->assertSame( 'finished', Plugin::services()->foreground->run() );
		}
		$this->assertSame( 1, $this->count_runs() );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, (int) $run['id'] );
		$this->assert_state_matches_truth( (int) $run['id'] );
	}

	private function count_runs(): int {
		global $wpdb;
		return (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . Tables::runs() );
	}
}
