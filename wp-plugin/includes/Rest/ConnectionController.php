<?php
/**
 * REST route that tests the Verial API settings.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Rest;

use VerialImageSync\Api\VerialClient;
use VerialImageSync\Api\VerialException;
use VerialImageSync\Settings;

/**
 * Calls GetNumArticulosWS through the plugin's own client, with the values typed in the form
 * (saved or not), so what works here works for the sync.
 */
final class ConnectionController {

	/**
	 * Seconds the test waits for Verial; a person is waiting for the answer, so it makes one
	 * attempt, without the sync's retries.
	 */
	private const TIMEOUT = 15;

	/**
	 * POST /test-connection.
	 *
	 * @param \WP_REST_Request $request Optional base_url and session overriding the saved ones.
	 * @return \WP_REST_Response|\WP_Error 200 with the article count; 502 with Verial's exact error.
	 */
	public function test( \WP_REST_Request $request ): \WP_REST_Response|\WP_Error {
		$values = Settings::load()->all();
		if ( null !== $request['base_url'] ) {
			$values['base_url'] = $request['base_url'];
		}
		if ( null !== $request['session'] ) {
			$values['session'] = $request['session'];
		}
		$values['retry_delays_ms'] = array();
		$values['http_timeout']    = min( self::TIMEOUT, (int) $values['http_timeout'] );
		$settings                  = new Settings( $values );
		if ( '' === $settings->base_url() ) {
			return new \WP_Error( 'verial_image_sync_not_configured', __( 'Enter the Verial API URL first.', 'verial-image-sync' ), array( 'status' => 400 ) );
		}
		try {
			$count = ( new VerialClient( $settings ) )->count_articles();
		} catch ( VerialException $e ) {
			return new \WP_Error(
				'verial_image_sync_connection_failed',
				/* translators: %s: the error, as the Verial client reports it. */
				sprintf( __( 'Connection failed: %s', 'verial-image-sync' ), $e->getMessage() ),
				array( 'status' => 502 )
			);
		}
		return new \WP_REST_Response(
			array(
				'articles' => $count,
				'message'  => sprintf(
					/* translators: 1: service URL, 2: number of articles. */
					_n( 'Connected to %1$s: Verial lists %2$s article.', 'Connected to %1$s: Verial lists %2$s articles.', $count, 'verial-image-sync' ),
					$settings->base_url(),
					number_format_i18n( $count )
				),
			),
			200
		);
	}
}
