<?php
/**
 * PSR-4 autoloader for the plugin's classes.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

/**
 * Maps `VerialImageSync\Foo\Bar` to `includes/Foo/Bar.php`.
 */
final class Autoloader {

	/**
	 * Registers the loader for one namespace prefix and base directory.
	 *
	 * @param string $prefix   Namespace prefix with trailing backslash.
	 * @param string $base_dir Directory holding the classes of that namespace.
	 */
	public static function register( string $prefix, string $base_dir ): void {
		$base_dir = rtrim( $base_dir, '/' ) . '/';
		spl_autoload_register(
			static function ( string $class ) use ( $prefix, $base_dir ): void {
				if ( ! str_starts_with( $class, $prefix ) ) {
					return;
				}
				$file = $base_dir . str_replace( '\\', '/', substr( $class, strlen( $prefix ) ) ) . '.php';
				if ( is_file( $file ) ) {
					require $file;
				}
			}
		);
	}
}
