<?php
/**
 * Reads and resets what the plugin leaves in WordPress.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Plugin;
use VerialImageSync\Services;
use VerialImageSync\Store\Tables;

/**
 * Site-level facts for the assertions: image rows, attachments, files, the lock.
 */
final class SiteState {

	/**
	 * Back to a site with no imported media and empty plugin tables.
	 */
	public static function reset(): void {
		global $wpdb;
		$wpdb->query( "DELETE m FROM {$wpdb->postmeta} m JOIN {$wpdb->posts} p ON p.ID = m.post_id WHERE p.post_type = 'attachment'" );
		$wpdb->query( "DELETE FROM {$wpdb->posts} WHERE post_type = 'attachment'" );
		foreach ( Tables::all() as $table ) {
			$wpdb->query( "TRUNCATE TABLE {$table}" );
		}
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s", Services::LOCK_OPTION ) );
		_set_cron_array( array() );
		wp_cache_flush();
		self::remove_tree( wp_get_upload_dir()['basedir'] );
		Plugin::reset_services();
	}

	/**
	 * Canonical, codec- and run-independent summary of the imported state: one line per image
	 * row, per attachment and per file, then the error list of the given run.
	 *
	 * @return list<string>
	 */
	public static function canonical( ?int $run_id = null ): array {
		global $wpdb;
		$images = Tables::images();
		$lines  = array();
		$rows   = $wpdb->get_results(
			"SELECT i.article_id, i.position, i.sha256, i.legacy_md5, i.mime, i.width, i.height, i.bytes, f.meta_value AS file
			FROM {$images} i LEFT JOIN {$wpdb->postmeta} f ON f.post_id = i.attachment_id AND f.meta_key = '_wp_attached_file'
			ORDER BY i.article_id, i.position",
			ARRAY_A
		);
		foreach ( $rows as $row ) {
			$lines[] = sprintf( 'image %d %d %s %s %s %dx%d %d %s', $row['article_id'], $row['position'], $row['sha256'], $row['legacy_md5'], $row['mime'], $row['width'], $row['height'], $row['bytes'], basename( (string) $row['file'] ) );
		}
		foreach ( self::attachments() as $attachment ) {
			$lines[] = sprintf( 'attachment %s %s articles=%s order=%s hash=%s', basename( $attachment['file'] ), $attachment['mime'], implode( ',', $attachment['articles'] ), $attachment['order'], $attachment['hash'] );
		}
		$files = array_map( 'basename', self::upload_files() );
		sort( $files );
		foreach ( $files as $file ) {
			$lines[] = 'file ' . $file;
		}
		if ( null !== $run_id ) {
			foreach ( Plugin::services()->errors->for_run( $run_id, 100000 ) as $error ) {
				$lines[] = sprintf( 'error %d %s %s', $error['article_id'], $error['position'] ?? '-', $error['kind'] );
			}
		}
		return $lines;
	}

	/**
	 * Every attachment with the existing plugin's meta, ordered by file name.
	 *
	 * @return list<array{id: int, file: string, mime: string, articles: list<int>, order: string, hash: string}>
	 */
	public static function attachments(): array {
		global $wpdb;
		$posts = $wpdb->get_results( "SELECT ID, post_mime_type FROM {$wpdb->posts} WHERE post_type = 'attachment' ORDER BY ID", ARRAY_A );
		$ids   = array_map( 'intval', array_column( $posts, 'ID' ) );
		update_meta_cache( 'post', $ids );
		$out = array();
		foreach ( $posts as $post ) {
			$id    = (int) $post['ID'];
			$out[] = array(
				'id'       => $id,
				'file'     => (string) get_post_meta( $id, '_wp_attached_file', true ),
				'mime'     => $post['post_mime_type'],
				'articles' => array_map( 'intval', get_post_meta( $id, '_verial_article_id' ) ),
				'order'    => (string) get_post_meta( $id, '_verial_image_order', true ),
				'hash'     => (string) get_post_meta( $id, '_verial_image_hash', true ),
			);
		}
		usort( $out, static fn( array $a, array $b ): int => strcmp( $a['file'], $b['file'] ) );
		return $out;
	}

	/**
	 * Absolute paths of every file under the uploads directory (hidden ones included).
	 *
	 * @return list<string>
	 */
	public static function upload_files(): array {
		$base = wp_get_upload_dir()['basedir'];
		if ( ! is_dir( $base ) ) {
			return array();
		}
		$files = array();
		$walk  = new \RecursiveIteratorIterator( new \RecursiveDirectoryIterator( $base, \FilesystemIterator::SKIP_DOTS ) );
		foreach ( $walk as $file ) {
			if ( $file->isFile() ) {
				$files[] = $file->getPathname();
			}
		}
		sort( $files );
		return $files;
	}

	/**
	 * Files the media library references: attached files and their generated sizes.
	 *
	 * @return list<string> Absolute paths.
	 */
	public static function referenced_files(): array {
		$base  = wp_get_upload_dir()['basedir'];
		$files = array();
		foreach ( self::attachments() as $attachment ) {
			$file    = $base . '/' . $attachment['file'];
			$files[] = $file;
			$meta    = wp_get_attachment_metadata( $attachment['id'] );
			foreach ( (array) ( $meta['sizes'] ?? array() ) as $size ) {
				$files[] = dirname( $file ) . '/' . $size['file'];
			}
		}
		$files = array_values( array_unique( $files ) );
		sort( $files );
		return $files;
	}

	/**
	 * The worker lock row, if any.
	 */
	public static function lock_value(): ?string {
		global $wpdb;
		$value = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", Services::LOCK_OPTION ) );
		return null === $value ? null : (string) $value;
	}

	private static function remove_tree( string $dir ): void {
		if ( ! is_dir( $dir ) ) {
			return;
		}
		$walk = new \RecursiveIteratorIterator( new \RecursiveDirectoryIterator( $dir, \FilesystemIterator::SKIP_DOTS ), \RecursiveIteratorIterator::CHILD_FIRST );
		foreach ( $walk as $entry ) {
			$entry->isDir() ? rmdir( $entry->getPathname() ) : unlink( $entry->getPathname() );
		}
		rmdir( $dir );
	}
}
