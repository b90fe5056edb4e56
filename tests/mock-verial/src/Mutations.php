<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Changes to articles' image lists made through POST /__mock/mutate, persisted in
 * mutations.json so every worker sees them: {"version": n, "articles": {"<id>": {"slots", "modified"}}}.
 * Every change bumps the article's modification time to now, as an edit in Verial would;
 * nothing else signals it (exactly the re-sync problem the importer has to solve).
 */
final class Mutations
{
    public const OPS = ['replace', 'add', 'remove', 'reorder', 'touch'];

    private function __construct(private readonly JsonFile $file)
    {
    }

    public static function in(State $state): self
    {
        return new self($state->file('mutations.json'));
    }

    /** @return array{version?: int, articles?: array<string, array{slots: list<array<string, mixed>>, modified: int}>} */
    public function read(): array
    {
        return $this->file->read();
    }

    public function reset(): void
    {
        $this->file->delete();
    }

    /**
     * Applies one change and returns the article's new image list. Throws \InvalidArgumentException.
     *
     * @param array<string, mixed> $request {"article": id, "op": ..., "position"?: int, "order"?: list<int>}
     * @return array{version: int, article: int, modified: int, slots: list<array<string, mixed>>}
     */
    public function apply(array $request, Catalog $catalog, int $now): array
    {
        $id = $request['article'] ?? null;
        $op = $request['op'] ?? null;
        $position = $request['position'] ?? null;
        if (!is_int($id) || $catalog->find($id) === null) {
            throw new \InvalidArgumentException("'article' must be the Id of an existing article");
        }
        if (!in_array($op, self::OPS, true)) {
            throw new \InvalidArgumentException("'op' must be one of " . implode('|', self::OPS));
        }
        if ($position !== null && !is_int($position)) {
            throw new \InvalidArgumentException("'position' must be an integer");
        }

        return $this->file->update(function (array $state) use ($catalog, $id, $op, $position, $request, $now): array {
            $version = (int) ($state['version'] ?? 0) + 1;
            $slots = $state['articles'][(string) $id]['slots'] ?? $catalog->find($id)['slots'];
            $slots = self::change($slots, $op, $position, $request['order'] ?? null, "m$version-$id");
            $state['version'] = $version;
            $state['articles'][(string) $id] = ['slots' => $slots, 'modified' => $now];

            return [$state, ['version' => $version, 'article' => $id, 'modified' => $now, 'slots' => $slots]];
        });
    }

    /**
     * @param list<array<string, mixed>> $slots
     * @return list<array<string, mixed>>
     */
    private static function change(array $slots, string $op, ?int $position, mixed $order, string $newPicture): array
    {
        $count = count($slots);
        $fresh = ['picture' => $newPicture, 'corrupt' => null];
        $at = static function (?int $p, int $max) use ($op): int {
            if ($max < 0) {
                throw new \InvalidArgumentException("'$op' needs an image, and the article has none");
            }
            if ($p === null || $p < 0 || $p > $max) {
                throw new \InvalidArgumentException("'$op' needs 'position' in [0, $max]");
            }

            return $p;
        };
        switch ($op) {
            case 'replace':
                $slots[$at($position, $count - 1)] = $fresh;
                break;
            case 'add':
                if ($count >= BaseCatalog::MAX_IMAGES) {
                    throw new \InvalidArgumentException('article already has ' . BaseCatalog::MAX_IMAGES . ' images');
                }
                array_splice($slots, $at($position ?? $count, $count), 0, [$fresh]);
                break;
            case 'remove':
                array_splice($slots, $at($position, $count - 1), 1);
                break;
            case 'reorder':
                $slots = self::reorder($slots, $order, $position ?? $count - 1, $at);
                break;
            case 'touch':
                break;
        }

        return array_values($slots);
    }

    /**
     * With "order" (a permutation of the current positions) the list is rearranged that way;
     * otherwise the image at "position" (default: the last one) becomes the main image.
     *
     * @param list<array<string, mixed>> $slots
     * @param callable(?int, int): int $at
     * @return list<array<string, mixed>>
     */
    private static function reorder(array $slots, mixed $order, int $position, callable $at): array
    {
        if ($order !== null) {
            $sorted = is_array($order) ? $order : [];
            sort($sorted);
            if (!is_array($order) || $sorted !== array_keys($slots)) {
                throw new \InvalidArgumentException("'order' must be a permutation of 0.." . (count($slots) - 1));
            }

            return array_map(static fn (int $p): array => $slots[$p], $order);
        }
        $moved = array_splice($slots, $at($position, count($slots) - 1), 1);

        return array_merge($moved, $slots);
    }
}
