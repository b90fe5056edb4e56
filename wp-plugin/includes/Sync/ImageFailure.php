<?php
/**
 * One image of an article was refused.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * Carries the error kind (the codec's exception short name, or our own) and a message naming the
 * article and position; recorded in the run's errors while the article's other images go on.
 */
final class ImageFailure extends \RuntimeException {

	/**
	 * @param string $kind    Error kind, e.g. "InvalidBase64Exception" or "AttachmentError".
	 * @param string $message Message naming article id and position.
	 */
	public function __construct( public readonly string $kind, string $message ) {
		parent::__construct( $message );
	}
}
