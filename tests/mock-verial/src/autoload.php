<?php

declare(strict_types=1);

// Tiny PSR-4 style loader: VerialMock\Foo lives in src/Foo.php. No Composer needed to run the mock.
spl_autoload_register(static function (string $class): void {
    $prefix = 'VerialMock\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . substr($class, strlen($prefix)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
