<?php
/**
 * Functions of the native API (polyfill).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImages\Native;

/** Polyfill version, "polyfill-" + the plugin version it ships with. */
function version(): string {
	return 'polyfill-0.1.0';
}

/**
 * Same keys as the extension's build_info(); the Rust-specific ones say what stands in for them.
 *
 * @return array<string, string>
 */
function build_info(): array {
	return array(
		'version'       => version(),
		'git_revision'  => 'unknown',
		'php_api'       => PHP_VERSION,
		'rustc'         => 'none',
		'target'        => PHP_OS_FAMILY . '-' . php_uname( 'm' ),
		'profile'       => 'polyfill',
		'base64_engine' => 'php',
	);
}

/**
 * Decode + hash + sniff without writing anything.
 *
 * @throws NativeException See docs/native-api.md.
 */
function inspect( string $payload, bool $legacy_md5 = false, int $max_bytes = 26214400 ): ImageInfo {
	return new ImageInfo( ...PolyfillDecoder::run( $payload, $legacy_md5, $max_bytes ) );
}

/**
 * Decodes the payload into "$directory/$stem.$ext" (or "$stem-N.$ext" when taken) through a
 * temporary file in $directory; on any error neither file remains.
 *
 * @throws NativeException See docs/native-api.md.
 */
function import_file( string $payload, string $directory, string $stem, bool $legacy_md5 = false, int $max_bytes = 26214400 ): ImageInfo {
	PolyfillStorage::checkStem( $stem );
	$dir                  = PolyfillStorage::checkDirectory( $directory );
	list( $facts, $temp ) = PolyfillStorage::decodeToTemp( $payload, $dir, $legacy_md5, $max_bytes );
	try {
		$path = PolyfillStorage::claim( $temp, $dir, $stem, $facts['extension'] );
	} finally {
		PolyfillStorage::discard( $temp );
	}
	return new ImageInfo( ...$facts, path: $path );
}

/**
 * Processes a whole GetImagenesArticulosWS response body, one image after the other (the
 * extension uses threads; the results are the same, in the same order).
 *
 * @return list<ImageResult>
 * @throws NativeException See docs/native-api.md.
 */
function import_response( string $body, ?string $directory = null, ?DedupIndex $known = null, bool $legacy_md5 = false, int $max_bytes = 26214400 ): array {
	$images    = PolyfillResponse::images( $body );
	$dir       = null === $directory ? null : PolyfillStorage::checkDirectory( $directory );
	$results   = array();
	$positions = array(); // Article id => last position seen.
	$written   = array(); // Sha256 => path of the file imported for that content in this call.
	foreach ( $images as $image ) {
		$article  = $image['ID_Articulo'];
		$position = ( $positions[ $article ] ?? -1 ) + 1;

		$positions[ $article ] = $position;
		try {
			if ( null === $dir ) {
				// Inspecting still reports content that is known or repeated, like the extension.
				$facts  = PolyfillDecoder::run( $image['Imagen'], $legacy_md5, $max_bytes );
				$sha256 = $facts['sha256'];
				$id     = $known?->get( $sha256 );
				$status = null !== $id ? 'known' : ( array_key_exists( $sha256, $written ) ? 'repeated' : 'inspected' );

				$written[ $sha256 ] = null;
				$results[]          = new ImageResult( $article, $position, $status, new ImageInfo( ...$facts ), $id );
				continue;
			}
			// Decoding to a temp file first hashes the content in the same pass; the temp file
			// is only linked into place when the content is new.
			list( $facts, $temp ) = PolyfillStorage::decodeToTemp( $image['Imagen'], $dir, $legacy_md5, $max_bytes );
			try {
				$sha256 = $facts['sha256'];
				$id     = $known?->get( $sha256 );
				if ( null !== $id ) {
					$status = 'known';
					$path   = null;
				} elseif ( isset( $written[ $sha256 ] ) ) {
					$status = 'repeated';
					$path   = $written[ $sha256 ];
				} else {
					$status             = 'imported';
					$path               = PolyfillStorage::claim( $temp, $dir, 'verial-' . $article . '-' . $position, $facts['extension'] );
					$written[ $sha256 ] = $path;
				}
			} finally {
				PolyfillStorage::discard( $temp );
			}
			$results[] = new ImageResult( $article, $position, $status, new ImageInfo( ...$facts, path: $path ), $id );
		} catch ( NativeException $e ) {
			$kind      = substr( (string) strrchr( '\\' . get_class( $e ), '\\' ), 1 );
			$results[] = new ImageResult( $article, $position, 'failed', null, null, $kind, sprintf( 'article %d position %d: %s', $article, $position, $e->getMessage() ) );
		}
	}
	return $results;
}
