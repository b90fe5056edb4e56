<?php

declare(strict_types=1);

namespace VerialMock;

/** An error Verial reports in InfoError (with HTTP 200), e.g. 1 session, 10 missing data, 22 date format. */
final class ApiError extends \RuntimeException
{
    public static function session(): self
    {
        return new self('Error de sesión', 1);
    }

    public static function missing(string $name): self
    {
        return new self("Falta el dato obligatorio $name", 10);
    }

    public static function wrong(string $name): self
    {
        return new self("Dato incorrecto: $name", 11);
    }

    public static function dateFormat(): self
    {
        return new self('Formato de fecha incorrecto', 22);
    }
}
