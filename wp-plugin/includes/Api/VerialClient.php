<?php
/**
 * Verial web API client over the WordPress HTTP API.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Api;

use VerialImageSync\Settings;

/**
 * GET calls with `x=<session>`, InfoError checking and retries with backoff.
 *
 * Image replies are several MB of base64; they are handed to the caller's import callback
 * (the codec's import_response, which parses them outside PHP) instead of being decoded here.
 * A failure of that callback that means "bad reply" (truncated JSON, InfoError) is retried
 * like a transport error.
 */
final class VerialClient {

	/**
	 * @param Settings $settings API URL, session, timeouts, retry delays (tests set them near 0).
	 */
	public function __construct( private Settings $settings ) {
	}

	/**
	 * GetNumArticulosWS: how many articles GetArticulosWS lists for the same filter.
	 *
	 * @param string|null $since Only articles created or modified since (Y-m-d H:i:s), or null.
	 * @throws VerialException After the retries, or at once for a permanent failure.
	 */
	public function count_articles( ?string $since = null ): int {
		$reply = $this->call( 'GetNumArticulosWS', self::since_params( $since ), fn( string $body, string $call ): array => $this->decode( $body, $call ) );
		return (int) ( $reply['Numero'] ?? 0 );
	}

	/**
	 * Every article with its SKU, listed in pages of GetArticulosWS (1-based inicio/fin), in
	 * Verial's order and without repeats.
	 *
	 * @param string|null $since Only articles created or modified since (Y-m-d H:i:s), or null.
	 * @return array<int, string> Article Id => ReferenciaBarras ('' when it has none).
	 * @throws VerialException When a page cannot be read.
	 */
	public function list_articles( ?string $since = null ): array {
		$filter   = self::since_params( $since );
		$total    = $this->count_articles( $since );
		$page     = $this->settings->list_page_size();
		$articles = array();
		for ( $first = 1; $first <= $total; $first += $page ) {
			$params = $filter + array(
				'inicio' => $first,
				'fin'    => min( $total, $first + $page - 1 ),
			);
			$reply  = $this->call( 'GetArticulosWS', $params, fn( string $body, string $call ): array => $this->decode( $body, $call ) );
			foreach ( (array) ( $reply['Articulos'] ?? array() ) as $article ) {
				if ( is_array( $article ) && isset( $article['Id'] ) && (int) $article['Id'] > 0 && ! isset( $articles[ (int) $article['Id'] ] ) ) {
					$articles[ (int) $article['Id'] ] = is_scalar( $article['ReferenciaBarras'] ?? null ) ? trim( (string) $article['ReferenciaBarras'] ) : '';
				}
			}
		}
		return $articles;
	}

	/**
	 * Verial's "created or modified since" filter: fecha (YYYY-MM-DD) and hora (HH:MM:SS).
	 *
	 * @param string|null $since Y-m-d H:i:s, or null for no filter.
	 * @return array<string, string>
	 */
	private static function since_params( ?string $since ): array {
		if ( null === $since || '' === $since ) {
			return array();
		}
		$parts = explode( ' ', $since, 2 );
		return array(
			'fecha' => $parts[0],
			'hora'  => $parts[1] ?? '00:00:00',
		);
	}

	/**
	 * GetImagenesArticulosWS for one article, its body passed to $import.
	 *
	 * @template T
	 * @param int                           $article_id Verial article Id.
	 * @param callable(string): T           $import     Processes the raw body (import_response).
	 * @return T What $import returned.
	 * @throws VerialException After the retries, or at once for a permanent failure.
	 */
	public function import_images( int $article_id, callable $import ): mixed {
		$params = array(
			'id_articulo'        => $article_id,
			'numpixelsladomenor' => $this->settings->image_size(),
		);
		return $this->call(
			'GetImagenesArticulosWS',
			$params,
			static function ( string $body, string $call ) use ( $import ): mixed {
				try {
					return $import( $body );
				} catch ( \VerialImages\Native\ApiErrorException $e ) {
					// The codec's message is "Verial InfoError <code>: <Descripcion>".
					$description = (string) preg_replace( '/^Verial InfoError -?\d+:\s*/', '', $e->getMessage() );
					throw VerialException::api_error( $call, (int) $e->getCode(), $description );
				} catch ( \VerialImages\Native\InvalidJsonException $e ) {
					throw VerialException::invalid_json( $call, $e->getMessage(), $e );
				}
			}
		);
	}

	/**
	 * One API method with retries: transport errors, HTTP 5xx, truncated JSON and InfoError 2
	 * are retried after the configured delays; anything else fails at once.
	 *
	 * @param string                           $method    Verial method name.
	 * @param array<string, int|string>        $params    Query parameters besides x.
	 * @param callable(string, string): mixed  $interpret Turns a body into a result or throws.
	 * @throws VerialException The last failure.
	 */
	private function call( string $method, array $params, callable $interpret ): mixed {
		if ( '' === $this->settings->base_url() ) {
			throw VerialException::not_configured();
		}
		$call    = $method . ( $params ? '(' . http_build_query( $params, '', ', ' ) . ')' : '' );
		$delays  = $this->settings->retry_delays_ms();
		$attempt = 0;
		while ( true ) {
			try {
				return $interpret( $this->get( $method, $params, $call ), $call );
			} catch ( VerialException $e ) {
				if ( ! $e->is_transient() || $attempt >= count( $delays ) ) {
					throw $e->after_attempts( $attempt + 1 );
				}
				usleep( $delays[ $attempt ] * 1000 );
				++$attempt;
			}
		}
	}

	/**
	 * One HTTP GET; returns the body of a 200 reply.
	 *
	 * @param string                    $method Verial method name.
	 * @param array<string, int|string> $params Query parameters besides x.
	 * @param string                    $call   Label for messages.
	 * @throws VerialException Transport failure or non-200 status.
	 */
	private function get( string $method, array $params, string $call ): string {
		$url      = $this->settings->base_url() . '/' . $method . '?' . http_build_query( array( 'x' => $this->settings->session() ) + $params );
		$response = wp_remote_get(
			$url,
			array(
				'timeout'     => $this->settings->http_timeout(),
				'redirection' => 0,
				'headers'     => array( 'Accept' => 'application/json' ),
				'user-agent'  => 'VerialImageSync/' . \VerialImageSync\VERSION . '; ' . home_url( '/' ),
			)
		);
		if ( is_wp_error( $response ) ) {
			throw VerialException::transport( $call, $response->get_error_message() );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		if ( 200 !== $status ) {
			throw VerialException::http_status( $call, $status );
		}
		return (string) wp_remote_retrieve_body( $response );
	}

	/**
	 * Decodes a small reply (counts, article lists) and checks its InfoError.
	 *
	 * @return array<string, mixed>
	 * @throws VerialException Invalid JSON or non-zero InfoError.
	 */
	private function decode( string $body, string $call ): array {
		try {
			$reply = json_decode( $body, true, 64, JSON_THROW_ON_ERROR );
		} catch ( \JsonException $e ) {
			throw VerialException::invalid_json( $call, $e->getMessage() . ' (' . strlen( $body ) . ' bytes)', $e );
		}
		if ( ! is_array( $reply ) || ! isset( $reply['InfoError'] ) || ! is_array( $reply['InfoError'] ) ) {
			throw VerialException::invalid_json( $call, 'no InfoError object' );
		}
		$code = (int) ( $reply['InfoError']['Codigo'] ?? -1 );
		if ( 0 !== $code ) {
			throw VerialException::api_error( $call, $code, (string) ( $reply['InfoError']['Descripcion'] ?? '' ) );
		}
		return $reply;
	}
}
