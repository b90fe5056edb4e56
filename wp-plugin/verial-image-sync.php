<?php
/**
 * Plugin Name:       Verial Image Sync
 * Plugin URI:        https://github.com/verial-image-sync/verial-image-sync
 * Description:       Imports every Verial ERP product image into the media library once, in resumable background batches, with content deduplication and the real image type. Uses the verial_images PHP extension when loaded and a pure-PHP codec otherwise.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Verial Image Sync contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       verial-image-sync
 * Domain Path:       /languages
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

defined( 'ABSPATH' ) || exit;

const VERSION     = '0.1.0';
const PLUGIN_FILE = __FILE__;

require_once __DIR__ . '/includes/Autoloader.php';
Autoloader::register( 'VerialImageSync\\', __DIR__ . '/includes' );
require_once __DIR__ . '/includes/functions.php';

// The one place where "native extension or pure-PHP fallback" is decided.
Codec::boot( __DIR__ . '/polyfill/bootstrap.php' );

register_activation_hook( __FILE__, array( Plugin::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( Plugin::class, 'deactivate' ) );

Plugin::boot();
