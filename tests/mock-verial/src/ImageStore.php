<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Rendered image bytes per (seed, picture, short side), cached on disk so repeated requests,
 * other workers and later runs do not redraw them.
 */
final class ImageStore
{
    /** @var array<string, string> per-request memo: a picture may occur several times in a reply */
    private array $memo = [];
    private readonly string $code;

    public function __construct(
        private readonly string $cacheDir,
        private readonly int $seed,
        private readonly Renderer $renderer = new Renderer(),
    ) {
        // Keyed by the drawing code too, so editing the renderer never serves stale images.
        $this->code = State::codeVersion(__DIR__ . '/Renderer.php', __DIR__ . '/Picture.php', __DIR__ . '/Rng.php');
    }

    /** @param int $shortSide numpixelsladomenor: 0 = the picture's original size */
    public function bytes(Picture $picture, int $shortSide): string
    {
        $side = $shortSide > 0 ? $shortSide : $picture->originalShortSide;
        $path = sprintf('%s/img-%s/s%d/%d/%s.%s', $this->cacheDir, $this->code, $this->seed, $side, $picture->id, $picture->format);
        if (isset($this->memo[$path])) {
            return $this->memo[$path];
        }
        $bytes = is_file($path) ? (string) file_get_contents($path) : '';
        if ($bytes === '') {
            $bytes = $this->renderer->render($picture, $side);
            State::writeAtomically($path, $bytes);
        }
        if (count($this->memo) > 64) {
            $this->memo = [];
        }

        return $this->memo[$path] = $bytes;
    }
}
