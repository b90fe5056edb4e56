<?php
/**
 * Local worker processes of `wp verial-images sync --workers=N`.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

/**
 * Starts N copies of one command as separate PHP processes and watches them. The processes
 * coordinate through the database only (each claims its own batches), exactly like workers on
 * other web servers, so the pool needs no channel to them: it just waits for their exit.
 */
final class WorkerPool {

	/**
	 * Filters the command line (argv list) of one worker process.
	 */
	public const COMMAND_FILTER = 'verial_image_sync_worker_command';

	/**
	 * Lines of a failed worker's error output shown.
	 */
	private const STDERR_LINES = 5;

	/**
	 * Running or finished workers.
	 *
	 * @var list<array{process: resource|null, stderr: string, code: int|null}>
	 */
	private array $workers = array();

	/**
	 * @param list<string> $command argv of one worker.
	 */
	public function __construct( private array $command ) {
	}

	/**
	 * `wp verial-images work` on this site with the PHP binary and WP-CLI launcher of the current
	 * process and its --path, --url, --user and --allow-root, as WP-CLI's own launch_self() builds
	 * it; filtered by verial_image_sync_worker_command (e.g. for a wp wrapper script).
	 *
	 * @return list<string>
	 * @throws \RuntimeException When the filter returns no command.
	 */
	public static function wp_cli_command(): array {
		$php     = function_exists( '\WP_CLI\Utils\get_php_binary' ) ? (string) \WP_CLI\Utils\get_php_binary() : PHP_BINARY;
		$command = array( $php, (string) ( $GLOBALS['argv'][0] ?? 'wp' ), 'verial-images', 'work' );
		if ( method_exists( '\WP_CLI', 'get_config' ) ) {
			foreach ( array( 'path', 'url', 'user' ) as $key ) {
				$value = \WP_CLI::get_config( $key );
				if ( is_scalar( $value ) && '' !== (string) $value ) {
					$command[] = "--{$key}={$value}";
				}
			}
			if ( \WP_CLI::get_config( 'allow-root' ) ) {
				$command[] = '--allow-root';
			}
		}
		$command = array_values( array_map( 'strval', (array) apply_filters( self::COMMAND_FILTER, $command ) ) );
		if ( ! $command || '' === $command[0] ) {
			throw new \RuntimeException( __( 'No command to start the worker processes with.', 'verial-image-sync' ) );
		}
		return $command;
	}

	/**
	 * Starts the processes (same working directory and environment as this one).
	 *
	 * @throws \RuntimeException When one cannot be started (those already started are stopped).
	 */
	public function start( int $count ): void {
		for ( $i = 0; $i < $count; ++$i ) {
			$stderr  = (string) tempnam( get_temp_dir(), 'vis-worker' );
			$process = proc_open(
				$this->command,
				array(
					0 => array( 'file', '/dev/null', 'r' ),
					1 => array( 'file', '/dev/null', 'w' ),
					2 => array( 'file', $stderr, 'w' ),
				),
				$pipes
			);
			if ( ! is_resource( $process ) ) {
				wp_delete_file( $stderr );
				$this->stop();
				/* translators: %s: command line. */
				throw new \RuntimeException( sprintf( __( 'Could not start a worker process: %s', 'verial-image-sync' ), implode( ' ', $this->command ) ) );
			}
			$this->workers[] = array(
				'process' => $process,
				'stderr'  => $stderr,
				'code'    => null,
			);
		}
	}

	/**
	 * How many are still running (and collects the exit codes of those that ended).
	 */
	public function running(): int {
		$running = 0;
		foreach ( $this->workers as &$worker ) {
			if ( null === $worker['process'] ) {
				continue;
			}
			$status = proc_get_status( $worker['process'] );
			if ( $status['running'] ) {
				++$running;
				continue;
			}
			$worker['code'] = $status['signaled'] ? 128 + (int) $status['termsig'] : (int) $status['exitcode'];
			proc_close( $worker['process'] );
			$worker['process'] = null;
		}
		return $running;
	}

	/**
	 * Workers that ended with a non-zero status: their number (1-based), status and the last
	 * lines of their error output.
	 *
	 * @return list<array{worker: int, code: int, stderr: string}>
	 */
	public function failures(): array {
		$failures = array();
		foreach ( $this->workers as $i => $worker ) {
			if ( null !== $worker['code'] && 0 !== $worker['code'] ) {
				$lines      = array_slice( array_filter( explode( "\n", (string) file_get_contents( $worker['stderr'] ) ) ), -self::STDERR_LINES );
				$failures[] = array(
					'worker' => $i + 1,
					'code'   => $worker['code'],
					'stderr' => implode( "\n", $lines ),
				);
			}
		}
		return $failures;
	}

	/**
	 * Terminates the workers still running (a worker stopped mid-article leaves its batch to be
	 * taken back after the claim timeout).
	 */
	public function stop(): void {
		foreach ( $this->workers as &$worker ) {
			if ( null !== $worker['process'] ) {
				proc_terminate( $worker['process'] );
				proc_close( $worker['process'] );
				$worker['process'] = null;
				$worker['code']    = $worker['code'] ?? 143;
			}
		}
	}

	/**
	 * Removes the error output files.
	 */
	public function __destruct() {
		$this->stop();
		foreach ( $this->workers as $worker ) {
			wp_delete_file( $worker['stderr'] );
		}
	}
}
