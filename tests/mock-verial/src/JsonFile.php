<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * A JSON document in the state directory, shared by the server's worker processes.
 *
 * Reads take a shared lock and read-modify-write cycles an exclusive one, so concurrent
 * workers never lose an increment or see a half-written file.
 */
final class JsonFile
{
    public function __construct(private readonly string $path)
    {
    }

    /** @return array<string, mixed> */
    public function read(): array
    {
        if (!is_file($this->path)) {
            return [];
        }
        $handle = fopen($this->path, 'rb');
        if ($handle === false) {
            return [];
        }
        flock($handle, LOCK_SH);
        $text = stream_get_contents($handle);
        flock($handle, LOCK_UN);
        fclose($handle);

        return self::decode((string) $text);
    }

    /**
     * Applies $change under an exclusive lock and returns what it returned.
     *
     * @template R
     * @param callable(array<string, mixed>): array{0: array<string, mixed>, 1: R} $change
     *        gets the current document, returns [new document, result]
     * @return R
     */
    public function update(callable $change): mixed
    {
        $handle = fopen($this->path, 'c+b');
        if ($handle === false) {
            throw new \RuntimeException("cannot open {$this->path}");
        }
        try {
            flock($handle, LOCK_EX);
            [$document, $result] = $change(self::decode((string) stream_get_contents($handle)));
            ftruncate($handle, 0);
            rewind($handle);
            fwrite($handle, json_encode($document, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
            fflush($handle);
            flock($handle, LOCK_UN);

            return $result;
        } finally {
            fclose($handle);
        }
    }

    /** @param array<string, mixed> $document */
    public function replace(array $document): void
    {
        $this->update(static fn (): array => [$document, null]);
    }

    public function delete(): void
    {
        if (is_file($this->path)) {
            unlink($this->path);
        }
    }

    /** @return array<string, mixed> */
    private static function decode(string $text): array
    {
        $value = $text === '' ? [] : json_decode($text, true);

        return is_array($value) ? $value : [];
    }
}
