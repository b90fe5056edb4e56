<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Turns one image slot of an article into the `Imagen` text Verial would send, together with
 * its ground truth. API replies and /__mock/truth both come from here, so they always agree.
 */
final class Payloads
{
    public function __construct(private readonly int $seed, private readonly ImageStore $store)
    {
    }

    /**
     * @param array<string, mixed> $article
     * @param array{picture: string, corrupt: ?string} $slot
     * @return array{imagen: string, truth: array<string, mixed>}
     */
    public function forSlot(array $article, int $position, array $slot, int $shortSide): array
    {
        [$imagen, $picture, $bytes, $wrapped] = $this->encode($article, $slot, $shortSide);
        $corrupt = $slot['corrupt'];
        [$width, $height] = $picture->dimensions($shortSide > 0 ? $shortSide : $picture->originalShortSide);

        return [
            'imagen' => $imagen,
            'truth' => [
                'position' => $position,
                'sha256' => $corrupt === null ? hash('sha256', $bytes) : null,
                'format' => $corrupt === null ? $picture->format : null,
                'corrupt' => $corrupt,
                'picture' => $picture->id,
                'bytes' => $corrupt === null ? strlen($bytes) : null,
                'width' => $corrupt === null ? $width : null,
                'height' => $corrupt === null ? $height : null,
                'wrapped' => $wrapped,
                // The existing plugin's _verial_image_hash, over the Imagen text exactly as sent.
                'verial_hash' => md5('data:image/jpeg;base64,' . $imagen),
            ],
        ];
    }

    /**
     * The article's Imagen texts alone, as the API sends them: without the truth, whose
     * SHA-256 and md5 of every payload would be most of the work of an API call.
     *
     * @param array<string, mixed> $article
     * @return list<string>
     */
    public function imagenes(array $article, int $shortSide): array
    {
        $out = [];
        foreach ($article['slots'] as $slot) {
            $out[] = $this->encode($article, $slot, $shortSide)[0];
        }

        return $out;
    }

    /**
     * @param array<string, mixed> $article
     * @param array{picture: string, corrupt: ?string} $slot
     * @return array{0: string, 1: Picture, 2: string, 3: bool} the Imagen text, the picture,
     *         its file's bytes, whether the text is wrapped
     */
    private function encode(array $article, array $slot, int $shortSide): array
    {
        $picture = Picture::fromId($this->seed, $slot['picture']);
        $bytes = $this->store->bytes($picture, $shortSide);
        $corrupt = $slot['corrupt'];
        if ($corrupt !== null) {
            // Keyed by picture, not position: a reorder moves the same broken payload along.
            return [Corruptor::payload($corrupt, $bytes, Rng::of($this->seed, 'corrupt', $slot['picture'], $shortSide)), $picture, $bytes, false];
        }
        $imagen = base64_encode($bytes);
        if (!$article['wrapped']) {
            return [$imagen, $picture, $bytes, false];
        }
        // MIME-style base64 as some Verial installations send it: CRLF every 76 chars.
        return [rtrim(chunk_split($imagen, 76, "\r\n")), $picture, $bytes, true];
    }

    /**
     * @param array<string, mixed> $article
     * @return list<array{imagen: string, truth: array<string, mixed>}>
     */
    public function forArticle(array $article, int $shortSide): array
    {
        $out = [];
        foreach ($article['slots'] as $position => $slot) {
            $out[] = $this->forSlot($article, $position, $slot, $shortSide);
        }

        return $out;
    }
}
