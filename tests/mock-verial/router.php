<?php

declare(strict_types=1);

/*
 * Router for PHP's built-in server: a mock of the Verial ERP web API plus /__mock/ control
 * endpoints. Start with start.sh, or:
 *   VERIAL_MOCK_STATE=/tmp/vm PHP_CLI_SERVER_WORKERS=4 php -S 127.0.0.1:8080 tests/mock-verial/router.php
 */

use VerialMock\Api;
use VerialMock\Catalog;
use VerialMock\Config;
use VerialMock\Control;
use VerialMock\Faults;
use VerialMock\ImageStore;
use VerialMock\Payloads;
use VerialMock\Reply;
use VerialMock\State;
use VerialMock\Stats;

require __DIR__ . '/src/autoload.php';

const API_PREFIX = '/WcfServiceLibraryVerial/';

/** Answers one Verial API call, with latency and the configured faults. */
function serveApi(State $state, string $method): void
{
    $config = Config::load($state);
    $stats = Stats::in($state);
    $callNumber = $stats->countCall($method);
    usleep($config->latencyMs() * 1000);
    $fault = Faults::decide($config, $callNumber);
    $reply = match ($fault) {
        'http500' => Reply::html(500, "<!DOCTYPE html>\r\n<html><head><title>Request Error</title></head>"
            . "<body><h1>Server Error in '/WcfServiceLibraryVerial' Application.</h1></body></html>\r\n"),
        'info_error2' => Reply::infoError(2, 'Error SQL'),
        default => null,
    };
    if ($reply === null) {
        if ($fault === 'slow') {
            usleep($config->slowMs() * 1000);
        }
        $catalog = Catalog::load($config, $state);
        $payloads = new Payloads($config->seed(), new ImageStore($state->cacheDir, $config->seed()));
        $reply = (new Api($config, $catalog, $payloads))->handle($method, $_GET);
        if ($fault === 'truncated_json') {
            $reply = $reply->truncatedHalf();
        }
    }
    if ($fault === 'drop') {
        $stats->countReply($method, $reply->sendDropped(), $fault);
        exit; // the built-in server now closes the connection short of Content-Length
    }
    $stats->countReply($method, $reply->length(), $fault);
    $reply->send();
}

// Rendering a whole catalog at original size for one id_articulo=0 call takes longer than
// the default 30 s limit, which the built-in server enforces.
set_time_limit(0);

try {
    $state = State::fromEnvironment();
    date_default_timezone_set(Config::load($state)->timezone()->getName());
    $verb = $_SERVER['REQUEST_METHOD'] ?? 'GET';
    $path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);

    if (str_starts_with($path, '/__mock/')) {
        (new Control($state))->handle($verb, $path, $_GET, (string) file_get_contents('php://input'))->send();
    } elseif (str_starts_with($path, API_PREFIX) && in_array(substr($path, strlen(API_PREFIX)), Api::METHODS, true)) {
        if ($verb !== 'GET') {
            Reply::html(405, "<html><body><h1>Method not allowed</h1></body></html>\r\n")->send();
        } else {
            serveApi($state, substr($path, strlen(API_PREFIX)));
        }
    } else {
        // What WCF answers for an unknown operation.
        Reply::html(404, "<html><body><h1>Endpoint not found.</h1></body></html>\r\n")->send();
    }
} catch (Throwable $e) {
    error_log('verial-mock: ' . $e);
    if (!headers_sent()) {
        Reply::mock(['error' => get_class($e) . ': ' . $e->getMessage()], 500)->send();
    }
}
