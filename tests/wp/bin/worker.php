<?php
/**
 * Child process of the tests (and of bench.sh): loads the test WordPress and drives the plugin
 * the way one of its entry points does, in a separate PHP process.
 *
 *   php worker.php run      start a run, then process it to the end (foreground)
 *   php worker.php resume   process the active run to the end
 *   php worker.php cli      `wp verial-images sync` through the WP-CLI stand-in
 *   php worker.php cron     one WP-Cron firing of the plugin's process hook, like wp-cron.php
 *   php worker.php rest     POST <VIS_REST_URL> with VIS_REST_COOKIE and VIS_REST_NONCE over
 *                           HTTP (the admin page's "start" button); prints status and body
 *
 * Env: VIS_WP_DIR; VIS_START_AT (unix time, float) makes it wait until then before acting,
 * so that several children act at the same moment; the variables of
 * tests/wp/fixtures/worker-faults.php (VIS_KILL_AT, VIS_DB_KILL_AT) make it die or lose its
 * database at a chosen point.
 * Prints the final status as JSON. Exit: 0 finished, 3 refused (a run is active), 1 error,
 * for "cli" the command's exit code.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

require __DIR__ . '/load-wordpress.php';
if ( false !== getenv( 'VIS_KILL_AT' ) || false !== getenv( 'VIS_DB_KILL_AT' ) ) {
	require dirname( __DIR__ ) . '/fixtures/worker-faults.php';
}

use VerialImageSync\Cli\CliModule;
use VerialImageSync\Plugin;
use VerialImageSync\Sync\RunAlreadyActiveException;
use VerialImageSync\Tests\WpCliStandIn;

$mode = $argv[1] ?? '';
if ( ! in_array( $mode, array( 'run', 'resume', 'cli', 'cron', 'rest' ), true ) ) {
	fwrite( STDERR, "usage: worker.php run|resume|cli|cron|rest\n" );
	exit( 2 );
}
if ( 'cli' === $mode ) {
	require dirname( __DIR__ ) . '/src/WpCliStandIn.php';
	CliModule::register();
	\WP_CLI::do_hook( 'after_wp_load' );
}
$services = Plugin::services();
$start_at = (float) getenv( 'VIS_START_AT' );
if ( $start_at > microtime( true ) ) {
	usleep( (int) ( ( $start_at - microtime( true ) ) * 1e6 ) );
}
switch ( $mode ) {
	case 'cli':
		$result = WpCliStandIn::run( 'verial-images sync' );
		echo json_encode(
			array(
				'code'   => $result->code,
				'stdout' => $result->stdout,
				'stderr' => $result->stderr,
			)
		), "\n";
		exit( $result->code );

	case 'cron':
		do_action( Plugin::PROCESS_HOOK );
		echo json_encode( $services->runner->status( null, 0 ) ), "\n";
		exit( 0 );

	case 'rest':
		$context = stream_context_create(
			array(
				'http' => array(
					'method'        => 'POST',
					'header'        => 'Cookie: ' . getenv( 'VIS_REST_COOKIE' ) . "\r\nX-WP-Nonce: " . getenv( 'VIS_REST_NONCE' ) . "\r\nContent-Length: 0\r\n",
					'timeout'       => 60,
					'ignore_errors' => true,
				),
			)
		);
		$body = file_get_contents( (string) getenv( 'VIS_REST_URL' ), false, $context );
		preg_match( '~^HTTP/\S+ (\d{3})~', (string) ( $http_response_header[0] ?? '' ), $status );
		echo json_encode(
			array(
				'status' => (int) ( $status[1] ?? 0 ),
				'body'   => json_decode( (string) $body, true ),
			)
		), "\n";
		exit( 0 );
}
try {
	if ( 'run' === $mode ) {
		$services->runner->start( 'foreground' );
	}
	$services->foreground->run();
} catch ( RunAlreadyActiveException $e ) {
	echo json_encode( array( 'refused' => $e->getMessage() ) ), "\n";
	exit( 3 );
}
echo json_encode( $services->runner->status( null, 0 ) ), "\n";
exit( 0 );
