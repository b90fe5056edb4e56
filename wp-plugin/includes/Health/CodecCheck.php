<?php
/**
 * Site Health test: which image codec the plugin uses.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Health;

use VerialImageSync\Admin\Labels;
use VerialImageSync\Codec;

/**
 * "Good" with the native extension, "recommended" on the PHP fallback: the fallback imports the
 * same images, only more slowly, so it is never critical.
 */
final class CodecCheck {

	public const TEST = 'verial_image_sync_codec';

	/**
	 * Hooked to site_status_tests.
	 *
	 * @param array<string, array<string, mixed>> $tests Registered tests.
	 * @return array<string, array<string, mixed>>
	 */
	public static function register( $tests ): array {
		$tests                         = (array) $tests;
		$tests['direct'][ self::TEST ] = array(
			'label' => __( 'Verial Image Sync image codec', 'verial-image-sync' ),
			'test'  => array( self::class, 'run' ),
		);
		return $tests;
	}

	/**
	 * The test's result for the codec in use.
	 *
	 * @return array<string, mixed>
	 */
	public static function run(): array {
		return self::result( Codec::report() );
	}

	/**
	 * The test's result for a codec report.
	 *
	 * @param array{engine: string, version: ?string, build: array<string, string>} $report Codec::report().
	 * @return array<string, mixed>
	 */
	public static function result( array $report ): array {
		$native = Codec::NATIVE === $report['engine'];
		$facts  = sprintf(
			/* translators: 1: codec name, 2: version, 3: build (git revision). */
			__( 'Codec: %1$s. Version: %2$s. Build: %3$s.', 'verial-image-sync' ),
			Labels::codec( $report['engine'] ),
			(string) ( $report['version'] ?? '' ),
			(string) ( $report['build']['git_revision'] ?? '' )
		);
		if ( $native ) {
			return array(
				'label'       => __( 'Verial Image Sync uses its native PHP extension', 'verial-image-sync' ),
				'status'      => 'good',
				'badge'       => self::badge(),
				'description' => sprintf( '<p>%s</p><p>%s</p>', esc_html__( 'Product images from Verial are decoded, hashed and written by the verial_images extension, the fast path.', 'verial-image-sync' ), esc_html( $facts ) ),
				'actions'     => '',
				'test'        => self::TEST,
			);
		}
		return array(
			'label'       => __( 'Verial Image Sync runs on its PHP fallback', 'verial-image-sync' ),
			'status'      => 'recommended',
			'badge'       => self::badge(),
			'description' => sprintf( '<p>%s</p><p>%s</p>', esc_html__( 'The verial_images PHP extension is not loaded, so the bundled PHP code imports the images instead. The result is the same, but imports take several times longer.', 'verial-image-sync' ), esc_html( $facts ) ),
			'actions'     => sprintf( '<p>%s</p>', esc_html__( 'Ask your host to install the extension: build it with "cargo build --release" and add "extension=libverial_images.so" to php.ini.', 'verial-image-sync' ) ),
			'test'        => self::TEST,
		);
	}

	/**
	 * @return array{label: string, color: string}
	 */
	private static function badge(): array {
		return array(
			'label' => __( 'Performance', 'verial-image-sync' ),
			'color' => 'blue',
		);
	}
}
