<?php

declare(strict_types=1);

namespace VerialImages\Tests;

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/WordPressMedia.php';

/**
 * Runs with both codecs. make_subsizes() exists only in the extension: without it the plugin
 * makes thumbnails with WordPress's own editor, so the polyfill must not pretend to have it.
 * The comparisons of the native sizes with WordPress's are in ThumbnailsNativeTest (testsuite
 * "native-only"); this file also checks the WordPress reference they rely on.
 */
final class ThumbnailsTest extends TestCase
{
    private string $dir;

    protected function setUp(): void
    {
        $this->dir = ImageFixtures::tempDir();
    }

    protected function tearDown(): void
    {
        ImageFixtures::removeDir($this->dir);
    }

    public function testMakeSubsizesExistsExactlyWhenTheExtensionIsLoaded(): void
    {
        foreach (['make_subsizes', 'make_subsizes_many'] as $function) {
            self::assertSame(
                extension_loaded('verial_images'),
                function_exists("VerialImages\\Native\\$function"),
                "the polyfill must leave thumbnails to WordPress; the extension must provide $function()"
            );
        }
    }

    public function testWordPressReferenceRegistersWooCommerceSizes(): void
    {
        self::assertSame(
            [
                'thumbnail' => ['width' => 150, 'height' => 150, 'crop' => true],
                'medium' => ['width' => 300, 'height' => 300, 'crop' => false],
                'medium_large' => ['width' => 768, 'height' => 0, 'crop' => false],
                'large' => ['width' => 1024, 'height' => 1024, 'crop' => false],
                '1536x1536' => ['width' => 1536, 'height' => 1536, 'crop' => false],
                '2048x2048' => ['width' => 2048, 'height' => 2048, 'crop' => false],
                'woocommerce_thumbnail' => ['width' => 300, 'height' => 300, 'crop' => true],
                'woocommerce_single' => ['width' => 600, 'height' => 0, 'crop' => false],
                'woocommerce_gallery_thumbnail' => ['width' => 100, 'height' => 100, 'crop' => true],
            ],
            WordPressMedia::registeredSizes()
        );
    }

    public function testWordPressReferenceSizesOfAPortraitJpeg(): void
    {
        $file = "{$this->dir}/Product.JPG";
        file_put_contents($file, WordPressMedia::photo(1200, 1600, 1));
        $sizes = WordPressMedia::createSubsizes($file);
        self::assertSame(
            [
                'medium' => ['Product-225x300.jpg', 225, 300],
                'large' => ['Product-768x1024.jpg', 768, 1024],
                'thumbnail' => ['Product-150x150.jpg', 150, 150],
                'medium_large' => ['Product-768x1024.jpg', 768, 1024],
                '1536x1536' => ['Product-1152x1536.jpg', 1152, 1536],
                'woocommerce_thumbnail' => ['Product-300x300.jpg', 300, 300],
                'woocommerce_single' => ['Product-600x800.jpg', 600, 800],
                'woocommerce_gallery_thumbnail' => ['Product-100x100.jpg', 100, 100],
            ],
            array_map(static fn (array $m) => [$m['file'], $m['width'], $m['height']], $sizes)
        );
        foreach ($sizes as $name => $meta) {
            self::assertSame(['file', 'width', 'height', 'mime-type', 'filesize'], array_keys($meta), $name);
            self::assertSame('image/jpeg', $meta['mime-type']);
            self::assertSame(filesize("{$this->dir}/{$meta['file']}"), $meta['filesize'], $name);
        }
    }

    public function testWordPressReferenceSizesOfASmallPng(): void
    {
        $file = "{$this->dir}/logo.png";
        file_put_contents($file, WordPressMedia::photo(300, 300, 2, 'png'));
        // 300x300 equals the original: WordPress saves it again under that name (twice).
        self::assertSame(
            [
                'medium' => ['logo-300x300.png', 300, 300, 'image/png'],
                'thumbnail' => ['logo-150x150.png', 150, 150, 'image/png'],
                'woocommerce_thumbnail' => ['logo-300x300.png', 300, 300, 'image/png'],
                'woocommerce_gallery_thumbnail' => ['logo-100x100.png', 100, 100, 'image/png'],
            ],
            array_map(
                static fn (array $m) => [$m['file'], $m['width'], $m['height'], $m['mime-type']],
                WordPressMedia::createSubsizes($file)
            )
        );
    }
}
