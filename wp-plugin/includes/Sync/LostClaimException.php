<?php
/**
 * A worker found its batch claimed by another worker.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

/**
 * Raised inside an article's transaction when the batch checkpoint no longer matches this
 * worker's claim token (its lock expired and another worker took the batch over); the article is
 * rolled back and the worker stops.
 */
final class LostClaimException extends \RuntimeException {
}
