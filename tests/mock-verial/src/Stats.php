<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Call statistics shared by all workers (stats.json). Also owns the global API call counter
 * that, with the seed, decides which calls get a fault.
 */
final class Stats
{
    private function __construct(private readonly JsonFile $file)
    {
    }

    public static function in(State $state): self
    {
        return new self($state->file('stats.json'));
    }

    /** Counts a call to an API method and returns its global 1-based call number. */
    public function countCall(string $method): int
    {
        return $this->file->update(static function (array $stats) use ($method): array {
            $stats['call_counter'] = ($stats['call_counter'] ?? 0) + 1;
            $stats['calls'][$method] = ($stats['calls'][$method] ?? 0) + 1;

            return [$stats, $stats['call_counter']];
        });
    }

    public function countReply(string $method, int $bytes, ?string $fault): void
    {
        $this->file->update(static function (array $stats) use ($method, $bytes, $fault): array {
            $stats['bytes'][$method] = ($stats['bytes'][$method] ?? 0) + $bytes;
            if ($fault !== null) {
                $stats['faults'][$fault] = ($stats['faults'][$fault] ?? 0) + 1;
            }

            return [$stats, null];
        });
    }

    /** @return array<string, mixed> */
    public function read(): array
    {
        $stats = $this->file->read();

        return [
            'calls' => (object) ($stats['calls'] ?? []),
            'bytes' => (object) ($stats['bytes'] ?? []),
            'faults' => (object) ($stats['faults'] ?? []),
            'call_counter' => $stats['call_counter'] ?? 0,
        ];
    }

    /** Also restarts the call counter, so a run after a reset meets the same fault sequence. */
    public function reset(): void
    {
        $this->file->replace([]);
    }
}
