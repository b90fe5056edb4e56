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
        // Hostile-input switches (off by default, so the mock stays faithful to Verial).
        'extra_articles' => [],
        'extra_images' => [],
        'foreign_images' => [],
        'huge_image' => null,
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

    /**
     * Raw article objects appended to the listing (GetNumArticulosWS counts them).
     *
     * @return list<array<string, mixed>>
     */
    public function extraArticles(): array
    {
        return array_values((array) $this->values['extra_articles']);
    }

    /** @return list<string> raw `Imagen` texts appended to the article's image reply */
    public function extraImages(int $articleId): array
    {
        return array_values((array) (((array) $this->values['extra_images'])[(string) $articleId] ?? []));
    }

    /**
     * What to send as `ID_Articulo` in the article's image reply instead of its own id.
     *
     * @return array{0: bool, 1: mixed} [whether overridden, the value]
     */
    public function foreignId(int $articleId): array
    {
        $map = (array) $this->values['foreign_images'];

        return array_key_exists((string) $articleId, $map) ? [true, $map[(string) $articleId]] : [false, null];
    }

    /** @return array{article: int, bytes: int}|null */
    public function hugeImage(): ?array
    {
        $huge = $this->values['huge_image'];

        return is_array($huge) ? ['article' => (int) $huge['article'], 'bytes' => (int) $huge['bytes']] : null;
    }

    /** @return array<string, mixed> */
    public function toArray(): array
    {
        $values = $this->values;
        $values['faults'] = (object) $this->faults();
        $values['extra_images'] = (object) $values['extra_images'];
        $values['foreign_images'] = (object) $values['foreign_images'];

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
                'extra_articles' => self::requireList($key, $value),
                'extra_images' => self::requireExtraImages($value),
                'foreign_images' => self::requireMap($key, $value),
                'huge_image' => self::requireHugeImage($value),
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

    private static function requireList(string $key, mixed $value): void
    {
        if (!is_array($value) || !array_is_list($value)) {
            throw new \InvalidArgumentException("'$key' must be a list");
        }
    }

    private static function requireMap(string $key, mixed $value): void
    {
        if (!is_array($value)) {
            throw new \InvalidArgumentException("'$key' must be an object keyed by article id");
        }
        foreach (array_keys($value) as $id) {
            if (preg_match('/^\d+$/', (string) $id) !== 1) {
                throw new \InvalidArgumentException("'$key' keys must be article ids");
            }
        }
    }

    private static function requireExtraImages(mixed $value): void
    {
        self::requireMap('extra_images', $value);
        foreach ($value as $images) {
            if (!is_array($images) || !array_is_list($images) || array_filter($images, 'is_string') !== $images) {
                throw new \InvalidArgumentException("'extra_images' values must be lists of strings");
            }
        }
    }

    private static function requireHugeImage(mixed $value): void
    {
        if ($value !== null && (!is_array($value) || !is_int($value['article'] ?? null) || !is_int($value['bytes'] ?? null) || $value['bytes'] < 4)) {
            throw new \InvalidArgumentException("'huge_image' must be null or {\"article\": id, \"bytes\": n >= 4}");
        }
    }
}
