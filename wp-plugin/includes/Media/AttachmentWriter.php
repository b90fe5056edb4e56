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
 * slowest step of the import. This class writes the same rows with three queries for all the
 * new images of an article together (create_many()): one slug check for all names (what
 * wp_unique_post_slug() checks per name), one multi-row INSERT into posts, one multi-row INSERT
 * into postmeta; the new ids are worked out from the first one, as the server hands them out.
 * tests/wp/AttachmentWriterTest.php proves the rows equal those wp_insert_attachment() +
 * wp_update_attachment_metadata() write, column by column and meta row by meta row.
 *
 * What WordPress does for a new attachment, and what this class keeps:
 * - the posts row: the same columns and values, computed by the same functions
 *   (sanitize_post() 'db' filters, current_time() + get_gmt_from_date(), get_default_comment_status(),
 *   sanitize_title() + wp_unique_post_slug(), the trashed-slug hand-over), passed through the
 *   `wp_insert_attachment_data` filter, the one plugins use to change attachment rows, and
 *   checked like wpdb::insert() checks values (charset, column length);
 * - the meta rows in WordPress's order (ours, then `_wp_attached_file`, then
 *   `_wp_attachment_metadata`), each value through wp_unslash(), sanitize_meta() and
 *   maybe_serialize() like add_metadata(); the `update_attached_file`, `_wp_relative_upload_path`
 *   and `wp_update_attachment_metadata` filters are applied (offload/CDN plugins hook the last
 *   one to copy new files), and `add_post_meta` / `added_post_meta` fire per row with the real
 *   meta ids (core's own listener bumps the posts cache; WooCommerce flushes object caches);
 * - per attachment, once all rows of the call exist: `added_post_meta` per row,
 *   clean_post_cache() and the `add_attachment` action, in that order (clean_attachment_cache()
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
	 * Ids (posts and meta) of one multi-row INSERT are first id + n * this step when InnoDB
	 * hands out consecutive values (auto-increment lock mode 0 or 1); null = not known yet,
	 * 0 = not consecutive (lock mode 2), read the ids back instead. Per process: the server's
	 * settings do not change under a running import.
	 */
	private static ?int $id_step = null;

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
		return $this->create_many( $article_id, array( $position => $info ) )[ $position ];
	}

	/**
	 * Creates the attachments of several images of one article with three queries in all (the
	 * slug check, one INSERT into posts, one into postmeta), whatever their number. All or
	 * nothing: on failure every file is deleted and no row of any of them remains.
	 *
	 * @param int                                        $article_id Verial article id.
	 * @param array<int, \VerialImages\Native\ImageInfo> $images     Position => the written file's facts.
	 * @return array<int, int> Position => attachment id, in the order given.
	 * @throws \RuntimeException When WordPress refuses the attachments (the message names the
	 *                           article and every position).
	 */
	public function create_many( int $article_id, array $images ): array {
		if ( ! $images ) {
			return array();
		}
		try {
			return array_combine( array_keys( $images ), $this->insert( $article_id, $images ) );
		} catch ( \RuntimeException $e ) {
			$files = array();
			foreach ( $images as $info ) {
				wp_delete_file( (string) $info->path );
				$files[] = basename( (string) $info->path );
			}
			throw new \RuntimeException(
				sprintf(
					1 === count( $images ) ? 'Article %d, image %s: WordPress refused the attachment for %s: %s' : 'Article %d, images %s: WordPress refused the attachments for %s: %s',
					$article_id,
					implode( ', ', array_keys( $images ) ),
					implode( ', ', $files ),
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
	 * Writes the posts rows and all meta rows, then does WordPress's cache cleaning and hooks
	 * for each attachment.
	 *
	 * @param int                                        $article_id Verial article id.
	 * @param array<int, \VerialImages\Native\ImageInfo> $images     Position => the written file's facts.
	 * @return list<int> Attachment ids, in the order of $images.
	 * @throws \RuntimeException When a query fails (nothing of the attachments remains then).
	 */
	private function insert( int $article_id, array $images ): array {
		$rows = $this->post_rows( $images );
		$ids  = $this->insert_posts( $rows );
		try {
			$meta = array();
			$n    = 0;
			foreach ( $images as $position => $info ) {
				$meta[ $ids[ $n ] ] = $this->meta_rows( $ids[ $n ], $this->meta_of( $article_id, $position, $info ), $info );
				++$n;
			}
			$added = $this->insert_meta( $meta );
		} catch ( \RuntimeException $e ) {
			$this->delete_posts( $ids );
			throw $e;
		}

		foreach ( $ids as $n => $attachment_id ) {
			foreach ( $added[ $attachment_id ] ?? array() as list( $meta_id, $key, $value ) ) {
				do_action( 'added_post_meta', $meta_id, $attachment_id, $key, $value );
			}
			$post = new \WP_Post( (object) ( array( 'ID' => $attachment_id ) + $rows[ $n ] + array( 'filter' => 'raw' ) ) );
			clean_post_cache( $post );
			do_action( 'add_attachment', $attachment_id );
		}
		return $ids;
	}

	/**
	 * All meta rows of a new attachment in WordPress's order: ours, `_wp_attached_file`, then
	 * `_wp_attachment_metadata`, the last two through the filters WordPress applies to them.
	 *
	 * @param int                            $attachment_id Attachment id.
	 * @param array<string, int|string>      $meta          Our meta.
	 * @param \VerialImages\Native\ImageInfo $info          The written file's facts.
	 * @return array<string, mixed> Meta key => value, in insertion order.
	 */
	private function meta_rows( int $attachment_id, array $meta, \VerialImages\Native\ImageInfo $info ): array {
		$file     = (string) $info->path;
		$rows     = $meta;
		$attached = _wp_relative_upload_path( (string) apply_filters( 'update_attached_file', $file, $attachment_id ) );
		if ( $attached ) {
			$rows['_wp_attached_file'] = $attached;
		}
		$metadata = apply_filters(
			'wp_update_attachment_metadata',
			array(
				'width'      => $info->width,
				'height'     => $info->height,
				'file'       => _wp_relative_upload_path( $file ),
				'filesize'   => $info->bytes,
				'sizes'      => array(),
				'image_meta' => array(),
			),
			$attachment_id
		);
		if ( $metadata ) {
			$rows['_wp_attachment_metadata'] = $metadata;
		}
		return $rows;
	}

	/**
	 * The posts rows wp_insert_post() would write for these new attachments (see the class
	 * comment), their slugs checked together.
	 *
	 * @param array<int, \VerialImages\Native\ImageInfo> $images Position => the written file's facts.
	 * @return list<array<string, int|string>> Column => value, unslashed, in the order of $images.
	 */
	private function post_rows( array $images ): array {
		$inputs = array();
		foreach ( $images as $info ) {
			$inputs[] = $this->post_input( (string) $info->path, (string) $info->mime );
		}
		$slugs = $this->unique_slugs( array_map( static fn( array $input ): string => sanitize_title( $input['post_name'] ), $inputs ) );
		$rows  = array();
		foreach ( $inputs as $n => $input ) {
			$rows[] = $this->post_row( $input, $slugs[ $n ] );
		}
		return $rows;
	}

	/**
	 * What wp_insert_attachment() hands to wp_insert_post(): its defaults and our fields,
	 * through sanitize_post()'s 'db' filters.
	 *
	 * @param string $file Absolute path of the file.
	 * @param string $mime Its MIME type.
	 * @return array<string, mixed>
	 */
	private function post_input( string $file, string $mime ): array {
		$name = pathinfo( $file, PATHINFO_FILENAME );
		return sanitize_post(
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
	}

	/**
	 * The posts row wp_insert_post() writes for the sanitized input, through the
	 * `wp_insert_attachment_data` filter.
	 *
	 * @param array<string, mixed> $input post_input().
	 * @param string               $slug  The unique slug.
	 * @return array<string, int|string> Column => value, unslashed.
	 */
	private function post_row( array $input, string $slug ): array {
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
			'post_name'             => $slug,
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
	 * The slugs wp_insert_post() would give, one after the other, with one query for all names.
	 * A name no post holds (almost always: the codec's file names are unique per uploads
	 * directory) takes wp_unique_post_slug()'s path for a free name here: its filters
	 * (`pre_wp_unique_post_slug`, `wp_unique_post_slug_is_bad_attachment_slug`,
	 * `wp_unique_post_slug`) and its feed and `embed` checks; a name that is taken, or that a
	 * filter changes, goes through unique_slug(), WordPress's own path.
	 *
	 * @param list<string> $names Sanitized file names.
	 * @return list<string> Unique slugs, in the same order.
	 */
	private function unique_slugs( array $names ): array {
		global $wpdb, $wp_rewrite;
		$wanted       = array_values( array_unique( $names ) );
		$placeholders = implode( ', ', array_fill( 0, count( $wanted ), '%s' ) );
		// Like wp_unique_post_slug(): attachment slugs are unique across all post types.
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and placeholders.
		$held  = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT post_name FROM {$wpdb->posts} WHERE post_name IN ({$placeholders})", ...$wanted ) );
		$taken = array_flip( $held );
		// The column's collation may match a stored name that differs from ours byte for byte
		// (case, accents): which of our names it stands for is then unknown, so all take the long way.
		$known = '' === $wpdb->last_error && ! array_diff_key( $taken, array_flip( $wanted ) );
		$feeds = is_array( $wp_rewrite->feeds ?? null ) ? $wp_rewrite->feeds : array();
		$slugs = array();
		$given = array();
		foreach ( $names as $name ) {
			$slug = null;
			if ( $known && ! isset( $taken[ $name ] ) && ! in_array( $name, $feeds, true ) && 'embed' !== $name
				&& null === apply_filters( 'pre_wp_unique_post_slug', null, $name, 0, 'inherit', 'attachment', 0 )
				&& ! apply_filters( 'wp_unique_post_slug_is_bad_attachment_slug', false, $name ) ) {
				$slug = apply_filters( 'wp_unique_post_slug', $name, 0, 'inherit', 'attachment', 0, $name );
			}
			if ( $slug !== $name ) {
				$slug = $this->unique_slug( $name );
			}
			// Held by an earlier image of this call, which is not in the database yet: WordPress
			// would have seen it there and moved on to the next suffix.
			for ( $suffix = 2; isset( $given[ $slug ] ); ++$suffix ) {
				$slug = $this->unique_slug( _truncate_post_slug( $name, 200 - ( strlen( (string) $suffix ) + 1 ) ) . "-$suffix" );
			}
			$given[ $slug ] = true;
			$slugs[]        = $slug;
		}
		return $slugs;
	}

	/**
	 * The slug wp_insert_post() would give for a name that is taken: wp_unique_post_slug() and
	 * WordPress's hand-over from trashed posts holding it.
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
	 * Inserts the posts rows with one query (one per run of rows with the same columns, should a
	 * `wp_insert_attachment_data` filter give some rows other columns), each value checked like
	 * wpdb::insert() checks it (column format, charset, length).
	 *
	 * @param list<array<string, int|string|null>> $rows Posts rows.
	 * @return list<int> Their ids, in row order.
	 * @throws \RuntimeException When the INSERT fails (no row of this call remains then).
	 */
	private function insert_posts( array $rows ): array {
		global $wpdb;
		$ids = array();
		try {
			while ( $rows ) {
				$columns = array_keys( $rows[0] );
				$group   = array();
				$guids   = array();
				while ( $rows && array_keys( $rows[0] ) === $columns ) {
					$row     = array_shift( $rows );
					$group[] = $this->tuple_of( $row );
					$guids[] = (string) ( $row['guid'] ?? '' );
				}
				$inserted = $wpdb->query( "INSERT INTO `{$wpdb->posts}` (`" . implode( '`, `', $columns ) . '`) VALUES ' . implode( ', ', $group ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- tuples prepared by tuple_of(), columns from the row.
				if ( count( $group ) !== $inserted ) {
					throw new \RuntimeException( 'could not insert the attachment into the database: ' . ( $wpdb->last_error ?: 'rows inserted: ' . var_export( $inserted, true ) ) );
				}
				$first = (int) $wpdb->insert_id;
				$ids   = array_merge( $ids, $this->consecutive_ids( $first, count( $group ) ) ?? $this->posts_from( $first, $guids ) );
			}
		} catch ( \RuntimeException $e ) {
			$this->delete_posts( $ids );
			throw $e;
		}
		return $ids;
	}

	/**
	 * One row's VALUES tuple, prepared as wpdb::insert() prepares it: the column's format, NULL
	 * for null, and a string value refused when the column's charset or length cannot hold it.
	 *
	 * @param array<string, int|string|null> $row Column => value.
	 * @throws \RuntimeException When a value cannot be stored.
	 */
	private function tuple_of( array $row ): string {
		global $wpdb;
		$formats = array();
		$values  = array();
		foreach ( $row as $column => $value ) {
			if ( null === $value ) {
				$formats[] = 'NULL';
				continue;
			}
			$format = $wpdb->field_types[ $column ] ?? '%s';
			if ( '%s' === $format && is_string( $value ) && $wpdb->strip_invalid_text_for_column( $wpdb->posts, $column, $value ) !== $value ) {
				throw new \RuntimeException( sprintf( 'the value for the field %s may be too long or contains invalid data', $column ) );
			}
			$formats[] = $format;
			$values[]  = $value;
		}
		return $wpdb->prepare( '(' . implode( ', ', $formats ) . ')', ...$values ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- formats built above.
	}

	/**
	 * The ids of the posts rows just inserted, read back when the server does not hand out
	 * consecutive auto-increment values (lock mode 2).
	 *
	 * @param int          $first LAST_INSERT_ID(): the id of the first row.
	 * @param list<string> $guids The rows' guids (their files' URLs, one file per attachment).
	 * @return list<int> In row order: rows of one statement get increasing ids.
	 * @throws \RuntimeException When they cannot be read.
	 */
	private function posts_from( int $first, array $guids ): array {
		global $wpdb;
		$placeholders = implode( ', ', array_fill( 0, count( $guids ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and placeholders.
		$ids = array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT ID FROM {$wpdb->posts} WHERE ID >= %d AND post_type = 'attachment' AND guid IN ({$placeholders}) ORDER BY ID LIMIT %d", $first, ...$guids, ...array( count( $guids ) ) ) ) );
		if ( count( $ids ) !== count( $guids ) ) {
			throw new \RuntimeException( 'could not read the new attachments back from the database: ' . ( $wpdb->last_error ?: 'rows found: ' . count( $ids ) ) );
		}
		return $ids;
	}

	/**
	 * Deletes the rows of this call's attachments again, meta rows included should a failed
	 * multi-row INSERT have left some (a table without transactions keeps the rows before the
	 * failing one).
	 *
	 * @param list<int> $ids Attachment ids.
	 */
	private function delete_posts( array $ids ): void {
		global $wpdb;
		if ( ! $ids ) {
			return;
		}
		$in = implode( ', ', array_map( 'intval', $ids ) );
		$wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE post_id IN ({$in})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
		$wpdb->query( "DELETE FROM {$wpdb->posts} WHERE ID IN ({$in})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
	}

	/**
	 * Inserts all meta rows of all attachments with one query, firing add_metadata()'s
	 * `add_post_meta` action per row before it.
	 *
	 * @param array<int, array<string, mixed>> $rows Attachment id => (meta key => value, in insertion order).
	 * @return array<int, list<array{int, string, mixed}>> Attachment id => [meta id, key, value] per row,
	 *                                                     for `added_post_meta`; empty when nothing listens to it.
	 * @throws \RuntimeException When the INSERT fails.
	 */
	private function insert_meta( array $rows ): array {
		global $wpdb;
		$values = array();
		$tuples = array();
		foreach ( $rows as $attachment_id => $meta ) {
			foreach ( $meta as $key => $value ) {
				$value                            = sanitize_meta( $key, wp_unslash( $value ), 'post', 'attachment' );
				$values[ $attachment_id ][ $key ] = $value;
				do_action( 'add_post_meta', $attachment_id, $key, $value );
				$tuples[] = $wpdb->prepare( '(%d, %s, %s)', $attachment_id, $key, maybe_serialize( $value ) );
			}
		}
		$inserted = $wpdb->query( "INSERT INTO {$wpdb->postmeta} (post_id, meta_key, meta_value) VALUES " . implode( ', ', $tuples ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- tuples prepared above.
		if ( count( $tuples ) !== $inserted ) {
			throw new \RuntimeException( 'could not insert the attachment meta into the database: ' . ( $wpdb->last_error ?: 'rows inserted: ' . var_export( $inserted, true ) ) );
		}
		if ( ! has_action( 'added_post_meta' ) ) {
			return array();
		}
		$ids   = $this->consecutive_ids( (int) $wpdb->insert_id, count( $tuples ) ) ?? $this->meta_ids_from( array_keys( $values ) );
		$added = array();
		foreach ( $values as $attachment_id => $meta ) {
			foreach ( $meta as $key => $value ) {
				$added[ $attachment_id ][] = array( (int) array_shift( $ids ), (string) $key, $value );
			}
		}
		return $added;
	}

	/**
	 * The meta ids of the given attachments (all their meta rows are new), read back in the
	 * order they were inserted: by attachment as given, each by meta id.
	 *
	 * @param list<int> $attachment_ids Attachment ids.
	 * @return list<int>
	 */
	private function meta_ids_from( array $attachment_ids ): array {
		global $wpdb;
		$by_post = array_fill_keys( $attachment_ids, array() );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name and integers.
		foreach ( $wpdb->get_results( "SELECT post_id, meta_id FROM {$wpdb->postmeta} WHERE post_id IN (" . implode( ', ', array_map( 'intval', $attachment_ids ) ) . ') ORDER BY meta_id', ARRAY_N ) as $row ) {
			$by_post[ (int) $row[0] ][] = (int) $row[1];
		}
		return array_merge( ...array_values( $by_post ) );
	}

	/**
	 * The ids of a multi-row INSERT just made, when the server hands them out consecutively
	 * (InnoDB auto-increment lock mode 0 or 1: first id + n * auto_increment_increment).
	 *
	 * @param int $first LAST_INSERT_ID(): the id of the first row.
	 * @param int $count Rows inserted.
	 * @return list<int>|null Null when they must be read back (lock mode 2).
	 */
	private function consecutive_ids( int $first, int $count ): ?array {
		global $wpdb;
		if ( null === self::$id_step ) {
			$server        = $wpdb->get_row( 'SELECT @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS step', ARRAY_A );
			self::$id_step = is_array( $server ) && (int) $server['lock_mode'] < 2 ? max( 1, (int) $server['step'] ) : 0;
		}
		if ( self::$id_step > 0 ) {
			return range( $first, $first + ( $count - 1 ) * self::$id_step, self::$id_step );
		}
		return null;
	}

	/**
	 * Public URL of a file under the uploads directory.
	 */
	private function url_of( string $file ): string {
		$uploads = wp_get_upload_dir();
		return $uploads['baseurl'] . '/' . ltrim( _wp_relative_upload_path( $file ), '/' );
	}
}
