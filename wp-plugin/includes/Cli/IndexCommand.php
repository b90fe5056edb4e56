<?php
/**
 * `wp verial-images index`.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

use VerialImageSync\Plugin;
use WP_CLI;

/**
 * Maintains the plugin's image table (article, position -> attachment).
 */
final class IndexCommand {

	/**
	 * Rebuilds the image table from the attachments' `_verial_*` meta, e.g. after a database
	 * restore that lost or damaged it.
	 *
	 * Keeps the rows that are still right, removes rows of deleted attachments and adds a row for
	 * every article each Verial attachment belongs to, hashing its file again. Positions of
	 * pictures shared by several articles are approximate until the next `wp verial-images sync`,
	 * which re-reads every article and reuses every picture.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp verial-images index rebuild
	 *     Success: Image table rebuilt from 4491 attachments: 5003 rows added, 0 kept, 0 removed.
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options (none).
	 */
	public function rebuild( array $args, array $assoc_args ): void {
		$result = ( new IndexRebuilder( Plugin::services()->images ) )->rebuild();
		foreach ( $result['missing_files'] as $attachment_id ) {
			/* translators: %d: attachment id. */
			WP_CLI::warning( sprintf( __( 'Attachment %d has no file: left out (phase 1 imports its picture again once it is deleted from the media library).', 'verial-image-sync' ), $attachment_id ) );
		}
		WP_CLI::success(
			sprintf(
				/* translators: 1: attachments, 2: rows added, 3: rows kept, 4: rows removed. */
				__( 'Image table rebuilt from %1$d attachments: %2$d rows added, %3$d kept, %4$d removed.', 'verial-image-sync' ),
				$result['attachments'],
				$result['added'],
				$result['kept'],
				$result['removed']
			)
		);
	}
}
