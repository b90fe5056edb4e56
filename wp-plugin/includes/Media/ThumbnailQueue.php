<?php
/**
 * Deferred generation of intermediate image sizes.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

use VerialImageSync\Driver\BackgroundDriver;
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
	 * Attachments fetched per query.
	 */
	private const CHUNK = 20;

	/**
	 * @param BackgroundDriver $driver Schedules the job.
	 */
	public function __construct( private BackgroundDriver $driver ) {
	}

	/**
	 * Makes sure the job will run (no-op when already scheduled).
	 */
	public function schedule(): void {
		$this->driver->schedule( self::HOOK );
	}

	/**
	 * Generates sizes for flagged attachments until done or out of time.
	 *
	 * @param TimeBox $time_box Budget of this request.
	 * @return int How many attachments were processed.
	 */
	public function run( TimeBox $time_box ): int {
		require_once ABSPATH . 'wp-admin/includes/image.php';
		$done = 0;
		while ( ! $time_box->expired() ) {
			$ids = $this->pending( self::CHUNK );
			if ( ! $ids ) {
				return $done;
			}
			foreach ( $ids as $attachment_id ) {
				$this->generate( $attachment_id );
				++$done;
				if ( $time_box->expired() ) {
					break;
				}
			}
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
	 * @return list<int>
	 */
	private function pending( int $limit ): array {
		global $wpdb;
		return array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = %s ORDER BY meta_id LIMIT %d", self::PENDING_META, $limit ) ) );
	}

	/**
	 * Generates one attachment's sizes; the flag is removed even when the file is gone, so a
	 * broken attachment cannot block the queue.
	 */
	private function generate( int $attachment_id ): void {
		$file = get_attached_file( $attachment_id );
		if ( $file && is_file( $file ) ) {
			$engine   = 'native';
			$metadata = $this->native_metadata( $attachment_id, $file );
			if ( null === $metadata ) {
				$engine   = 'wordpress';
				$metadata = wp_generate_attachment_metadata( $attachment_id, $file );
			}
			if ( $metadata ) {
				wp_update_attachment_metadata( $attachment_id, $metadata );
			}
			/**
			 * Fires after an imported attachment got its intermediate sizes.
			 *
			 * @param int    $attachment_id Attachment id.
			 * @param string $engine        "native" (the extension) or "wordpress" (its image editor).
			 */
			do_action( 'verial_image_sync_sizes_made', $attachment_id, $engine );
		}
		delete_post_meta( $attachment_id, self::PENDING_META );
	}

	/**
	 * The extension makes the registered sizes 6-14x faster than WordPress's Imagick editor
	 * (docs/benchmarks.md), with the same files, names and metadata. WordPress's own path stays
	 * for what it does before the sizes (EXIF rotation, the big-image "-scaled" copy), for formats
	 * the native path refuses (GIF, WebP, CMYK JPEG) and when the extension is not loaded.
	 *
	 * @return array<string, mixed>|null The attachment metadata with its sizes, or null to let
	 *                                   WordPress make them.
	 */
	private function native_metadata( int $attachment_id, string $file ): ?array {
		if ( ! function_exists( 'VerialImages\\Native\\make_subsizes' ) ) {
			return null;
		}
		$metadata = wp_get_attachment_metadata( $attachment_id );
		if ( ! is_array( $metadata ) || empty( $metadata['width'] ) || empty( $metadata['height'] ) ) {
			return null;
		}
		$size      = array( (int) $metadata['width'], (int) $metadata['height'] );
		$threshold = (int) apply_filters( 'big_image_size_threshold', 2560, $size, $file, $attachment_id );
		if ( $threshold > 0 && max( $size ) > $threshold ) {
			return null;
		}
		if ( 'image/jpeg' === get_post_mime_type( $attachment_id ) && function_exists( 'exif_read_data' ) ) {
			$exif = @exif_read_data( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- corrupt EXIF is not our error.
			if ( is_array( $exif ) && ! empty( $exif['Orientation'] ) && 1 !== (int) $exif['Orientation'] ) {
				return null;
			}
		}
		try {
			$metadata['sizes'] = \VerialImages\Native\make_subsizes( $file, wp_get_registered_image_subsizes() );
		} catch ( \VerialImages\Native\NativeException $e ) {
			return null;
		}
		// Plugins that post-process new images (optimizers, CDNs) hook this, as for WordPress's path.
		return apply_filters( 'wp_generate_attachment_metadata', $metadata, $attachment_id, 'create' );
	}
}
