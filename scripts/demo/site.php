<?php
/**
 * Prepares the demo shop (scripts/demo.sh): installs WordPress on first use, activates the
 * plugin, points it at the mock Verial API and creates one product per Verial article, linked
 * the way the existing sync plugin links them (`_verial_product_id`) or only by SKU for every
 * fifth product. Idempotent: a second call only refreshes the settings.
 *
 * Env: VIS_WP_DIR, VIS_MOCK_URL, VIS_ADMIN_PASSWORD.
 */

declare(strict_types=1);

define('WP_INSTALLING', !is_file(getenv('VIS_WP_DIR') . '/.installed'));

// wp_install() mails the admin; there is no mail here.
function wp_new_blog_notification(): void
{
}

require __DIR__ . '/../../tests/wp/bin/load-wordpress.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if (WP_INSTALLING) {
    $result = wp_install('Verial Image Sync demo shop', 'admin', 'admin@example.org', false, '', (string) getenv('VIS_ADMIN_PASSWORD'));
    if (empty($result['user_id'])) {
        fwrite(STDERR, "wp_install failed\n");
        exit(1);
    }
    touch(getenv('VIS_WP_DIR') . '/.installed');
}
$activated = activate_plugin('verial-image-sync/verial-image-sync.php');
if (is_wp_error($activated)) {
    fwrite(STDERR, 'activation failed: ' . $activated->get_error_message() . "\n");
    exit(1);
}
// Short slices: the foreground progress line and the admin page's bar move every 2 seconds.
VerialImageSync\Settings::save(['base_url' => (string) getenv('VIS_MOCK_URL'), 'session' => 18, 'time_limit' => 2]);

// One product per article, as a WooCommerce shop synced by the existing plugin would have.
$truth = json_decode((string) file_get_contents(getenv('VIS_MOCK_URL') . '/__mock/truth?numpixelsladomenor=300'), true);
$existing = array_flip(array_map('intval', $GLOBALS['wpdb']->get_col(
    "SELECT meta_value FROM {$GLOBALS['wpdb']->postmeta} WHERE meta_key = '_verial_demo_article'"
)));
$created = 0;
$n = 0;
foreach ($truth['skus'] as $article => $sku) {
    $n++;
    if (isset($existing[(int) $article])) {
        continue;
    }
    $meta = ['_sku' => $sku, '_verial_demo_article' => (int) $article];
    if ($n % 5 !== 0) {
        $meta['_verial_product_id'] = (int) $article; // the rest are found by SKU only
    }
    wp_insert_post(['post_type' => 'product', 'post_status' => 'publish', 'post_title' => "Artículo $article", 'meta_input' => $meta]);
    $created++;
}
printf("demo shop ready: %d products (%d new)\n", count($truth['skus']), $created);
