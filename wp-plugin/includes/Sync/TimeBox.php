<?php
/**
 * Time and memory budget of one worker slice.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * A background request must end well before PHP's or the web server's limits, like
 * WooCommerce's importer: stop after `seconds` or past `memory_ratio` of memory_limit,
 * whichever comes first, and let the next request continue from the checkpoint.
 */
final class TimeBox {

	private float $started;

	private int $memory_limit;

	/**
	 * @param float $seconds      Work time allowed.
	 * @param float $memory_ratio Share of memory_limit allowed.
	 */
	public function __construct( private float $seconds, private float $memory_ratio ) {
		$this->started      = microtime( true );
		$this->memory_limit = (int) wp_convert_hr_to_bytes( (string) ini_get( 'memory_limit' ) );
	}

	/**
	 * Whether the slice should stop before starting more work.
	 */
	public function expired(): bool {
		if ( $this->elapsed() >= $this->seconds ) {
			return true;
		}
		return $this->memory_limit > 0 && memory_get_usage( true ) >= $this->memory_ratio * $this->memory_limit;
	}

	public function elapsed(): float {
		return microtime( true ) - $this->started;
	}
}
