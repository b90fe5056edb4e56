<?php

declare(strict_types=1);

namespace VerialMock;

/**
 * An HTTP response kept as a list of body chunks: a GetImagenesArticulosWS reply can be tens of
 * MB, and chunks avoid a second full copy while still knowing the exact Content-Length.
 */
final class Reply
{
    public const JSON = 'application/json; charset=utf-8';

    /** @param list<string> $chunks */
    private function __construct(
        public readonly int $status,
        public readonly string $contentType,
        public readonly array $chunks,
    ) {
    }

    /** Verial's own replies: json_encode default flags, so "/" goes out as "\/" like WCF does. */
    public static function verial(array $data): self
    {
        return new self(200, self::JSON, [json_encode($data, JSON_THROW_ON_ERROR)]);
    }

    /** @param list<string> $chunks pieces of one JSON document, already encoded */
    public static function verialChunks(array $chunks): self
    {
        return new self(200, self::JSON, $chunks);
    }

    public static function infoError(int $code, string $description): self
    {
        return self::verial(['InfoError' => ['Codigo' => $code, 'Descripcion' => $description]]);
    }

    /** Replies of the /__mock/ endpoints (readable slashes, not Verial's format). */
    public static function mock(mixed $data, int $status = 200): self
    {
        return new self($status, self::JSON, [json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR)]);
    }

    public static function html(int $status, string $html): self
    {
        return new self($status, 'text/html; charset=utf-8', [$html]);
    }

    public function length(): int
    {
        return array_sum(array_map('strlen', $this->chunks));
    }

    /** The first half of the body, with a Content-Length that matches the cut body. */
    public function truncatedHalf(): self
    {
        $body = implode('', $this->chunks);

        return new self($this->status, $this->contentType, [substr($body, 0, intdiv(strlen($body), 2))]);
    }

    /** @return int bytes sent */
    public function send(): int
    {
        $this->sendHeaders($this->length());
        foreach ($this->chunks as $chunk) {
            echo $chunk;
        }

        return $this->length();
    }

    /**
     * Announces the full length but sends only half, then ends the process's handling of the
     * request: the built-in server closes the connection, so the client sees it dropped.
     *
     * @return int bytes sent
     */
    public function sendDropped(): int
    {
        $body = implode('', $this->chunks);
        $half = substr($body, 0, intdiv(strlen($body), 2));
        $this->sendHeaders(strlen($body));
        echo $half;
        flush();

        return strlen($half);
    }

    private function sendHeaders(int $length): void
    {
        http_response_code($this->status);
        header('Content-Type: ' . $this->contentType);
        header('Content-Length: ' . $length);
        header('Cache-Control: private');
    }
}
