<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Deterministic randomness derived only from a key (seed + what is being decided).
 *
 * Every decision hashes its own key instead of drawing from a shared generator, so adding one
 * article or one picture never shifts the random choices of the others, and separate worker
 * processes agree without sharing any state.
 */
final class Rng
{
    private int $n = 0;

    private function __construct(private readonly string $key)
    {
    }

    public static function of(string|int ...$parts): self
    {
        return new self(implode("\x1f", $parts));
    }

    /** Uniform in [0, 1). */
    public function float(): float
    {
        $hash = hash('xxh64', $this->key . "\x1f" . $this->n++);

        return hexdec(substr($hash, 0, 13)) / 4503599627370496; // 13 hex digits = 52 bits
    }

    /** Uniform integer in [min, max]. */
    public function int(int $min, int $max): int
    {
        return $min + (int) floor($this->float() * ($max - $min + 1));
    }

    public function chance(float $probability): bool
    {
        return $this->float() < $probability;
    }

    /**
     * @template T
     * @param non-empty-list<T> $items
     * @return T
     */
    public function pick(array $items): mixed
    {
        return $items[$this->int(0, count($items) - 1)];
    }

    /**
     * @param non-empty-array<int|string, int|float> $weights value => weight
     */
    public function weighted(array $weights): int|string
    {
        $target = $this->float() * array_sum($weights);
        foreach ($weights as $value => $weight) {
            $target -= $weight;
            if ($target < 0) {
                return $value;
            }
        }

        return array_key_last($weights);
    }

    /** A 31-bit integer for seeding mt_rand in tight drawing loops. */
    public function seed31(): int
    {
        return $this->int(1, 0x7fffffff);
    }
}
