<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * Draws a Picture with GD and encodes it in the picture's format.
 *
 * Shapes are placed in relative coordinates from the picture's own seed, so every size shows
 * the same composition (same picture identity) while the bytes differ per size. GD's encoders
 * are deterministic, so a given (picture, size) always gives the same bytes.
 */
final class Renderer
{
    private const FONT = 5; // GD built-in font, 9x15 px: no font file needed, same output everywhere

    public function render(Picture $picture, int $shortSide): string
    {
        [$width, $height] = $picture->dimensions($shortSide);
        // mt_rand is fast enough for the per-pixel texture and has been stable across PHP
        // versions since 7.1; it is re-seeded per picture, so nothing else depends on it.
        mt_srand($picture->drawSeed);
        $image = imagecreatetruecolor($width, $height);
        imagealphablending($image, true);
        match ($picture->style) {
            'photo' => $this->drawPhoto($image, $width, $height),
            'flat' => $this->drawFlat($image, $width, $height),
            'logo' => $this->drawLogo($image, $width, $height),
            'chart' => $this->drawChart($image, $width, $height),
        };
        $this->drawLabel($image, $picture, $width, $height);
        $bytes = $this->encode($image, $picture);
        imagedestroy($image);

        return $bytes;
    }

    private function drawPhoto(\GdImage $image, int $width, int $height): void
    {
        $hue = mt_rand(0, 359);
        $top = self::hsv($hue, 0.35, 0.95);
        $bottom = self::hsv(($hue + 40) % 360, 0.55, 0.55);
        for ($y = 0; $y < $height; $y++) {
            imageline($image, 0, $y, $width - 1, $y, self::mix($top, $bottom, $y / max(1, $height - 1)));
        }
        $this->drawShapes($image, $width, $height, mt_rand(7, 12), $hue, true);
        // Sensor-like grain: what makes real photos weigh 5-60 KB at 300 px instead of 3 KB.
        $grains = intdiv($width * $height, 12);
        for ($i = 0; $i < $grains; $i++) {
            $shade = mt_rand(0, 1) === 1 ? 0x60ffffff : 0x60000000; // translucent white or black
            imagesetpixel($image, mt_rand(0, $width - 1), mt_rand(0, $height - 1), $shade);
        }
    }

    private function drawFlat(\GdImage $image, int $width, int $height): void
    {
        $hue = mt_rand(0, 359);
        imagefill($image, 0, 0, self::hsv($hue, 0.25, 0.98));
        $this->drawShapes($image, $width, $height, mt_rand(3, 5), $hue, false);
    }

    private function drawLogo(\GdImage $image, int $width, int $height): void
    {
        $hue = mt_rand(0, 359);
        imagefill($image, 0, 0, 0xffffff);
        $short = min($width, $height);
        imagefilledellipse($image, intdiv($width, 2), intdiv($height, 2), (int) ($short * 0.8), (int) ($short * 0.8), self::hsv($hue, 0.8, 0.8));
        imagefilledellipse($image, intdiv($width, 2), intdiv($height, 2), (int) ($short * 0.6), (int) ($short * 0.6), 0xffffff);
    }

    private function drawChart(\GdImage $image, int $width, int $height): void
    {
        $hue = mt_rand(0, 359);
        imagefill($image, 0, 0, 0xffffff);
        $rows = 7;
        $cols = 4;
        $top = (int) ($height * 0.3);
        $cellW = ($width * 0.9) / $cols;
        $cellH = ($height * 0.6) / $rows;
        $left = $width * 0.05;
        $textHeight = (int) max(8, $cellH * 0.45);
        $sizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
        for ($r = 0; $r < $rows; $r++) {
            $y = (int) ($top + $r * $cellH);
            if ($r === 0) {
                imagefilledrectangle($image, (int) $left, $y, (int) ($left + $cols * $cellW), (int) ($y + $cellH), self::hsv($hue, 0.6, 0.85));
            }
            for ($c = 0; $c < $cols; $c++) {
                $x = (int) ($left + $c * $cellW);
                imagerectangle($image, $x, $y, (int) ($x + $cellW), (int) ($y + $cellH), 0x333333);
                $text = $r === 0 ? ['TALLA', 'PECHO', 'CINT.', 'LARGO'][$c]
                    : ($c === 0 ? $sizes[$r - 1] : (string) mt_rand(60, 120));
                $this->drawText($image, $text, (int) ($x + $cellW / 2), (int) ($y + $cellH / 2), $textHeight, 0x111111);
            }
        }
    }

    private function drawShapes(\GdImage $image, int $width, int $height, int $count, int $hue, bool $translucent): void
    {
        for ($i = 0; $i < $count; $i++) {
            $colour = self::hsv(($hue + mt_rand(0, 200)) % 360, mt_rand(40, 90) / 100, mt_rand(40, 95) / 100)
                | ($translucent ? mt_rand(0, 70) << 24 : 0);
            $x = (int) (mt_rand(0, 1000) / 1000 * $width);
            $y = (int) (mt_rand(0, 1000) / 1000 * $height);
            $w = (int) (mt_rand(100, 450) / 1000 * $width);
            $h = (int) (mt_rand(100, 450) / 1000 * $height);
            match (mt_rand(0, 2)) {
                0 => imagefilledellipse($image, $x, $y, $w, $h, $colour),
                1 => imagefilledrectangle($image, $x - intdiv($w, 2), $y - intdiv($h, 2), $x + intdiv($w, 2), $y + intdiv($h, 2), $colour),
                2 => imagefilledpolygon($image, [$x, $y - $h, $x - $w, $y + $h, $x + $w, $y + intdiv($h, 2)], $colour),
            };
        }
    }

    /** The label (article id and position, or the brand) makes every picture visibly distinct. */
    private function drawLabel(\GdImage $image, Picture $picture, int $width, int $height): void
    {
        $short = min($width, $height);
        $textHeight = max(10, intdiv($short, 9));
        $y = $picture->style === 'chart' ? (int) ($height * 0.15) : intdiv($height, 2);
        $boxW = min($width - 4, (int) (strlen($picture->label) * 9 * $textHeight / 15) + $textHeight);
        imagefilledrectangle($image, intdiv($width - $boxW, 2), $y - $textHeight, intdiv($width + $boxW, 2), $y + $textHeight, 0x20ffffff);
        $this->drawText($image, $picture->label, intdiv($width, 2), $y, $textHeight, 0x101010);
        $this->drawText($image, $picture->id, intdiv($width, 2), $height - max(8, intdiv($short, 30)), max(8, intdiv($short, 30)), 0x202020);
    }

    /** Draws GD's small built-in font scaled up (nearest neighbour), centred on (cx, cy). */
    private function drawText(\GdImage $image, string $text, int $cx, int $cy, int $height, int $colour): void
    {
        $glyphW = imagefontwidth(self::FONT);
        $glyphH = imagefontheight(self::FONT);
        $small = imagecreate(max(1, strlen($text) * $glyphW), $glyphH);
        imagecolortransparent($small, imagecolorallocate($small, 255, 255, 255));
        imagestring($small, self::FONT, 0, 0, $text, imagecolorallocate($small, $colour >> 16 & 255, $colour >> 8 & 255, $colour & 255));
        $w = (int) round(imagesx($small) * $height / $glyphH);
        imagecopyresized($image, $small, $cx - intdiv($w, 2), $cy - intdiv($height, 2), 0, 0, $w, $height, imagesx($small), $glyphH);
        imagedestroy($small);
    }

    private function encode(\GdImage $image, Picture $picture): string
    {
        ob_start();
        match ($picture->format) {
            'jpeg' => imagejpeg($image, null, $picture->quality),
            'png' => imagepng($image, null, 6),
            'webp' => imagewebp($image, null, $picture->quality - 5),
            'gif' => imagetruecolortopalette($image, false, 64) && imagegif($image),
        };

        return (string) ob_get_clean();
    }

    private static function hsv(int $hue, float $s, float $v): int
    {
        $c = $v * $s;
        $x = $c * (1 - abs(fmod($hue / 60, 2) - 1));
        $m = $v - $c;
        [$r, $g, $b] = match (intdiv($hue, 60)) {
            0 => [$c, $x, 0.0],
            1 => [$x, $c, 0.0],
            2 => [0.0, $c, $x],
            3 => [0.0, $x, $c],
            4 => [$x, 0.0, $c],
            default => [$c, 0.0, $x],
        };

        return (int) (($r + $m) * 255) << 16 | (int) (($g + $m) * 255) << 8 | (int) (($b + $m) * 255);
    }

    private static function mix(int $a, int $b, float $t): int
    {
        $channel = static fn (int $shift): int => (int) round(($a >> $shift & 255) * (1 - $t) + ($b >> $shift & 255) * $t);

        return $channel(16) << 16 | $channel(8) << 8 | $channel(0);
    }
}
