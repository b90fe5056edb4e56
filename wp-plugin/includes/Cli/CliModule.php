<?php
/**
 * Registers the Cli module's hooks.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

/**
 * Entry point called from Plugin::boot(): the WP-CLI commands, only under WP-CLI.
 */
final class CliModule {

	public const COMMAND = 'verial-images';

	/**
	 * The seed's name for phase 1 (`wp verial sync-images --all`).
	 */
	public const ALIAS = 'verial sync-images';

	public static function register(): void {
		if ( ! defined( 'WP_CLI' ) || ! WP_CLI ) {
			return;
		}
		\WP_CLI::add_command( self::COMMAND, ImagesCommand::class );
		\WP_CLI::add_command( self::COMMAND . ' index', IndexCommand::class );
		// Plugins load in any order: whether the existing plugin registered the alias's name is
		// known only once WordPress has loaded them all.
		\WP_CLI::add_hook( 'after_wp_load', array( self::class, 'register_alias' ) );
	}

	/**
	 * Registers `wp verial sync-images` unless a command of that name exists.
	 */
	public static function register_alias(): void {
		if ( is_array( \WP_CLI::get_runner()->find_command_to_run( explode( ' ', self::ALIAS ) ) ) ) {
			return;
		}
		\WP_CLI::add_command( self::ALIAS, SyncImagesAlias::class );
	}
}
