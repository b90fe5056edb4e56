<?php
/**
 * A failed call to the Verial API.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Api;

/**
 * Carries what the caller needs to decide and to report: a kind, Verial's InfoError code or
 * the HTTP status as the code, and whether a retry may succeed.
 */
final class VerialException extends \RuntimeException {

	public const TRANSPORT    = 'transport_error';
	public const HTTP_STATUS  = 'http_error';
	public const API_ERROR    = 'api_error';
	public const INVALID_JSON = 'invalid_json';
	public const NOT_CONFIGURED = 'not_configured';

	/**
	 * Verial's InfoError.Codigo for "SQL error", which their servers return under load.
	 */
	private const TRANSIENT_INFO_ERROR = 2;

	/**
	 * Verial's InfoError.Codigo for "wrong date format" (fecha/hora it cannot parse).
	 */
	private const DATE_FORMAT_INFO_ERROR = 22;

	/**
	 * @param string          $message   Human-readable, names the method and parameters.
	 * @param string          $kind      One of the class constants.
	 * @param int             $code      InfoError code, HTTP status, or 0.
	 * @param bool            $transient Whether retrying may succeed.
	 * @param \Throwable|null $previous  Cause.
	 */
	public function __construct( string $message, private string $kind, int $code, private bool $transient, ?\Throwable $previous = null ) {
		parent::__construct( $message, $code, $previous );
	}

	public static function transport( string $call, string $detail ): self {
		return new self( sprintf( 'Verial %s: connection failed: %s', $call, $detail ), self::TRANSPORT, 0, true );
	}

	public static function http_status( string $call, int $status ): self {
		return new self( sprintf( 'Verial %s: HTTP %d', $call, $status ), self::HTTP_STATUS, $status, $status >= 500 );
	}

	public static function api_error( string $call, int $code, string $description ): self {
		return new self(
			sprintf( 'Verial %s: InfoError %d: %s', $call, $code, '' === $description ? 'no description' : $description ),
			self::API_ERROR,
			$code,
			self::TRANSIENT_INFO_ERROR === $code
		);
	}

	/**
	 * Truncated or malformed bodies: a dropped connection produces them, so they are retried.
	 */
	public static function invalid_json( string $call, string $detail, ?\Throwable $previous = null ): self {
		return new self( sprintf( 'Verial %s: invalid JSON reply: %s', $call, $detail ), self::INVALID_JSON, 0, true, $previous );
	}

	/**
	 * Verial refused the "changed since" filter. Its own description ("wrong date format") does
	 * not say what was sent or what to change, and the hora format Verial accepts is not
	 * documented (HH:MM:SS or HH:MM), so the message quotes both values and names the setting.
	 *
	 * @param array<string, string> $filter   The fecha and hora sent.
	 * @param self                  $previous Verial's InfoError 22.
	 */
	public static function date_filter_refused( array $filter, self $previous ): self {
		return new self(
			sprintf(
				/* translators: 1: fecha sent, 2: hora sent, 3: Verial's own error message. */
				__( 'Verial refused the date filter (InfoError 22, wrong date format): sent fecha "%1$s" and hora "%2$s". Check the "hora format" setting (hora_format: "H:i:s" sends HH:MM:SS, "H:i" sends HH:MM) against what your Verial server accepts. (%3$s)', 'verial-image-sync' ),
				$filter['fecha'] ?? '',
				$filter['hora'] ?? '',
				$previous->getMessage()
			),
			self::API_ERROR,
			self::DATE_FORMAT_INFO_ERROR,
			false,
			$previous
		);
	}

	public static function not_configured(): self {
		return new self( 'Verial API URL is not configured (setting base_url).', self::NOT_CONFIGURED, 0, false );
	}

	/**
	 * Same failure, with the number of attempts made in the message.
	 */
	public function after_attempts( int $attempts ): self {
		if ( $attempts < 2 ) {
			return $this;
		}
		return new self( sprintf( '%s (after %d attempts)', $this->getMessage(), $attempts ), $this->kind, $this->getCode(), $this->transient, $this );
	}

	public function kind(): string {
		return $this->kind;
	}

	/**
	 * Whether Verial answered InfoError 22: it could not parse a date parameter.
	 */
	public function is_date_format_refusal(): bool {
		return self::API_ERROR === $this->kind && self::DATE_FORMAT_INFO_ERROR === $this->getCode();
	}

	public function is_transient(): bool {
		return $this->transient;
	}
}
