<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * What a picture looks like, derived only from (seed, picture id). The id is the picture's
 * identity: the same id is the same picture in every article and at every size.
 *
 * Ids: "a<article>-<k>" a product photo made for one article (k = its position when the
 * catalog was generated), "s-..." a shared picture from the pool (brand logos, size charts),
 * "m<version>-<article>" a picture added by a mutation.
 */
final class Picture
{
    public const FORMATS = ['jpeg', 'png', 'gif', 'webp'];

    /** The pool of pictures that several articles share: id => [style, format, label]. */
    public const POOL = [
        's-logo-1' => ['logo', 'png', 'VERIALTEX'],
        's-logo-2' => ['logo', 'png', 'NORDIKA'],
        's-logo-3' => ['logo', 'jpeg', 'SPORTLINE'],
        's-logo-4' => ['logo', 'gif', 'KIDS&CO'],
        's-logo-5' => ['logo', 'webp', 'ECOWEAR'],
        's-chart-1' => ['chart', 'png', 'TALLAS ADULTO'],
        's-chart-2' => ['chart', 'gif', 'TALLAS NINO'],
        's-chart-3' => ['chart', 'jpeg', 'CALZADO EU'],
        's-care-1' => ['chart', 'png', 'LAVADO 30'],
        's-care-2' => ['flat', 'webp', 'OEKO-TEX'],
    ];

    private const ASPECTS = [
        'photo' => [1.0, 1.0, 0.75, 0.8, 1.3333, 0.6667, 1.5],
        'flat' => [1.0, 0.75, 1.3333],
        'logo' => [1.0, 1.5, 2.0],
        'chart' => [0.7071, 1.4142],
    ];

    private function __construct(
        public readonly string $id,
        public readonly string $style,
        public readonly string $format,
        public readonly string $label,
        /** Short side of the original (numpixelsladomenor=0). */
        public readonly int $originalShortSide,
        /** width / height */
        public readonly float $aspect,
        public readonly int $quality,
        /** Seeds the drawing, so the composition is the same at every size. */
        public readonly int $drawSeed,
    ) {
    }

    public static function fromId(int $seed, string $id): self
    {
        $rng = Rng::of($seed, 'picture', $id);
        [$style, $format, $label] = self::POOL[$id] ?? self::ownTraits($rng, $id);

        return new self(
            $id,
            $style,
            $format,
            $label,
            $rng->int(600, 900),
            (float) $rng->pick(self::ASPECTS[$style]),
            $rng->int(80, 92),
            $rng->seed31(),
        );
    }

    public static function isShared(string $id): bool
    {
        return isset(self::POOL[$id]);
    }

    /** @return array{0: int, 1: int} width and height when the short side is $shortSide px */
    public function dimensions(int $shortSide): array
    {
        return $this->aspect >= 1.0
            ? [(int) round($shortSide * $this->aspect), $shortSide]
            : [$shortSide, (int) round($shortSide / $this->aspect)];
    }

    /** @return array{0: string, 1: string, 2: string} */
    private static function ownTraits(Rng $rng, string $id): array
    {
        // Product photos are mostly JPEG; flat graphics (icons, swatches) are PNG or GIF.
        $style = $rng->chance(0.92) ? 'photo' : 'flat';
        $format = $style === 'photo'
            ? (string) $rng->weighted(['jpeg' => 90, 'webp' => 5, 'png' => 5])
            : (string) $rng->weighted(['png' => 55, 'gif' => 45]);
        if (preg_match('/^a(\d+)-(\d+)$/', $id, $m) === 1) {
            $label = "ART {$m[1]} #{$m[2]}";
        } elseif (preg_match('/^m(\d+)-(\d+)$/', $id, $m) === 1) {
            $label = "ART {$m[2]} NEW {$m[1]}";
        } else {
            $label = strtoupper($id);
        }

        return [$style, $format, $label];
    }
}
