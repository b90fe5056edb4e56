<?php
/**
 * Phase 2 lookup: the attachments of N products' articles, in a fresh process (cold caches, as
 * in a product-sync request). Prints one JSON object.
 *
 *   php lookup.php seed|ours <file with one article id per line>
 *
 * seed: SeedBaseline::attachments_of_article() per product (get_posts meta query + one
 *       get_post_meta per attachment to sort), as the seed's MapProduct does.
 * ours: verial_image_sync_images_for_articles( $ids ): one SELECT on the plugin's table +
 *       \VerialImages\Native\ArticleIndex::fromRows().
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;
require __DIR__ . '/lib/SeedBaseline.php';

use VisBench\QueryCounter;

$mode = $argv[1] ?? '';
$ids  = array_values( array_filter( array_map( 'intval', file( (string) ( $argv[2] ?? '' ), FILE_IGNORE_NEW_LINES ) ?: array() ) ) );
if ( ! in_array( $mode, array( 'seed', 'ours' ), true ) || ! $ids ) {
	fwrite( STDERR, "usage: php lookup.php seed|ours <ids file>\n" );
	exit( 2 );
}

QueryCounter::start();
$method  = '';
$started = microtime( true );
if ( 'seed' === $mode ) {
	$method = 'get_posts + get_post_meta per product';
	$found  = array();
	foreach ( $ids as $id ) {
		$found[ $id ] = \VisBench\SeedBaseline::attachments_of_article( $id );
	}
} else {
	$method = 'verial_image_sync_images_for_articles()';
	$found  = verial_image_sync_images_for_articles( $ids );
}
$seconds = microtime( true ) - $started;

$attachments = 0;
$with_images = 0;
foreach ( (array) $found as $list ) {
	$attachments += count( (array) $list );
	$with_images += $list ? 1 : 0;
}
\VisBench\emit(
	array(
		'mode'        => $mode,
		'method'      => $method,
		'codec'       => class_exists( '\VerialImageSync\Codec' ) ? \VerialImageSync\Codec::engine() : null,
		'products'    => count( $ids ),
		'seconds'     => $seconds,
		'queries'     => QueryCounter::$count,
		'with_images' => $with_images,
		'attachments' => $attachments,
	)
);
