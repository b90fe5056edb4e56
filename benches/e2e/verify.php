<?php
/**
 * Checks what a contender stored (called by run.sh after the import, in its own process so the
 * truth's memory is not charged to the import). Prints one JSON object:
 *
 * - attachments: attachment posts in the (fresh) database;
 * - corrupt_stored: attachments whose file is missing, fails getimagesize, or whose SHA-256 is
 *   not the SHA-256 of any valid image the mock sent (the mock's truth);
 * - with_sizes: attachments whose metadata lists intermediate sizes (thumbnails made);
 * - truth_images / truth_valid: images the API sent for the catalog, and how many were valid.
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

require __DIR__ . '/lib/common.php';
\VisBench\require_env();
require \VisBench\WORDPRESS_LOADER;

global $wpdb;

$valid       = array();
$images      = 0;
$valid_count = 0;
foreach ( \VisBench\truth() as $list ) {
	foreach ( $list as $image ) {
		++$images;
		if ( null !== $image['sha256'] && empty( $image['corrupt'] ) ) {
			$valid[ $image['sha256'] ] = true;
			++$valid_count;
		}
	}
}

$ids      = array_map( 'intval', $wpdb->get_col( "SELECT ID FROM {$wpdb->posts} WHERE post_type = 'attachment'" ) );
$corrupt  = 0;
$examples = array();
$sizes    = 0;
$bytes    = 0;
foreach ( $ids as $id ) {
	$file = (string) get_attached_file( $id );
	$ok   = '' !== $file && is_file( $file ) && false !== @getimagesize( $file ) && isset( $valid[ hash_file( 'sha256', $file ) ] );
	if ( ! $ok ) {
		++$corrupt;
		if ( count( $examples ) < 5 ) {
			$examples[] = array(
				'attachment' => $id,
				'article'    => (int) get_post_meta( $id, '_verial_article_id', true ),
				'order'      => (int) get_post_meta( $id, '_verial_image_order', true ),
			);
		}
	}
	$bytes += is_file( $file ) ? (int) filesize( $file ) : 0;
	$meta   = wp_get_attachment_metadata( $id );
	if ( is_array( $meta ) && ! empty( $meta['sizes'] ) ) {
		++$sizes;
	}
	wp_cache_delete( $id, 'posts' );
	wp_cache_delete( $id, 'post_meta' );
}

require_once ABSPATH . WPINC . '/class-wp-image-editor.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-gd.php';
require_once ABSPATH . WPINC . '/class-wp-image-editor-imagick.php';
$editor = _wp_image_editor_choose( array( 'mime_type' => 'image/jpeg' ) );

\VisBench\emit(
	array(
		'image_editor'     => $editor ? ( 'WP_Image_Editor_Imagick' === $editor && class_exists( 'Imagick' ) ? preg_replace( '/^ImageMagick (\S+).*$/', 'Imagick (ImageMagick $1)', \Imagick::getVersion()['versionString'] ) : $editor ) : 'none',
		'attachments'      => count( $ids ),
		'corrupt_stored'   => $corrupt,
		'corrupt_examples' => $examples,
		'with_sizes'       => $sizes,
		'stored_bytes'     => $bytes,
		'truth_images'     => $images,
		'truth_valid'      => $valid_count,
		'truth_distinct'   => count( $valid ),
	)
);
