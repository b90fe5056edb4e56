<?php

declare(strict_types=1);

namespace VerialMock;

/** The three Verial methods the importer uses, answered from the live catalog. */
final class Api
{
    public const METHODS = ['GetNumArticulosWS', 'GetArticulosWS', 'GetImagenesArticulosWS'];
    private const OK = ['Codigo' => 0, 'Descripcion' => null];
    private const MAX_SHORT_SIDE = 4000;
    /**
     * Any character but those json_encode() writes as they are and "/" (written as "\\/").
     * A regex, because PCRE's JIT scans at memory speed where strspn() compares every byte
     * with every character of its mask.
     */
    private const NOT_PLAIN_JSON = '~[^A-Za-z0-9+/=:;,.\-]~';

    public function __construct(
        private readonly Config $config,
        private readonly Catalog $catalog,
        private readonly Payloads $payloads,
    ) {
    }

    /** @param array<string, mixed> $query */
    public function handle(string $method, array $query): Reply
    {
        $params = new Params($query);
        try {
            if ($params->string('x') !== (string) $this->config->session()) {
                throw ApiError::session();
            }

            return match ($method) {
                'GetNumArticulosWS' => $this->numArticulos($params),
                'GetArticulosWS' => $this->articulos($params),
                'GetImagenesArticulosWS' => $this->imagenes($params),
            };
        } catch (ApiError $error) {
            return Reply::infoError($error->getCode(), $error->getMessage());
        }
    }

    private function numArticulos(Params $params): Reply
    {
        $articles = $this->listed($params);

        return Reply::verial(['InfoError' => self::OK, 'Numero' => count($articles)]);
    }

    private function articulos(Params $params): Reply
    {
        $articles = Catalog::page($this->listed($params), $params->int('inicio'), $params->int('fin'));
        $public = array_flip(BaseCatalog::PUBLIC_FIELDS);

        return Reply::verial([
            'InfoError' => self::OK,
            'Articulos' => array_map(static fn (array $a): array => array_intersect_key($a, $public), $articles),
        ]);
    }

    private function imagenes(Params $params): Reply
    {
        $id = $params->int('id_articulo') ?? throw ApiError::missing('id_articulo');
        $shortSide = $params->int('numpixelsladomenor') ?? 300;
        if ($shortSide > self::MAX_SHORT_SIDE) {
            throw ApiError::wrong('numpixelsladomenor');
        }
        $since = $params->since($this->config->timezone());
        if ($id === 0) {
            $articles = Catalog::page($this->catalog->since($since), $params->int('inicio'), $params->int('fin'));
        } else {
            $article = $this->catalog->find($id);
            $articles = $article !== null && ($since === null || $article['modified'] >= $since) ? [$article] : [];
        }
        // Encoded item by item: the same bytes json_encode() of the whole reply would give,
        // without holding a second copy of a reply that can be tens of MB.
        $head = substr(json_encode(['InfoError' => self::OK, 'Imagenes' => []], JSON_THROW_ON_ERROR), 0, -3);
        $chunks = [$head . '['];
        foreach ($articles as $article) {
            [$foreign, $sentId] = $this->config->foreignId($article['Id']);
            $sentId = $foreign ? $sentId : $article['Id'];
            $imagenes = array_merge(
                $this->payloads->imagenes($article, $shortSide),
                $this->config->extraImages($article['Id']),
            );
            foreach ($imagenes as $imagen) {
                if (count($chunks) > 1) {
                    $chunks[] = ',';
                }
                $chunks[] = '{"ID_Articulo":' . json_encode($sentId, JSON_THROW_ON_ERROR)
                    . ',"Imagen":' . self::jsonString($imagen) . '}';
            }
            $huge = $this->config->hugeImage();
            if ($huge !== null && $huge['article'] === $article['Id']) {
                array_push($chunks, ...($imagenes !== [] ? [','] : []), ...self::hugeImage($sentId, $huge['bytes']));
            }
        }
        $chunks[] = ']}';

        return Reply::verialChunks($chunks);
    }

    /**
     * json_encode($text), without its per-character pass over the common case: a base64
     * payload with or without its `data:` prefix, where the only character JSON escapes
     * is "/". json_encode() runs at about 180 MB/s, and it was most of the mock's time per
     * call, taken from the contenders sharing the machine with it.
     */
    private static function jsonString(mixed $text): string
    {
        if (is_string($text) && preg_match(self::NOT_PLAIN_JSON, $text) === 0) {
            return '"' . str_replace('/', '\\/', $text) . '"';
        }

        return json_encode($text, JSON_THROW_ON_ERROR);
    }

    /**
     * The articles GetNumArticulosWS counts and GetArticulosWS pages: the catalog, then the
     * `extra_articles` switch's raw objects (empty unless a test sets it).
     *
     * @return list<array<string, mixed>>
     */
    private function listed(Params $params): array
    {
        return array_merge($this->catalog->since($params->since($this->config->timezone())), $this->config->extraArticles());
    }

    /**
     * One `{"ID_Articulo", "Imagen"}` item whose image decodes to $bytes bytes (a JPEG start,
     * then zeros), as JSON chunks that all share one 1 MiB string: a 50 MB reply costs the
     * mock no memory and almost no time.
     *
     * @return list<string>
     */
    private static function hugeImage(mixed $sentId, int $bytes): array
    {
        $start = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00"; // 15 bytes: base64 without padding
        $head = base64_encode($start);
        $zeros = intdiv($bytes - strlen($start), 3); // "AAAA" = three zero bytes
        $block = str_repeat('A', 1 << 20);
        $chunks = [substr(json_encode(['ID_Articulo' => $sentId, 'Imagen' => ''], JSON_THROW_ON_ERROR), 0, -2) . $head];
        $symbols = $zeros * 4;
        for (; $symbols >= strlen($block); $symbols -= strlen($block)) {
            $chunks[] = $block;
        }
        $chunks[] = str_repeat('A', $symbols) . '"}';

        return $chunks;
    }
}
