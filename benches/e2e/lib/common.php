<?php
/**
 * Helpers shared by the end-to-end benchmark's PHP processes (benches/e2e/*.php): the mock's
 * control endpoints over plain HTTP, the process's memory high-water mark, a DB query counter,
 * and the WordPress loader of the test harness (tests/wp/bin/load-wordpress.php).
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

namespace VisBench;

const ROOT = __DIR__ . '/../../..';

/**
 * Checks the environment set by run.sh (tests/wp/lib.sh vis_setup). The caller then requires
 * WORDPRESS_LOADER at its top level, where WordPress's globals belong.
 */
function require_env(): void {
	foreach ( array( 'VIS_WP_DIR', 'VIS_MOCK_URL' ) as $name ) {
		if ( false === getenv( $name ) ) {
			fwrite( STDERR, "$name is not set: run this through benches/e2e/run.sh\n" );
			exit( 2 );
		}
	}
}

const WORDPRESS_LOADER = ROOT . '/tests/wp/bin/load-wordpress.php';

/**
 * One control request to the mock (never faulted, no latency), without WordPress's HTTP API.
 *
 * @param string     $method GET or POST.
 * @param string     $path   Path under the mock's root, e.g. /__mock/stats.
 * @param array|null $body   JSON body for POST.
 * @return array<string, mixed>
 */
function mock( string $method, string $path, ?array $body = null ): array {
	$context = stream_context_create(
		array(
			'http' => array(
				'method'        => $method,
				'header'        => "Content-Type: application/json\r\n",
				'content'       => null === $body ? '' : json_encode( $body ),
				'timeout'       => 600,
				'ignore_errors' => true,
			),
		)
	);
	$reply = file_get_contents( rtrim( (string) getenv( 'VIS_MOCK_URL' ), '/' ) . $path, false, $context );
	$data  = false === $reply ? null : json_decode( $reply, true );
	if ( ! is_array( $data ) ) {
		throw new \RuntimeException( "mock $method $path failed" );
	}
	return $data;
}

/**
 * The mock's ground truth at 300 px: article id => list of images.
 *
 * @return array<int, list<array<string, mixed>>>
 */
function truth(): array {
	$truth = array();
	foreach ( mock( 'GET', '/__mock/truth?numpixelsladomenor=300' )['articles'] as $article_id => $images ) {
		$truth[ (int) $article_id ] = $images;
	}
	ksort( $truth );
	return $truth;
}

/**
 * VmRSS of this process (resident set size now), in bytes.
 */
function rss_now(): int {
	$status = (string) @file_get_contents( '/proc/self/status' );
	return preg_match( '/^VmRSS:\s+(\d+)\s+kB/m', $status, $m ) ? 1024 * (int) $m[1] : 0;
}

/**
 * The php -d arguments this process runs with (tests/wp/lib.sh's VIS_PHP_ARGS), for a child
 * PHP process of the same contender.
 *
 * @return list<string>
 */
function php_ini_args(): array {
	$args      = array( '-d', 'memory_limit=' . ini_get( 'memory_limit' ), '-d', 'display_errors=stderr', '-d', 'error_reporting=E_ALL' );
	$extension = (string) getenv( 'VIS_PHP_EXTENSION' );
	if ( '' !== $extension ) {
		$args[] = '-d';
		$args[] = "extension=$extension";
	}
	return $args;
}

/**
 * VmHWM of this process (peak resident set size), in bytes.
 */
function rss_high_water(): int {
	$status = (string) @file_get_contents( '/proc/self/status' );
	return preg_match( '/^VmHWM:\s+(\d+)\s+kB/m', $status, $m ) ? 1024 * (int) $m[1] : 0;
}

/**
 * Counts the SQL statements WordPress sends through $wpdb from now on.
 */
final class QueryCounter {

	public static int $count = 0;

	/**
	 * With env VIS_E2E_QUERY_PROFILE set: statement shape (literals blanked) => count.
	 *
	 * @var array<string, int>
	 */
	public static array $shapes = array();

	public static function start(): void {
		self::$count = 0;
		$profile     = (bool) getenv( 'VIS_E2E_QUERY_PROFILE' );
		add_filter(
			'query',
			static function ( $query ) use ( $profile ) {
				++self::$count;
				if ( $profile ) {
					$shape = preg_replace( array( "/'(?:[^'\\\\]|\\\\.)*'/s", '/\b\d+(\.\d+)?\b/', '/\s+/' ), array( '?', 'N', ' ' ), substr( (string) $query, 0, 400 ) );
					$shape = (string) preg_replace( '/\((?:\s*[?N]\s*,)+\s*[?N]\s*\)/', '(...)', (string) $shape );
					self::$shapes[ $shape ] = ( self::$shapes[ $shape ] ?? 0 ) + 1;
				}
				return $query;
			},
			PHP_INT_MAX
		);
	}
}

/**
 * Prints one JSON object (the process's result for run.sh) and exits.
 *
 * @param array<string, mixed> $result Result.
 */
function emit( array $result ): void {
	echo json_encode( $result, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES ), "\n";
	exit( 0 );
}
