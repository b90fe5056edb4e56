<?php
/**
 * The mock's control endpoints for run.sh (env VIS_MOCK_URL), without WordPress.
 *
 *   php mock.php warm            render every picture once (fills the shared image cache); prints
 *                                the number of images the API sends for the catalog
 *   php mock.php latency <ms>    set latency_ms
 *   php mock.php reset           reset the call statistics
 *   php mock.php stats           print /__mock/stats as JSON
 *   php mock.php ids <n>         print the first n article ids, one per line
 *   php mock.php floor           fetch every article's GetImagenesArticulosWS reply once, one
 *                                after the other, doing nothing with it (curl, one connection);
 *                                prints {"seconds", "bytes", "calls"}: the time the mock itself
 *                                needs, a floor under every contender's wall time
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/lib/common.php';

use function VisBench\mock;

switch ( $argv[1] ?? '' ) {
	case 'warm':
		$images = 0;
		foreach ( \VisBench\truth() as $list ) {
			$images += count( $list );
		}
		echo $images, "\n";
		break;
	case 'latency':
		mock( 'POST', '/__mock/config', array( 'latency_ms' => (int) ( $argv[2] ?? 0 ) ) );
		break;
	case 'reset':
		mock( 'POST', '/__mock/stats/reset' );
		break;
	case 'stats':
		echo json_encode( mock( 'GET', '/__mock/stats' ) ), "\n";
		break;
	case 'ids':
		echo implode( "\n", array_slice( array_keys( \VisBench\truth() ), 0, (int) ( $argv[2] ?? 500 ) ) ), "\n";
		break;
	case 'floor':
		$ids     = array_keys( \VisBench\truth() );
		$curl    = curl_init();
		$bytes   = 0;
		$started = microtime( true );
		foreach ( $ids as $id ) {
			curl_setopt_array(
				$curl,
				array(
					CURLOPT_URL            => rtrim( (string) getenv( 'VIS_MOCK_URL' ), '/' ) . '/WcfServiceLibraryVerial/GetImagenesArticulosWS?x=18&numpixelsladomenor=300&id_articulo=' . $id,
					CURLOPT_RETURNTRANSFER => true,
				)
			);
			$bytes += strlen( (string) curl_exec( $curl ) );
		}
		echo json_encode(
			array(
				'seconds' => microtime( true ) - $started,
				'bytes'   => $bytes,
				'calls'   => count( $ids ),
			)
		), "\n";
		break;
	default:
		fwrite( STDERR, "usage: php mock.php warm|latency <ms>|reset|stats|ids <n>|floor\n" );
		exit( 2 );
}
