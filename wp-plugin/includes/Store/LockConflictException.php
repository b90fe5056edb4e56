<?php
/**
 * A statement lost a lock conflict with another worker.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * InnoDB chose the statement as a deadlock victim, or its lock wait timed out. Nothing of the
 * unit of work was kept (Transaction makes sure of it), so doing it again is safe.
 */
final class LockConflictException extends \RuntimeException {
}
