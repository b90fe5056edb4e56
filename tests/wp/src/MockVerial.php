<?php
/**
 * Client of the mock Verial API's control endpoints.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

/**
 * Ground truth, statistics and fault configuration of tests/mock-verial, over plain HTTP
 * (not WordPress's HTTP API, which the plugin under test uses and the tests may filter).
 */
final class MockVerial {

	/**
	 * Truth per catalog size (it depends on nothing else during a test run).
	 *
	 * @var array<int, array<int, list<array<string, mixed>>>>
	 */
	private static array $truth = array();

	public static function url(): string {
		return (string) getenv( 'VIS_MOCK_URL' );
	}

	/**
	 * Per article id, its images in order: position, sha256 (null when corrupt), format,
	 * corrupt kind, picture, bytes, width, height, verial_hash.
	 *
	 * @return array<int, list<array<string, mixed>>>
	 */
	public static function truth(): array {
		$articles = (int) self::config()['articles'];
		if ( ! isset( self::$truth[ $articles ] ) ) {
			$reply = self::request( 'GET', '/__mock/truth?numpixelsladomenor=300' );
			$truth = array();
			foreach ( $reply['articles'] as $article_id => $images ) {
				$truth[ (int) $article_id ] = $images;
			}
			self::$truth[ $articles ] = $truth;
		}
		return self::$truth[ $articles ];
	}

	/**
	 * @return array<string, mixed>
	 */
	public static function config( array $changes = array() ): array {
		if ( $changes ) {
			return self::request( 'POST', '/__mock/config', $changes );
		}
		return self::request( 'GET', '/__mock/config' );
	}

	/**
	 * @return array<string, mixed>
	 */
	public static function stats(): array {
		return self::request( 'GET', '/__mock/stats' );
	}

	public static function reset_stats(): void {
		self::request( 'POST', '/__mock/stats/reset' );
	}

	/**
	 * Changes one article's images (reorder, replace, add, remove, touch).
	 *
	 * @param array<string, mixed> $request Body of POST /__mock/mutate.
	 */
	public static function mutate( array $request ): void {
		self::request( 'POST', '/__mock/mutate', $request );
		self::$truth = array();
	}

	public static function reset_mutations(): void {
		self::request( 'POST', '/__mock/mutate/reset' );
		self::$truth = array();
	}

	/**
	 * The raw GetImagenesArticulosWS body for one article, as the plugin would receive it.
	 */
	public static function images_body( int $article_id ): string {
		return self::raw( 'GET', '/WcfServiceLibraryVerial/GetImagenesArticulosWS?x=18&numpixelsladomenor=300&id_articulo=' . $article_id );
	}

	/**
	 * @param array<string, mixed>|null $body JSON body.
	 * @return array<string, mixed>
	 */
	private static function request( string $method, string $path, ?array $body = null ): array {
		$data = json_decode( self::raw( $method, $path, $body ), true, 512, JSON_THROW_ON_ERROR );
		if ( ! is_array( $data ) || isset( $data['error'] ) ) {
			throw new \RuntimeException( "mock $method $path: " . json_encode( $data ) );
		}
		return $data;
	}

	/**
	 * @param array<string, mixed>|null $body JSON body.
	 */
	private static function raw( string $method, string $path, ?array $body = null ): string {
		$context = stream_context_create(
			array(
				'http' => array(
					'method'        => $method,
					'header'        => "Content-Type: application/json\r\n",
					'content'       => null === $body ? '' : json_encode( $body, JSON_THROW_ON_ERROR ),
					'timeout'       => 60,
					'ignore_errors' => true,
				),
			)
		);
		$reply = file_get_contents( self::url() . $path, false, $context );
		if ( false === $reply ) {
			throw new \RuntimeException( "mock $method $path: no reply" );
		}
		return $reply;
	}
}
