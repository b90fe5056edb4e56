<?php
/**
 * The ways in of the admin: page, dashboard card, REST routes, settings form; who may use
 * them, what they do and do not do; Spanish; Site Health.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Admin\AdminPage;
use VerialImageSync\Admin\DashboardCard;
use VerialImageSync\Admin\SettingsForm;
use VerialImageSync\Admin\Translations;
use VerialImageSync\Assign\AssignJob;
use VerialImageSync\Assign\AssignModule;
use VerialImageSync\Codec;
use VerialImageSync\Health\CodecCheck;
use VerialImageSync\Health\DebugInformation;
use VerialImageSync\Plugin;
use VerialImageSync\Rest\Routes;
use VerialImageSync\Settings;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

/**
 * wp_die() as an exception, so a refusal can be asserted.
 */
final class WpDieException extends \RuntimeException {
}

/**
 * wp_redirect() as an exception: the handler under test exits right after redirecting.
 */
final class RedirectException extends \RuntimeException {
}

final class AdminAccessTest extends E2eTestCase {

	private const NS = '/' . Routes::NAMESPACE;

	/**
	 * Every route of the namespace with its methods; a new route must be added here (and so
	 * to the access checks below).
	 */
	private const ROUTES = array(
		'/status'          => 'GET',
		'/runs'            => 'POST',
		'/runs/cancel'     => 'POST',
		'/runs/resume'     => 'POST',
		'/assign'          => 'POST',
		'/test-connection' => 'POST',
	);

	/**
	 * @var array<string, int> Role => user id.
	 */
	private static array $users = array();

	public static function setUpBeforeClass(): void {
		foreach ( array( 'administrator', 'editor', 'subscriber' ) as $role ) {
			$login = 'vis-' . $role;
			$user  = get_user_by( 'login', $login );
			self::$users[ $role ] = $user ? $user->ID : wp_insert_user(
				array(
					'user_login' => $login,
					'user_pass'  => wp_generate_password(),
					'user_email' => $login . '@example.org',
					'role'       => $role,
				)
			);
		}
	}

	protected function setUp(): void {
		$this->fresh_site( 12 );
		wp_set_current_user( 0 );
		add_filter( 'wp_die_handler', array( self::class, 'die_handler' ) );
		add_filter( 'wp_redirect', array( self::class, 'redirect' ) );
	}

	protected function tearDown(): void {
		remove_filter( 'wp_die_handler', array( self::class, 'die_handler' ) );
		remove_filter( 'wp_redirect', array( self::class, 'redirect' ) );
		unset( $_SERVER['HTTP_X_WP_NONCE'], $_REQUEST['_wpnonce'], $_POST, $_GET[ SettingsForm::RESULT_ARG ] );
		$_POST                         = array();
		$GLOBALS['wp_rest_auth_cookie'] = false;
		wp_set_current_user( 0 );
		Plugin::services()->runner->cancel();
		AssignModule::cancel();
		parent::tearDown();
	}

	public static function die_handler(): callable {
		return static function ( $message, $title = '', $args = array() ): void {
			$args = is_array( $args ) ? $args : array();
			throw new WpDieException( wp_strip_all_tags( is_string( $message ) ? $message : (string) $title ), (int) ( $args['response'] ?? 500 ) );
		};
	}

	/**
	 * @param string $location Redirect target.
	 */
	public static function redirect( $location ): string {
		throw new RedirectException( (string) $location );
	}

	private function rest( string $method, string $path, array $params = array() ): \WP_REST_Response {
		$request = new \WP_REST_Request( $method, self::NS . $path );
		foreach ( $params as $key => $value ) {
			$request->set_param( $key, $value );
		}
		return rest_do_request( $request );
	}

	/**
	 * Records the statements that change something while $work runs.
	 *
	 * @return list<string>
	 */
	private function writes_during( callable $work ): array {
		$writes = array();
		$record = static function ( $query ) use ( &$writes ) {
			if ( preg_match( '/^\s*(INSERT|UPDATE|DELETE|REPLACE|ALTER|CREATE|DROP|TRUNCATE)\b/i', (string) $query ) ) {
				$writes[] = (string) $query;
			}
			return $query;
		};
		add_filter( 'query', $record );
		try {
			$work();
		} finally {
			remove_filter( 'query', $record );
		}
		return $writes;
	}

	private function run_count(): int {
		global $wpdb;
		return (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . Tables::runs() );
	}

	public function test_the_routes_are_exactly_the_known_ones_and_all_check_the_capability(): void {
		$routes = array();
		foreach ( rest_get_server()->get_routes( Routes::NAMESPACE ) as $route => $handlers ) {
			if ( self::NS === $route ) {
				continue; // The namespace index, which core serves.
			}
			foreach ( $handlers as $handler ) {
				$this->assertSame( array( Routes::class, 'permitted' ), $handler['permission_callback'], "$route has no capability check" );
				$routes[ substr( $route, strlen( self::NS ) ) ] = implode( ',', array_keys( $handler['methods'] ) );
			}
		}
		$this->assertEqualsCanonicalizing( self::ROUTES, $routes );
	}

	public function test_anonymous_users_subscribers_and_editors_are_refused_by_every_route(): void {
		$writes = $this->writes_during(
			function (): void {
				foreach ( array( 0 => 401, self::$users['subscriber'] => 403, self::$users['editor'] => 403 ) as $user_id => $expected ) {
					wp_set_current_user( $user_id );
					foreach ( self::ROUTES as $path => $method ) {
						$response = $this->rest( $method, $path );
						$this->assertSame( $expected, $response->get_status(), "$method $path as user $user_id" );
						$this->assertSame( 'rest_forbidden', $response->get_data()['code'] );
					}
				}
			}
		);
		$this->assertSame( array(), $writes, 'a refused request wrote to the database' );
		$this->assertSame( 0, $this->run_count() );
		$this->assertFalse( wp_next_scheduled( Plugin::PROCESS_HOOK ) );
	}

	/**
	 * Cookie authentication the way WordPress core checks it before dispatching a REST request
	 * (WP_REST_Server::serve_request): without the wp_rest nonce the logged-in administrator is
	 * treated as logged out; with a wrong one the request is refused outright.
	 */
	public function test_a_cookie_request_without_a_valid_nonce_is_refused(): void {
		$server = rest_get_server();

		// No nonce at all: logged out, so every route refuses it.
		foreach ( self::ROUTES as $path => $method ) {
			wp_set_current_user( self::$users['administrator'] );
			$GLOBALS['wp_rest_auth_cookie'] = true;
			$this->assertTrue( $server->check_authentication() );
			$this->assertSame( 0, get_current_user_id(), 'a cookie request without nonce kept its user' );
			$this->assertSame( 401, $this->rest( $method, $path )->get_status(), "$method $path without nonce" );
		}
		$this->assertSame( 0, $this->run_count() );

		// A wrong nonce, or the nonce of another action: refused before dispatch.
		foreach ( array( 'not-a-nonce', wp_create_nonce( SettingsForm::ACTION ) ) as $nonce ) {
			wp_set_current_user( self::$users['administrator'] );
			$GLOBALS['wp_rest_auth_cookie'] = true;
			$_SERVER['HTTP_X_WP_NONCE']     = $nonce;
			$error                          = $server->check_authentication();
			$this->assertInstanceOf( \WP_Error::class, $error );
			$this->assertSame( 'rest_cookie_invalid_nonce', $error->get_error_code() );
			$this->assertSame( 403, $error->get_error_data()['status'] );
		}

		// The page's nonce: the administrator stays logged in and is served. (Core then sends a
		// fresh nonce as a header, which a CLI process cannot: hence the @.)
		wp_set_current_user( self::$users['administrator'] );
		$GLOBALS['wp_rest_auth_cookie'] = true;
		$_SERVER['HTTP_X_WP_NONCE']     = wp_create_nonce( 'wp_rest' );
		$this->assertTrue( @$server->check_authentication() ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		$this->assertSame( self::$users['administrator'], get_current_user_id() );
		$this->assertSame( 200, $this->rest( 'GET', '/status' )->get_status() );
	}

	public function test_the_admin_page_requires_the_capability(): void {
		global $submenu;
		wp_set_current_user( self::$users['administrator'] );
		AdminPage::add_menu();
		$entries = array_column( (array) ( $submenu['tools.php'] ?? array() ), 1, 2 );
		$this->assertSame( 'manage_options', $entries[ AdminPage::SLUG ] ?? null, 'the page is not under Tools with manage_options' );
		$this->assertSame( admin_url( 'tools.php?page=' . AdminPage::SLUG ), AdminPage::url() );

		foreach ( array( 0, self::$users['subscriber'], self::$users['editor'] ) as $user_id ) {
			wp_set_current_user( $user_id );
			ob_start();
			try {
				AdminPage::render();
				$this->fail( "the page rendered for user $user_id" );
			} catch ( WpDieException $e ) {
				$this->assertSame( 403, $e->getCode() );
			} finally {
				$this->assertSame( '', ob_get_clean(), 'the page printed something before refusing' );
			}
		}

		wp_set_current_user( self::$users['administrator'] );
		$html = $this->render_page();
		$this->assertStringContainsString( '>Sync images</button>', $html );
		$this->assertStringContainsString( 'data-vis-sync', $html );
		$this->assertMatchesRegularExpression( '/name="_wpnonce" value="[0-9a-f]{10}"/', $html );
		$this->assertStringContainsString( 'data-vis-codec="' . Codec::engine() . '"', $html );
	}

	public function test_the_dashboard_card_shows_only_for_allowed_users(): void {
		foreach ( array( 0, self::$users['subscriber'] ) as $user_id ) {
			wp_set_current_user( $user_id );
			ob_start();
			DashboardCard::render();
			$this->assertSame( '', ob_get_clean(), "the card showed for user $user_id" );
		}
		wp_set_current_user( self::$users['administrator'] );
		$this->assertNotFalse( has_action( 'mi_integracion_api_after_main_dashboard', array( DashboardCard::class, 'render' ) ) );
		ob_start();
		DashboardCard::render();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( '>Sync images</button>', $html );
		$this->assertStringContainsString( esc_url( AdminPage::url() ), $html );
		$this->assertTrue( wp_script_is( 'verial-image-sync-admin', 'enqueued' ) );
	}

	/**
	 * On a shop: the existing plugin's dashboard (its stand-in, with WooCommerce's, in a process
	 * of their own) shows the card to users with manage_woocommerce, which WooCommerce's installer
	 * gives administrators, and to nobody else, administrators included.
	 */
	public function test_the_card_appears_on_the_existing_plugins_dashboard_for_shop_managers(): void {
		$administrator = get_role( 'administrator' );
		$without       = $this->existing_plugin_dashboard();
		$this->assertSame( 1, $without['fired'] );
		$this->assertStringNotContainsString( 'data-vis-sync', $without['html'], 'shown without manage_woocommerce' );

		$administrator->add_cap( 'manage_woocommerce' );
		try {
			$with = $this->existing_plugin_dashboard();
		} finally {
			$administrator->remove_cap( 'manage_woocommerce' );
		}
		$this->assertStringContainsString( 'Mi Integración API', $with['html'] );
		$this->assertStringContainsString( '>Sync images</button>', $with['html'] );
		$this->assertStringContainsString( esc_url( admin_url( 'admin.php?page=' . AdminPage::SLUG ) ), $with['html'], 'the link must lead to the page under WooCommerce' );
	}

	/**
	 * @return array{html: string, fired: int}
	 */
	private function existing_plugin_dashboard(): array {
		$command = array( PHP_BINARY, '-d', 'display_errors=stderr' );
		if ( '' !== (string) getenv( 'VIS_PHP_EXTENSION' ) ) {
			array_push( $command, '-d', 'extension=' . getenv( 'VIS_PHP_EXTENSION' ) );
		}
		array_push( $command, __DIR__ . '/fixtures/existing-plugin.php', 'dashboard' );
		$process = proc_open( $command, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$this->assertIsResource( $process );
		$out    = (string) stream_get_contents( $pipes[1] );
		$err    = (string) stream_get_contents( $pipes[2] );
		$status = proc_close( $process );
		$this->assertSame( 0, $status, $err );
		return json_decode( $out, true, 512, JSON_THROW_ON_ERROR );
	}

	/**
	 * The plugin's only admin-post/AJAX entry is the settings form; each refusal leaves the
	 * settings as they were.
	 */
	public function test_the_settings_form_requires_the_capability_and_its_nonce(): void {
		global $wp_filter;
		$ours = array();
		foreach ( array_keys( $wp_filter ) as $hook ) {
			if ( preg_match( '/^(admin_post_|admin_post_nopriv_|wp_ajax_|wp_ajax_nopriv_)/', (string) $hook ) && str_contains( serialize( array_map( static fn( $callbacks ) => array_map( static fn( $c ) => is_array( $c['function'] ) && is_string( $c['function'][0] ) ? $c['function'][0] : '', $callbacks ), $wp_filter[ $hook ]->callbacks ) ), 'VerialImageSync' ) ) {
				$ours[] = $hook;
			}
		}
		$this->assertSame( array( 'admin_post_' . SettingsForm::ACTION ), $ours, 'admin-post/AJAX actions of the plugin besides the settings form' );

		$before = get_option( Settings::OPTION );
		$post   = array(
			'action'     => SettingsForm::ACTION,
			'base_url'   => 'http://attacker.example',
			'session'    => '99',
			'image_size' => '0',
			'batch_size' => '5',
		);
		$cases  = array(
			'anonymous'                 => array( 0, wp_create_nonce( SettingsForm::ACTION ) ),
			'subscriber with its nonce' => array( self::$users['subscriber'], null ),
			'editor with its nonce'     => array( self::$users['editor'], null ),
			'administrator, no nonce'   => array( self::$users['administrator'], '' ),
			'administrator, bad nonce'  => array( self::$users['administrator'], 'abc123' ),
			'administrator, REST nonce' => array( self::$users['administrator'], 'rest' ),
		);
		foreach ( $cases as $case => list( $user_id, $nonce ) ) {
			wp_set_current_user( $user_id );
			if ( null === $nonce ) {
				$nonce = wp_create_nonce( SettingsForm::ACTION );
			} elseif ( 'rest' === $nonce ) {
				$nonce = wp_create_nonce( 'wp_rest' );
			}
			$_POST = $post + ( '' === $nonce ? array() : array( '_wpnonce' => $nonce ) );
			$_REQUEST = $_POST;
			try {
				SettingsForm::handle();
				$this->fail( "settings saved: $case" );
			} catch ( WpDieException $e ) {
				$this->assertSame( 403, $e->getCode(), $case );
			}
			$this->assertSame( $before, get_option( Settings::OPTION ), "settings changed: $case" );
		}

		// Allowed: saved, normalised, unticked boxes off, back to the page.
		wp_set_current_user( self::$users['administrator'] );
		$_POST    = array(
			'action'        => SettingsForm::ACTION,
			'_wpnonce'      => wp_create_nonce( SettingsForm::ACTION ),
			'base_url'      => MockVerial::url(),
			'session'       => '18',
			'image_size'    => '0',
			'batch_size'    => '7',
			'assign_images' => '1',
		);
		$_REQUEST = $_POST;
		$location = $this->submit_settings();
		$this->assertSame( add_query_arg( SettingsForm::RESULT_ARG, 'saved', AdminPage::url() ), $location );
		$settings = Settings::load();
		$this->assertSame( MockVerial::url() . Settings::SERVICE_PATH, $settings->base_url() );
		$this->assertSame( array( 18, 0, 7, false, true, false ), array( $settings->session(), $settings->image_size(), $settings->batch_size(), $settings->generate_thumbnails(), $settings->assign_images(), $settings->match_by_sku() ) );

		// The re-sync and concurrency settings.
		$_POST    = array_merge(
			$_POST,
			array(
				'parallel_requests'    => '3',
				'full_check_days'      => '0',
				'hora_format'          => 'H:i',
				'delete_unused_images' => '1',
			)
		);
		$_REQUEST = $_POST;
		$this->submit_settings();
		$settings = Settings::load();
		$this->assertSame( array( 3, 0, 'H:i', true ), array( $settings->parallel_requests(), $settings->full_check_days(), $settings->hora_format(), $settings->delete_unused_images() ) );
		$_POST['hora_format'] = 'H:i:s; DROP';
		unset( $_POST['delete_unused_images'] );
		$_REQUEST = $_POST;
		$this->submit_settings();
		$settings = Settings::load();
		$this->assertSame( array( 'H:i:s', false ), array( $settings->hora_format(), $settings->delete_unused_images() ), 'an unknown hora format falls back to HH:MM:SS, an unticked box turns off' );

		// A URL that sanitizes to nothing does not erase the working one.
		$_POST    = array_merge( $_POST, array( 'base_url' => 'javascript:alert(1)', 'batch_size' => '9' ) );
		$_REQUEST = $_POST;
		$location = $this->submit_settings();
		$this->assertStringContainsString( SettingsForm::RESULT_ARG . '=invalid-url', $location );
		$this->assertSame( MockVerial::url() . Settings::SERVICE_PATH, Settings::load()->base_url() );
		$this->assertSame( 9, Settings::load()->batch_size() );
	}

	private function submit_settings(): string {
		try {
			SettingsForm::handle();
		} catch ( RedirectException $e ) {
			return $e->getMessage();
		}
		$this->fail( 'the settings form did not redirect' );
	}

	/**
	 * The status route is polled every two seconds: it must never do the work itself, nor
	 * schedule it, nor write anything.
	 */
	public function test_the_status_route_only_reads(): void {
		wp_set_current_user( self::$users['administrator'] );
		$idle = $this->rest( 'GET', '/status' );
		$this->assertSame( 200, $idle->get_status() );
		$this->assertNull( $idle->get_data()['run'] );
		$this->assertSame( 'no-store', $idle->get_headers()['Cache-Control'] );

		$run_id = Plugin::start_background_run();
		wp_clear_scheduled_hook( Plugin::PROCESS_HOOK );
		wp_clear_scheduled_hook( Plugin::WATCHDOG_HOOK );
		$cron  = _get_cron_array();
		$stats = MockVerial::stats();

		$writes = $this->writes_during(
			function () use ( &$data ): void {
				for ( $poll = 0; $poll < 3; ++$poll ) {
					$response = $this->rest( 'GET', '/status', array( 'errors' => 5 ) );
					$this->assertSame( 200, $response->get_status() );
					$data = $response->get_data();
				}
			}
		);
		$this->assertSame( array(), $writes, 'the status route wrote to the database' );
		$this->assertSame( $cron, _get_cron_array(), 'the status route scheduled something' );
		$this->assertSame( $stats, MockVerial::stats(), 'the status route called the Verial API' );
		$this->assertSame( RunStore::LISTING, Plugin::services()->runs->status( $run_id ), 'the status route advanced the run' );

		$this->assertSame( $run_id, $data['run']['id'] );
		$this->assertTrue( $data['run']['active'] );
		$this->assertSame( 0, $data['run']['percent'] );
		$this->assertSame( 'Listing articles', $data['run']['status_label'] );
		$this->assertSame( Codec::engine(), $data['codec']['engine'] );
		$this->assertTrue( $data['configured'] );
		$this->assertSame( $run_id, $data['history'][0]['id'] );
		$this->assertArrayHasKey( 'state', $data['assign'] );

		// Out-of-range paging is refused, not clamped silently.
		$this->assertSame( 400, $this->rest( 'GET', '/status', array( 'errors' => 100000 ) )->get_status() );
	}

	/**
	 * The status of a finished run: 100 %, its counts, its errors limited as asked.
	 */
	public function test_the_status_of_a_finished_run(): void {
		wp_set_current_user( self::$users['administrator'] );
		$run_id = $this->run_foreground();
		$data   = $this->rest( 'GET', '/status', array( 'errors' => 1 ) )->get_data();
		$this->assertSame( $run_id, $data['run']['id'] );
		$this->assertFalse( $data['run']['active'] );
		$this->assertSame( 100, $data['run']['percent'] );
		$this->assertSame( 12, $data['run']['articles']['done'] );
		$this->assertGreaterThan( 0, $data['run']['images']['created'] );
		$this->assertGreaterThan( 1, $data['run']['error_count'], 'the mock catalog has corrupt images' );
		$this->assertCount( 1, $data['run']['errors'] );
		$this->assertStringContainsString( 'images imported', $data['history'][0]['summary'] );
	}

	public function test_start_answers_at_once_and_a_second_start_is_refused_with_409(): void {
		wp_set_current_user( self::$users['administrator'] );
		MockVerial::config( array( 'latency_ms' => 500 ) );
		try {
			$started  = microtime( true );
			$response = $this->rest( 'POST', '/runs' );
			$this->assertLessThan( 0.5, microtime( true ) - $started, 'starting must not wait for Verial' );
		} finally {
			MockVerial::config( array( 'latency_ms' => 0 ) );
		}
		$this->assertSame( 202, $response->get_status() );
		$run_id = $response->get_data()['run_id'];
		$this->assertSame( RunStore::LISTING, Plugin::services()->runs->status( $run_id ) );
		$this->assertNotFalse( wp_next_scheduled( Plugin::PROCESS_HOOK ), 'the background worker was not scheduled' );
		$this->assertSame( array(), MockVerial::stats()['calls'], 'the start called Verial' );

		$second = $this->rest( 'POST', '/runs' );
		$this->assertSame( 409, $second->get_status() );
		$this->assertSame( 'verial_image_sync_run_active', $second->get_data()['code'] );
		$this->assertStringContainsString( "already in progress (run #$run_id", $second->get_data()['message'] );
		$this->assertSame( 1, $this->run_count() );

		// Resume reschedules the worker of the active run.
		wp_clear_scheduled_hook( Plugin::PROCESS_HOOK );
		$this->assertSame( 202, $this->rest( 'POST', '/runs/resume' )->get_status() );
		$this->assertNotFalse( wp_next_scheduled( Plugin::PROCESS_HOOK ) );

		// Cancel ends it; there is then nothing to cancel or resume.
		$this->assertSame( 200, $this->rest( 'POST', '/runs/cancel' )->get_status() );
		$this->assertSame( RunStore::CANCELLED, Plugin::services()->runs->status( $run_id ) );
		foreach ( array( '/runs/cancel', '/runs/resume' ) as $path ) {
			$response = $this->rest( 'POST', $path );
			$this->assertSame( 409, $response->get_status(), $path );
			$this->assertSame( 'verial_image_sync_no_active_run', $response->get_data()['code'] );
		}

		// Without an API URL the start says so.
		$this->configure( array( 'base_url' => '' ) );
		$response = $this->rest( 'POST', '/runs' );
		$this->assertSame( 400, $response->get_status() );
		$this->assertStringContainsString( 'API URL is not configured', $response->get_data()['message'] );
	}

	public function test_phase_2_starts_in_the_background_and_a_second_start_is_refused(): void {
		wp_set_current_user( self::$users['administrator'] );
		$this->run_foreground();

		$response = $this->rest( 'POST', '/assign' );
		$this->assertSame( 202, $response->get_status() );
		$this->assertSame( 'running', AssignModule::status()['state'] );
		$second = $this->rest( 'POST', '/assign' );
		$this->assertSame( 409, $second->get_status() );
		$this->assertSame( 'verial_image_sync_assign_running', $second->get_data()['code'] );

		$this->assertGreaterThan( 0, $this->run_cron( array( AssignJob::HOOK ) ) );
		$assign = $this->rest( 'GET', '/status' )->get_data()['assign'];
		$this->assertSame( 'done', $assign['state'] );
		$this->assertSame( 'Done', $assign['state_label'] );
		$this->assertSame( array( 'Articles', '12 of 12' ), array( $assign['counts'][0]['label'], $assign['counts'][0]['value'] ) );
		$this->assertContains( 'Products checked', array_column( $assign['counts'], 'label' ) );

		// The rollback switch: nothing starts, and the answer says why.
		$this->configure( array( 'assign_images' => false ) );
		$response = $this->rest( 'POST', '/assign' );
		$this->assertSame( 409, $response->get_status() );
		$this->assertSame( 'verial_image_sync_assign_disabled', $response->get_data()['code'] );
		$this->assertStringContainsString( 'turned off', $response->get_data()['message'] );
	}

	public function test_the_connection_test_reports_the_article_count_or_the_exact_error(): void {
		wp_set_current_user( self::$users['administrator'] );
		$response = $this->rest( 'POST', '/test-connection' );
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( 12, $response->get_data()['articles'] );
		$this->assertStringContainsString( 'Verial lists 12 articles', $response->get_data()['message'] );

		// The values typed in the form are tested, not saved.
		$response = $this->rest( 'POST', '/test-connection', array( 'base_url' => 'http://127.0.0.1:1' ) );
		$this->assertSame( 502, $response->get_status() );
		$this->assertStringStartsWith( 'Connection failed: Verial GetNumArticulosWS: connection failed:', $response->get_data()['message'] );
		$this->assertSame( MockVerial::url() . Settings::SERVICE_PATH, Settings::load()->base_url() );

		MockVerial::config( array( 'faults' => array( 'http500' => 1.0 ) ) );
		try {
			$response = $this->rest( 'POST', '/test-connection' );
		} finally {
			MockVerial::config( array( 'faults' => new \stdClass() ) );
		}
		$this->assertSame( 502, $response->get_status() );
		$this->assertSame( 'Connection failed: Verial GetNumArticulosWS: HTTP 500', $response->get_data()['message'] );

		$response = $this->rest( 'POST', '/test-connection', array( 'base_url' => '' ) );
		$this->assertSame( 400, $response->get_status() );
	}

	public function test_the_page_reads_spanish_under_es_ES(): void {
		$spanish = static fn(): string => 'es_ES';
		add_filter( 'determine_locale', $spanish );
		try {
			unload_textdomain( Translations::DOMAIN );
			Translations::load();
			$this->assertSame( 'Sincronizar Imágenes', __( 'Sync images', 'verial-image-sync' ) );
			wp_set_current_user( self::$users['administrator'] );
			$this->assertStringContainsString( '>Sincronizar Imágenes</button>', $this->render_page() );
		} finally {
			remove_filter( 'determine_locale', $spanish );
			unload_textdomain( Translations::DOMAIN );
			Translations::load();
		}
		$this->assertSame( 'Sync images', __( 'Sync images', 'verial-image-sync' ) );
	}

	public function test_site_health_reports_the_codec_and_is_never_critical(): void {
		$native = CodecCheck::result(
			array(
				'engine'  => Codec::NATIVE,
				'version' => '0.1.0',
				'build'   => array( 'git_revision' => 'abc123def456' ),
			)
		);
		$this->assertSame( 'good', $native['status'] );
		$this->assertStringContainsString( 'Version: 0.1.0. Build: abc123def456.', $native['description'] );

		$fallback = CodecCheck::result(
			array(
				'engine'  => Codec::POLYFILL,
				'version' => 'polyfill-0.1.0',
				'build'   => array( 'git_revision' => 'unknown' ),
			)
		);
		$this->assertSame( 'recommended', $fallback['status'] );
		$this->assertStringContainsString( 'PHP fallback (polyfill)', $fallback['description'] );
		$this->assertNotSame( '', $fallback['actions'] );

		$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
		$this->assertArrayHasKey( CodecCheck::TEST, $tests['direct'] );
		$live = call_user_func( $tests['direct'][ CodecCheck::TEST ]['test'] );
		$this->assertSame( Codec::NATIVE === Codec::engine() ? 'good' : 'recommended', $live['status'] );
		$this->assertStringContainsString( \VerialImages\Native\version(), $live['description'] );
		$this->assertStringContainsString( \VerialImages\Native\build_info()['git_revision'], $live['description'] );

		$run_id = $this->run_foreground();
		$info   = apply_filters( 'debug_information', array() );
		$fields = $info[ DebugInformation::SECTION ]['fields'];
		$this->assertSame( Codec::engine(), $fields['codec']['debug'] );
		$this->assertSame( \VerialImages\Native\version(), $fields['codec_version']['value'] );
		$this->assertSame( \VerialImages\Native\build_info()['git_revision'], $fields['codec_build']['value'] );
		global $wpdb;
		foreach ( Tables::all() as $table ) {
			$this->assertSame( (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ), $fields[ 'rows_' . $table ]['debug'], $table );
		}
		$this->assertStringStartsWith( "#$run_id completed", $fields['last_run']['debug'] );
		$this->assertTrue( $fields['base_url']['private'] );
	}

	/**
	 * The admin page's HTML for the current user.
	 */
	private function render_page(): string {
		ob_start();
		try {
			AdminPage::render();
		} finally {
			$html = (string) ob_get_clean();
		}
		return $html;
	}
}
