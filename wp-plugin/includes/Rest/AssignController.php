<?php
/**
 * REST route that starts phase 2, the assignment of images to products.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Rest;

use VerialImageSync\Assign\AssignModule;

/**
 * Starts the assignment in the background and answers at once; its progress is part of the
 * status route.
 */
final class AssignController {

	/**
	 * POST /assign.
	 *
	 * @return \WP_REST_Response|\WP_Error 202; 409 while an assignment is running or when it is switched off.
	 */
	public function start(): \WP_REST_Response|\WP_Error {
		if ( 'running' === AssignModule::status()['state'] ) {
			return new \WP_Error(
				'verial_image_sync_assign_running',
				__( 'Images are already being assigned to products. Wait for it to finish.', 'verial-image-sync' ),
				array( 'status' => 409 )
			);
		}
		try {
			AssignModule::start_background();
		} catch ( \RuntimeException $e ) {
			// Assignment is switched off in the settings (the rollback switch): the message says so.
			return new \WP_Error( 'verial_image_sync_assign_disabled', $e->getMessage(), array( 'status' => 409 ) );
		}
		return new \WP_REST_Response(
			array( 'message' => __( 'Assignment of images to products started in the background.', 'verial-image-sync' ) ),
			202
		);
	}
}
