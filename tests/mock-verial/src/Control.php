<?php

declare(strict_types=1);

namespace VerialMock;

/** The /__mock/ endpoints: ground truth and test control. Never subject to faults. */
final class Control
{
    public function __construct(private readonly State $state)
    {
    }

    /** @param array<string, mixed> $query */
    public function handle(string $verb, string $path, array $query, string $body): Reply
    {
        try {
            return match ("$verb $path") {
                'GET /__mock/health' => Reply::mock(['ok' => true]),
                'GET /__mock/truth' => $this->truth(new Params($query)),
                'GET /__mock/stats' => Reply::mock(Stats::in($this->state)->read()),
                'POST /__mock/stats/reset' => $this->resetStats(),
                'GET /__mock/config' => Reply::mock(Config::load($this->state)->toArray()),
                'POST /__mock/config' => $this->changeConfig(self::jsonBody($body)),
                'POST /__mock/mutate' => $this->mutate(self::jsonBody($body)),
                'POST /__mock/mutate/reset' => $this->resetMutations(),
                default => Reply::mock(['error' => "no such endpoint: $verb $path"], 404),
            };
        } catch (\InvalidArgumentException $e) {
            return Reply::mock(['error' => $e->getMessage()], 400);
        } catch (ApiError $e) {
            return Reply::mock(['error' => $e->getMessage(), 'codigo' => $e->getCode()], 400);
        }
    }

    /**
     * Exactly what GetImagenesArticulosWS returns for every article (or one, with id_articulo;
     * or those modified since fecha/hora), at numpixelsladomenor (default 300).
     */
    private function truth(Params $params): Reply
    {
        $config = Config::load($this->state);
        $catalog = Catalog::load($config, $this->state);
        $payloads = new Payloads($config->seed(), new ImageStore($this->state->cacheDir, $config->seed()));
        $shortSide = $params->int('numpixelsladomenor') ?? 300;
        $only = $params->int('id_articulo');
        $articles = [];
        $skus = [];
        $modified = [];
        foreach ($catalog->since($params->since($config->timezone())) as $article) {
            if ($only !== null && $only !== 0 && $article['Id'] !== $only) {
                continue;
            }
            $key = (string) $article['Id'];
            $articles[$key] = array_column($payloads->forArticle($article, $shortSide), 'truth');
            $skus[$key] = $article['ReferenciaBarras'];
            $modified[$key] = (new \DateTimeImmutable('@' . $article['modified']))
                ->setTimezone($config->timezone())->format('Y-m-d H:i:s');
        }

        return Reply::mock([
            'numpixelsladomenor' => $shortSide,
            'version' => $catalog->version,
            'articles' => (object) $articles,
            'skus' => (object) $skus,
            'modified' => (object) $modified,
        ]);
    }

    private function resetStats(): Reply
    {
        Stats::in($this->state)->reset();

        return Reply::mock(['ok' => true]);
    }

    /** @param array<string, mixed> $changes */
    private function changeConfig(array $changes): Reply
    {
        $before = Config::load($this->state);
        $after = Config::merge($this->state, $changes);
        if ($before->seed() !== $after->seed() || $before->articleCount() !== $after->articleCount()) {
            // Mutations name articles of the old catalog; they mean nothing in a new one.
            Mutations::in($this->state)->reset();
        }

        return Reply::mock($after->toArray());
    }

    /** @param array<string, mixed> $request */
    private function mutate(array $request): Reply
    {
        $catalog = Catalog::load(Config::load($this->state), $this->state);

        return Reply::mock(Mutations::in($this->state)->apply($request, $catalog, time()));
    }

    private function resetMutations(): Reply
    {
        Mutations::in($this->state)->reset();

        return Reply::mock(['ok' => true]);
    }

    /** @return array<string, mixed> */
    private static function jsonBody(string $body): array
    {
        $data = json_decode($body, true);
        if (!is_array($data) || array_is_list($data) && $data !== []) {
            throw new \InvalidArgumentException('the body must be a JSON object');
        }

        return $data;
    }
}
