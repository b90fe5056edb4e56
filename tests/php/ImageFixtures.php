<?php
/**
 * Real images made by real encoders (GD), so format sniffing is tested on what encoders write.
 */

declare(strict_types=1);

namespace VerialImages\Tests;

final class ImageFixtures
{
    /** @return array<string, array{bytes: string, mime: string, ext: string, width: int, height: int}> */
    public static function all(): array
    {
        $out = [];
        foreach (['jpeg', 'png', 'gif', 'webp'] as $format) {
            $out[$format] = self::make($format, 37 + strlen($format), 23);
        }
        return $out;
    }

    /** @return array{bytes: string, mime: string, ext: string, width: int, height: int} */
    public static function make(string $format, int $width, int $height, int $seed = 1): array
    {
        $im = imagecreatetruecolor($width, $height);
        mt_srand($seed);
        for ($i = 0; $i < 12; $i++) {
            $color = imagecolorallocate($im, mt_rand(0, 255), mt_rand(0, 255), mt_rand(0, 255));
            imagefilledrectangle($im, mt_rand(0, $width), mt_rand(0, $height), mt_rand(0, $width), mt_rand(0, $height), $color);
        }
        ob_start();
        match ($format) {
            'jpeg' => imagejpeg($im, null, 85),
            'png' => imagepng($im),
            'gif' => imagegif($im),
            'webp' => imagewebp($im, null, 80),
        };
        $bytes = (string) ob_get_clean();
        imagedestroy($im);
        $ext = $format === 'jpeg' ? 'jpg' : $format;
        return ['bytes' => $bytes, 'mime' => "image/{$format}", 'ext' => $ext, 'width' => $width, 'height' => $height];
    }

    /** A JPEG large enough to span many decode windows (noise does not compress). */
    public static function largeJpeg(int $side = 900): string
    {
        $im = imagecreatetruecolor($side, $side);
        mt_srand(7);
        for ($y = 0; $y < $side; $y += 3) {
            for ($x = 0; $x < $side; $x += 3) {
                imagesetpixel($im, $x, $y, mt_rand(0, 0xFFFFFF));
            }
        }
        ob_start();
        imagejpeg($im, null, 95);
        imagedestroy($im);
        return (string) ob_get_clean();
    }

    public static function tempDir(): string
    {
        $dir = sys_get_temp_dir() . '/vis-phpunit-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($dir, 0777, true);
        return $dir;
    }

    public static function removeDir(string $dir): void
    {
        foreach (array_merge(glob("$dir/*") ?: [], glob("$dir/.*") ?: []) as $f) {
            if (is_file($f)) {
                unlink($f);
            }
        }
        @rmdir($dir);
    }

    /** Every entry of a directory, hidden temp files included. @return list<string> */
    public static function entries(string $dir): array
    {
        return array_values(array_diff(scandir($dir) ?: [], ['.', '..']));
    }
}
