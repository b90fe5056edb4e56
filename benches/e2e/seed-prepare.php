<?php
/**
 * Makes the test WordPress a seed site: deactivates this project's plugin (vis_setup activates
 * it), so the baseline runs in a WordPress without it.
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;
require_once ABSPATH . 'wp-admin/includes/plugin.php';

deactivate_plugins( 'verial-image-sync/verial-image-sync.php', true );
exit( is_plugin_active( 'verial-image-sync/verial-image-sync.php' ) ? 1 : 0 );
