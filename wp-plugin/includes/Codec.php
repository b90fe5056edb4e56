<?php
/**
 * Chooses the image codec: the native extension or its pure-PHP polyfill.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

/**
 * Both codecs expose the same API under `\VerialImages\Native`, so the rest of the plugin never
 * branches on which one is active; this class only decides once and reports the choice
 * (status data now, Site Health later).
 */
final class Codec {

	public const NATIVE   = 'native';
	public const POLYFILL = 'polyfill';
	public const MISSING  = 'missing';

	/**
	 * Which codec boot() selected.
	 *
	 * @var string
	 */
	private static string $engine = self::MISSING;

	/**
	 * Loads the polyfill unless the extension is loaded. Safe to call more than once.
	 *
	 * @param string $polyfill_bootstrap Path of polyfill/bootstrap.php.
	 * @return bool Whether a codec is available.
	 */
	public static function boot( string $polyfill_bootstrap ): bool {
		if ( extension_loaded( 'verial_images' ) ) {
			self::$engine = self::NATIVE;
		} elseif ( function_exists( '\VerialImages\Native\import_response' ) ) {
			self::$engine = self::POLYFILL;
		} elseif ( is_readable( $polyfill_bootstrap ) ) {
			require_once $polyfill_bootstrap;
			self::$engine = function_exists( '\VerialImages\Native\import_response' ) ? self::POLYFILL : self::MISSING;
		} else {
			self::$engine = self::MISSING;
		}
		return self::is_available();
	}

	/**
	 * The selected codec: native, polyfill or missing.
	 */
	public static function engine(): string {
		return self::$engine;
	}

	/**
	 * Whether image processing can run at all.
	 */
	public static function is_available(): bool {
		return self::MISSING !== self::$engine;
	}

	/**
	 * Describes the codec for status data and diagnostics.
	 *
	 * @return array{engine: string, version: ?string, build: array<string, string>}
	 */
	public static function report(): array {
		if ( ! self::is_available() ) {
			return array(
				'engine'  => self::$engine,
				'version' => null,
				'build'   => array(),
			);
		}
		return array(
			'engine'  => self::$engine,
			'version' => \VerialImages\Native\version(),
			'build'   => \VerialImages\Native\build_info(),
		);
	}
}
