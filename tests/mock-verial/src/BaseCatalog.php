<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Generates the base catalog (before any mutation) from (seed, article count).
 *
 * An article is an array: the public Verial fields (PUBLIC_FIELDS) plus
 * `modified` (unix time), `wrapped` (its base64 gets CRLF every 76 chars) and
 * `slots` (its images in order: list of ['picture' => id, 'corrupt' => null|kind]).
 */
final class BaseCatalog
{
    public const PUBLIC_FIELDS = ['Id', 'Nombre', 'ReferenciaBarras', 'Tipo', 'Descripcion', 'ID_Categoria', 'Peso'];
    public const MAX_IMAGES = 48;

    /**
     * Features planted in a few hash-chosen articles so that even a small catalog contains
     * every case the importer must handle; the rest of the catalog is plain random.
     */
    private const PLANTED = [
        'max48', 'corrupt:invalid_chars', 'corrupt:truncated_base64', 'corrupt:truncated_image',
        'corrupt:html_text', 'corrupt:empty', 'wrapped', 'duplicate', 'formats', 'shared', 'shared', 'zero',
    ];

    private const NOUNS = ['Camiseta', 'Sudadera', 'Pantalón', 'Zapatilla', 'Chaqueta', 'Mochila', 'Gorra', 'Bolso',
        'Cinturón', 'Calcetines', 'Vestido', 'Falda', 'Polo', 'Camisa', 'Jersey', 'Bufanda', 'Bota', 'Sandalia'];
    private const ADJECTIVES = ['básica', 'deportiva', 'de algodón', 'de lino', 'técnica', 'infantil', 'oversize',
        'clásica', 'impermeable', 'de punto', 'slim', 'reciclada'];
    private const COLOURS = ['negro', 'blanco', 'azul marino', 'rojo', 'verde oliva', 'gris', 'beige', 'mostaza', 'rosa', 'caqui'];
    private const MATERIALS = ['100% algodón orgánico.', 'Mezcla de poliéster y elastano.', 'Lino europeo.',
        'Piel sintética.', 'Lana merino.', 'Tejido técnico transpirable.'];

    /** @return list<array<string, mixed>> ordered by Id */
    public static function load(int $seed, int $count, string $cacheDir): array
    {
        // Keyed by the generating code too, so editing the generator never serves a stale cache.
        $code = State::codeVersion(__FILE__, __DIR__ . '/Picture.php', __DIR__ . '/Corruptor.php', __DIR__ . '/Rng.php');
        $path = sprintf('%s/catalog-%s-s%d-n%d.php', $cacheDir, $code, $seed, $count);
        // A PHP file, not JSON: every call loads the catalog, and the server's opcache keeps an
        // included array in shared memory (no per-call decode: json_decode() of 2,000 articles
        // took 9 ms a call, CPU the mock then took from the contenders on the same machine).
        if (is_file($path)) {
            $cached = include $path;
            if (is_array($cached)) {
                return $cached;
            }
        }
        $articles = self::build($seed, $count);
        State::writeAtomically($path, "<?php\n\nreturn " . var_export($articles, true) . ";\n");

        return $articles;
    }

    /** @return list<array<string, mixed>> */
    public static function build(int $seed, int $count): array
    {
        $planted = self::plantedFeatures($seed, $count);
        $articles = [];
        $skus = [];
        $id = 0;
        for ($i = 0; $i < $count; $i++) {
            $rng = Rng::of($seed, 'article', $i);
            // Ids start at 1001 and are not contiguous: articles get deleted in a real ERP.
            $id = $i === 0 ? 1001 : $id + (int) $rng->weighted([1 => 70, 2 => 15, 3 => 6, 4 => 4, 17 => 3, 120 => 2]);
            $article = self::identity($rng, $id, $skus);
            $article['slots'] = self::slots($rng, $seed, $id, $planted[$i] ?? null);
            $article['wrapped'] = ($planted[$i] ?? null) === 'wrapped' || $rng->chance(0.03);
            $articles[] = $article;
        }

        return $articles;
    }

    /** @return array<int, string> article index => planted feature */
    private static function plantedFeatures(int $seed, int $count): array
    {
        if ($count === 0) {
            return [];
        }
        $order = range(0, $count - 1);
        $keys = array_map(static fn (int $i): float => Rng::of($seed, 'plant', $i)->float(), $order);
        array_multisort($keys, $order);

        return array_combine(
            array_slice($order, 0, min($count, count(self::PLANTED))),
            array_slice(self::PLANTED, 0, min($count, count(self::PLANTED))),
        );
    }

    /**
     * @param array<string, true> $skus barcodes already used (kept unique)
     * @return array<string, mixed>
     */
    private static function identity(Rng $rng, int $id, array &$skus): array
    {
        $name = sprintf('%s %s %s', $rng->pick(self::NOUNS), $rng->pick(self::ADJECTIVES), $rng->pick(self::COLOURS));
        do {
            $sku = self::ean13('84' . str_pad((string) $rng->int(0, 9_999_999_999), 10, '0', STR_PAD_LEFT));
        } while (isset($skus[$sku]));
        $skus[$sku] = true;

        return [
            'Id' => $id,
            'Nombre' => $name,
            'ReferenciaBarras' => $sku,
            'Tipo' => (int) $rng->weighted([1 => 92, 2 => 5, 3 => 3]),
            'Descripcion' => $rng->chance(0.1) ? '' : $name . '. ' . $rng->pick(self::MATERIALS) . ' Lavar a 30°.',
            'ID_Categoria' => $rng->int(1, 12),
            'Peso' => round($rng->int(50, 2500) / 1000, 3),
            // Created or last modified somewhere in 2022-01-01 .. 2025-06-30 (UTC).
            'modified' => $rng->int(1_640_995_200, 1_751_327_999),
        ];
    }

    /** @return list<array{picture: string, corrupt: ?string}> */
    private static function slots(Rng $rng, int $seed, int $id, ?string $feature): array
    {
        $count = match ($feature) {
            'max48' => self::MAX_IMAGES,
            'zero' => 0,
            null => self::imageCount($rng),
            default => max(3, self::imageCount($rng)),
        };
        $pictures = [];
        for ($k = 0; $k < $count; $k++) {
            $pictures[] = "a$id-$k";
        }
        if ($count > 0) {
            self::addShared($rng, $pictures, $feature);
            if ($feature === 'duplicate' || $rng->chance(0.02)) {
                self::addDuplicate($rng, $pictures);
            }
        }
        $slots = array_map(static fn (string $p): array => ['picture' => $p, 'corrupt' => null], $pictures);
        self::markCorrupt($rng, $seed, $slots, $id, $feature);

        return $slots;
    }

    /** Most articles have 1-6 images, ~8 % none, a few 20-48. */
    private static function imageCount(Rng $rng): int
    {
        return match ($rng->weighted(['none' => 8, 'few' => 82, 'some' => 7, 'many' => 3])) {
            'none' => 0,
            'few' => (int) $rng->weighted([1 => 30, 2 => 22, 3 => 18, 4 => 13, 5 => 10, 6 => 7]),
            'some' => $rng->int(7, 19),
            'many' => $rng->int(20, self::MAX_IMAGES),
        };
    }

    /** @param list<string> $pictures */
    private static function addShared(Rng $rng, array &$pictures, ?string $feature): void
    {
        $pool = array_keys(Picture::POOL);
        $extra = match (true) {
            $feature === 'formats' => ['s-logo-4', 's-logo-5', 's-chart-1'], // GIF, WebP, PNG
            $feature === 'shared' || $rng->chance(0.18) => $rng->chance(0.25) ? [$rng->pick($pool), $rng->pick($pool)] : [$rng->pick($pool)],
            default => [],
        };
        foreach (array_unique($extra) as $shared) {
            if (count($pictures) < self::MAX_IMAGES) {
                // Logos mostly go to the gallery, sometimes they are the main image.
                $at = $rng->chance(0.1) ? 0 : $rng->int(1, count($pictures));
                array_splice($pictures, $at, 0, [$shared]);
            }
        }
    }

    /** The same picture twice in one article (a real data-entry mistake). @param list<string> $pictures */
    private static function addDuplicate(Rng $rng, array &$pictures): void
    {
        if (count($pictures) >= 2 && count($pictures) < self::MAX_IMAGES) {
            $from = $rng->int(0, count($pictures) - 2);
            array_splice($pictures, $rng->int($from + 1, count($pictures)), 0, [$pictures[$from]]);
        }
    }

    /**
     * A few % of the article's own pictures arrive corrupt; a planted feature forces one kind.
     *
     * @param list<array{picture: string, corrupt: ?string}> $slots
     */
    private static function markCorrupt(Rng $rng, int $seed, array &$slots, int $id, ?string $feature): void
    {
        $counts = array_count_values(array_column($slots, 'picture'));
        // Only the article's own pictures, and only those it shows once: a corrupt slot must never
        // shadow a valid copy of the same picture (pool pictures appear in other articles too).
        $eligible = static fn (string $picture): bool => !Picture::isShared($picture) && $counts[$picture] === 1;
        $kindsFor = static fn (string $picture): array => Corruptor::kindsFor(Picture::fromId($seed, $picture)->format);
        foreach ($slots as $i => $slot) {
            if ($eligible($slot['picture']) && $rng->chance(0.04)) {
                $slots[$i]['corrupt'] = $rng->pick($kindsFor($slot['picture']));
            }
        }
        if ($feature === null || !str_starts_with($feature, 'corrupt:')) {
            return;
        }
        $kind = substr($feature, strlen('corrupt:'));
        for ($i = count($slots) - 1; $i >= 0; $i--) {
            if ($eligible($slots[$i]['picture']) && in_array($kind, $kindsFor($slots[$i]['picture']), true)) {
                $slots[$i]['corrupt'] = $kind;

                return;
            }
        }
        // No own picture of a suitable format (truncated_image needs JPEG or PNG): add one.
        for ($k = count($slots); count($slots) < self::MAX_IMAGES && $k < self::MAX_IMAGES + 100; $k++) {
            if (in_array($kind, $kindsFor("a$id-$k"), true)) {
                $slots[] = ['picture' => "a$id-$k", 'corrupt' => $kind];

                return;
            }
        }
    }

    /** EAN-13 from its first 12 digits. */
    private static function ean13(string $twelve): string
    {
        $sum = 0;
        foreach (str_split($twelve) as $i => $digit) {
            $sum += (int) $digit * ($i % 2 === 0 ? 1 : 3);
        }

        return $twelve . (10 - $sum % 10) % 10;
    }
}
