<?php
/**
 * The test WordPress served over real HTTP by PHP's built-in server.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

/**
 * For tests whose requests must go through WordPress's real request handling (cookies, REST
 * nonce check, a separate PHP process per request), with the suite's codec choice.
 */
final class WordPressServer {

	/**
	 * @var resource
	 */
	private $process;

	public readonly string $url;

	private string $log;

	public function __construct() {
		$socket = stream_socket_server( 'tcp://127.0.0.1:0' );
		$port   = (int) explode( ':', (string) stream_socket_get_name( $socket, false ) )[1];
		fclose( $socket );
		$this->url = "http://127.0.0.1:$port";
		$this->log = (string) tempnam( sys_get_temp_dir(), 'vis-server' );

		$command = array( PHP_BINARY, '-d', 'memory_limit=256M', '-d', 'display_errors=stderr' );
		if ( '' !== (string) getenv( 'VIS_PHP_EXTENSION' ) ) {
			array_push( $command, '-d', 'extension=' . getenv( 'VIS_PHP_EXTENSION' ) );
		}
		array_push( $command, '-S', "127.0.0.1:$port", '-t', (string) getenv( 'VIS_WP_DIR' ) );
		$process = proc_open(
			$command,
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', $this->log, 'w' ),
				2 => array( 'file', $this->log, 'a' ),
			),
			$pipes,
			null,
			array_merge( getenv(), array( 'PHP_CLI_SERVER_WORKERS' => '4' ) )
		);
		if ( ! is_resource( $process ) ) {
			throw new \RuntimeException( 'cannot start ' . implode( ' ', $command ) );
		}
		$this->process = $process;
		$until         = microtime( true ) + 10;
		while ( false === @file_get_contents( $this->url . '/wp-includes/version.php' ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			if ( microtime( true ) > $until ) {
				$this->stop();
				throw new \RuntimeException( 'the PHP server did not answer: ' . file_get_contents( $this->log ) );
			}
			usleep( 50000 );
		}
	}

	/**
	 * Cookies and REST nonce of a logged-in session of $user_id, as the browser holds them after
	 * logging in and opening the plugin's page.
	 *
	 * @return array{cookie: string, nonce: string}
	 */
	public static function login( int $user_id ): array {
		$expiration = time() + HOUR_IN_SECONDS;
		$token      = \WP_Session_Tokens::get_instance( $user_id )->create( $expiration );
		$logged_in  = wp_generate_auth_cookie( $user_id, $expiration, 'logged_in', $token );
		$auth       = wp_generate_auth_cookie( $user_id, $expiration, 'auth', $token );
		// The nonce is bound to the session token, which wp_create_nonce() reads from the cookie.
		$previous_user                = get_current_user_id();
		$_COOKIE[ LOGGED_IN_COOKIE ] = $logged_in;
		try {
			wp_set_current_user( $user_id );
			$nonce = wp_create_nonce( 'wp_rest' );
		} finally {
			unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
			wp_set_current_user( $previous_user );
		}
		return array(
			'cookie' => AUTH_COOKIE . '=' . rawurlencode( $auth ) . '; ' . LOGGED_IN_COOKIE . '=' . rawurlencode( $logged_in ),
			'nonce'  => $nonce,
		);
	}

	public function log(): string {
		return (string) file_get_contents( $this->log );
	}

	/**
	 * Stops the server (the one this object started, by its process id, and its workers).
	 */
	public function stop(): void {
		if ( is_resource( $this->process ) ) {
			$pid = proc_get_status( $this->process )['pid'];
			// The built-in server's workers are its children: end them first, then the server.
			exec( 'pkill -TERM -P ' . (int) $pid );
			proc_terminate( $this->process );
			proc_close( $this->process );
		}
		@unlink( $this->log ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
	}
}
