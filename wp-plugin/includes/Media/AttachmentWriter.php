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
 *
 * Why not wp_insert_attachment(): it costs about 22 queries per attachment (one INSERT or
 * SELECT + INSERT per meta key, re-reads of the post, an UPDATE for the file), which made it the
 * slowest step of the import. This class writes the same rows with three queries: the slug
 * check of wp_unique_post_slug(), one INSERT into posts, one multi-row INSERT into postmeta.
 * tests/wp/AttachmentWriterTest.php proves the rows equal those wp_insert_attachment() +
 * wp_update_attachment_metadata() write, column by column and meta row by meta row.
 *
 * What WordPress does for a new attachment, and what this class keeps:
 * - the posts row: the same columns and values, computed by the same functions
 *   (sanitize_post() 'db' filters, current_time() + get_gmt_from_date(), get_default_comment_status(),
 *   sanitize_title() + wp_unique_post_slug(), the trashed-slug hand-over) and passed through the
 *   `wp_insert_attachment_data` filter, the one plugins use to change attachment rows;
 * - the meta rows in WordPress's order (ours, then `_wp_attached_file`, then
 *   `_wp_attachment_metadata`), each value through wp_unslash(), sanitize_meta() and
 *   maybe_serialize() like add_metadata(); the `update_attached_file`, `_wp_relative_upload_path`
 *   and `wp_update_attachment_metadata` filters are applied (offload/CDN plugins hook the last
 *   one to copy new files), and `add_post_meta` / `added_post_meta` fire per row with the real
 *   meta ids (core's own listener bumps the posts cache; WooCommerce flushes object caches);
 * - clean_post_cache() and the `add_attachment` action, in that order (clean_attachment_cache()
 *   is not called: WordPress does not call it for a new attachment either, nothing of it can be
 *   cached yet, and clean_post_cache() drops the post, meta and term caches and bumps the
 *   posts `last_changed` that WP_Query's caches depend on).
 * Not fired, because WordPress does not fire them for attachments either (wp_insert_post()
 * returns right after `add_attachment`): `save_post`, `wp_insert_post`, `wp_after_insert_post`.
 * Not applied: `wp_insert_post_parent` (the parent is always 0; core's listener returns 0 for
 * it), `wp_insert_post_empty_content` (WordPress never treats attachments as empty), emoji
 * encoding of the title (file stems are ASCII) and the per-meta short-circuit filters
 * (`add_post_metadata`, `update_post_metadata`), which would need one query per key again.
 */
final class AttachmentWriter {

	public const META_ARTICLE = '_verial_article_id';
	public const META_ORDER   = '_verial_image_order';
	public const META_HASH    = '_verial_image_hash';

	/**
	 * Marks attachments this plugin created, the only ones it may delete once unused (pictures
	 * adopted from the existing plugin or added by hand are never deleted).
	 */
	public const META_CREATED = '_verial_image_sync_created';

	/**
	 * Meta ids of one multi-row INSERT are first id + n * this step when InnoDB hands out
	 * consecutive values (auto-increment lock mode 0 or 1); null = not known yet, 0 = not
	 * consecutive (lock mode 2), read the ids back instead. Per process: the server's settings
	 * do not change under a running import.
	 */
	private static ?int $meta_id_step = null;

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
		try {
			return $this->insert(
				$file,
				(string) $info->mime,
				$this->meta_of( $article_id, $position, $info ),
				array(
					'width'      => $info->width,
					'height'     => $info->height,
					'file'       => _wp_relative_upload_path( $file ),
					'filesize'   => $info->bytes,
					'sizes'      => array(),
					'image_meta' => array(),
				)
			);
		} catch ( \RuntimeException $e ) {
			wp_delete_file( $file );
			throw new \RuntimeException(
				sprintf(
					'Article %d, image %d: WordPress refused the attachment for %s: %s',
					$article_id,
					$position,
					basename( $file ),
					$e->getMessage()
				),
				0,
				$e
			);
		}
	}

	/**
	 * Our meta of a new attachment, in the order they are written (the existing plugin's three
	 * keys, the "created by this plugin" marker, then the thumbnail job's flag).
	 *
	 * @param int                            $article_id Verial article id.
	 * @param int                            $position   0-based position (0 = main image).
	 * @param \VerialImages\Native\ImageInfo $info       The written file's facts.
	 * @return array<string, int|string>
	 */
	public function meta_of( int $article_id, int $position, \VerialImages\Native\ImageInfo $info ): array {
		$meta = array(
			self::META_ARTICLE => $article_id,
			self::META_ORDER   => $position,
			self::META_HASH    => (string) $info->legacy_md5,
			self::META_CREATED => 1,
		);
		if ( $this->with_thumbnails ) {
			$meta[ ThumbnailQueue::PENDING_META ] = 1;
		}
		return $meta;
	}

	/**
	 * Writes the posts row and all meta rows, then does WordPress's cache cleaning and hooks.
	 *
	 * @param string                    $file     Absolute path of the file.
	 * @param string                    $mime     Its MIME type.
	 * @param array<string, int|string> $meta     Our meta.
	 * @param array<string, mixed>      $metadata The `_wp_attachment_metadata` value.
	 * @return int Attachment id.
	 * @throws \RuntimeException When a query fails (nothing of the attachment remains then).
	 */
	private function insert( string $file, string $mime, array $meta, array $metadata ): int {
		global $wpdb;
		$data = $this->post_row( $file, $mime );
		if ( false === $wpdb->insert( $wpdb->posts, $data ) ) {
			throw new \RuntimeException( 'could not insert the attachment into the database: ' . $wpdb->last_error );
		}
		$attachment_id = (int) $wpdb->insert_id;

		$rows     = $meta;
		$attached = _wp_relative_upload_path( (string) apply_filters( 'update_attached_file', $file, $attachment_id ) );
		if ( $attached ) {
			$rows['_wp_attached_file'] = $attached;
		}
		$metadata = apply_filters( 'wp_update_attachment_metadata', $metadata, $attachment_id );
		if ( $metadata ) {
			$rows['_wp_attachment_metadata'] = $metadata;
		}
		try {
			$this->insert_meta( $attachment_id, $rows );
		} catch ( \RuntimeException $e ) {
			$wpdb->delete( $wpdb->posts, array( 'ID' => $attachment_id ) );
			throw $e;
		}

		$post = new \WP_Post( (object) ( array( 'ID' => $attachment_id ) + $data + array( 'filter' => 'raw' ) ) );
		clean_post_cache( $post );
		do_action( 'add_attachment', $attachment_id );
		return $attachment_id;
	}

	/**
	 * The posts row wp_insert_post() would write for this new attachment (see the class comment).
	 *
	 * @param string $file Absolute path of the file.
	 * @param string $mime Its MIME type.
	 * @return array<string, int|string> Column => value, unslashed.
	 */
	private function post_row( string $file, string $mime ): array {
		$name  = pathinfo( $file, PATHINFO_FILENAME );
		// What wp_insert_attachment() hands to wp_insert_post(): its defaults and our fields.
		$input = sanitize_post(
			array(
				'post_author'           => get_current_user_id(),
				'post_content'          => '',
				'post_content_filtered' => '',
				'post_title'            => $name,
				'post_excerpt'          => '',
				'post_status'           => 'inherit',
				'post_type'             => 'attachment',
				'comment_status'        => '',
				'ping_status'           => '',
				'post_password'         => '',
				'to_ping'               => '',
				'pinged'                => '',
				'post_parent'           => 0,
				'menu_order'            => 0,
				'guid'                  => $this->url_of( $file ),
				'import_id'             => 0,
				'context'               => '',
				'post_date'             => '',
				'post_date_gmt'         => '',
				'post_name'             => sanitize_title( $name ),
				'post_mime_type'        => $mime,
				'file'                  => $file,
			),
			'db'
		);
		$post_date     = current_time( 'mysql' );
		$post_date_gmt = get_gmt_from_date( $post_date );
		$data          = array(
			'post_author'           => $input['post_author'],
			'post_date'             => $post_date,
			'post_date_gmt'         => $post_date_gmt,
			'post_content'          => $input['post_content'],
			'post_content_filtered' => $input['post_content_filtered'],
			'post_title'            => $input['post_title'],
			'post_excerpt'          => $input['post_excerpt'],
			'post_status'           => 'inherit',
			'post_type'             => 'attachment',
			'comment_status'        => get_default_comment_status( 'attachment' ),
			'ping_status'           => get_default_comment_status( 'attachment', 'pingback' ),
			'post_password'         => $input['post_password'],
			'post_name'             => $this->unique_slug( sanitize_title( $input['post_name'] ) ),
			'to_ping'               => '',
			'pinged'                => $input['pinged'],
			'post_modified'         => $post_date,
			'post_modified_gmt'     => $post_date_gmt,
			'post_parent'           => (int) $input['post_parent'],
			'menu_order'            => (int) $input['menu_order'],
			'post_mime_type'        => $input['post_mime_type'],
			'guid'                  => $input['guid'],
		);
		$data = apply_filters( 'wp_insert_attachment_data', $data, $input, $input, false );
		return wp_unslash( $data );
	}

	/**
	 * The slug wp_insert_post() would give: wp_unique_post_slug() (one query when the name is
	 * free, which it almost always is: the codec's file names are unique per uploads directory)
	 * and, only when the name is taken, WordPress's hand-over from trashed posts holding it.
	 *
	 * @param string $slug Sanitized file name.
	 */
	private function unique_slug( string $slug ): string {
		$unique = wp_unique_post_slug( $slug, 0, 'inherit', 'attachment', 0 );
		if ( $unique === $slug || ! apply_filters( 'add_trashed_suffix_to_trashed_posts', true, $slug, 0 ) ) {
			return $unique;
		}
		wp_add_trashed_suffix_to_post_name_for_trashed_posts( $slug, 0 );
		return wp_unique_post_slug( $slug, 0, 'inherit', 'attachment', 0 );
	}

	/**
	 * Inserts all meta rows with one query, firing add_metadata()'s actions around it.
	 *
	 * @param int                  $attachment_id Attachment id.
	 * @param array<string, mixed> $rows          Meta key => value, in insertion order.
	 * @throws \RuntimeException When the INSERT fails.
	 */
	private function insert_meta( int $attachment_id, array $rows ): void {
		global $wpdb;
		$values = array();
		$tuples = array();
		foreach ( $rows as $key => $value ) {
			$value          = sanitize_meta( $key, wp_unslash( $value ), 'post', 'attachment' );
			$values[ $key ] = $value;
			do_action( 'add_post_meta', $attachment_id, $key, $value );
			$tuples[] = $wpdb->prepare( '(%d, %s, %s)', $attachment_id, $key, maybe_serialize( $value ) );
		}
		$inserted = $wpdb->query( "INSERT INTO {$wpdb->postmeta} (post_id, meta_key, meta_value) VALUES " . implode( ', ', $tuples ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- tuples prepared above.
		if ( count( $tuples ) !== $inserted ) {
			throw new \RuntimeException( 'could not insert the attachment meta into the database: ' . ( $wpdb->last_error ?: 'rows inserted: ' . var_export( $inserted, true ) ) );
		}
		if ( ! has_action( 'added_post_meta' ) ) {
			return;
		}
		$ids = $this->meta_ids( $attachment_id, (int) $wpdb->insert_id, count( $tuples ) );
		foreach ( array_keys( $values ) as $n => $key ) {
			do_action( 'added_post_meta', $ids[ $n ], $attachment_id, $key, $values[ $key ] );
		}
	}

	/**
	 * The meta ids of the multi-row INSERT just made, in row order.
	 *
	 * @param int $attachment_id Attachment id (its meta rows are all new).
	 * @param int $first         LAST_INSERT_ID(): the id of the first row.
	 * @param int $count         Rows inserted.
	 * @return list<int>
	 */
	private function meta_ids( int $attachment_id, int $first, int $count ): array {
		global $wpdb;
		if ( null === self::$meta_id_step ) {
			$server             = $wpdb->get_row( 'SELECT @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS step', ARRAY_A );
			self::$meta_id_step = is_array( $server ) && (int) $server['lock_mode'] < 2 ? max( 1, (int) $server['step'] ) : 0;
		}
		if ( self::$meta_id_step > 0 ) {
			return range( $first, $first + ( $count - 1 ) * self::$meta_id_step, self::$meta_id_step );
		}
		return array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT meta_id FROM {$wpdb->postmeta} WHERE post_id = %d ORDER BY meta_id", $attachment_id ) ) );
	}

	/**
	 * Public URL of a file under the uploads directory.
	 */
	private function url_of( string $file ): string {
		$uploads = wp_get_upload_dir();
		return $uploads['baseurl'] . '/' . ltrim( _wp_relative_upload_path( $file ), '/' );
	}
}
