<?php
/**
 * The plugin's REST routes.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Rest;

use VerialImageSync\Admin\Capability;
use VerialImageSync\Admin\RunHistory;

/**
 * Registers `verial-image-sync/v1`. Every route requires the plugin's capability. Requests
 * authenticated by the login cookie must also carry the `wp_rest` nonce: WordPress core treats
 * such a request without a nonce as logged out (so the capability check refuses it) and one with
 * a wrong nonce as an error, which stops cross-site requests from a logged-in browser.
 */
final class Routes {

	public const NAMESPACE = 'verial-image-sync/v1';

	/**
	 * Hooked to rest_api_init.
	 */
	public static function register(): void {
		$status     = new StatusController( new StatusReport( new RunHistory() ) );
		$runs       = new RunController();
		$assign     = new AssignController();
		$connection = new ConnectionController();

		self::route(
			'/status',
			\WP_REST_Server::READABLE,
			array( $status, 'get' ),
			array(
				'errors' => array(
					'description' => __( 'How many of the run\'s errors to list (their total is always given).', 'verial-image-sync' ),
					'type'        => 'integer',
					'minimum'     => 0,
					'maximum'     => StatusReport::MAX_ERRORS,
					'default'     => StatusReport::DEFAULT_ERRORS,
				),
			)
		);
		self::route( '/runs', \WP_REST_Server::CREATABLE, array( $runs, 'start' ) );
		self::route( '/runs/cancel', \WP_REST_Server::CREATABLE, array( $runs, 'cancel' ) );
		self::route( '/runs/resume', \WP_REST_Server::CREATABLE, array( $runs, 'resume' ) );
		self::route( '/assign', \WP_REST_Server::CREATABLE, array( $assign, 'start' ) );
		self::route(
			'/test-connection',
			\WP_REST_Server::CREATABLE,
			array( $connection, 'test' ),
			array(
				'base_url' => array(
					'description' => __( 'Verial API URL to test instead of the saved one.', 'verial-image-sync' ),
					'type'        => 'string',
				),
				'session'  => array(
					'description' => __( 'Verial session number to test instead of the saved one.', 'verial-image-sync' ),
					'type'        => 'integer',
					'minimum'     => 0,
				),
			)
		);
	}

	/**
	 * Permission callback of every route.
	 */
	public static function permitted(): bool {
		return Capability::granted();
	}

	/**
	 * @param string                              $path     Route below the namespace.
	 * @param string                              $methods  HTTP methods.
	 * @param callable                            $callback Handler.
	 * @param array<string, array<string, mixed>> $args     Argument schema.
	 */
	private static function route( string $path, string $methods, callable $callback, array $args = array() ): void {
		register_rest_route(
			self::NAMESPACE,
			$path,
			array(
				'methods'             => $methods,
				'callback'            => $callback,
				'permission_callback' => array( self::class, 'permitted' ),
				'args'                => $args,
			)
		);
	}
}
