<?php
/**
 * Exceptions of the native API (polyfill).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImages\Native;

/** Base class of every exception the API throws on purpose. */
class NativeException extends \Exception {
}

/** The payload is not valid base64 (the message names the byte offset in the payload). */
class InvalidBase64Exception extends NativeException {
}

/** The decoded bytes are not a complete JPEG, PNG, GIF or WebP (or embed PHP code). */
class UnsupportedFormatException extends NativeException {
}

/** The decoded image is larger than max_bytes. */
class SizeLimitException extends NativeException {
}

/** File system trouble: directory missing or not writable, write failure, disk full. */
class StorageException extends NativeException {
}

/** Bad argument: stem, hash hex, serialized index, rows. */
class InvalidInputException extends NativeException {
}

/** Verial answered with InfoError.Codigo != 0; getCode() is that Codigo. */
class ApiErrorException extends NativeException {
}

/** The response body is not valid JSON of the GetImagenesArticulosWS shape. */
class InvalidJsonException extends NativeException {
}
