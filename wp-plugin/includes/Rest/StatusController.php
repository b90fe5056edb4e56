<?php
/**
 * REST route that reports progress.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Rest;

/**
 * GET /status: read-only (see StatusReport), safe to poll.
 */
final class StatusController {

	/**
	 * @param StatusReport $report Builds the answer.
	 */
	public function __construct( private StatusReport $report ) {
	}

	/**
	 * @param \WP_REST_Request $request With `errors`: how many of the run's errors to list.
	 */
	public function get( \WP_REST_Request $request ): \WP_REST_Response {
		$response = new \WP_REST_Response( $this->report->build( (int) $request['errors'] ), 200 );
		// A poll must always see the current state, never a cached copy.
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}
}
