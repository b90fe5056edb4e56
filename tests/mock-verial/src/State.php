<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * The state directory (env VERIAL_MOCK_STATE) and the image cache directory
 * (env VERIAL_MOCK_CACHE, default <state>/cache). Workers are separate processes, so
 * everything they must agree on lives in files here.
 */
final class State
{
    private function __construct(public readonly string $dir, public readonly string $cacheDir)
    {
    }

    public static function fromEnvironment(): self
    {
        $dir = (string) getenv('VERIAL_MOCK_STATE');
        if ($dir === '') {
            throw new \RuntimeException('VERIAL_MOCK_STATE is not set');
        }
        $cache = (string) getenv('VERIAL_MOCK_CACHE');
        $state = new self(rtrim($dir, '/'), rtrim($cache !== '' ? $cache : $dir . '/cache', '/'));
        self::ensureDir($state->dir);
        self::ensureDir($state->cacheDir);

        return $state;
    }

    public function file(string $name): JsonFile
    {
        return new JsonFile($this->dir . '/' . $name);
    }

    public static function ensureDir(string $dir): void
    {
        if (!is_dir($dir) && !@mkdir($dir, 0777, true) && !is_dir($dir)) {
            throw new \RuntimeException("cannot create $dir");
        }
    }

    /** A short hash of source files, to key caches of what those files generate. */
    public static function codeVersion(string ...$files): string
    {
        $context = hash_init('xxh64');
        foreach ($files as $file) {
            hash_update_file($context, $file);
        }

        return hash_final($context);
    }

    /** Writes a file so that concurrent readers see either nothing or the whole content. */
    public static function writeAtomically(string $path, string $content): void
    {
        self::ensureDir(dirname($path));
        $tmp = $path . '.' . getmypid() . '.' . bin2hex(random_bytes(4)) . '.tmp';
        file_put_contents($tmp, $content);
        rename($tmp, $path);
    }
}
