<?php
/**
 * Boots the test WordPress for a CLI child process (tests/wp/bin/*.php): WordPress expects a
 * request's host and URI even from the command line.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

$_SERVER['HTTP_HOST']   = 'localhost';
$_SERVER['SERVER_NAME'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/';

require getenv( 'VIS_WP_DIR' ) . '/wp-load.php';
