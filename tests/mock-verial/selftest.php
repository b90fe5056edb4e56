<?php

declare(strict_types=1);

/*
 * Self-check of a running Verial mock:  php selftest.php http://127.0.0.1:8080
 * Starts nothing. It changes the mock's state while it runs (faults, stats, mutations) and
 * puts config and mutations back at the end, so run it against a mock no other test is using.
 * Prints one line per check and "N passed, N failed"; exits 1 on any failure.
 */

if (!extension_loaded('curl')) {
    fwrite(STDERR, "selftest.php needs ext-curl\n");
    exit(2);
}
$base = rtrim($argv[1] ?? '', '/');
if ($base === '') {
    fwrite(STDERR, "usage: php selftest.php <base-url>\n");
    exit(2);
}

final class Http
{
    public function __construct(private readonly string $base)
    {
    }

    /** @return array{status: int, type: string, length: ?int, body: string, error: int, seconds: float} */
    public function get(string $path, array $query = []): array
    {
        return $this->request('GET', $path . ($query === [] ? '' : '?' . http_build_query($query)));
    }

    public function post(string $path, mixed $json = null): array
    {
        return $this->request('POST', $path, $json === null ? '' : json_encode($json));
    }

    /** Verial API call, decoded. */
    public function api(string $method, array $query): mixed
    {
        return json_decode($this->get("/WcfServiceLibraryVerial/$method", $query)['body'], true);
    }

    public function mock(string $path, array $query = []): mixed
    {
        return json_decode($this->get($path, $query)['body'], true);
    }

    /**
     * Several GETs at once (the mock has several workers).
     *
     * @param list<string> $paths
     * @return list<string> bodies
     */
    public function getMany(array $paths): array
    {
        $multi = curl_multi_init();
        $handles = [];
        foreach ($paths as $path) {
            $handles[] = $h = $this->handle('GET', $path, '');
            curl_multi_add_handle($multi, $h);
        }
        do {
            curl_multi_exec($multi, $running);
            curl_multi_select($multi, 1.0);
        } while ($running > 0);
        $bodies = [];
        foreach ($handles as $h) {
            $bodies[] = (string) curl_multi_getcontent($h);
            curl_multi_remove_handle($multi, $h);
        }

        return $bodies;
    }

    private function request(string $verb, string $path, string $body = ''): array
    {
        $h = $this->handle($verb, $path, $body);
        $start = microtime(true);
        $text = curl_exec($h);

        return [
            'status' => (int) curl_getinfo($h, CURLINFO_RESPONSE_CODE),
            'type' => (string) curl_getinfo($h, CURLINFO_CONTENT_TYPE),
            'length' => ($l = curl_getinfo($h, CURLINFO_CONTENT_LENGTH_DOWNLOAD)) >= 0 ? (int) $l : null,
            'body' => is_string($text) ? $text : '',
            'error' => curl_errno($h),
            'seconds' => microtime(true) - $start,
        ];
    }

    private function handle(string $verb, string $path, string $body): CurlHandle
    {
        $h = curl_init($this->base . $path);
        curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60, CURLOPT_CUSTOMREQUEST => $verb]);
        if ($verb === 'POST') {
            curl_setopt_array($h, [CURLOPT_POSTFIELDS => $body, CURLOPT_HTTPHEADER => ['Content-Type: application/json']]);
        }

        return $h;
    }
}

final class Checks
{
    public int $passed = 0;
    public int $failed = 0;

    public function check(string $name, bool $ok, string $detail = ''): bool
    {
        $ok ? $this->passed++ : $this->failed++;
        echo ($ok ? 'ok   ' : 'FAIL ') . $name . ($ok || $detail === '' ? '' : " -- $detail") . "\n";

        return $ok;
    }
}

/** Checks one Imagen text against its truth entry; returns a problem or null. */
function imageProblem(string $imagen, array $truth, ?int $shortSide): ?string
{
    if (md5('data:image/jpeg;base64,' . $imagen) !== $truth['verial_hash']) {
        return 'verial_hash differs';
    }
    $bytes = base64_decode($imagen, true); // strict: fails on foreign characters, allows CRLF
    switch ($truth['corrupt']) {
        case null:
            if ($bytes === false || hash('sha256', $bytes) !== $truth['sha256']) {
                return 'sha256 differs';
            }
            $size = getimagesizefromstring($bytes);
            if ($size === false || $size['mime'] !== 'image/' . $truth['format']) {
                return 'not a ' . $truth['format'];
            }
            if ($shortSide !== null && min($size[0], $size[1]) !== $shortSide) {
                return "short side {$size[0]}x{$size[1]} is not $shortSide";
            }
            if ($truth['wrapped'] !== str_contains($imagen, "\r\n")) {
                return 'line breaks do not match "wrapped"';
            }
            return null;
        case 'invalid_chars':
            return $bytes === false && preg_match('~[^A-Za-z0-9+/=]~', $imagen) === 1
                && base64_decode($imagen) !== '' ? null : 'invalid_chars is decodable';
        case 'truncated_base64':
            return strlen($imagen) % 4 === 1 && preg_match('~^[A-Za-z0-9+/]+$~', $imagen) === 1 && $bytes === false
                ? null : 'truncated_base64 is not cut to length % 4 == 1';
        case 'truncated_image':
            if ($bytes === false) {
                return 'truncated_image is not valid base64';
            }
            $jpeg = str_starts_with($bytes, "\xFF\xD8\xFF") && !str_ends_with($bytes, "\xFF\xD9");
            $png = str_starts_with($bytes, "\x89PNG") && !str_contains($bytes, 'IEND');
            return $jpeg || $png ? null : 'truncated_image looks complete';
        case 'html_text':
            return $bytes !== false && preg_match('~<html|<\?php~i', $bytes) === 1 && @getimagesizefromstring($bytes) === false
                ? null : 'html_text is not html/php text';
        case 'empty':
            return $imagen === '' ? null : 'empty is not empty';
    }

    return 'unknown corrupt kind ' . $truth['corrupt'];
}

/** Compares a GetImagenesArticulosWS list with truth for the given articles; returns problems. */
function compareImages(array $imagenes, array $truthArticles, ?int $shortSide): array
{
    $problems = [];
    $byArticle = [];
    foreach ($imagenes as $item) {
        $byArticle[$item['ID_Articulo']][] = $item['Imagen'];
    }
    foreach ($truthArticles as $id => $entries) {
        $got = $byArticle[(int) $id] ?? [];
        if (count($got) !== count($entries)) {
            $problems[] = "article $id: " . count($got) . ' images, truth ' . count($entries);
            continue;
        }
        foreach ($entries as $i => $entry) {
            $problem = imageProblem($got[$i], $entry, $shortSide);
            if ($problem !== null) {
                $problems[] = "article $id position $i: $problem";
            }
        }
    }
    unset($byArticle);

    return $problems;
}

$started = microtime(true);
$http = new Http($base);
$c = new Checks();
$x = ['x' => 18];

// --- control endpoints, and putting the mock into a known state
$c->check('health', $http->mock('/__mock/health') === ['ok' => true]);
$originalConfig = $http->mock('/__mock/config');
$x = ['x' => $originalConfig['session'] ?? 18];
$http->post('/__mock/config', ['faults' => [], 'latency_ms' => 0]);
$http->post('/__mock/mutate/reset');

// --- session and transport
$r = $http->get('/WcfServiceLibraryVerial/GetNumArticulosWS', $x);
$c->check('content type is application/json; charset=utf-8', $r['type'] === 'application/json; charset=utf-8', $r['type']);
$c->check('Content-Length matches body', $r['length'] === strlen($r['body']));
foreach ([[], ['x' => $x['x'] + 1], ['x' => 'abc']] as $bad) {
    $r = $http->get('/WcfServiceLibraryVerial/GetArticulosWS', $bad);
    $reply = json_decode($r['body'], true);
    $c->check('session error for x=' . ($bad['x'] ?? '(none)'), $r['status'] === 200 && ($reply['InfoError']['Codigo'] ?? null) === 1);
}
$c->check('unknown method is HTTP 404', $http->get('/WcfServiceLibraryVerial/NoSuchWS', $x)['status'] === 404);

// --- articles
$truth = $http->mock('/__mock/truth', ['numpixelsladomenor' => 300]);
$num = $http->api('GetNumArticulosWS', $x);
$list = $http->api('GetArticulosWS', $x);
$articles = $list['Articulos'] ?? [];
$ids = array_column($articles, 'Id');
$c->check('InfoError 0 on success', ($list['InfoError'] ?? null) === ['Codigo' => 0, 'Descripcion' => null]);
$c->check('Numero == count(Articulos) == truth', ($num['Numero'] ?? -1) === count($articles) && count($articles) === count($truth['articles']),
    ($num['Numero'] ?? '?') . ' / ' . count($articles) . ' / ' . count($truth['articles']));
$sorted = $ids;
sort($sorted);
$c->check('articles ordered by Id, not contiguous', $ids === $sorted && count($ids) > 1 && end($ids) - $ids[0] + 1 > count($ids));
$skus = array_column($articles, 'ReferenciaBarras', 'Id');
$c->check('ReferenciaBarras unique, 84 + 11 digits, as in truth',
    count(array_unique($skus)) === count($skus) && preg_grep('/^84\d{11}$/', $skus, PREG_GREP_INVERT) === []
    && array_keys($skus) === array_keys($truth['skus']) && array_values($skus) === array_values($truth['skus']));
$c->check('article fields', $articles !== [] && array_diff(['Id', 'Nombre', 'ReferenciaBarras', 'Tipo', 'Descripcion'], array_keys($articles[0])) === []);

$half = intdiv(count($articles), 2);
$page1 = $http->api('GetArticulosWS', $x + ['inicio' => 1, 'fin' => $half])['Articulos'] ?? [];
$page2 = $http->api('GetArticulosWS', $x + ['inicio' => $half + 1, 'fin' => count($articles) + 10])['Articulos'] ?? [];
$c->check('inicio/fin pages cover the list', array_column(array_merge($page1, $page2), 'Id') === $ids);
$c->check('fin < inicio gives nothing', ($http->api('GetArticulosWS', $x + ['inicio' => 5, 'fin' => 4])['Articulos'] ?? null) === []);

// --- fecha/hora
foreach ([['fecha' => '2024-02-30', 'hora' => '10:00'], ['fecha' => '24-01-01', 'hora' => '10:00'],
          ['fecha' => '2024-01-01', 'hora' => '24:00'], ['fecha' => '2024-01-01', 'hora' => '10h']] as $bad) {
    $c->check('InfoError 22 for fecha=' . $bad['fecha'] . ' hora=' . $bad['hora'],
        ($http->api('GetNumArticulosWS', $x + $bad)['InfoError']['Codigo'] ?? null) === 22);
}
$modified = $truth['modified'];
sort($modified);
[$fecha, $hora] = explode(' ', $modified[intdiv(count($modified), 2)]);
$expected = count(array_filter($truth['modified'], static fn (string $m): bool => $m >= "$fecha $hora"));
$filtered = $http->api('GetArticulosWS', $x + ['fecha' => $fecha, 'hora' => $hora])['Articulos'] ?? [];
$c->check('fecha+hora HH:MM:SS filters by modification time',
    count($filtered) === $expected && ($http->api('GetNumArticulosWS', $x + ['fecha' => $fecha, 'hora' => $hora])['Numero'] ?? -1) === $expected,
    count($filtered) . " vs $expected");
$c->check('hora HH:MM accepted', ($http->api('GetNumArticulosWS', $x + ['fecha' => $fecha, 'hora' => substr($hora, 0, 5)])['Numero'] ?? -1) >= $expected);
$c->check('future fecha gives nothing', ($http->api('GetNumArticulosWS', $x + ['fecha' => '2099-01-01', 'hora' => '00:00'])['Numero'] ?? -1) === 0);

// --- images: every article, through id_articulo=0 pages fetched concurrently, against truth
$c->check('missing id_articulo is InfoError 10', ($http->api('GetImagenesArticulosWS', $x)['InfoError']['Codigo'] ?? null) === 10);
$c->check('unknown article gives an empty list', ($http->api('GetImagenesArticulosWS', $x + ['id_articulo' => 999999])['Imagenes'] ?? null) === []);
$pageSize = 40;
$paths = [];
for ($from = 1; $from <= count($articles); $from += $pageSize) {
    $paths[] = '/WcfServiceLibraryVerial/GetImagenesArticulosWS?' . http_build_query($x + ['id_articulo' => 0, 'numpixelsladomenor' => 300, 'inicio' => $from, 'fin' => $from + $pageSize - 1]);
}
$rawSample = '';
$all = [];
foreach ($http->getMany($paths) as $body) {
    $rawSample = $rawSample !== '' ? $rawSample : substr($body, 0, 20000);
    $all[] = json_decode($body, true)['Imagenes'] ?? [];
}
$problems = compareImages(array_merge(...$all), $truth['articles'], 300);
unset($all);
$c->check('id_articulo=0 pages == truth for every image (hash, format, 300 px, corrupt kinds)', $problems === [], implode('; ', array_slice($problems, 0, 5)));
$c->check('JSON escapes "/" as "\/" (json_encode default, like WCF)', str_contains($rawSample, '\/'));

$entries = array_merge(...array_values($truth['articles']));
$kinds = array_count_values(array_filter(array_column($entries, 'corrupt')));
$c->check('every corrupt kind occurs', count($kinds) === 5, json_encode($kinds));
$formats = array_count_values(array_filter(array_column($entries, 'format')));
$c->check('JPEG ~80 %, PNG, GIF and WebP occur', count($formats) === 4 && $formats['jpeg'] / array_sum($formats) > 0.6, json_encode($formats));
$c->check('some Imagen has CRLF line breaks', in_array(true, array_column($entries, 'wrapped'), true));
$articlesOf = [];
$twice = 0;
foreach ($truth['articles'] as $id => $list) {
    foreach ($list as $entry) {
        $articlesOf[$entry['picture']][$id] = $entry['sha256'];
    }
    $pictures = array_column($list, 'picture');
    $twice += count($pictures) !== count(array_unique($pictures)) ? 1 : 0;
}
$shared = array_filter($articlesOf, static fn (array $a): bool => count($a) > 1);
$c->check('shared pictures occur in several articles with the same bytes',
    $shared !== [] && array_filter($shared, static fn (array $a): bool => count(array_unique($a)) !== 1) === []);
$c->check('some article has the same picture twice', $twice > 0);
$counts = array_map('count', $truth['articles']);
$c->check('image counts 0..48 with empty and big articles', min($counts) === 0 && max($counts) <= 48 && max($counts) >= 20);

// --- one article asked on its own, at other sizes
$busy = array_keys(array_filter($truth['articles'], static fn (array $l): bool => count($l) >= 3
    && array_filter($l, static fn (array $e): bool => $e['corrupt'] !== null) === []))[0] ?? null;
$one = $http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $busy, 'numpixelsladomenor' => 300])['Imagenes'] ?? [];
$c->check("id_articulo=$busy == truth", compareImages($one, [$busy => $truth['articles'][$busy]], 300) === []);
foreach ([0 => null, 150 => 150] as $size => $expectedSide) {
    $t = $http->mock('/__mock/truth', ['numpixelsladomenor' => $size, 'id_articulo' => $busy]);
    $got = $http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $busy, 'numpixelsladomenor' => $size])['Imagenes'] ?? [];
    $problems = compareImages($got, $t['articles'], $expectedSide);
    $same = array_column($t['articles'][$busy], 'picture') === array_column($truth['articles'][$busy], 'picture');
    $differ = array_intersect(array_column($t['articles'][$busy], 'sha256'), array_column($truth['articles'][$busy], 'sha256')) === [];
    $sides = array_map(static fn (array $e): int => min($e['width'], $e['height']), $t['articles'][$busy]);
    $sizeOk = $size === 0 ? min($sides) >= 600 && max($sides) <= 900 : $sides === array_fill(0, count($sides), 150);
    $c->check("numpixelsladomenor=$size: same pictures, other bytes, right size", $problems === [] && $same && $differ && $sizeOk,
        implode('; ', $problems) . json_encode($sides));
}

// --- stats
$http->post('/__mock/stats/reset');
$a = $http->get('/WcfServiceLibraryVerial/GetNumArticulosWS', $x);
$b = $http->get('/WcfServiceLibraryVerial/GetNumArticulosWS', $x);
$d = $http->get('/WcfServiceLibraryVerial/GetImagenesArticulosWS', $x + ['id_articulo' => $busy]);
$stats = $http->mock('/__mock/stats');
$c->check('stats count calls and bytes per method',
    ($stats['calls']['GetNumArticulosWS'] ?? 0) === 2 && ($stats['calls']['GetImagenesArticulosWS'] ?? 0) === 1
    && ($stats['bytes']['GetNumArticulosWS'] ?? 0) === strlen($a['body']) + strlen($b['body'])
    && ($stats['bytes']['GetImagenesArticulosWS'] ?? 0) === strlen($d['body']), json_encode($stats));

// --- faults at rate 1.0, one kind at a time
$normal = $http->get('/WcfServiceLibraryVerial/GetArticulosWS', $x + ['inicio' => 1, 'fin' => 20])['body'];
$faultChecks = [
    'http500' => static fn (array $r): bool => $r['status'] === 500 && str_starts_with($r['type'], 'text/html'),
    'info_error2' => static fn (array $r): bool => $r['status'] === 200 && (json_decode($r['body'], true)['InfoError']['Codigo'] ?? null) === 2,
    'truncated_json' => static fn (array $r): bool => $r['status'] === 200 && json_decode($r['body']) === null
        && $r['body'] === substr($normal, 0, intdiv(strlen($normal), 2)) && $r['length'] === strlen($r['body']),
    'drop' => static fn (array $r): bool => $r['error'] === CURLE_PARTIAL_FILE,
    'slow' => static fn (array $r): bool => $r['seconds'] >= 0.25 && $r['body'] === $normal,
];
$http->post('/__mock/stats/reset');
foreach ($faultChecks as $kind => $ok) {
    $http->post('/__mock/config', ['faults' => [$kind => 1.0], 'slow_ms' => 250]);
    $r = $http->get('/WcfServiceLibraryVerial/GetArticulosWS', $x + ['inicio' => 1, 'fin' => 20]);
    $c->check("fault $kind at rate 1.0", $ok($r), "status {$r['status']} error {$r['error']} " . substr($r['body'], 0, 80));
    $c->check("/__mock/ is exempt from $kind", $http->get('/__mock/health')['body'] === '{"ok":true}');
}
$http->post('/__mock/config', ['faults' => ['http500' => 0.5, 'slow' => 0.0]]);
$hits = 0;
for ($i = 0; $i < 40; $i++) {
    $hits += $http->get('/WcfServiceLibraryVerial/GetNumArticulosWS', $x)['status'] === 500 ? 1 : 0;
}
$c->check('fault rate 0.5 hits roughly half the calls', $hits >= 8 && $hits <= 32, "$hits of 40");
$faults = $http->mock('/__mock/stats')['faults'] ?? [];
$c->check('stats count faults per kind', count($faults) === 5 && ($faults['http500'] ?? 0) === 1 + $hits, json_encode($faults));
$http->post('/__mock/config', ['faults' => []]);

// --- hostile-input switches (off by default: the replies above are the faithful ones)
$ids = array_map('intval', array_keys($truth['articles']));
[$first, $second] = [$ids[0], $ids[1]];
$plain = $http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $first])['Imagenes'] ?? [];
$count = $http->api('GetNumArticulosWS', $x)['Numero'] ?? null;
$http->post('/__mock/config', [
    'extra_articles' => [['Id' => '../x'], ['Id' => -5]],
    'extra_images' => [(string) $first => ['data:image/png;base64,eA==']],
    'foreign_images' => [(string) $first => '../../etc'],
    'huge_image' => ['article' => $second, 'bytes' => 3 * 1024 * 1024],
]);
$hostile = $http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $first])['Imagenes'] ?? [];
$c->check('extra_images appends raw Imagen texts, foreign_images replaces ID_Articulo',
    count($hostile) === count($plain) + 1 && end($hostile)['Imagen'] === 'data:image/png;base64,eA=='
    && array_unique(array_column($hostile, 'ID_Articulo')) === ['../../etc']
    && array_column($hostile, 'Imagen') === [...array_column($plain, 'Imagen'), 'data:image/png;base64,eA==']);
$hugeReply = $http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $second])['Imagenes'] ?? [];
$huge = end($hugeReply) ?: ['ID_Articulo' => null, 'Imagen' => ''];
$decoded = base64_decode($huge['Imagen'], true);
$c->check('huge_image appends a JPEG-headed image of about that size', $huge['ID_Articulo'] === $second
    && is_string($decoded) && abs(strlen($decoded) - 3 * 1024 * 1024) < 3 && str_starts_with($decoded, "\xFF\xD8\xFF"));
$listed = $http->api('GetArticulosWS', $x)['Articulos'] ?? [];
$c->check('extra_articles are listed last and counted', array_slice(array_column($listed, 'Id'), -2) === ['../x', -5]
    && ($http->api('GetNumArticulosWS', $x)['Numero'] ?? null) === $count + 2);
$c->check('hostile switches leave the truth alone', $http->mock('/__mock/truth', ['numpixelsladomenor' => 300])['articles'] === $truth['articles']);
$http->post('/__mock/config', ['extra_articles' => [], 'extra_images' => [], 'foreign_images' => [], 'huge_image' => null]);
$c->check('hostile switches off: replies are faithful again',
    ($http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $first])['Imagenes'] ?? null) === $plain
    && ($http->api('GetNumArticulosWS', $x)['Numero'] ?? null) === $count);
$c->check('bad hostile switch is HTTP 400', $http->post('/__mock/config', ['huge_image' => ['article' => 'x']])['status'] === 400);

// --- mutations
$before = $truth['articles'][$busy];
$steps = [
    ['op' => 'replace', 'position' => 1],
    ['op' => 'add'],
    ['op' => 'remove', 'position' => 0],
    ['op' => 'reorder'],
];
$mutationOk = true;
foreach ($steps as $step) {
    $r = $http->post('/__mock/mutate', ['article' => (int) $busy] + $step);
    $t = $http->mock('/__mock/truth', ['id_articulo' => $busy]);
    $got = $http->api('GetImagenesArticulosWS', $x + ['id_articulo' => $busy])['Imagenes'] ?? [];
    $mutationOk = $c->check("mutate {$step['op']}: API == truth", $r['status'] === 200 && compareImages($got, $t['articles'], 300) === []) && $mutationOk;
}
$after = $t['articles'][$busy];
$c->check('mutations changed the list as asked',
    count($after) === count($before) && $after[0]['picture'] !== $before[0]['picture'] && str_starts_with($after[1]['picture'], 'm'),
    json_encode(array_column($after, 'picture')));
[$fecha, $hora] = explode(' ', $t['modified'][$busy]);
$recent = $http->api('GetArticulosWS', $x + ['fecha' => $fecha, 'hora' => $hora])['Articulos'] ?? [];
$c->check('a mutated article shows up in the fecha/hora filter', in_array((int) $busy, array_column($recent, 'Id'), true));
$c->check('bad mutation is HTTP 400', $http->post('/__mock/mutate', ['article' => (int) $busy, 'op' => 'remove', 'position' => 99])['status'] === 400);
$http->post('/__mock/mutate/reset');
$c->check('mutate/reset restores the base catalog', $http->mock('/__mock/truth', ['id_articulo' => $busy])['articles'][$busy] === $before);

// --- leave the mock as we found it
$http->post('/__mock/config', array_intersect_key($originalConfig, array_flip(['faults', 'slow_ms', 'latency_ms', 'session'])));
$http->post('/__mock/stats/reset');

printf("%d passed, %d failed (%.1f s)\n", $c->passed, $c->failed, microtime(true) - $started);
exit($c->failed === 0 ? 0 : 1);
