<?php

declare(strict_types=1);

namespace VerialImages\Tests;

use PHPUnit\Framework\TestCase;
use VerialImages\Native as N;

/**
 * import_response(), DedupIndex and ArticleIndex as phase 1 and phase 2 use them.
 */
final class ResponseAndIndexTest extends TestCase
{
    private string $dir;

    protected function setUp(): void
    {
        $this->dir = ImageFixtures::tempDir();
    }

    protected function tearDown(): void
    {
        ImageFixtures::removeDir($this->dir);
    }

    /** @param list<array{0: int, 1: string|null}> $images */
    private static function body(array $images, int $code = 0, ?string $description = null): string
    {
        return json_encode([
            'InfoError' => ['Codigo' => $code, 'Descripcion' => $description],
            'Imagenes' => array_map(fn ($i) => ['ID_Articulo' => $i[0], 'Imagen' => $i[1]], $images),
        ], JSON_THROW_ON_ERROR);
    }

    public function testEveryImageGetsOneRowInResponseOrder(): void
    {
        $a = ImageFixtures::make('jpeg', 30, 20, 1)['bytes'];
        $b = ImageFixtures::make('png', 10, 10, 2)['bytes'];
        $c = ImageFixtures::make('webp', 12, 9, 3)['bytes'];
        $known = new N\DedupIndex();
        $known->insert(hash('sha256', $c), 555);
        // json_encode escapes '/' as '\/', like Verial's WCF server: the codec must unescape.
        $body = self::body([
            [101, base64_encode($a)],
            [101, base64_encode($b)],
            [202, base64_encode($a)],
            [202, 'not*base64'],
            [101, base64_encode($c)],
            [303, null],
        ]);
        self::assertStringContainsString('\\/', $body);
        $rows = N\import_response($body, $this->dir, $known, true);

        $summary = array_map(fn (N\ImageResult $r) => [$r->article_id, $r->position, $r->status], $rows);
        self::assertSame([
            [101, 0, 'imported'], [101, 1, 'imported'], [202, 0, 'repeated'],
            [202, 1, 'failed'], [101, 2, 'known'], [303, 0, 'failed'],
        ], $summary);

        self::assertSame("{$this->dir}/verial-101-0.jpg", $rows[0]->info?->path);
        self::assertSame("{$this->dir}/verial-101-1.png", $rows[1]->info?->path);
        self::assertSame($rows[0]->info?->path, $rows[2]->info?->path, 'a repeat points at the file written');
        self::assertSame($a, file_get_contents((string) $rows[0]->info?->path));
        self::assertSame(555, $rows[4]->attachment_id);
        self::assertSame('InvalidBase64Exception', $rows[3]->error_kind);
        self::assertStringStartsWith('article 202 position 1: ', (string) $rows[3]->error);
        self::assertStringContainsString('byte offset 3', (string) $rows[3]->error);
        self::assertSame('UnsupportedFormatException', $rows[5]->error_kind);
        self::assertSame(md5('data:image/jpeg;base64,' . base64_encode($a)), $rows[0]->info?->legacy_md5);

        $files = ImageFixtures::entries($this->dir);
        sort($files);
        self::assertSame(['verial-101-0.jpg', 'verial-101-1.png'], $files, 'known and repeated content is not written');
    }

    public function testInspectingOnlyWritesNothing(): void
    {
        $a = base64_encode(ImageFixtures::make('gif', 4, 4)['bytes']);
        $rows = N\import_response(self::body([[1, $a], [2, $a]]));
        self::assertSame(['inspected', 'repeated'], array_map(fn ($r) => $r->status, $rows));
        self::assertNull($rows[0]->info?->path);
        self::assertSame([], ImageFixtures::entries($this->dir));
    }

    public function testInfoErrorIsAnErrorNeverAnEmptyList(): void
    {
        try {
            N\import_response(self::body([], 2, 'Error SQL'), $this->dir);
            self::fail('an InfoError reply was taken as success');
        } catch (N\ApiErrorException $e) {
            self::assertSame(2, $e->getCode());
            self::assertStringContainsString('Error SQL', $e->getMessage());
        }
        $this->expectException(N\ApiErrorException::class);
        N\import_response('{"InfoError":{"Codigo":1,"Descripcion":null}}');
    }

    public function testTruncatedAndMalformedBodiesAreInvalidJson(): void
    {
        $body = self::body([[1, base64_encode(ImageFixtures::make('png', 3, 3)['bytes'])]]);
        foreach ([substr($body, 0, intdiv(strlen($body), 2)), '', '<html>502</html>', '{"InfoError":{"Codigo":0}}', '[1,2]'] as $bad) {
            try {
                N\import_response($bad, $this->dir);
                self::fail('accepted ' . substr($bad, 0, 40));
            } catch (N\InvalidJsonException $e) {
                self::assertNotSame('', $e->getMessage());
            }
        }
        self::assertSame([], ImageFixtures::entries($this->dir));
        $this->expectException(N\StorageException::class);
        N\import_response($body, $this->dir . '/missing');
    }

    public function testDedupIndexLoadsDatabaseRowsAndFirstInsertWins(): void
    {
        $h1 = hash('sha256', 'one');
        $h2 = hash('sha256', 'two');
        $index = new N\DedupIndex();
        // $wpdb returns numeric strings; both row shapes load.
        self::assertSame(2, $index->load([[$h1, '10'], [strtoupper($h2), '20']]));
        self::assertSame(0, $index->load([$h1 => 99]));
        self::assertSame(10, $index->get($h1));
        self::assertSame(20, $index->get($h2));
        self::assertNull($index->get(hash('sha256', 'three')));
        self::assertSame(10, $index->insert($h1, 30));
        self::assertSame([$h2 => 20], $index->getMany([$h2, hash('sha256', 'x')]));
        self::assertTrue($index->remove($h1));
        self::assertFalse($index->remove($h1));
        self::assertSame(1, $index->count());
        self::assertGreaterThan(0, $index->memoryBytes());

        foreach ([[['nothex', 1]], [[$h1, 0]], [[$h1, '-4']], [[$h1]]] as $bad) {
            try {
                $index->load($bad);
                self::fail('loaded ' . json_encode($bad));
            } catch (N\InvalidInputException) {
            }
        }
        self::assertSame(1, $index->count(), 'a refused load changes nothing');
        $this->expectException(N\InvalidInputException::class);
        $index->get('abc');
    }

    public function testArticleIndexOrdersByPositionAndAnswersBatches(): void
    {
        $index = N\ArticleIndex::fromRows([
            ['7', '2', '30'],
            [7, 0, 10],
            ['article_id' => 7, 'position' => 1, 'attachment_id' => 20],
            [7, 1, 25],
            [9, 0, 10],
        ]);
        self::assertSame([10, 20, 30], $index->get(7));
        self::assertSame([7 => [10, 20, 30], 9 => [10], 8 => []], $index->getMany([7, 9, 8]));
        self::assertTrue($index->has(9));
        self::assertFalse($index->has(8));
        self::assertSame(2, $index->count());
        self::assertSame(4, $index->imageCount());
        self::assertSame([7, 9], $index->articleIds());

        $copy = N\ArticleIndex::unserialize($index->serialize());
        self::assertSame($index->getMany([7, 9]), $copy->getMany([7, 9]));
        foreach (['', 'garbage', substr($index->serialize(), 0, -1)] as $bad) {
            try {
                N\ArticleIndex::unserialize($bad);
                self::fail('unserialized garbage');
            } catch (N\InvalidInputException) {
            }
        }
        $this->expectException(N\InvalidInputException::class);
        N\ArticleIndex::fromRows([[7, -1, 5]]);
    }

    public function testArticleIndexHandlesAWholeCatalogInOneCall(): void
    {
        $rows = [];
        for ($i = 0; $i < 50_000; $i++) {
            $rows[] = [(string) (1000 + intdiv($i, 5)), (string) (4 - $i % 5), (string) (100_000 + $i)];
        }
        $index = N\ArticleIndex::fromRows($rows);
        self::assertSame(10_000, $index->count());
        self::assertSame([100_004, 100_003, 100_002, 100_001, 100_000], $index->get(1000));
    }
}
