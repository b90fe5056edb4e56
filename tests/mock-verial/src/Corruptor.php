<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Builds the broken `Imagen` payloads real Verial servers send now and then. Each one must be
 * refused by the importer, and each one defeats a different naive check.
 */
final class Corruptor
{
    public const KINDS = ['invalid_chars', 'truncated_base64', 'truncated_image', 'html_text', 'empty'];

    private const HTML_PAGES = [
        "<!DOCTYPE html>\r\n<html><head><title>500 - Error interno del servidor.</title></head>\r\n"
        . "<body><h1>Error del servidor</h1><p>No se puede mostrar la imagen solicitada.</p></body></html>\r\n",
        "<?php\n// exportación de imágenes Verial\nheader('Content-Type: image/jpeg');\n"
        . "readfile(\$_GET['img'] ?? 'sin_imagen.jpg');\n?>\n",
    ];

    /** @return list<string> the kinds that make sense for a picture of that format */
    public static function kindsFor(string $format): array
    {
        // "Half of a real image" is only defined for JPEG and PNG (GIF may end in its trailer byte).
        return in_array($format, ['jpeg', 'png'], true)
            ? self::KINDS
            : array_values(array_diff(self::KINDS, ['truncated_image']));
    }

    /** The corrupt `Imagen` text, derived from the real bytes of the picture it replaces. */
    public static function payload(string $kind, string $bytes, Rng $rng): string
    {
        return match ($kind) {
            // PHP's lenient base64_decode() skips these and "succeeds": only a strict decoder notices.
            'invalid_chars' => self::inject(base64_encode($bytes), $rng),
            'truncated_base64' => self::cutToDanglingSymbol(base64_encode($bytes), $rng),
            // Perfectly valid base64 whose image stops half way (no JPEG FFD9 / PNG IEND).
            'truncated_image' => base64_encode(self::firstHalf($bytes)),
            'html_text' => base64_encode((string) $rng->pick(self::HTML_PAGES)),
            'empty' => '',
            default => throw new \InvalidArgumentException("unknown corrupt kind $kind"),
        };
    }

    private static function inject(string $base64, Rng $rng): string
    {
        $count = $rng->int(1, 3);
        for ($i = 0; $i < $count; $i++) {
            $at = (int) (strlen($base64) * $rng->int(40, 60) / 100);
            $base64 = substr($base64, 0, $at) . $rng->pick(['*', '?', 'ñ']) . substr($base64, $at);
        }

        return $base64;
    }

    /** A length with length % 4 == 1 can never be valid base64 (one dangling 6-bit symbol). */
    private static function cutToDanglingSymbol(string $base64, Rng $rng): string
    {
        $length = (int) (strlen($base64) * $rng->int(50, 95) / 100);
        $length -= ($length % 4 + 3) % 4; // step down to the nearest length % 4 == 1

        return substr($base64, 0, max(1, $length));
    }

    private static function firstHalf(string $bytes): string
    {
        $half = substr($bytes, 0, intdiv(strlen($bytes), 2));
        // Never let the cut land right after an FF D9 pair, which would look like a JPEG end.
        return str_ends_with($half, "\xFF\xD9") ? substr($half, 0, -1) : $half;
    }
}
