<?php
/**
 * Turns an imported image file into a media library attachment.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

/**
 * Creates the attachment post for a file the codec already wrote and validated, with the real
 * MIME type, basic metadata (no intermediate sizes: those are a deferred job) and the three meta
 * keys the existing plugin's phase 2 looks images up by.
 */
final class AttachmentWriter {

	public const META_ARTICLE = '_verial_article_id';
	public const META_ORDER   = '_verial_image_order';
	public const META_HASH    = '_verial_image_hash';

	/**
	 * @param bool $with_thumbnails Whether new attachments are flagged for the thumbnail job.
	 */
	public function __construct( private bool $with_thumbnails ) {
	}

	/**
	 * Creates the attachment; on failure the file is deleted so no orphan remains.
	 *
	 * @param int                             $article_id Verial article id.
	 * @param int                             $position   0-based position (0 = main image).
	 * @param \VerialImages\Native\ImageInfo  $info       The written file's facts.
	 * @return int Attachment id.
	 * @throws \RuntimeException When WordPress refuses the attachment.
	 */
	public function create( int $article_id, int $position, \VerialImages\Native\ImageInfo $info ): int {
		$file = (string) $info->path;
		$name = pathinfo( $file, PATHINFO_FILENAME );
		$meta = array(
			self::META_ARTICLE => $article_id,
			self::META_ORDER   => $position,
			self::META_HASH    => (string) $info->legacy_md5,
		);
		if ( $this->with_thumbnails ) {
			$meta[ ThumbnailQueue::PENDING_META ] = 1;
		}
		$attachment_id = wp_insert_attachment(
			array(
				'post_title'     => $name,
				'post_name'      => sanitize_title( $name ),
				'post_content'   => '',
				'post_status'    => 'inherit',
				'post_mime_type' => $info->mime,
				'guid'           => $this->url_of( $file ),
				'meta_input'     => $meta,
			),
			$file,
			0,
			true
		);
		if ( is_wp_error( $attachment_id ) || 0 === $attachment_id ) {
			wp_delete_file( $file );
			throw new \RuntimeException(
				sprintf(
					'Article %d, image %d: WordPress refused the attachment for %s: %s',
					$article_id,
					$position,
					basename( $file ),
					is_wp_error( $attachment_id ) ? $attachment_id->get_error_message() : 'no id returned'
				)
			);
		}
		wp_update_attachment_metadata(
			$attachment_id,
			array(
				'width'      => $info->width,
				'height'     => $info->height,
				'file'       => _wp_relative_upload_path( $file ),
				'filesize'   => $info->bytes,
				'sizes'      => array(),
				'image_meta' => array(),
			)
		);
		return $attachment_id;
	}

	/**
	 * Public URL of a file under the uploads directory.
	 */
	private function url_of( string $file ): string {
		$uploads = wp_get_upload_dir();
		return $uploads['baseurl'] . '/' . ltrim( _wp_relative_upload_path( $file ), '/' );
	}
}
