<?php
/**
 * The database connection dropped inside a transaction.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * Thrown by Transaction when WordPress replaced the connection of an open transaction. The
 * server rolled the transaction back; the caller treats it like any failed unit of work (the
 * batch is retried), never as success.
 */
final class ConnectionLostException extends \RuntimeException {
}
