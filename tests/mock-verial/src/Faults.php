<?php

declare(strict_types=1);

namespace VerialMock;

/** Decides which API calls fail, and how, from the seed and the global call number only. */
final class Faults
{
    public static function decide(Config $config, int $callNumber): ?string
    {
        $faults = $config->faults();
        if ($faults === []) {
            return null;
        }
        $roll = Rng::of($config->seed(), 'fault', $callNumber)->float();
        // Fixed order, so {"http500":1.0} and friends always give exactly that kind.
        foreach (Config::FAULT_KINDS as $kind) {
            $roll -= $faults[$kind] ?? 0.0;
            if ($roll < 0) {
                return $kind;
            }
        }

        return null;
    }
}
