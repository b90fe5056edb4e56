<?php

declare(strict_types=1);

namespace VerialImages\Tests;

use PHPUnit\Framework\TestCase;
use VerialImages\Native as N;

/**
 * inspect() and import_file(): results must equal PHP's own base64_decode + hash() on the same
 * input, and every failure must leave the target directory exactly as it was.
 */
final class ImportTest extends TestCase
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

    /** @return iterable<string, array{string}> */
    public static function formats(): iterable
    {
        foreach (['jpeg', 'png', 'gif', 'webp'] as $f) {
            yield $f => [$f];
        }
    }

    /** @dataProvider formats */
    public function testInspectMatchesPhpOnRealImages(string $format): void
    {
        $img = ImageFixtures::make($format, 61, 17);
        foreach ($this->payloadVariants($img['bytes']) as $label => $payload) {
            $info = N\inspect($payload, true);
            self::assertSame(hash('sha256', $img['bytes']), $info->sha256, $label);
            self::assertSame(strlen($img['bytes']), $info->bytes, $label);
            self::assertSame($img['mime'], $info->mime, $label);
            self::assertSame($img['ext'], $info->extension, $label);
            self::assertSame([61, 17], [$info->width, $info->height], $label);
            self::assertSame(md5('data:image/jpeg;base64,' . $payload), $info->legacy_md5, $label);
            self::assertNull($info->path);
        }
        self::assertSame([], ImageFixtures::entries($this->dir));
    }

    public function testLegacyMd5IsOnlyComputedWhenAsked(): void
    {
        $payload = base64_encode(ImageFixtures::make('png', 5, 5)['bytes']);
        self::assertNull(N\inspect($payload)->legacy_md5);
        self::assertSame(md5('data:image/jpeg;base64,' . $payload), N\inspect($payload, legacy_md5: true)->legacy_md5);
    }

    /** @dataProvider formats */
    public function testImportWritesTheExactBytesUnderTheRealExtension(string $format): void
    {
        $img = ImageFixtures::make($format, 20, 30);
        // The prefix lies about the type: the file name must follow the bytes, not the prefix.
        $payload = 'data:image/png;base64,' . chunk_split(base64_encode($img['bytes']), 76, "\r\n");
        $info = N\import_file($payload, $this->dir, 'verial-12-0');
        self::assertSame("{$this->dir}/verial-12-0.{$img['ext']}", $info->path);
        self::assertSame($img['bytes'], file_get_contents($info->path));
        self::assertSame(hash_file('sha256', $info->path), $info->sha256);
        self::assertSame(['verial-12-0.' . $img['ext']], ImageFixtures::entries($this->dir));
    }

    public function testLargeImagesSpanningManyWindowsDecodeExactly(): void
    {
        $bytes = ImageFixtures::largeJpeg();
        self::assertGreaterThan(500_000, strlen($bytes));
        $info = N\import_file(base64_encode($bytes), $this->dir, 'big');
        self::assertSame($bytes, file_get_contents((string) $info->path));
        self::assertSame([900, 900], [$info->width, $info->height]);
    }

    public function testTakenNamesGetANumberedSuffixInsteadOfBeingOverwritten(): void
    {
        $a = base64_encode(ImageFixtures::make('gif', 3, 3, 1)['bytes']);
        $b = base64_encode(ImageFixtures::make('gif', 3, 3, 2)['bytes']);
        file_put_contents("{$this->dir}/x.gif", 'owner data');
        $first = N\import_file($a, $this->dir, 'x');
        $second = N\import_file($b, $this->dir, 'x');
        self::assertSame("{$this->dir}/x-1.gif", $first->path);
        self::assertSame("{$this->dir}/x-2.gif", $second->path);
        self::assertSame('owner data', file_get_contents("{$this->dir}/x.gif"));
    }

    /** @return iterable<string, array{string, class-string, string}> */
    public static function badPayloads(): iterable
    {
        $jpeg = ImageFixtures::make('jpeg', 40, 40)['bytes'];
        $b64 = base64_encode($jpeg);
        yield 'invalid character' => [substr($b64, 0, 100) . '*' . substr($b64, 101), N\InvalidBase64Exception::class, 'byte offset 100'];
        yield 'non-ascii byte' => [substr($b64, 0, 8) . "\xC3\xB1" . substr($b64, 8), N\InvalidBase64Exception::class, 'byte offset 8'];
        yield 'dangling symbol' => [substr(rtrim($b64, '='), 0, 4 * 50 + 1), N\InvalidBase64Exception::class, 'byte offset 200'];
        yield 'padding in the middle' => ['QUJD=' . substr($b64, 5), N\InvalidBase64Exception::class, 'byte offset 4'];
        yield 'truncated image' => [base64_encode(substr($jpeg, 0, intdiv(strlen($jpeg), 2))), N\UnsupportedFormatException::class, 'jpeg'];
        yield 'html text' => [base64_encode('<html><body>500 Internal Server Error</body></html>'), N\UnsupportedFormatException::class, 'unknown image format'];
        yield 'php text' => [base64_encode('<?php system($_GET["c"]); ?>'), N\UnsupportedFormatException::class, 'unknown image format'];
        yield 'php in a gif' => [base64_encode(substr(ImageFixtures::make('gif', 2, 2)['bytes'], 0, 13) . '<?php echo 1; ?>' . "\x3B"), N\UnsupportedFormatException::class, 'embedded PHP code'];
        yield 'png prefix on text' => ['data:image/png;base64,' . base64_encode(str_repeat('plain text ', 20)), N\UnsupportedFormatException::class, 'unknown image format'];
        yield 'empty' => ['', N\UnsupportedFormatException::class, 'empty image'];
    }

    /**
     * @dataProvider badPayloads
     * @param class-string $class
     */
    public function testBadPayloadsAreRefusedAndLeaveNothingBehind(string $payload, string $class, string $needle): void
    {
        foreach (['inspect' => fn () => N\inspect($payload), 'import' => fn () => N\import_file($payload, $this->dir, 'bad')] as $label => $call) {
            try {
                $call();
                self::fail("$label accepted a bad payload");
            } catch (N\NativeException $e) {
                self::assertInstanceOf($class, $e, $label . ': ' . $e->getMessage());
                self::assertStringContainsString($needle, $e->getMessage(), $label);
            }
        }
        self::assertSame([], ImageFixtures::entries($this->dir), 'no file and no temp file may remain');
    }

    public function testSizeLimitIsEnforcedBeforeAnythingIsWritten(): void
    {
        $payload = base64_encode(ImageFixtures::largeJpeg(300));
        try {
            N\import_file($payload, $this->dir, 'big', false, 10_000);
            self::fail('a payload over max_bytes was accepted');
        } catch (N\SizeLimitException $e) {
            self::assertStringContainsString('10000', $e->getMessage());
        }
        self::assertSame([], ImageFixtures::entries($this->dir));
        $this->expectException(N\InvalidInputException::class);
        N\inspect($payload, false, 0);
    }

    public function testHostileStemsAndMissingDirectoriesAreRefused(): void
    {
        $payload = base64_encode(ImageFixtures::make('png', 2, 2)['bytes']);
        foreach (['../escape', 'a/b', '.hidden', '', 'x y', "nul\0byte", str_repeat('a', 201), 'shell;rm'] as $stem) {
            try {
                N\import_file($payload, $this->dir, $stem);
                self::fail('accepted stem ' . json_encode($stem));
            } catch (N\InvalidInputException $e) {
                self::assertStringContainsString('stem', $e->getMessage());
            }
        }
        try {
            N\import_file($payload, $this->dir . '/missing', 'ok');
            self::fail('wrote into a missing directory');
        } catch (N\StorageException $e) {
            self::assertStringContainsString('missing', $e->getMessage());
        }
        self::assertSame([], ImageFixtures::entries($this->dir));
    }

    public function testUnwritableDirectoryIsAStorageError(): void
    {
        if (posix_geteuid() === 0) {
            // Root ignores permission bits; a read-only bind is not available here, so use a
            // path whose parent is a regular file, which no user can create entries in.
            $file = "{$this->dir}/plain-file";
            file_put_contents($file, 'x');
            $target = $file;
        } else {
            chmod($this->dir, 0555);
            $target = $this->dir;
        }
        try {
            N\import_file(base64_encode(ImageFixtures::make('png', 2, 2)['bytes']), $target, 'x');
            self::fail('wrote into an unwritable target');
        } catch (N\StorageException $e) {
            self::assertNotSame('', $e->getMessage());
        } finally {
            chmod($this->dir, 0777);
        }
    }

    /**
     * A full disk mid-write: the error names the file system problem and the partial temporary
     * file is removed. Needs root to mount a tiny tmpfs (the test script runs as root, as CI does).
     */
    public function testFullDiskLeavesNoPartialFile(): void
    {
        self::assertSame(0, posix_geteuid(), 'this test mounts a tmpfs: run the suite as root');
        $mount = "{$this->dir}/tiny";
        mkdir($mount);
        exec('mount -t tmpfs -o size=128k tmpfs ' . escapeshellarg($mount) . ' 2>&1', $out, $status);
        self::assertSame(0, $status, 'mount failed: ' . implode("\n", $out));
        try {
            $small = N\import_file(base64_encode(ImageFixtures::make('png', 8, 8)['bytes']), $mount, 'fits');
            self::assertFileExists((string) $small->path);
            try {
                N\import_file(base64_encode(ImageFixtures::largeJpeg(600)), $mount, 'too-big');
                self::fail('a write that cannot fit succeeded');
            } catch (N\StorageException $e) {
                self::assertStringContainsString('No space left', $e->getMessage());
            }
            self::assertSame(['fits.png'], ImageFixtures::entries($mount), 'no partial or temporary file remains');
        } finally {
            exec('umount ' . escapeshellarg($mount));
            rmdir($mount);
        }
    }

    public function testParametersAreStrictlyTyped(): void
    {
        $this->expectException(\TypeError::class);
        /** @phpstan-ignore-next-line deliberately wrong type */
        N\inspect(123);
    }

    public function testResultPropertiesAreReadOnly(): void
    {
        $info = N\inspect(base64_encode(ImageFixtures::make('png', 2, 2)['bytes']));
        $sha = $info->sha256;
        try {
            /** @phpstan-ignore-next-line */
            $info->sha256 = 'tampered';
        } catch (\Throwable) {
            // Either engine error is fine; what matters is that the value did not change.
        }
        self::assertSame($sha, $info->sha256);
    }

    public function testBuildFactsAreReported(): void
    {
        $facts = N\build_info();
        foreach (['version', 'git_revision', 'php_api', 'rustc', 'target', 'profile', 'base64_engine'] as $key) {
            self::assertArrayHasKey($key, $facts);
        }
        self::assertStringContainsString(ltrim($facts['version'], 'polyfill-'), N\version());
    }

    /** @return array<string, string> */
    private function payloadVariants(string $bytes): array
    {
        $b64 = base64_encode($bytes);
        return [
            'bare' => $b64,
            'unpadded' => rtrim($b64, '='),
            'data prefix' => 'data:image/jpeg;base64,' . $b64,
            'crlf every 76' => chunk_split($b64, 76, "\r\n"),
            'lf every 64' => chunk_split($b64, 64, "\n"),
        ];
    }
}
