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
		$reply = $this->call( 'GetNumArticulosWS', $this->since_params( $since ), fn( string $body, string $call ): array => $this->decode( $body, $call ) );
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
		$filter   = $this->since_params( $since );
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
				$id = is_array( $article ) ? self::article_id( $article['Id'] ?? null ) : null;
				if ( null !== $id && ! isset( $articles[ $id ] ) ) {
					$articles[ $id ] = is_scalar( $article['ReferenciaBarras'] ?? null ) ? trim( (string) $article['ReferenciaBarras'] ) : '';
				}
			}
		}
		return $articles;
	}

	/**
	 * A listed article's Id when it is one: a positive integer, or a string of at most 18
	 * digits. Anything else (2.5, 1e20, "12\0.php", "../x") is not an article of Verial's and
	 * would otherwise be cast into some other article's id.
	 *
	 * @param mixed $value The listing's Id field.
	 */
	private static function article_id( mixed $value ): ?int {
		if ( is_string( $value ) && 1 === preg_match( '/^[0-9]{1,18}$/D', $value ) ) {
			$value = (int) $value;
		}
		return is_int( $value ) && $value > 0 ? $value : null;
	}

	/**
	 * Verial's "created or modified since" filter: fecha (YYYY-MM-DD) and hora in the configured
	 * hora format (HH:MM:SS or HH:MM). The moment is taken apart as stored, not re-parsed, so the
	 * values sent are exactly the run's `since`.
	 *
	 * @param string|null $since Y-m-d H:i:s in Verial's time zone, or null for no filter.
	 * @return array<string, string> fecha and hora, or empty.
	 */
	public function since_params( ?string $since ): array {
		if ( null === $since || '' === $since ) {
			return array();
		}
		$parts = explode( ' ', trim( $since ), 2 );
		$hora  = ( $parts[1] ?? '' ) ?: '00:00:00';
		return array(
			'fecha' => $parts[0],
			'hora'  => substr( $hora, 0, 'H:i' === $this->settings->hora_format() ? 5 : 8 ),
		);
	}

	/**
	 * GetImagenesArticulosWS for one article, its body passed to $import.
	 *
	 * A body fetched beforehand through image_window() is used first; when it is not a good reply
	 * (truncated, InfoError...), the article is fetched again the usual way, with every retry,
	 * so errors are handled and reported exactly as for an article fetched alone.
	 *
	 * @template T
	 * @param int                           $article_id   Verial article Id.
	 * @param callable(string): T           $import       Processes the raw body (import_response).
	 * @param string|null                   $prefetched   Body taken from an image_window(), if any.
	 * @param (callable(): void)|null       $before_retry Called before each further request (the
	 *                                                    worker refreshes its batch claim).
	 * @return T What $import returned.
	 * @throws VerialException After the retries, or at once for a permanent failure.
	 */
	public function import_images( int $article_id, callable $import, ?string $prefetched = null, ?callable $before_retry = null ): mixed {
		$params    = $this->image_params( $article_id );
		$interpret = static function ( string $body, string $call ) use ( $import ): mixed {
			try {
				return $import( $body );
			} catch ( \VerialImages\Native\ApiErrorException $e ) {
				// The codec's message is "Verial InfoError <code>: <Descripcion>".
				$description = (string) preg_replace( '/^Verial InfoError -?\d+:\s*/', '', $e->getMessage() );
				throw VerialException::api_error( $call, (int) $e->getCode(), $description );
			} catch ( \VerialImages\Native\InvalidJsonException $e ) {
				throw VerialException::invalid_json( $call, $e->getMessage(), $e );
			}
		};
		if ( null !== $prefetched ) {
			try {
				return $interpret( $prefetched, self::label( 'GetImagenesArticulosWS', $params ) );
			} catch ( VerialException $e ) {
				unset( $e ); // Fetched again below, with the retries.
			}
			if ( null !== $before_retry ) {
				$before_retry();
			}
		}
		return $this->call( 'GetImagenesArticulosWS', $params, $interpret, $before_retry );
	}

	/**
	 * A window of GetImagenesArticulosWS requests kept in flight ahead of the import (curl_multi),
	 * so that the API's latency elapses while the worker imports rather than between imports.
	 * Same URL, query, user agent, timeout and certificate check as a single call through
	 * WordPress's HTTP API, no redirects, and its http_api_debug action fires for each reply.
	 * curl_multi is driven directly, waiting in curl_multi_select(): the Requests library
	 * WordPress bundles spins the CPU while it waits for a multi request, which slows down the
	 * very server it waits for when that shares the host.
	 *
	 * The window yields only complete 200 replies; the caller fetches the others alone with
	 * import_images(), whose retries and error reports apply. There is no window (every article
	 * then goes the single way) for fewer than two requests at once, or when WordPress would not
	 * send these requests as they are: a pre_http_request filter may answer or alter each request,
	 * a proxy or WP_HTTP_BLOCK_EXTERNAL applies, or PHP has no curl.
	 *
	 * @param int $size Most requests in flight at once (each reply is held in memory until taken).
	 * @return FetchWindow|null Null when requests go one at a time.
	 */
	public function image_window( int $size ): ?FetchWindow {
		$base_url = $this->settings->base_url();
		if ( $size < 2 || '' === $base_url || ! function_exists( 'curl_multi_init' ) || has_filter( 'pre_http_request' ) ) {
			return null;
		}
		$proxy = new \WP_HTTP_Proxy();
		if ( ( $proxy->is_enabled() && $proxy->send_through_proxy( $base_url ) ) || ( new \WP_Http() )->block_request( $base_url ) ) {
			return null;
		}
		$args = $this->http_args();
		/** This filter is documented in wp-includes/class-wp-http.php */
		$verify  = (bool) apply_filters( 'https_ssl_verify', true, $base_url );
		$options = array(
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_FOLLOWLOCATION => false,
			CURLOPT_PROTOCOLS      => CURLPROTO_HTTP | CURLPROTO_HTTPS,
			CURLOPT_TIMEOUT        => $args['timeout'],
			CURLOPT_CONNECTTIMEOUT => $args['timeout'],
			CURLOPT_USERAGENT      => $args['user-agent'],
			CURLOPT_HTTPHEADER     => array( 'Accept: ' . $args['headers']['Accept'] ),
			CURLOPT_ENCODING       => '',
			CURLOPT_SSL_VERIFYPEER => $verify,
			CURLOPT_SSL_VERIFYHOST => $verify ? 2 : 0,
			CURLOPT_CAINFO         => ABSPATH . WPINC . '/certificates/ca-bundle.crt',
		);
		$url = fn( int $article_id ): string => $this->url( 'GetImagenesArticulosWS', $this->image_params( $article_id ) );
		return new FetchWindow( $size, $options, $url, $args );
	}

	/**
	 * Query parameters of GetImagenesArticulosWS for one article.
	 *
	 * @return array<string, int>
	 */
	private function image_params( int $article_id ): array {
		return array(
			'id_articulo'        => $article_id,
			'numpixelsladomenor' => $this->settings->image_size(),
		);
	}

	/**
	 * One API method with retries: transport errors, HTTP 5xx, truncated JSON and InfoError 2
	 * are retried after the configured delays; anything else fails at once.
	 *
	 * @param string                           $method       Verial method name.
	 * @param array<string, int|string>        $params       Query parameters besides x.
	 * @param callable(string, string): mixed  $interpret    Turns a body into a result or throws.
	 * @param (callable(): void)|null          $before_retry Called before each retry.
	 * @throws VerialException The last failure.
	 */
	private function call( string $method, array $params, callable $interpret, ?callable $before_retry = null ): mixed {
		if ( '' === $this->settings->base_url() ) {
			throw VerialException::not_configured();
		}
		$call    = self::label( $method, $params );
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
				if ( null !== $before_retry ) {
					$before_retry();
				}
			}
		}
	}

	/**
	 * How a call is named in messages: "Method(param=value, ...)".
	 *
	 * @param array<string, int|string> $params Query parameters besides x.
	 */
	private static function label( string $method, array $params ): string {
		return $method . ( $params ? '(' . http_build_query( $params, '', ', ' ) . ')' : '' );
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
		$response = wp_remote_get( $this->url( $method, $params ), $this->http_args() );
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
	 * A method's URL with the session and the parameters.
	 *
	 * @param array<string, int|string> $params Query parameters besides x.
	 */
	private function url( string $method, array $params ): string {
		return $this->settings->base_url() . '/' . $method . '?' . http_build_query( array( 'x' => $this->settings->session() ) + $params );
	}

	/**
	 * WordPress HTTP API arguments of every call.
	 *
	 * @return array{timeout: int, redirection: int, headers: array<string, string>, user-agent: string}
	 */
	private function http_args(): array {
		return array(
			'timeout'     => $this->settings->http_timeout(),
			'redirection' => 0,
			'headers'     => array( 'Accept' => 'application/json' ),
			'user-agent'  => 'VerialImageSync/' . \VerialImageSync\VERSION . '; ' . home_url( '/' ),
		);
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
