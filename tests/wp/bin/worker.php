<?php
/**
 * Child process of the tests (and of bench.sh): loads the test WordPress and drives the plugin
 * in the foreground, like the WP-CLI command of a later issue will.
 *
 *   php worker.php run      start a run, then process it to the end
 *   php worker.php resume   process the active run to the end
 *
 * Env: VIS_WP_DIR; VIS_START_AT (unix time, float) makes it wait until then before starting,
 * so that two children start at the same moment.
 * Prints the final status as JSON. Exit: 0 finished, 3 refused (a run is active), 1 error.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

require __DIR__ . '/load-wordpress.php';

use VerialImageSync\Plugin;
use VerialImageSync\Sync\RunAlreadyActiveException;

$mode     = $argv[1] ?? '';
$services = Plugin::services();
if ( ! in_array( $mode, array( 'run', 'resume' ), true ) ) {
	fwrite( STDERR, "usage: worker.php run|resume\n" );
	exit( 2 );
}
$start_at = (float) getenv( 'VIS_START_AT' );
if ( $start_at > microtime( true ) ) {
	usleep( (int) ( ( $start_at - microtime( true ) ) * 1e6 ) );
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
