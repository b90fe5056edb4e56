<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * The mock's settings, stored as config.json in the state directory so that every worker
 * process (and every POST /__mock/config) sees the same values.
 */
final class Config
{
    public const FAULT_KINDS = ['http500', 'info_error2', 'truncated_json', 'drop', 'slow'];

    private const DEFAULTS = [
        'seed' => 1,
        'articles' => 300,
        'session' => 18,
        'latency_ms' => 0,
        'slow_ms' => 3000,
        'timezone' => 'UTC',
        'faults' => [],
    ];

    /** @param array<string, mixed> $values */
    private function __construct(private readonly array $values)
    {
    }

    public static function load(State $state): self
    {
        return new self(array_replace(self::DEFAULTS, $state->file('config.json')->read()));
    }

    /**
     * Merges $changes into the stored config (top-level keys; `faults` is replaced as a whole
     * so that {"faults":{}} switches every fault off). Throws \InvalidArgumentException.
     *
     * @param array<string, mixed> $changes
     */
    public static function merge(State $state, array $changes): self
    {
        self::validate($changes);

        return $state->file('config.json')->update(static function (array $stored) use ($changes): array {
            $merged = array_replace($stored, $changes);

            return [$merged, new self(array_replace(self::DEFAULTS, $merged))];
        });
    }

    public function seed(): int
    {
        return (int) $this->values['seed'];
    }

    public function articleCount(): int
    {
        return (int) $this->values['articles'];
    }

    public function session(): int
    {
        return (int) $this->values['session'];
    }

    public function latencyMs(): int
    {
        return (int) $this->values['latency_ms'];
    }

    public function slowMs(): int
    {
        return (int) $this->values['slow_ms'];
    }

    public function timezone(): \DateTimeZone
    {
        return new \DateTimeZone((string) $this->values['timezone']);
    }

    /** @return array<string, float> fault kind => probability per API call */
    public function faults(): array
    {
        return array_map('floatval', (array) $this->values['faults']);
    }

    /** @return array<string, mixed> */
    public function toArray(): array
    {
        $values = $this->values;
        $values['faults'] = (object) $this->faults();

        return $values;
    }

    /** @param array<string, mixed> $changes */
    private static function validate(array $changes): void
    {
        foreach ($changes as $key => $value) {
            match ($key) {
                'seed', 'session', 'latency_ms', 'slow_ms' => self::requireInt($key, $value, 0),
                'articles' => self::requireInt($key, $value, 1),
                'timezone' => self::requireTimezone($value),
                'faults' => self::requireFaults($value),
                default => throw new \InvalidArgumentException("unknown config key '$key'"),
            };
        }
    }

    private static function requireInt(string $key, mixed $value, int $min): void
    {
        if (!is_int($value) || $value < $min) {
            throw new \InvalidArgumentException("'$key' must be an integer >= $min");
        }
    }

    private static function requireTimezone(mixed $value): void
    {
        if (!is_string($value) || !in_array($value, \DateTimeZone::listIdentifiers(), true)) {
            throw new \InvalidArgumentException("'timezone' must be a timezone identifier");
        }
    }

    private static function requireFaults(mixed $value): void
    {
        if (!is_array($value)) {
            throw new \InvalidArgumentException("'faults' must be an object");
        }
        foreach ($value as $kind => $probability) {
            if (!in_array($kind, self::FAULT_KINDS, true)) {
                throw new \InvalidArgumentException("unknown fault kind '$kind'");
            }
            if (!is_int($probability) && !is_float($probability) || $probability < 0 || $probability > 1) {
                throw new \InvalidArgumentException("fault '$kind' must be a probability in [0, 1]");
            }
        }
    }
}
