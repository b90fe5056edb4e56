<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Reads and validates query parameters the way Verial does. An empty value counts as absent,
 * since clients commonly send "fecha=&hora=" for "no filter".
 */
final class Params
{
    /** @param array<string, mixed> $query */
    public function __construct(private readonly array $query)
    {
    }

    /** The value as given, or null when absent. */
    public function string(string $name): ?string
    {
        return $this->raw($name);
    }

    /** A non-negative integer, or null when absent. */
    public function int(string $name): ?int
    {
        $value = $this->raw($name);
        if ($value === null) {
            return null;
        }
        if (preg_match('/^\d{1,9}$/', $value) !== 1) {
            throw ApiError::wrong($name);
        }

        return (int) $value;
    }

    /**
     * The "created or modified since" moment from fecha (YYYY-MM-DD) + hora (HH:MM or HH:MM:SS,
     * default 00:00:00) in the server's timezone; null when fecha is absent.
     */
    public function since(\DateTimeZone $zone): ?int
    {
        $fecha = $this->raw('fecha');
        $hora = $this->raw('hora') ?? '00:00:00';
        if ($fecha === null) {
            return null;
        }
        if (preg_match('/^(\d{4})-(\d{2})-(\d{2})$/', $fecha, $d) !== 1 || !checkdate((int) $d[2], (int) $d[3], (int) $d[1])
            || preg_match('/^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/', $hora, $t) !== 1) {
            throw ApiError::dateFormat();
        }
        $moment = new \DateTimeImmutable(sprintf('%s %s:%s:%s', $fecha, $t[1], $t[2], $t[3] ?? '00'), $zone);

        return $moment->getTimestamp();
    }

    private function raw(string $name): ?string
    {
        $value = $this->query[$name] ?? null;
        if (is_array($value)) {
            throw ApiError::wrong($name);
        }

        return $value === null || $value === '' ? null : (string) $value;
    }
}
