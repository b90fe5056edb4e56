<?php
/**
 * Image requests kept in flight ahead of the article being imported.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Api;

/**
 * A rolling window of GetImagenesArticulosWS requests on one curl_multi handle, so that the
 * API's latency elapses while the worker imports: the worker add()s the next articles, take()s
 * each reply when it needs it (driving every transfer until that one is complete) and add()s the
 * next article at once, so the window stays full while it imports. Replies that arrive meanwhile
 * wait in their sockets and in curl; nothing is decoded here.
 *
 * Created by VerialClient::image_window(), which decides whether requests may be sent this way
 * and builds the curl options; the window only sends them. At most $size requests are open at
 * once, so at most $size replies are held besides the one the worker is importing. close() aborts
 * what is left; the owner calls it from a finally, so no transfer or handle outlives a batch that
 * stops early.
 */
final class FetchWindow {

	private \CurlMultiHandle $multi;

	/**
	 * Open requests.
	 *
	 * @var array<int, \CurlHandle> Article Id => handle.
	 */
	private array $handles = array();

	/**
	 * curl's result code of each finished transfer not taken yet.
	 *
	 * @var array<int, int> Article Id => CURLE_* code.
	 */
	private array $finished = array();

	/**
	 * @param int                    $size     Most requests open at once.
	 * @param array<int, mixed>      $options  curl options of every request (VerialClient's).
	 * @param \Closure(int): string  $url      An article's request URL.
	 * @param array<string, mixed>   $args     The WordPress HTTP arguments these options stand for,
	 *                                         passed to http_api_debug.
	 */
	public function __construct( private int $size, private array $options, private \Closure $url, private array $args ) {
		$this->multi = curl_multi_init();
	}

	/**
	 * Sends the request for an article's images, without waiting: what can be done at once is
	 * done (a connection to a near host is up at once, and its request goes out before the
	 * caller goes on, so the API's latency starts now); otherwise the request goes out while the
	 * window is next driven.
	 *
	 * @throws \LogicException When the window is full or closed (the caller takes a reply first).
	 */
	public function add( int $article_id ): void {
		if ( count( $this->handles ) >= $this->size || ! isset( $this->multi ) ) {
			throw new \LogicException( sprintf( 'No room in the image request window for article %d.', $article_id ) );
		}
		$handle = curl_init( ( $this->url )( $article_id ) );
		curl_setopt_array( $handle, $this->options );
		curl_multi_add_handle( $this->multi, $handle );
		$this->handles[ $article_id ] = $handle;
		while ( $this->progress() && 0 === curl_getinfo( $handle, CURLINFO_REQUEST_SIZE ) && curl_multi_select( $this->multi, 0.0 ) > 0 ) {
			continue; // A socket is ready: the connection may be up now.
		}
	}

	/**
	 * Requests sent and not taken yet (finished or not).
	 */
	public function in_flight(): int {
		return count( $this->handles );
	}

	/**
	 * An article's reply, waiting until it is complete (the other transfers go on meanwhile).
	 * http_api_debug fires for it as for a reply of WordPress's HTTP API.
	 *
	 * @return string|null The body of a complete 200 reply; null for anything else (transport
	 *                     error, timeout, other status, article not in the window), which the
	 *                     caller fetches again alone, with the retries.
	 */
	public function take( int $article_id ): ?string {
		$handle = $this->handles[ $article_id ] ?? null;
		if ( null === $handle ) {
			return null;
		}
		while ( ! isset( $this->finished[ $article_id ] ) && $this->progress() ) {
			if ( ! isset( $this->finished[ $article_id ] ) && -1 === curl_multi_select( $this->multi, 1.0 ) ) {
				usleep( 1000 ); // No file descriptor to wait on yet.
			}
		}
		$result = $this->finished[ $article_id ] ?? null;
		$url    = (string) curl_getinfo( $handle, CURLINFO_EFFECTIVE_URL );
		$code   = (int) curl_getinfo( $handle, CURLINFO_RESPONSE_CODE );
		$body   = CURLE_OK === $result ? (string) curl_multi_getcontent( $handle ) : '';
		$error  = match ( $result ) {
			CURLE_OK => '',
			null     => 'curl_multi stopped before the reply was complete',
			default  => curl_error( $handle ) ?: curl_strerror( $result ),
		};
		unset( $this->handles[ $article_id ], $this->finished[ $article_id ] );
		curl_multi_remove_handle( $this->multi, $handle );
		curl_close( $handle );
		$response = '' !== $error ? new \WP_Error( 'http_request_failed', $error ) : array(
			'headers'       => array(),
			'body'          => $body,
			'response'      => array(
				'code'    => $code,
				'message' => get_status_header_desc( $code ),
			),
			'cookies'       => array(),
			'http_response' => null,
		);
		/** This action is documented in wp-includes/class-wp-http.php */
		do_action( 'http_api_debug', $response, 'response', 'curl_multi', $this->args, $url );
		return '' === $error && 200 === $code ? $body : null;
	}

	/**
	 * Aborts the open requests and frees every handle; the window takes nothing more. Safe to
	 * call twice.
	 */
	public function close(): void {
		if ( ! isset( $this->multi ) ) {
			return;
		}
		foreach ( $this->handles as $handle ) {
			curl_multi_remove_handle( $this->multi, $handle );
			curl_close( $handle );
		}
		$this->handles  = array();
		$this->finished = array();
		curl_multi_close( $this->multi );
		unset( $this->multi );
	}

	/**
	 * Moves every transfer on as far as it goes without blocking, and notes those that finished.
	 *
	 * @return bool Whether a transfer is still running (false also when curl_multi failed).
	 */
	private function progress(): bool {
		$status = curl_multi_exec( $this->multi, $running );
		while ( false !== ( $message = curl_multi_info_read( $this->multi ) ) ) {
			if ( CURLMSG_DONE === $message['msg'] ) {
				$article_id = array_search( $message['handle'], $this->handles, true );
				if ( false !== $article_id ) {
					$this->finished[ $article_id ] = (int) $message['result'];
				}
			}
		}
		return CURLM_OK === $status && $running > 0;
	}
}
