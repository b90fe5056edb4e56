<?php
/**
 * `wp verial sync-images`: the command name of the original two-phase plan.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

/**
 * The name the two-phase plan gave phase 1, kept as an alias of `wp verial-images sync`;
 * registered only when the existing sync plugin does not provide a command of that name.
 */
final class SyncImagesAlias {

	/**
	 * Imports the images of Verial's articles into the media library (phase 1).
	 *
	 * Same as `wp verial-images sync` (with --all: `wp verial-images sync --full`), which has
	 * more options.
	 *
	 * ## OPTIONS
	 *
	 * [--all]
	 * : Every article, not only those changed since the previous sync.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp verial sync-images --all
	 *
	 * @param list<string>         $args       Positional arguments (none).
	 * @param array<string, mixed> $assoc_args Options.
	 */
	public function __invoke( array $args, array $assoc_args ): void {
		( new ImagesCommand() )->sync( array(), isset( $assoc_args['all'] ) ? array( 'full' => true ) : array() );
	}
}
