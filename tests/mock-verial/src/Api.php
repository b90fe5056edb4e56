<?php

declare(strict_types=1);

namespace VerialMock;

/** The three Verial methods the importer uses, answered from the live catalog. */
final class Api
{
    public const METHODS = ['GetNumArticulosWS', 'GetArticulosWS', 'GetImagenesArticulosWS'];
    private const OK = ['Codigo' => 0, 'Descripcion' => null];
    private const MAX_SHORT_SIDE = 4000;

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
        $articles = $this->catalog->since($params->since($this->config->timezone()));

        return Reply::verial(['InfoError' => self::OK, 'Numero' => count($articles)]);
    }

    private function articulos(Params $params): Reply
    {
        $articles = Catalog::page(
            $this->catalog->since($params->since($this->config->timezone())),
            $params->int('inicio'),
            $params->int('fin'),
        );
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
            foreach ($this->payloads->forArticle($article, $shortSide) as $payload) {
                if (count($chunks) > 1) {
                    $chunks[] = ',';
                }
                $chunks[] = json_encode(['ID_Articulo' => $article['Id'], 'Imagen' => $payload['imagen']], JSON_THROW_ON_ERROR);
            }
        }
        $chunks[] = ']}';

        return Reply::verialChunks($chunks);
    }
}
