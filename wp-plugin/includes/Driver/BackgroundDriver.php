<?php
/**
 * Runs a hook in the background.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Driver;

/**
 * What the worker and the thumbnail job need from a background queue: "run this hook soon".
 */
interface BackgroundDriver {

	/**
	 * Short name for status data.
	 */
	public function name(): string;

	/**
	 * Makes sure $hook runs soon, once.
	 *
	 * @param string $hook         Action hook without arguments.
	 * @param bool   $continuation Called from that hook's own handler to continue the work.
	 */
	public function schedule( string $hook, bool $continuation = false ): void;

	/**
	 * Removes pending runs of $hook.
	 */
	public function unschedule( string $hook ): void;
}
