<?php
/**
 * A PHP child process running tests/wp/bin/worker.php in the test WordPress.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

/**
 * Started with the same codec choice as the suite (VIS_PHP_EXTENSION), so kills and races
 * happen between real, separate PHP processes.
 */
final class ChildProcess {

	/**
	 * @var resource
	 */
	private $process;

	private string $out_file;

	private string $err_file;

	private ?int $exit_code = null;

	/**
	 * @param string               $mode worker.php mode: run, resume, cli, cron or rest.
	 * @param array<string,string> $env  Extra environment.
	 */
	public function __construct( string $mode, array $env = array() ) {
		$command = array( PHP_BINARY, '-d', 'memory_limit=256M', '-d', 'display_errors=stderr' );
		if ( '' !== (string) getenv( 'VIS_PHP_EXTENSION' ) ) {
			array_push( $command, '-d', 'extension=' . getenv( 'VIS_PHP_EXTENSION' ) );
		}
		array_push( $command, dirname( __DIR__ ) . '/bin/worker.php', $mode );
		$this->out_file = (string) tempnam( sys_get_temp_dir(), 'vis-child-out' );
		$this->err_file = (string) tempnam( sys_get_temp_dir(), 'vis-child-err' );
		$process        = proc_open(
			$command,
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', $this->out_file, 'w' ),
				2 => array( 'file', $this->err_file, 'w' ),
			),
			$pipes,
			null,
			array_merge( getenv(), $env )
		);
		if ( ! is_resource( $process ) ) {
			throw new \RuntimeException( 'cannot start ' . implode( ' ', $command ) );
		}
		$this->process = $process;
	}

	public function is_running(): bool {
		return null === $this->exit_code && proc_get_status( $this->process )['running'];
	}

	/**
	 * SIGKILL: no shutdown function, no finally block, no lock release.
	 */
	public function kill(): void {
		proc_terminate( $this->process, 9 );
		$this->wait( 10 );
	}

	/**
	 * Waits for the exit and returns the exit code (-1 when killed by a signal).
	 */
	public function wait( float $timeout = 120 ): int {
		$deadline = microtime( true ) + $timeout;
		while ( null === $this->exit_code ) {
			$status = proc_get_status( $this->process );
			if ( ! $status['running'] ) {
				$this->exit_code = $status['signaled'] ? -1 : (int) $status['exitcode'];
				proc_close( $this->process );
				break;
			}
			if ( microtime( true ) > $deadline ) {
				proc_terminate( $this->process, 9 );
				throw new \RuntimeException( 'child did not finish in time; stderr: ' . $this->stderr() );
			}
			usleep( 20000 );
		}
		return $this->exit_code;
	}

	public function stdout(): string {
		return (string) file_get_contents( $this->out_file );
	}

	public function stderr(): string {
		return (string) file_get_contents( $this->err_file );
	}

	public function __destruct() {
		if ( null === $this->exit_code && is_resource( $this->process ) ) {
			proc_terminate( $this->process, 9 );
		}
		@unlink( $this->out_file );
		@unlink( $this->err_file );
	}
}
