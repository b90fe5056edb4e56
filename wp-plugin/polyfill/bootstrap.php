<?php
/**
 * Pure-PHP implementation of the `verial_images` extension API (docs/native-api.md).
 *
 * Loaded only when the extension is not: with the extension loaded this file defines nothing,
 * so `\VerialImages\Native\*` always means the fastest implementation available. Needs nothing
 * beyond PHP 8.1 core with hash and json (no GD, no fileinfo, no WordPress).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

// The function_exists() guard also covers a second copy of the polyfill (another plugin or a
// test harness) having been loaded from a different path: redeclaring would be fatal.
if ( ! extension_loaded( 'verial_images' ) && ! function_exists( 'VerialImages\\Native\\inspect' ) ) {
	require_once __DIR__ . '/exceptions.php';
	require_once __DIR__ . '/values.php';
	require_once __DIR__ . '/indexes.php';
	require_once __DIR__ . '/internals.php';
	require_once __DIR__ . '/functions.php';
}
