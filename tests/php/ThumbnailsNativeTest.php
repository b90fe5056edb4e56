<?php

declare(strict_types=1);

namespace VerialImages\Tests;

use PHPUnit\Framework\TestCase;
use VerialImages\Native as N;

require_once __DIR__ . '/WordPressMedia.php';

/**
 * make_subsizes() against WordPress 6.1's own wp_create_image_subsizes() with its Imagick
 * editor, on the same files: the same sizes in the same order, the same file names, sizes,
 * MIME types and metadata keys, files on disk as described, and pictures visually close.
 * Testsuite "native-only": needs the extension (see tests/php/phpunit.xml).
 */
final class ThumbnailsNativeTest extends TestCase
{
    /**
     * Largest mean absolute difference (0-255) allowed between a native sub-size and
     * WordPress's file of the same name. Both are JPEG re-encodings at quality 82 of
     * triangle-filtered pixels: the same picture encoded by two JPEG encoders already differs
     * by ~1 (1.0 measured for the 300x300 "same size" copy), our fixtures measure 0.3-1.9 and
     * four real photos 0.5-3.0 (docs/native-api.md); a crop off by 50 px measures 20+.
     */
    private const MAX_MAD = 4.0;
    /** Over all sizes of one image. */
    private const MAX_MEAN_MAD = 2.0;
    /**
     * GIF: both sides quantize the resized pixels to at most 256 colours, ImageMagick with its
     * octree and dithering, we by median cut without dithering, so the palettes differ
     * (docs/native-api.md); measured 0 (same-size copies) to 3.7 on 64-colour pictures like the
     * catalogue's, 4.5 on GD's dithered 256-colour photo at 100x100, where dithering noise
     * counts fully. A wrong crop still measures 20+.
     */
    private const MAX_MAD_GIF = 6.0;
    private const MAX_MEAN_MAD_GIF = 4.0;

    private string $wpDir;
    private string $nativeDir;

    public static function setUpBeforeClass(): void
    {
        if (!function_exists('VerialImages\\Native\\make_subsizes')) {
            throw new \RuntimeException('the native-only suite needs the extension: php -d extension=.../libverial_images.so');
        }
        WordPressMedia::load();
    }

    protected function setUp(): void
    {
        $this->wpDir = ImageFixtures::tempDir();
        $this->nativeDir = ImageFixtures::tempDir();
    }

    protected function tearDown(): void
    {
        ImageFixtures::removeDir($this->wpDir);
        ImageFixtures::removeDir($this->nativeDir);
    }

    /** The same original in both directories; returns [WordPress's path, native path]. */
    private function original(string $name, string $bytes): array
    {
        file_put_contents("{$this->wpDir}/$name", $bytes);
        file_put_contents("{$this->nativeDir}/$name", $bytes);
        return ["{$this->wpDir}/$name", "{$this->nativeDir}/$name"];
    }

    /** @return iterable<string, array{int, int, string, int}> */
    public static function images(): iterable
    {
        yield 'jpeg 1200x1600' => [1200, 1600, 'jpeg', 90];
        yield 'jpeg 1600x1200, 4:2:0' => [1600, 1200, 'jpeg', 80];
        yield 'jpeg 1200x1200' => [1200, 1200, 'jpeg', 90];
        yield 'jpeg 1201x799' => [1201, 799, 'jpeg', 85];
        yield 'jpeg 300x300' => [300, 300, 'jpeg', 90];
        yield 'jpeg 300x225' => [300, 225, 'jpeg', 85];
        yield 'jpeg 225x300' => [225, 300, 'jpeg', 90];
        yield 'grayscale jpeg 800x600' => [800, 600, 'gray-jpeg', 90];
        yield 'png 600x800' => [600, 800, 'png', 0];
        yield 'png 300x300' => [300, 300, 'png', 0];
        yield 'png 300x200' => [300, 200, 'png', 0];
        yield 'png with alpha 400x300' => [400, 300, 'png-alpha', 0];
        yield 'gif 400x300, 64 colours' => [400, 300, 'gif-flat', 0];
        yield 'gif 300x300, dithered 256 colours' => [300, 300, 'gif', 0];
        yield 'gif with transparency 400x300' => [400, 300, 'gif-alpha', 0];
        yield 'animated gif 300x400: first frame' => [300, 400, 'gif-animated', 0];
        yield 'webp lossy 450x300' => [450, 300, 'webp', 85];
        yield 'webp lossy 1200x1600' => [1200, 1600, 'webp', 80];
        yield 'webp lossless 300x400' => [300, 400, 'webp-lossless', 0];
        yield 'webp with alpha 400x300' => [400, 300, 'webp-alpha', 85];
    }

    private static function extension(string $format): string
    {
        return match (explode('-', $format)[0]) {
            'png' => 'png',
            'gif' => 'gif',
            'webp' => 'webp',
            default => 'jpg',
        };
    }

    /** @dataProvider images */
    public function testSameSizesAsWordPressWithWooCommerce(int $width, int $height, string $format, int $quality): void
    {
        $ext = self::extension($format);
        [$wpFile, $nativeFile] = $this->original("product-{$width}x{$height}.$ext", WordPressMedia::photo($width, $height, $width + $height, $format, $quality ?: 90));
        [$maxMad, $maxMeanMad] = $ext === 'gif' ? [self::MAX_MAD_GIF, self::MAX_MEAN_MAD_GIF] : [self::MAX_MAD, self::MAX_MEAN_MAD];

        $expected = WordPressMedia::createSubsizes($wpFile);
        $actual = N\make_subsizes($nativeFile, WordPressMedia::registeredSizes());

        self::assertNotSame([], $expected);
        self::assertSame(array_keys($expected), array_keys($actual), 'same sizes, same order');
        self::assertSame(
            ImageFixtures::entries($this->wpDir),
            ImageFixtures::entries($this->nativeDir),
            'the same files on disk, nothing else'
        );
        $mads = [];
        foreach ($expected as $name => $wp) {
            $native = $actual[$name];
            self::assertSame(array_keys($wp), array_keys($native), "$name: metadata keys");
            foreach (['file', 'width', 'height', 'mime-type'] as $key) {
                self::assertSame($wp[$key], $native[$key], "$name: $key");
            }
            $path = "{$this->nativeDir}/{$native['file']}";
            self::assertSame(filesize($path), $native['filesize'], "$name: filesize");
            $info = getimagesize($path);
            self::assertSame([$native['width'], $native['height'], $native['mime-type']], [$info[0], $info[1], $info['mime']], $name);
            self::assertSame(
                fileperms("{$this->wpDir}/{$wp['file']}"),
                fileperms($path),
                "$name: WordPress's permissions (the directory's, without x bits)"
            );
            $mads[$name] = WordPressMedia::meanAbsDiff($path, "{$this->wpDir}/{$wp['file']}", str_contains($format, 'alpha'));
            self::assertLessThan($maxMad, $mads[$name], "$name: mean absolute difference to WordPress's file");
        }
        self::assertLessThan($maxMeanMad, array_sum($mads) / count($mads), json_encode($mads));
        if ($ext === 'gif' || $ext === 'webp') {
            $this->assertSameStillPicture($format, $actual);
        }
    }

    /**
     * What WordPress's sub-sizes are besides their pixels: GIF and WebP of one frame (an
     * animation's first), transparency where the original has some, WebP lossless exactly when
     * WordPress calls the original lossless.
     * @param array<string, array{file: string}> $actual
     */
    private function assertSameStillPicture(string $format, array $actual): void
    {
        foreach ($actual as $name => $meta) {
            $path = "{$this->nativeDir}/{$meta['file']}";
            $image = new \Imagick($path);
            self::assertSame(1, $image->getNumberImages(), "$name: one frame");
            // The alpha pictures have a transparent top left corner, which every size keeps.
            $alpha = $image->getImagePixelColor(0, 0)->getColorValue(\Imagick::COLOR_ALPHA);
            self::assertSame(str_contains($format, 'alpha'), $alpha < 0.5, "$name: transparency as in the original");
            $chunk = substr((string) file_get_contents($path, false, null, 12, 4), 0, 4);
            if ($format === 'webp-lossless') {
                self::assertSame('VP8L', $chunk, "$name: lossless, as WordPress makes it");
            } elseif (str_starts_with($format, 'webp')) {
                self::assertContains($chunk, ['VP8 ', 'VP8X'], "$name: lossy");
                self::assertNotSame('lossless', wp_get_webp_info($path)['type'], $name);
            }
        }
        if ($format === 'gif-animated') {
            // The first frame's picture, not the second's.
            $first = "{$this->nativeDir}/first.gif";
            file_put_contents($first, WordPressMedia::photo(300, 400, 700, 'gif-flat'));
            $meta = N\make_subsizes($first, ['s' => ['width' => 150, 'height' => 150, 'crop' => true]])['s'];
            self::assertLessThan(0.01, WordPressMedia::meanAbsDiff("{$this->nativeDir}/{$meta['file']}", "{$this->nativeDir}/{$actual['thumbnail']['file']}"));
            foreach (glob("{$this->nativeDir}/first*") as $file) {
                unlink($file);
            }
        }
    }

    /** @return array<string, array{width: int, height: int, crop: bool|array}> */
    private static function oddSizes(): array
    {
        $size = static fn (int $w, int $h, bool|array $crop = false) => ['width' => $w, 'height' => $h, 'crop' => $crop];
        return [
            'crop150' => $size(150, 150, true),
            'box300' => $size(300, 300),
            'h100' => $size(0, 100),
            'w100' => $size(100, 0),
            'w100crop' => $size(100, 0, true),
            'h100crop' => $size(0, 100, true),
            'lefttop64' => $size(64, 64, ['left', 'top']),
            'rightbottom65' => $size(65, 64, ['right', 'bottom']),
            'centertop200x50' => $size(200, 50, ['center', 'top']),
            'wrongorder' => $size(50, 40, ['top', 'left']),
            'tall50x200' => $size(50, 200, true),
            'rounding177' => $size(177, 177),
            'roundingfix' => $size(300, 199),
            'roundingfix2' => $size(199, 300),
            'one' => $size(1, 1, true),
            'none' => $size(0, 0),
            'w999' => $size(999, 0),
            'almost' => $size(299, 300),
            'orig120x90' => $size(120, 90),
            'orig37x23crop' => $size(37, 23, true),
            'medium' => $size(300, 300),
            'large' => $size(1024, 1024),
            'thumbnail' => $size(150, 150, true),
            'medium_large' => $size(768, 0),
            'strip' => $size(2, 1000),
            'wide' => $size(1000, 2, ['left', 'bottom']),
        ];
    }

    /** @return iterable<string, array{int, int}> */
    public static function smallImages(): iterable
    {
        foreach ([[37, 23], [64, 64], [120, 90], [301, 300], [300, 301], [302, 300], [250, 1000], [1000, 250], [465, 700], [600, 400], [400, 600]] as [$w, $h]) {
            yield "{$w}x{$h}" => [$w, $h];
        }
    }

    /**
     * WordPress's geometry on the edges: crop anchors, one side 0, sizes larger than the
     * image, equal to it or within a pixel of it (skipped), the 1-px rounding fix, sizes
     * sharing a file name, the priority order.
     * @dataProvider smallImages
     */
    public function testGeometryMatchesWordPressOnOddSizes(int $width, int $height): void
    {
        [$wpFile, $nativeFile] = $this->original('odd.png', WordPressMedia::photo($width, $height, 7, 'png'));
        $sizes = self::oddSizes();
        $expected = WordPressMedia::createSubsizes($wpFile, $sizes);
        $actual = N\make_subsizes($nativeFile, $sizes);
        $strip = static fn (array $all) => array_map(
            static fn (array $m) => [$m['file'], $m['width'], $m['height'], $m['mime-type']],
            $all
        );
        self::assertSame($strip($expected), $strip($actual));
        self::assertSame(ImageFixtures::entries($this->wpDir), ImageFixtures::entries($this->nativeDir));
        $last = [];
        foreach ($actual as $meta) {
            $last[$meta['file']] = $meta['filesize'];
        }
        foreach ($last as $file => $bytes) {
            self::assertSame(filesize("{$this->nativeDir}/$file"), $bytes, "$file: the last size of that name is on disk");
        }
    }

    /** The threshold tells a right crop from a wrong one. */
    public function testCropAnchorsAreWordPressAndTheThresholdDiscriminates(): void
    {
        [$wpFile, $nativeFile] = $this->original('anchors.jpg', WordPressMedia::photo(1200, 1600, 11));
        $anchors = ['left-top' => ['left', 'top'], 'center' => true, 'right-bottom' => ['right', 'bottom']];
        $native = [];
        $wp = [];
        foreach ($anchors as $label => $crop) {
            $sizes = ['square' => ['width' => 300, 'height' => 300, 'crop' => $crop]];
            $meta = N\make_subsizes($nativeFile, $sizes)['square'];
            rename("{$this->nativeDir}/{$meta['file']}", $native[$label] = "{$this->nativeDir}/native-$label.jpg");
            $meta = WordPressMedia::createSubsizes($wpFile, $sizes)['square'];
            rename("{$this->wpDir}/{$meta['file']}", $wp[$label] = "{$this->wpDir}/wp-$label.jpg");
        }
        foreach ($anchors as $label => $_) {
            foreach ($anchors as $other => $__) {
                $mad = WordPressMedia::meanAbsDiff($native[$label], $wp[$other]);
                if ($label === $other) {
                    self::assertLessThan(self::MAX_MAD, $mad, "$label vs WordPress's $other");
                } else {
                    self::assertGreaterThan(3 * self::MAX_MAD, $mad, "$label vs WordPress's $other");
                }
            }
        }
    }

    public function testUnsupportedFilesThrowAndLeaveNothing(): void
    {
        $sizes = WordPressMedia::registeredSizes();
        $jpeg = WordPressMedia::photo(400, 300, 3);
        $cases = [
            'missing.jpg' => [null, N\StorageException::class],
            'offset.gif' => [self::offsetGif(), N\UnsupportedFormatException::class],
            'anim.webp' => [WordPressMedia::photo(400, 300, 3, 'webp-animated'), N\UnsupportedFormatException::class],
            'print.jpg' => [WordPressMedia::photo(400, 300, 3, 'cmyk-jpeg'), N\UnsupportedFormatException::class],
            'text.jpg' => ['not an image at all', N\UnsupportedFormatException::class],
            'cut.jpg' => [substr($jpeg, 0, intdiv(strlen($jpeg), 2)), N\UnsupportedFormatException::class],
            'no-extension' => [$jpeg, N\InvalidInputException::class],
        ];
        foreach ($cases as $name => [$bytes, $class]) {
            if ($bytes !== null) {
                file_put_contents("{$this->nativeDir}/$name", $bytes);
            }
            $before = ImageFixtures::entries($this->nativeDir);
            try {
                N\make_subsizes("{$this->nativeDir}/$name", $sizes);
                self::fail("$name: expected $class");
            } catch (N\NativeException $e) {
                self::assertInstanceOf($class, $e, "$name: " . $e->getMessage());
            }
            self::assertSame($before, ImageFixtures::entries($this->nativeDir), "$name: nothing written");
        }
    }

    /** A GIF whose only frame is 40x30 at 10,10 of a 400x300 screen. */
    private static function offsetGif(): string
    {
        $gif = new \Imagick();
        $gif->newImage(40, 30, 'red');
        $gif->setImagePage(400, 300, 10, 10);
        $gif->setImageFormat('gif');
        return $gif->getImageBlob();
    }

    /** What is left to WordPress says so, and why. */
    public function testRefusalsNameTheReason(): void
    {
        $sizes = WordPressMedia::registeredSizes();
        $cases = [
            'offset.gif' => [self::offsetGif(), 'does not cover its 400x300 screen'],
            'anim.webp' => [WordPressMedia::photo(400, 300, 3, 'webp-animated'), 'animated WebP'],
            'print.jpg' => [WordPressMedia::photo(400, 300, 3, 'cmyk-jpeg'), 'CMYK JPEG'],
        ];
        foreach ($cases as $name => [$bytes, $reason]) {
            file_put_contents("{$this->nativeDir}/$name", $bytes);
            try {
                N\make_subsizes("{$this->nativeDir}/$name", $sizes);
                self::fail("$name: expected an UnsupportedFormatException");
            } catch (N\UnsupportedFormatException $e) {
                self::assertStringContainsString($reason, $e->getMessage(), $name);
                self::assertStringContainsString("use WordPress's image editor", $e->getMessage(), $name);
            }
        }
    }

    public function testAWriteFailureLeavesNoFileOfTheCall(): void
    {
        file_put_contents("{$this->nativeDir}/ok.jpg", WordPressMedia::photo(400, 300, 3));
        mkdir("{$this->nativeDir}/ok-150x150.jpg");  // where a sub-size goes: renaming onto it fails
        $before = ImageFixtures::entries($this->nativeDir);
        try {
            N\make_subsizes("{$this->nativeDir}/ok.jpg", WordPressMedia::registeredSizes());
            self::fail('expected a StorageException');
        } catch (N\StorageException $e) {
            self::assertStringContainsString('ok-150x150.jpg', $e->getMessage());
        }
        self::assertSame($before, ImageFixtures::entries($this->nativeDir), 'no sub-size and no temporary file');
        rmdir("{$this->nativeDir}/ok-150x150.jpg");
    }

    public function testBadSizesAndQualityAreInvalidInput(): void
    {
        $file = "{$this->nativeDir}/q.jpg";
        file_put_contents($file, WordPressMedia::photo(400, 300, 5));
        $good = ['s' => ['width' => 200, 'height' => 0, 'crop' => false]];
        $bad = [
            'entry not an array' => ['s' => 200],
            'negative width' => ['s' => ['width' => -1, 'height' => 100]],
            'fractional height' => ['s' => ['width' => 100, 'height' => 1.5]],
            'text width' => ['s' => ['width' => 'wide', 'height' => 100]],
            'string crop' => ['s' => ['width' => 100, 'height' => 100, 'crop' => 'yes']],
        ];
        foreach ($bad as $label => $sizes) {
            try {
                N\make_subsizes($file, $sizes);
                self::fail("$label: expected InvalidInputException");
            } catch (N\InvalidInputException $e) {
                self::assertStringContainsString('size "s"', $e->getMessage(), $label);
            }
        }
        foreach ([-1, 101] as $quality) {
            foreach (['jpeg_quality', 'webp_quality'] as $argument) {
                try {
                    N\make_subsizes($file, $good, ...[$argument => $quality]);
                    self::fail("$argument $quality: expected InvalidInputException");
                } catch (N\InvalidInputException $e) {
                    self::assertStringContainsString("$argument must be between 0 and 100", $e->getMessage());
                }
            }
        }
        self::assertSame(['q.jpg'], ImageFixtures::entries($this->nativeDir));

        // What WordPress itself tolerates is read the way it reads it.
        $loose = [
            'numeric strings' => ['width' => '200', 'height' => '0', 'crop' => false],
            'null height, no crop' => ['width' => 200, 'height' => null],
            'no height' => ['width' => 200],
            'empty crop array' => ['width' => 200, 'height' => 0, 'crop' => []],
        ];
        foreach ($loose as $label => $size) {
            self::assertSame(
                N\make_subsizes($file, $good),
                N\make_subsizes($file, ['s' => $size]),
                $label
            );
        }
        self::assertSame([], N\make_subsizes($file, ['none' => ['crop' => true], 'zero' => ['width' => 0, 'height' => 0]]));

        $small = N\make_subsizes($file, $good, 40)['s']['filesize'];
        $large = N\make_subsizes($file, $good, 95)['s']['filesize'];
        self::assertLessThan($large, $small, 'jpeg_quality is applied');
        self::assertSame($small, N\make_subsizes($file, $good, 40, 95)['s']['filesize'], 'webp_quality is not for JPEG');
        self::assertSame(['q-200x150.jpg', 'q.jpg'], ImageFixtures::entries($this->nativeDir));

        $webp = "{$this->nativeDir}/w.webp";
        file_put_contents($webp, WordPressMedia::photo(400, 300, 5, 'webp'));
        $small = N\make_subsizes($webp, $good, webp_quality: 40)['s']['filesize'];
        $large = N\make_subsizes($webp, $good, webp_quality: 95)['s']['filesize'];
        self::assertLessThan($large, $small, 'webp_quality is applied');
        self::assertSame($large, N\make_subsizes($webp, $good, 20, 95)['s']['filesize'], 'jpeg_quality is not for WebP');
    }

    /**
     * make_subsizes_many(): per file exactly make_subsizes(), keys and order kept, a failing
     * file is its message (and leaves nothing) while the others are made.
     */
    public function testMakeSubsizesManyIsMakeSubsizesPerFile(): void
    {
        $sizes = WordPressMedia::registeredSizes();
        $files = [];
        foreach (['a' => 'jpeg', 'b' => 'png', 'c' => 'gif-flat', 'd' => 'webp'] as $key => $format) {
            $files[$key] = "{$this->nativeDir}/$key." . self::extension($format);
            file_put_contents($files[$key], WordPressMedia::photo(400, 300, ord($key), $format));
        }
        file_put_contents("{$this->nativeDir}/bad.jpg", 'not an image at all');
        $files = ['a' => $files['a'], 7 => "{$this->nativeDir}/bad.jpg", 'b' => $files['b'], 'missing' => "{$this->nativeDir}/none.png", 'c' => $files['c'], 3 => $files['d']];

        $many = N\make_subsizes_many($files, $sizes, 70, 60);
        self::assertSame(array_keys($files), array_keys($many), 'same keys, same order');
        $entries = ImageFixtures::entries($this->nativeDir);
        self::assertCount(5 + 4 * 4, $entries, 'four sub-sizes of each of the four good files, nothing else');
        foreach ($files as $key => $file) {
            try {
                $one = N\make_subsizes($file, $sizes, 70, 60);
            } catch (N\NativeException $e) {
                $one = $e->getMessage();
            }
            self::assertSame($one, $many[$key], "files[$key]");
        }
        self::assertIsString($many[7]);
        self::assertIsString($many['missing']);
        self::assertSame('image/gif', $many['c']['thumbnail']['mime-type']);
        self::assertSame($entries, ImageFixtures::entries($this->nativeDir), 'make_subsizes() wrote the very same files');
        self::assertSame([], N\make_subsizes_many([], $sizes));

        $invalid = [
            'bad sizes' => static fn () => N\make_subsizes_many($files, ['s' => ['width' => -1]]),
            'bad quality' => static fn () => N\make_subsizes_many($files, $sizes, 101),
            'bad webp quality' => static fn () => N\make_subsizes_many($files, $sizes, webp_quality: -1),
            'a path that is not a string' => static fn () => N\make_subsizes_many(['x' => ['a.jpg']], $sizes),
        ];
        foreach ($files as $file) {
            if (is_file($file)) {
                foreach (glob(preg_replace('/\.\w+$/', '-*', $file)) as $made) {
                    unlink($made);
                }
            }
        }
        $before = ImageFixtures::entries($this->nativeDir);
        foreach ($invalid as $label => $call) {
            try {
                $call();
                self::fail("$label: expected InvalidInputException for the whole call");
            } catch (N\InvalidInputException) {
                self::assertSame($before, ImageFixtures::entries($this->nativeDir), "$label: nothing made");
            }
        }
    }

    public function testNumericSizeNamesStayIntegerKeys(): void
    {
        $file = "{$this->nativeDir}/n.png";
        file_put_contents($file, WordPressMedia::photo(200, 100, 5, 'png'));
        $out = N\make_subsizes($file, [
            '50' => ['width' => 50, 'height' => 50, 'crop' => true],
            'x' => ['width' => 100, 'height' => 0, 'crop' => false],
        ]);
        self::assertSame([50, 'x'], array_keys($out));
        self::assertSame('n-50x50.png', $out[50]['file']);
    }
}
