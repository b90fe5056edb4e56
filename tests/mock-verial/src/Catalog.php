<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * The live catalog: the deterministic base catalog with the persisted mutations applied.
 * Articles are arrays as described in BaseCatalog.
 */
final class Catalog
{
    /** @param array<int, array<string, mixed>> $articles by Id, ascending */
    private function __construct(private readonly array $articles, public readonly int $version)
    {
    }

    public static function load(Config $config, State $state): self
    {
        $base = BaseCatalog::load($config->seed(), $config->articleCount(), $state->cacheDir);
        $mutations = Mutations::in($state)->read();
        $articles = [];
        foreach ($base as $article) {
            $override = $mutations['articles'][(string) $article['Id']] ?? null;
            if ($override !== null) {
                $article['slots'] = $override['slots'];
                $article['modified'] = $override['modified'];
            }
            $articles[$article['Id']] = $article;
        }

        return new self($articles, (int) ($mutations['version'] ?? 0));
    }

    /** @return array<string, mixed>|null */
    public function find(int $id): ?array
    {
        return $this->articles[$id] ?? null;
    }

    /**
     * Articles created or modified at or after $since (unix time; null = all), ordered by Id.
     *
     * @return list<array<string, mixed>>
     */
    public function since(?int $since): array
    {
        return array_values(array_filter(
            $this->articles,
            static fn (array $article): bool => $since === null || $article['modified'] >= $since,
        ));
    }

    /**
     * The 1-based inclusive range [inicio, fin] of a list, as Verial pages it.
     *
     * @template T
     * @param list<T> $items
     * @return list<T>
     */
    public static function page(array $items, ?int $inicio, ?int $fin): array
    {
        $from = max(1, $inicio ?? 1);
        $to = min(count($items), $fin ?? count($items));

        return $to < $from ? [] : array_slice($items, $from - 1, $to - $from + 1);
    }
}
