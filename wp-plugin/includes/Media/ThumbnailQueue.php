<?php
/**
 * Deferred generation of intermediate image sizes.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

use VerialImageSync\Driver\BackgroundDriver;
use VerialImageSync\Store\Transaction;
use VerialImageSync\Sync\TimeBox;

/**
 * The import writes attachments without intermediate sizes (resizing is the slowest step by far);
 * this background job generates them afterwards, so the shop still gets its thumbnails.
 *
 * New attachments are marked with a postmeta flag inside the same transaction that creates them,
 * so the queue survives crashes and needs no list of ids in a cron option (which would be
 * rewritten whole for every attachment). One job drains the flags, time-boxed, and reschedules
 * itself while some remain.
 */
final class ThumbnailQueue {

	public const HOOK         = 'verial_image_sync_generate_thumbnails';
	public const PENDING_META = '_verial_thumbnails_pending';

	/**
	 * Attachments per chunk: one query for their flags, two to load their posts and meta, one
	 * native call that makes their sizes in parallel, one UPDATE and one DELETE to record them.
	 */
	private const CHUNK = 40;

	/**
	 * @param BackgroundDriver        $driver   Schedules the job.
	 * @param AttachmentMetadataBatch $metadata Writes the chunk's metadata.
	 */
	public function __construct( private BackgroundDriver $driver, private AttachmentMetadataBatch $metadata ) {
	}

	/**
	 * Makes sure the job will run (no-op when already scheduled).
	 */
	public function schedule(): void {
		$this->driver->schedule( self::HOOK );
	}

	/**
	 * Generates sizes for flagged attachments until done or out of time, a chunk at a time.
	 *
	 * @param TimeBox $time_box Budget of this request.
	 * @return int How many attachments were processed.
	 */
	public function run( TimeBox $time_box ): int {
		require_once ABSPATH . 'wp-admin/includes/image.php';
		$done = 0;
		while ( ! $time_box->expired() ) {
			$flags = $this->pending( self::CHUNK );
			if ( ! $flags ) {
				return $done;
			}
			$done += $this->generate( $flags, $time_box );
		}
		if ( $this->pending( 1 ) ) {
			$this->driver->schedule( self::HOOK, true );
		}
		return $done;
	}

	/**
	 * How many attachments wait for their sizes.
	 */
	public function count_pending(): int {
		global $wpdb;
		return (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE meta_key = %s", self::PENDING_META ) );
	}

	/**
	 * @return array<int, int> The oldest flags: meta id => attachment id.
	 */
	private function pending( int $limit ): array {
		global $wpdb;
		$flags = array();
		foreach ( $wpdb->get_results( $wpdb->prepare( "SELECT meta_id, post_id FROM {$wpdb->postmeta} WHERE meta_key = %s ORDER BY meta_id LIMIT %d", self::PENDING_META, $limit ), ARRAY_N ) as $row ) {
			$flags[ (int) $row[0] ] = (int) $row[1];
		}
		return $flags;
	}

	/**
	 * Generates the sizes of a chunk of attachments: the native ones together (in parallel, one
	 * metadata UPDATE for all), the others one by one with WordPress's editor until the time is
	 * up (the rest stay flagged for the next run). The flags of the done ones are removed with
	 * one DELETE, also for attachments whose file is gone, so that a broken attachment cannot
	 * block the queue.
	 *
	 * @param array<int, int> $flags    Flags: meta id => attachment id.
	 * @param TimeBox         $time_box Budget of this request.
	 * @return int How many were done.
	 */
	private function generate( array $flags, TimeBox $time_box ): int {
		global $wpdb;
		$ids = array_values( array_unique( $flags ) );
		// Two queries for the whole chunk instead of a post and a meta query per attachment.
		_prime_post_caches( $ids, false, true );
		$files = array();
		foreach ( $ids as $attachment_id ) {
			$file = get_attached_file( $attachment_id );
			if ( $file && is_file( $file ) ) {
				$files[ $attachment_id ] = $file;
			}
		}
		$native  = $this->native_metadata( $files );
		$engines = array();
		foreach ( $files as $attachment_id => $file ) {
			if ( isset( $native[ $attachment_id ] ) ) {
				$engines[ $attachment_id ] = 'native';
				continue;
			}
			if ( $engines && $time_box->expired() ) {
				continue; // At least one per call, so that every call moves the queue on.
			}
			$metadata = wp_generate_attachment_metadata( $attachment_id, $file );
			if ( $metadata ) {
				wp_update_attachment_metadata( $attachment_id, $metadata );
			}
			$engines[ $attachment_id ] = 'wordpress';
		}
		$this->metadata->write( $native );
		$done = array_merge( array_diff( $ids, array_keys( $files ) ), array_keys( $engines ) );
		// By meta id, the primary key: by meta_key and post_id InnoDB also locked the index range,
		// and the DELETE deadlocked with an import inserting rows in its open transaction.
		$done_flags = implode( ', ', array_map( 'intval', array_keys( array_intersect( $flags, $done ) ) ) );
		if ( '' !== $done_flags ) {
			Transaction::retrying(
				// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and integers.
				fn() => $wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE meta_id IN ($done_flags)" ),
				'removing the thumbnail flags'
			);
		}
		foreach ( $done as $attachment_id ) {
			wp_cache_delete( $attachment_id, 'post_meta' );
		}
		foreach ( $engines as $attachment_id => $engine ) {
			/**
			 * Fires after an imported attachment got its intermediate sizes.
			 *
			 * @param int    $attachment_id Attachment id.
			 * @param string $engine        "native" (the extension) or "wordpress" (its image editor).
			 */
			do_action( 'verial_image_sync_sizes_made', $attachment_id, $engine );
		}
		return count( $done );
	}

	/**
	 * The extension makes the registered sizes of JPEG, PNG, GIF and WebP originals 6-60x faster
	 * than WordPress's Imagick editor (docs/benchmarks.md), with the same files, names and
	 * metadata, a chunk of files in parallel. WordPress's own path stays for what it does before
	 * the sizes (EXIF rotation, the big-image "-scaled" copy), for output formats changed by
	 * `image_editor_output_format`, for files the native path refuses (CMYK JPEG, animated
	 * originals it cannot flatten the way ImageMagick does) and when the extension is not loaded.
	 *
	 * @param array<int, string> $files Attachment id => its file.
	 * @return array<int, array<string, mixed>> Attachment id => metadata with its sizes, for those
	 *                                          made natively; the others are WordPress's to make.
	 */
	private function native_metadata( array $files ): array {
		if ( ! function_exists( 'VerialImages\\Native\\make_subsizes_many' ) ) {
			return array();
		}
		$groups = array(); // The same sizes for most attachments: one native call per distinct set.
		$found  = array();
		foreach ( $files as $attachment_id => $file ) {
			$metadata = $this->native_candidate( $attachment_id, $file );
			if ( null === $metadata ) {
				continue;
			}
			$found[ $attachment_id ] = $metadata;
			/** This filter is documented in wp-admin/includes/image.php */
			$sizes = apply_filters( 'intermediate_image_sizes_advanced', wp_get_registered_image_subsizes(), $metadata, $attachment_id );
			$key   = md5( serialize( $sizes ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.serialize_serialize -- a grouping key only.
			$groups[ $key ]['sizes']                   = $sizes;
			$groups[ $key ]['files'][ $attachment_id ] = $file;
		}
		$made = array();
		foreach ( $groups as $group ) {
			try {
				$results = \VerialImages\Native\make_subsizes_many( $group['files'], $group['sizes'], $this->quality( 'image/jpeg' ), $this->quality( 'image/webp' ) );
			} catch ( \VerialImages\Native\NativeException $e ) {
				continue; // Sizes a filter made that the native path does not take: WordPress's editor reads them its way.
			}
			foreach ( $results as $attachment_id => $sizes ) {
				if ( ! is_array( $sizes ) ) {
					continue; // The native path's reason; WordPress's editor decides for this file.
				}
				$metadata          = $found[ $attachment_id ];
				$metadata['sizes'] = $sizes;
				// Plugins that post-process new images (optimizers, CDNs) hook this, as for WordPress's path.
				$made[ $attachment_id ] = apply_filters( 'wp_generate_attachment_metadata', $metadata, $attachment_id, 'create' );
			}
		}
		return $made;
	}

	/**
	 * An attachment's current metadata when the native path may make its sizes, null when
	 * WordPress must (see native_metadata()).
	 *
	 * @return array<string, mixed>|null
	 */
	private function native_candidate( int $attachment_id, string $file ): ?array {
		$metadata = wp_get_attachment_metadata( $attachment_id );
		if ( ! is_array( $metadata ) || empty( $metadata['width'] ) || empty( $metadata['height'] ) ) {
			return null;
		}
		$size      = array( (int) $metadata['width'], (int) $metadata['height'] );
		$threshold = (int) apply_filters( 'big_image_size_threshold', 2560, $size, $file, $attachment_id );
		if ( $threshold > 0 && max( $size ) > $threshold ) {
			return null;
		}
		$mime = (string) get_post_mime_type( $attachment_id );
		/** This filter is documented in wp-includes/class-wp-image-editor.php */
		$output = apply_filters( 'image_editor_output_format', array(), $file, $mime );
		if ( is_array( $output ) && ! empty( $output[ $mime ] ) && $output[ $mime ] !== $mime ) {
			return null;
		}
		if ( 'image/jpeg' === $mime && function_exists( 'exif_read_data' ) ) {
			$exif = @exif_read_data( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- corrupt EXIF is not our error.
			if ( is_array( $exif ) && ! empty( $exif['Orientation'] ) && 1 !== (int) $exif['Orientation'] ) {
				return null;
			}
		}
		return $metadata;
	}

	/**
	 * The quality WordPress's editor would use for sub-sizes of this type, through the same
	 * filters (WP_Image_Editor::set_quality()).
	 */
	private function quality( string $mime ): int {
		$default = 'image/webp' === $mime ? 86 : 82;
		/** This filter is documented in wp-includes/class-wp-image-editor.php */
		$quality = apply_filters( 'wp_editor_set_quality', $default, $mime );
		if ( 'image/jpeg' === $mime ) {
			/** This filter is documented in wp-includes/class-wp-image-editor.php */
			$quality = apply_filters( 'jpeg_quality', $quality, 'image_resize' );
		}
		return is_int( $quality ) && $quality >= 0 && $quality <= 100 ? $quality : $default;
	}
}
