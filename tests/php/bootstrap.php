<?php
/**
 * Loads the codec under test: the native extension when PHP was started with
 * `-d extension=.../libverial_images.so`, else the plugin's pure-PHP polyfill of the same API.
 * VIS_EXPECT_CODEC=native|polyfill makes a run fail loudly if the wrong one got loaded.
 */

declare(strict_types=1);

require_once __DIR__ . '/../../wp-plugin/polyfill/bootstrap.php';
require_once __DIR__ . '/ImageFixtures.php';

$expected = getenv('VIS_EXPECT_CODEC');
$actual   = extension_loaded('verial_images') ? 'native' : 'polyfill';
if ($expected !== false && $expected !== '' && $expected !== $actual) {
    fwrite(STDERR, "expected the {$expected} codec but {$actual} is loaded\n");
    exit(1);
}
fwrite(STDERR, "codec under test: {$actual} " . \VerialImages\Native\version() . "\n");
