<?php
/**
 * The admin script and style.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use VerialImageSync\Rest\Routes;
use VerialImageSync\Rest\StatusReport;

use const VerialImageSync\PLUGIN_FILE;
use const VerialImageSync\VERSION;

/**
 * Enqueues assets/js/admin.js (plain JS over wp.apiFetch, which adds the REST nonce and the
 * user's locale to every request) with its strings translated here in PHP and the current
 * status, so the page is filled at once instead of after the first poll.
 */
final class Assets {

	public const HANDLE = 'verial-image-sync-admin';

	/**
	 * Milliseconds between two status polls while something runs.
	 */
	private const POLL_INTERVAL = 2000;

	/**
	 * Enqueues once per page, whichever card asks first.
	 */
	public static function enqueue(): void {
		if ( wp_script_is( self::HANDLE, 'enqueued' ) ) {
			return;
		}
		wp_enqueue_style( self::HANDLE, plugins_url( 'assets/css/admin.css', PLUGIN_FILE ), array(), VERSION );
		wp_enqueue_script( self::HANDLE, plugins_url( 'assets/js/admin.js', PLUGIN_FILE ), array( 'wp-api-fetch' ), VERSION, true );
		wp_localize_script(
			self::HANDLE,
			'verialImageSync',
			array(
				'namespace'    => Routes::NAMESPACE,
				'pollInterval' => self::POLL_INTERVAL,
				'status'       => ( new StatusReport( new RunHistory() ) )->build(),
				'i18n'         => self::strings(),
			)
		);
	}

	/**
	 * Strings the script shows; `%s` placeholders are filled in order by the script.
	 *
	 * @return array<string, string>
	 */
	private static function strings(): array {
		return array(
			'noRun'         => __( 'No sync has run yet.', 'verial-image-sync' ),
			/* translators: 1: run id, 2: run status. */
			'runState'      => __( 'Run #%1$s: %2$s', 'verial-image-sync' ),
			'notConfigured' => __( 'Set the Verial API URL in the settings before the first sync.', 'verial-image-sync' ),
			/* translators: 1: articles processed, 2: articles in the run. */
			'ofTotal'       => __( '%1$s of %2$s', 'verial-image-sync' ),
			/* translators: %s: a percentage number. */
			'percent'       => __( '%s %%', 'verial-image-sync' ),
			/* translators: %s: date and time. */
			'started'       => __( 'started %s', 'verial-image-sync' ),
			/* translators: %s: date and time. */
			'finished'      => __( 'finished %s', 'verial-image-sync' ),
			/* translators: %s: Verial article id. */
			'article'       => __( 'Article %s', 'verial-image-sync' ),
			'wholeArticle'  => __( 'all', 'verial-image-sync' ),
			/* translators: %s: number of errors. */
			'errors'        => __( 'Errors (%s)', 'verial-image-sync' ),
			/* translators: 1: errors listed, 2: errors in total. */
			'errorsShown'   => __( 'Errors (first %1$s of %2$s)', 'verial-image-sync' ),
			'working'       => __( 'Sending…', 'verial-image-sync' ),
			'testing'       => __( 'Testing the connection…', 'verial-image-sync' ),
			'confirmCancel' => __( 'Cancel the sync? Images already imported are kept.', 'verial-image-sync' ),
			/* translators: %s: the error message. */
			'failed'        => __( 'Request failed: %s', 'verial-image-sync' ),
			'noHistory'     => __( 'No runs yet.', 'verial-image-sync' ),
			/* translators: %s: a number of seconds. */
			'seconds'       => __( '%s s', 'verial-image-sync' ),
			'none'          => '—',
		);
	}
}
