<?php
/**
 * The deferred thumbnail job: chunks made natively and recorded with a few queries, the same
 * rows and hooks as WordPress's own metadata update, and WordPress's filters honoured.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Media\AttachmentMetadataBatch;
use VerialImageSync\Media\ThumbnailQueue;
use VerialImageSync\Plugin;
use VerialImageSync\Sync\TimeBox;

final class ThumbnailQueueTest extends E2eTestCase {

	/**
	 * Imports a small catalog with thumbnails deferred.
	 *
	 * @return list<int> The attachments waiting for their sizes.
	 */
	private function import_pending( int $articles = 12 ): array {
		$this->fresh_site( $articles );
		$this->configure( array( 'generate_thumbnails' => true ) );
		$this->run_foreground();
		$ids = array_map( static fn( array $a ): int => (int) $a['id'], SiteState::attachments() );
		$this->assertSame( count( $ids ), Plugin::services()->thumbnails->count_pending() );
		return $ids;
	}

	/**
	 * Runs the job to the end; returns [engine per attachment, queries made].
	 *
	 * @return array{array<int, string>, int}
	 */
	private function drain(): array {
		$engines = array();
		$queries = 0;
		$this->hook(
			'verial_image_sync_sizes_made',
			static function ( $attachment_id, $engine ) use ( &$engines ): void {
				$engines[ (int) $attachment_id ] = $engine;
			},
			10,
			2
		);
		$this->hook(
			'query',
			static function ( $sql ) use ( &$queries ) {
				++$queries;
				return $sql;
			}
		);
		while ( Plugin::services()->thumbnails->count_pending() > 0 ) {
			Plugin::services()->thumbnails->run( new TimeBox( 60, 0.95 ) );
		}
		return array( $engines, $queries );
	}

	/**
	 * Every picture gets WordPress's sizes: with the extension all of them natively (JPEG, PNG,
	 * GIF and WebP), a chunk of up to 40 pictures costing a handful of queries instead of about
	 * seven per picture; the files on disk are what the metadata says.
	 */
	public function test_a_chunk_is_made_natively_with_a_few_queries(): void {
		$ids = $this->import_pending();
		list( $engines, $queries ) = $this->drain();

		$this->assertSame( 0, Plugin::services()->thumbnails->count_pending() );
		$this->assertEqualsCanonicalizing( $ids, array_keys( $engines ) );
		$mimes = array();
		foreach ( $ids as $id ) {
			$mime           = get_post_mime_type( $id );
			$mimes[ $mime ] = true;
			$meta           = wp_get_attachment_metadata( $id );
			$this->assertArrayHasKey( 'thumbnail', $meta['sizes'], "attachment $id ($mime)" );
			$dir = dirname( get_attached_file( $id ) );
			foreach ( $meta['sizes'] as $name => $size ) {
				$on_disk = getimagesize( "$dir/{$size['file']}" );
				$this->assertSame( array( $size['width'], $size['height'], $size['mime-type'], $mime ), array( $on_disk[0], $on_disk[1], $on_disk['mime'], $size['mime-type'] ), "size $name of attachment $id" );
				$this->assertSame( filesize( "$dir/{$size['file']}" ), $size['filesize'] );
			}
		}
		$mimes = array_keys( $mimes );
		sort( $mimes );
		$this->assertSame( array( 'image/gif', 'image/jpeg', 'image/png', 'image/webp' ), $mimes, 'the catalog holds every format' );
		if ( ! extension_loaded( 'verial_images' ) ) {
			$this->assertSame( array( 'wordpress' ), array_values( array_unique( $engines ) ) );
			return;
		}
		$this->assertSame( array( 'native' ), array_values( array_unique( $engines ) ), 'engines: ' . json_encode( array_count_values( $engines ) ) );
		$chunks = (int) ceil( count( $ids ) / 40 );
		// Per chunk: flags, posts, meta, meta ids, UPDATE, DELETE; then the final count and the empty chunk.
		$this->assertLessThanOrEqual( 6 * $chunks + 4, $queries, sprintf( '%d queries for %d pictures', $queries, count( $ids ) ) );
		$this->assert_no_leftovers();
	}

	/**
	 * WordPress's filters decide as they do for its own editor: sizes removed by
	 * `intermediate_image_sizes_advanced` are not made, the quality of `wp_editor_set_quality`
	 * and `jpeg_quality` is used, and a format mapped to another by `image_editor_output_format`
	 * is left to WordPress's editor (which writes the mapped format).
	 */
	public function test_wordpress_filters_are_honoured(): void {
		$ids = $this->import_pending();
		$this->hook(
			'intermediate_image_sizes_advanced',
			static function ( array $sizes ): array {
				unset( $sizes['medium'] );
				return $sizes;
			}
		);
		$this->hook( 'jpeg_quality', static fn(): int => 20 );
		$this->hook( 'image_editor_output_format', static fn( $map ): array => array( 'image/png' => 'image/jpeg' ) + (array) $map );
		list( $engines ) = $this->drain();

		$native     = extension_loaded( 'verial_images' );
		$thumbnails = array();
		foreach ( $ids as $id ) {
			$mime = get_post_mime_type( $id );
			$meta = wp_get_attachment_metadata( $id );
			$this->assertArrayNotHasKey( 'medium', $meta['sizes'], "attachment $id ($mime)" );
			if ( 'image/png' === $mime ) {
				$this->assertSame( 'wordpress', $engines[ $id ], 'a PNG mapped to JPEG was made natively' );
				$this->assertSame( 'image/jpeg', $meta['sizes']['thumbnail']['mime-type'] );
				continue;
			}
			$this->assertSame( $native ? 'native' : 'wordpress', $engines[ $id ], "attachment $id ($mime)" );
			if ( 'image/jpeg' === $mime ) {
				$thumbnails[ $id ] = $meta['sizes']['thumbnail']['filesize'];
			}
		}
		// The same thumbnails again at WordPress's default quality, 82: every one is bigger.
		$this->remove_hook( 'jpeg_quality' );
		foreach ( array_keys( $thumbnails ) as $id ) {
			add_post_meta( $id, ThumbnailQueue::PENDING_META, 1 );
		}
		$this->drain();
		foreach ( $thumbnails as $id => $at_20 ) {
			$at_82 = wp_get_attachment_metadata( $id )['sizes']['thumbnail']['filesize'];
			$this->assertLessThan( $at_82, $at_20, "attachment $id: jpeg_quality 20 was not used" );
		}
	}

	/**
	 * AttachmentMetadataBatch writes the same row, fires the same hooks with the same meta ids
	 * and applies the `wp_update_attachment_metadata` filter once, as wp_update_attachment_metadata()
	 * does, attachment by attachment: a changed value, an unchanged one (no write, no hook), one
	 * short-circuited by `update_post_metadata`, one emptied by the filter (row deleted) and one
	 * without a metadata row (row added); slashes in values survive as WordPress keeps them.
	 */
	public function test_metadata_batch_writes_what_wordpress_writes(): void {
		global $wpdb;
		$ids = array_slice( $this->import_pending( 4 ), 0, 6 );
		$this->assertCount( 6, $ids );
		list( $changed, $same, $shorted, $emptied, $rowless, $also_changed ) = $ids;
		delete_post_meta( $rowless, '_wp_attachment_metadata' );

		$new = array();
		foreach ( $ids as $id ) {
			$meta               = (array) wp_get_attachment_metadata( $id );
			$meta['sizes']      = array(
				'thumbnail' => array(
					'file'      => "x-$id-150x150.jpg",
					'width'     => 150,
					'height'    => 150,
					'mime-type' => 'image/jpeg',
					'filesize'  => 1234,
				),
			);
			$meta['image_meta'] = array( 'caption' => 'back\\slash "quoted"' );
			$new[ $id ]         = $meta;
		}
		$new[ $same ] = wp_get_attachment_metadata( $same );

		$log = array();
		foreach ( array( 'update_post_meta', 'updated_post_meta', 'update_postmeta', 'updated_postmeta', 'added_post_meta', 'deleted_post_meta' ) as $action ) {
			$this->hook(
				$action,
				static function ( $meta_id, $object_id, $key, $value ) use ( &$log, $action ): void {
					if ( is_array( $meta_id ) ) {
						$meta_id = 'ids';  // deleted_post_meta passes the deleted ids.
					}
					$log[] = array( $action, '_wp_attachment_metadata' === $key ? $meta_id : 'other', (int) $object_id, $key, $value );
				},
				10,
				4
			);
		}
		$filtered = array();
		$this->hook(
			'wp_update_attachment_metadata',
			static function ( $data, $id ) use ( &$filtered, $emptied ) {
				$filtered[] = (int) $id;
				return $emptied === (int) $id ? array() : $data + array( 'by_filter' => 1 );
			},
			10,
			2
		);
		$this->hook( 'update_post_metadata', static fn( $check, $id, $key ) => $shorted === (int) $id && '_wp_attachment_metadata' === $key ? true : $check, 10, 3 );

		$rows = static function () use ( $wpdb, $ids ): array {
			return $wpdb->get_results( "SELECT post_id, meta_id, meta_value FROM {$wpdb->postmeta} WHERE meta_key = '_wp_attachment_metadata' AND post_id IN (" . implode( ',', $ids ) . ') ORDER BY post_id, meta_id', ARRAY_A );
		};
		$before = $rows();
		$restore = static function () use ( $wpdb, $ids, $before ): void {
			$wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE meta_key = '_wp_attachment_metadata' AND post_id IN (" . implode( ',', $ids ) . ')' );
			foreach ( $before as $row ) {
				$wpdb->insert(
					$wpdb->postmeta,
					array(
						'meta_id'    => $row['meta_id'],
						'post_id'    => $row['post_id'],
						'meta_key'   => '_wp_attachment_metadata',
						'meta_value' => $row['meta_value'],
					)
				);
			}
			foreach ( $ids as $id ) {
				wp_cache_delete( $id, 'post_meta' );
			}
		};

		foreach ( $ids as $id ) {
			wp_update_attachment_metadata( $id, $new[ $id ] );
		}
		$wordpress = array( $rows(), $log, $filtered );

		$restore();
		$log      = array();
		$filtered = array();
		update_meta_cache( 'post', $ids );
		( new AttachmentMetadataBatch() )->write( $new );
		$ours = array( $rows(), $log, $filtered );

		// A row WordPress inserts gets a new meta id: compare the inserted row by content. The
		// batch fires each attachment's hooks in WordPress's order, but the "update" hooks of
		// the whole chunk come before its one UPDATE: compare them attachment by attachment.
		$strip = static function ( array $state ) use ( $rowless ): array {
			$by_attachment = array();
			foreach ( $state[1] as $entry ) {
				$by_attachment[ $entry[2] ][] = $entry;
			}
			ksort( $by_attachment );
			$state[1] = $by_attachment;
			foreach ( $state[0] as &$row ) {
				if ( (int) $row['post_id'] === $rowless ) {
					$row['meta_id'] = 'new';
				}
			}
			foreach ( $state[1][ $rowless ] as &$entry ) {
				if ( 'added_post_meta' === $entry[0] ) {
					$entry[1] = 'new';
				}
			}
			return $state;
		};
		$this->assertSame( $strip( $wordpress ), $strip( $ours ) );
		// update_post_meta() expects slashed data: the backslash goes, both ways.
		$this->assertSame( 'backslash "quoted"', wp_get_attachment_metadata( $changed )['image_meta']['caption'] );
		$this->assertSame( 1, wp_get_attachment_metadata( $also_changed )['by_filter'] );
		$this->assertSame( '', get_post_meta( $emptied, '_wp_attachment_metadata', true ) );
		$this->assertSame( 1, wp_get_attachment_metadata( $rowless )['by_filter'] );
		$this->assertContains( array( 'updated_post_meta' ), array_map( static fn( $e ) => array( $e[0] ), $ours[1] ) );
	}
}
