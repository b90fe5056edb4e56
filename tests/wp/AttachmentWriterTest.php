<?php
/**
 * The cheap attachment writer against WordPress's own wp_insert_attachment() path.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Media\ThumbnailQueue;

/**
 * AttachmentWriter writes the posts and postmeta rows itself (three queries instead of about
 * twenty, for one attachment or all of an article's at once): these tests prove the rows are the ones WordPress writes, that WordPress's attachment
 * functions, media queries and REST endpoint work on them, that hooks fire, and that a failed
 * query leaves neither the file nor part of the attachment behind.
 */
final class AttachmentWriterTest extends E2eTestCase {

	private const ARTICLE = 901;

	/**
	 * @var array<string, mixed> Options a test changes, restored in tearDown().
	 */
	private array $saved_options = array();

	protected function setUp(): void {
		SiteState::reset();
		wp_set_current_user( 0 );
	}

	protected function tearDown(): void {
		global $wpdb;
		foreach ( $this->saved_options as $option => $value ) {
			update_option( $option, $value );
		}
		$wpdb->suppress_errors( false );
		wp_set_current_user( 0 );
		SiteState::reset();
		parent::tearDown();
	}

	/**
	 * @return array<string, array{string, string, string, bool}>
	 */
	public static function sites(): array {
		return array(
			'no user, comments open, UTC'                                => array( '', 'open', 'UTC', false ),
			'author (kses filters), comments closed, Madrid, thumbnails' => array( 'author', 'closed', 'Europe/Madrid', true ),
		);
	}

	/**
	 * Same posts columns (dates to the second) and same meta rows, in the same order, as
	 * wp_insert_attachment() + wp_update_attachment_metadata() write for the same file.
	 *
	 * @dataProvider sites
	 */
	public function test_rows_equal_wordpress_own_attachment( string $role, string $comments, string $timezone, bool $thumbnails ): void {
		$this->site( $role, $comments, $timezone );
		$writer = new AttachmentWriter( $thumbnails );
		$info   = $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-0' );

		$expected = $this->forget( $this->create_the_wordpress_way( $writer, self::ARTICLE, 0, $info ) );
		$actual   = $this->snapshot( $writer->create( self::ARTICLE, 0, $info ) );

		$this->assert_same_attachment( $expected, $actual );
		$this->assertSame( 'verial-' . self::ARTICLE . '-0', $actual['post']['post_name'] );
		$this->assertSame( $thumbnails, in_array( ThumbnailQueue::PENDING_META, array_column( $actual['meta'], 0 ), true ) );
	}

	/**
	 * A slug already taken (the same file name in another month's directory) gets WordPress's
	 * suffix; a trashed post holding the slug gives it up as with WordPress.
	 */
	public function test_taken_slugs_are_resolved_like_wordpress(): void {
		global $wpdb;
		$this->site( 'author', 'open', 'Europe/Madrid' );
		$writer = new AttachmentWriter( false );
		$writer->create( self::ARTICLE, 0, $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-0' ) );

		$older    = $this->image( $this->directory( '2025/01' ), 'verial-' . self::ARTICLE . '-0' );
		$expected = $this->forget( $this->create_the_wordpress_way( $writer, self::ARTICLE, 0, $older ) );
		$actual   = $this->snapshot( $writer->create( self::ARTICLE, 0, $older ) );
		$this->assertSame( 'verial-' . self::ARTICLE . '-0-2', $expected['post']['post_name'] );
		$this->assert_same_attachment( $expected, $actual );

		$slug    = 'verial-' . self::ARTICLE . '-5';
		$trashed = wp_insert_post(
			array(
				'post_type'   => 'page',
				'post_title'  => 'Old page',
				'post_name'   => $slug,
				'post_status' => 'trash',
			)
		);
		$this->assertSame( $slug, get_post_field( 'post_name', $trashed ) );
		$info     = $this->image( $this->directory(), $slug );
		$expected = $this->forget( $this->create_the_wordpress_way( $writer, self::ARTICLE, 5, $info ) );
		$renamed  = get_post_field( 'post_name', $trashed );
		$wpdb->update( $wpdb->posts, array( 'post_name' => $slug ), array( 'ID' => $trashed ) );
		$wpdb->delete( $wpdb->postmeta, array( 'post_id' => $trashed ) );
		clean_post_cache( $trashed );

		$actual = $this->snapshot( $writer->create( self::ARTICLE, 5, $info ) );
		$this->assertSame( $slug, $expected['post']['post_name'] );
		$this->assert_same_attachment( $expected, $actual );
		$this->assertSame( $slug . '__trashed', $renamed );
		clean_post_cache( $trashed );
		$this->assertSame( $renamed, get_post_field( 'post_name', $trashed ), 'the trashed page gave up its slug' );
	}

	/**
	 * WordPress's attachment functions, the media library query, the REST media endpoint and
	 * deletion all work on an attachment the writer created.
	 */
	public function test_wordpress_reads_and_deletes_the_new_attachment(): void {
		global $wpdb;
		$uploads = wp_upload_dir( null, false );
		$info    = $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-1' );
		$file    = (string) $info->path;
		$id      = ( new AttachmentWriter( true ) )->create( self::ARTICLE, 1, $info );
		$url     = $uploads['url'] . '/' . basename( $file );

		$this->assertSame( $file, get_attached_file( $id ) );
		$this->assertSame(
			array(
				'width'      => 3,
				'height'     => 2,
				'file'       => _wp_relative_upload_path( $file ),
				'filesize'   => filesize( $file ),
				'sizes'      => array(),
				'image_meta' => array(),
			),
			wp_get_attachment_metadata( $id )
		);
		$this->assertSame( $url, wp_get_attachment_url( $id ) );
		$this->assertSame( array( $url, 3, 2, false ), wp_get_attachment_image_src( $id, 'full' ) );
		$this->assertTrue( wp_attachment_is_image( $id ) );
		$this->assertSame( (string) self::ARTICLE, get_post_meta( $id, AttachmentWriter::META_ARTICLE, true ) );
		$this->assertSame( $info->legacy_md5, get_post_meta( $id, AttachmentWriter::META_HASH, true ) );
		$this->assertSame( '1', get_post_meta( $id, ThumbnailQueue::PENDING_META, true ) );

		$query = new \WP_Query(
			array(
				'post_type'      => 'attachment',
				'post_status'    => 'inherit',
				'post_mime_type' => 'image',
				'posts_per_page' => -1,
				'fields'         => 'ids',
			)
		);
		$this->assertSame( array( $id ), array_map( 'intval', $query->posts ) );

		$response = rest_do_request( new \WP_REST_Request( 'GET', '/wp/v2/media/' . $id ) );
		$this->assertSame( 200, $response->get_status(), (string) wp_json_encode( $response->get_data() ) );
		$media = $response->get_data();
		$this->assertSame( $id, $media['id'] );
		$this->assertSame( 'image/png', $media['mime_type'] );
		$this->assertSame( 'image', $media['media_type'] );
		$this->assertSame( $url, $media['source_url'] );
		$this->assertSame( 'verial-' . self::ARTICLE . '-1', $media['slug'] );
		$this->assertSame( array( 3, 2 ), array( $media['media_details']['width'], $media['media_details']['height'] ) );

		$this->assertInstanceOf( \WP_Post::class, wp_delete_attachment( $id, true ) );
		$this->assertFileDoesNotExist( $file );
		$this->assertNull( get_post( $id ) );
		$this->assertSame( '0', $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE post_id = %d", $id ) ) );
	}

	/**
	 * add_attachment fires once the rows exist; added_post_meta fires per row with its real id;
	 * the wp_update_attachment_metadata filter can change the stored metadata; save_post does
	 * not fire (WordPress does not fire it for attachments either).
	 */
	public function test_hooks_fire_like_wordpress(): void {
		global $wpdb;
		$added = array();
		$meta  = array();
		$saved = 0;
		$this->hook( 'add_attachment', function ( int $id ) use ( &$added ): void {
			$added[] = array( $id, get_post_meta( $id, '_wp_attached_file', true ), get_post_field( 'post_type', $id ) );
		} );
		$this->hook( 'added_post_meta', function ( int $meta_id, int $id, string $key ) use ( &$meta ): void {
			$meta[] = array( $meta_id, $key );
		} );
		$this->hook( 'save_post', function () use ( &$saved ): void {
			++$saved;
		} );
		$this->hook( 'wp_update_attachment_metadata', fn( array $data ): array => $data + array( 'offloaded' => 'yes' ) );

		$info = $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-3' );
		$id   = ( new AttachmentWriter( false ) )->create( self::ARTICLE, 3, $info );

		$this->assertSame( array( array( $id, _wp_relative_upload_path( (string) $info->path ), 'attachment' ) ), $added );
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT meta_id, meta_key FROM {$wpdb->postmeta} WHERE post_id = %d ORDER BY meta_id", $id ), ARRAY_N );
		$this->assertSame( array_map( static fn( array $row ): array => array( (int) $row[0], $row[1] ), $rows ), $meta );
		$this->assertSame( 'yes', wp_get_attachment_metadata( $id )['offloaded'] );
		$this->assertSame( 0, $saved );
	}

	/**
	 * A failed INSERT into posts, or into postmeta after the posts row was written, leaves no
	 * file and no part of the attachment, and the error names the article and position.
	 */
	public function test_a_failed_insert_deletes_the_file_and_throws(): void {
		global $wpdb;
		foreach ( array( $wpdb->posts, $wpdb->postmeta ) as $n => $table ) {
			$info     = $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-' . ( 7 + $n ) );
			$breaker  = static fn( string $query ): string => (string) preg_replace( '/^INSERT INTO `?' . preg_quote( $table, '/' ) . '`? /', 'INSERT INTO `' . $wpdb->prefix . 'no_such_table` ', $query );
			$meta_ids = (int) $wpdb->get_var( "SELECT COALESCE(MAX(meta_id), 0) FROM {$wpdb->postmeta}" );
			$this->hook( 'query', $breaker );
			$wpdb->suppress_errors( true );
			try {
				( new AttachmentWriter( true ) )->create( self::ARTICLE, 7 + $n, $info );
				$this->fail( "no exception with the INSERT into $table failing" );
			} catch ( \RuntimeException $e ) {
				$this->assertStringContainsString( sprintf( 'Article %d, image %d: WordPress refused the attachment for %s', self::ARTICLE, 7 + $n, basename( (string) $info->path ) ), $e->getMessage() );
				$this->assertStringContainsString( 'no_such_table', $e->getMessage() );
			} finally {
				$wpdb->suppress_errors( false );
				remove_filter( 'query', $breaker );
			}
			$this->assertFileDoesNotExist( (string) $info->path );
			$this->assertSame( array(), SiteState::attachments(), "an attachment remains after the INSERT into $table failed" );
			$this->assertSame( (string) $meta_ids, $wpdb->get_var( "SELECT COALESCE(MAX(meta_id), 0) FROM {$wpdb->postmeta}" ), 'meta rows remain' );
		}
		$this->assert_no_leftovers();
	}

	/**
	 * The point of the writer: at most three queries per attachment (WordPress's way: about 20).
	 */
	public function test_an_attachment_costs_three_queries(): void {
		$writer  = new AttachmentWriter( true );
		$dir     = $this->directory();
		$counted = array();
		foreach ( array( 'wordpress', 'writer' ) as $way ) {
			foreach ( array( 0, 1 ) as $position ) { // The first of each way warms per-process caches.
				$info    = $this->image( $dir, sprintf( 'verial-%d-%d-%s', self::ARTICLE, $position, $way ) );
				$queries = 0;
				$counter = static function ( string $query ) use ( &$queries ): string {
					++$queries;
					return $query;
				};
				$this->hook( 'query', $counter );
				'writer' === $way ? $writer->create( self::ARTICLE, $position, $info ) : $this->create_the_wordpress_way( $writer, self::ARTICLE, $position, $info );
				remove_filter( 'query', $counter );
				$counted[ $way ] = $queries;
			}
		}
		fwrite( STDERR, sprintf( "[vis] queries per attachment: WordPress's way %d, AttachmentWriter %d\n", $counted['wordpress'], $counted['writer'] ) );
		$this->assertLessThanOrEqual( 3, $counted['writer'] );
		$this->assertGreaterThan( 10, $counted['wordpress'], 'the comparison measured nothing' );
	}

	/**
	 * Several images at once (create_many()): each attachment's rows equal WordPress's own for
	 * the same file, one of them with a slug that is already taken, in the order given.
	 *
	 * @dataProvider sites
	 */
	public function test_many_rows_equal_wordpress_own_attachments( string $role, string $comments, string $timezone, bool $thumbnails ): void {
		$this->site( $role, $comments, $timezone );
		$writer = new AttachmentWriter( $thumbnails );
		$holder = $writer->create( self::ARTICLE, 2, $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-2' ) );

		$images = array(
			0 => $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-0' ),
			2 => $this->image( $this->directory( '2025/01' ), 'verial-' . self::ARTICLE . '-2' ),
			3 => $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-3' ),
			5 => $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-5' ),
		);
		$expected = array();
		foreach ( $images as $position => $info ) {
			$expected[ $position ] = $this->forget( $this->create_the_wordpress_way( $writer, self::ARTICLE, $position, $info ) );
		}
		$ids = $writer->create_many( self::ARTICLE, $images );

		$this->assertSame( array_keys( $images ), array_keys( $ids ) );
		$this->assertSame( $ids, array_unique( $ids ) );
		foreach ( $ids as $position => $id ) {
			$actual = $this->snapshot( $id );
			$this->assert_same_attachment( $expected[ $position ], $actual );
			$this->assertSame( (string) $position, get_post_meta( $id, AttachmentWriter::META_ORDER, true ) );
			$this->assertSame( (string) $images[ $position ]->path, get_attached_file( $id ) );
		}
		$this->assertSame( 'verial-' . self::ARTICLE . '-2-2', get_post_field( 'post_name', $ids[2] ), 'the taken slug got WordPress\'s suffix' );
		$this->assertSame( 'verial-' . self::ARTICLE . '-2', get_post_field( 'post_name', $holder ) );
		$this->assertSame( 'verial-' . self::ARTICLE . '-5', get_post_field( 'post_name', $ids[5] ) );
	}

	/**
	 * Per attachment of create_many(), once all rows exist: added_post_meta per row with its
	 * real meta id, then add_attachment; the metadata filter gets each attachment's own id.
	 */
	public function test_many_fire_the_hooks_of_each_attachment(): void {
		global $wpdb;
		$events   = array();
		$filtered = array();
		$this->hook( 'add_attachment', function ( int $id ) use ( &$events ): void {
			$events[] = array( 'add_attachment', $id, get_post_meta( $id, '_wp_attached_file', true ) );
		} );
		$this->hook( 'added_post_meta', function ( int $meta_id, int $id, string $key ) use ( &$events ): void {
			$events[] = array( 'added_post_meta', $id, $meta_id, $key );
		} );
		$this->hook( 'wp_update_attachment_metadata', function ( array $data, int $id ) use ( &$filtered ): array {
			$filtered[] = $id;
			return $data + array( 'offloaded' => $id );
		} );
		$images = array();
		foreach ( array( 1, 4, 6 ) as $position ) {
			$images[ $position ] = $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-' . $position );
		}
		$ids = ( new AttachmentWriter( false ) )->create_many( self::ARTICLE, $images );

		$this->assertSame( array_values( $ids ), $filtered );
		$expected = array();
		foreach ( $ids as $position => $id ) {
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT meta_id, meta_key FROM {$wpdb->postmeta} WHERE post_id = %d ORDER BY meta_id", $id ), ARRAY_N );
			$this->assertCount( 6, $rows );
			foreach ( $rows as list( $meta_id, $key ) ) {
				$expected[] = array( 'added_post_meta', $id, (int) $meta_id, $key );
			}
			$expected[] = array( 'add_attachment', $id, _wp_relative_upload_path( (string) $images[ $position ]->path ) );
			$this->assertSame( $id, wp_get_attachment_metadata( $id )['offloaded'] );
		}
		$this->assertSame( $expected, $events );
	}

	/**
	 * With auto-increment values the server does not hand out consecutively (InnoDB lock mode
	 * 2), the new posts and meta ids are read back: the same ids and rows as worked out.
	 */
	public function test_many_read_the_ids_back_when_they_are_not_consecutive(): void {
		global $wpdb;
		$meta = array();
		$this->hook( 'added_post_meta', function ( int $meta_id, int $id, string $key ) use ( &$meta ): void {
			$meta[] = array( $meta_id, $id, $key );
		} );
		$step = new \ReflectionProperty( AttachmentWriter::class, 'id_step' );
		$step->setAccessible( true );
		$step->setValue( null, 0 );
		try {
			$images = array();
			foreach ( array( 0, 1, 2 ) as $position ) {
				$images[ $position ] = $this->image( $this->directory(), 'verial-' . self::ARTICLE . '-' . $position );
			}
			$ids = ( new AttachmentWriter( true ) )->create_many( self::ARTICLE, $images );
		} finally {
			$step->setValue( null, null );
		}
		foreach ( $ids as $position => $id ) {
			$this->assertSame( (string) $images[ $position ]->path, get_attached_file( $id ) );
			$this->assertSame( (string) $position, get_post_meta( $id, AttachmentWriter::META_ORDER, true ) );
		}
		$rows = $wpdb->get_results( "SELECT meta_id, post_id, meta_key FROM {$wpdb->postmeta} WHERE post_id IN (" . implode( ', ', $ids ) . ') ORDER BY meta_id', ARRAY_N );
		$this->assertSame( array_map( static fn( array $row ): array => array( (int) $row[0], (int) $row[1], $row[2] ), $rows ), $meta );
	}

	/**
	 * create_many(): a failed INSERT into posts, or into postmeta after the posts rows were
	 * written, leaves no file and no row of any of the images, and the error names the article,
	 * every position and every file.
	 */
	public function test_many_a_failed_insert_deletes_every_file_and_throws(): void {
		global $wpdb;
		foreach ( array( $wpdb->posts, $wpdb->postmeta ) as $n => $table ) {
			$images = array();
			foreach ( array( 7, 8, 9 ) as $position ) {
				$images[ $position ] = $this->image( $this->directory(), sprintf( 'verial-%d-%d-%d', self::ARTICLE, $position, $n ) );
			}
			$breaker  = static fn( string $query ): string => (string) preg_replace( '/^INSERT INTO `?' . preg_quote( $table, '/' ) . '`? /', 'INSERT INTO `' . $wpdb->prefix . 'no_such_table` ', $query );
			$posts    = (int) $wpdb->get_var( "SELECT COALESCE(MAX(ID), 0) FROM {$wpdb->posts}" );
			$meta_ids = (int) $wpdb->get_var( "SELECT COALESCE(MAX(meta_id), 0) FROM {$wpdb->postmeta}" );
			$this->hook( 'query', $breaker );
			$wpdb->suppress_errors( true );
			try {
				( new AttachmentWriter( true ) )->create_many( self::ARTICLE, $images );
				$this->fail( "no exception with the INSERT into $table failing" );
			} catch ( \RuntimeException $e ) {
				$files = implode( ', ', array_map( static fn( \VerialImages\Native\ImageInfo $info ): string => basename( (string) $info->path ), $images ) );
				$this->assertStringContainsString( sprintf( 'Article %d, images 7, 8, 9: WordPress refused the attachments for %s', self::ARTICLE, $files ), $e->getMessage() );
				$this->assertStringContainsString( 'no_such_table', $e->getMessage() );
			} finally {
				$wpdb->suppress_errors( false );
				remove_filter( 'query', $breaker );
			}
			foreach ( $images as $info ) {
				$this->assertFileDoesNotExist( (string) $info->path );
			}
			$this->assertSame( array(), SiteState::attachments(), "an attachment remains after the INSERT into $table failed" );
			$this->assertSame( (string) $posts, $wpdb->get_var( "SELECT COALESCE(MAX(ID), 0) FROM {$wpdb->posts}" ), 'posts rows remain' );
			$this->assertSame( (string) $meta_ids, $wpdb->get_var( "SELECT COALESCE(MAX(meta_id), 0) FROM {$wpdb->postmeta}" ), 'meta rows remain' );
		}
		$this->assert_no_leftovers();
	}

	/**
	 * The point of create_many(): the same three queries for five attachments as for one.
	 */
	public function test_many_attachments_cost_three_queries_in_all(): void {
		global $wpdb;
		$writer = new AttachmentWriter( true );
		$dir    = $this->directory();
		$writer->create( self::ARTICLE, 0, $this->image( $dir, 'verial-' . self::ARTICLE . '-warm' ) ); // Warms per-process caches.
		$images = array();
		foreach ( range( 0, 4 ) as $position ) {
			$images[ $position ] = $this->image( $dir, 'verial-' . self::ARTICLE . '-' . $position );
		}
		$queries = array();
		$counter = static function ( string $query ) use ( &$queries ): string {
			$queries[] = $query;
			return $query;
		};
		$this->hook( 'query', $counter );
		$ids = $writer->create_many( self::ARTICLE, $images );
		remove_filter( 'query', $counter );

		fwrite( STDERR, sprintf( "[vis] queries for %d attachments with create_many(): %d\n", count( $ids ), count( $queries ) ) );
		$this->assertCount( 5, array_unique( $ids ) );
		$this->assertLessThanOrEqual( 3, count( $queries ), implode( "\n", $queries ) );
		$this->assertSame( '5', $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->posts} WHERE ID IN (" . implode( ', ', $ids ) . ')' ) );
	}

	/**
	 * The old AttachmentWriter::create(): WordPress's own path, meta through meta_input
	 * (update_post_meta() per key), then wp_update_attachment_metadata().
	 */
	private function create_the_wordpress_way( AttachmentWriter $writer, int $article_id, int $position, \VerialImages\Native\ImageInfo $info ): int {
		$file = (string) $info->path;
		$name = pathinfo( $file, PATHINFO_FILENAME );
		$id   = wp_insert_attachment(
			array(
				'post_title'     => $name,
				'post_name'      => sanitize_title( $name ),
				'post_content'   => '',
				'post_status'    => 'inherit',
				'post_mime_type' => $info->mime,
				'guid'           => wp_get_upload_dir()['baseurl'] . '/' . ltrim( _wp_relative_upload_path( $file ), '/' ),
				'meta_input'     => $writer->meta_of( $article_id, $position, $info ),
			),
			$file,
			0,
			true
		);
		$this->assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
		wp_update_attachment_metadata(
			$id,
			array(
				'width'      => $info->width,
				'height'     => $info->height,
				'file'       => _wp_relative_upload_path( $file ),
				'filesize'   => $info->bytes,
				'sizes'      => array(),
				'image_meta' => array(),
			)
		);
		return $id;
	}

	/**
	 * The attachment's posts row and meta rows, then both deleted (the file stays) so the
	 * writer can create the same attachment again.
	 *
	 * @return array{post: array<string, string>, meta: list<array{string, string}>}
	 */
	private function forget( int $id ): array {
		global $wpdb;
		$snapshot = $this->snapshot( $id );
		$wpdb->delete( $wpdb->postmeta, array( 'post_id' => $id ) );
		$wpdb->delete( $wpdb->posts, array( 'ID' => $id ) );
		clean_post_cache( $snapshot['post']['ID'] );
		wp_cache_delete( $id, 'posts' );
		wp_cache_delete( $id, 'post_meta' );
		return $snapshot;
	}

	/**
	 * @return array{post: array<string, string>, meta: list<array{string, string}>}
	 */
	private function snapshot( int $id ): array {
		global $wpdb;
		$post = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->posts} WHERE ID = %d", $id ), ARRAY_A );
		$this->assertIsArray( $post, "attachment $id has no posts row" );
		return array(
			'post' => $post,
			'meta' => $wpdb->get_results( $wpdb->prepare( "SELECT meta_key, meta_value FROM {$wpdb->postmeta} WHERE post_id = %d ORDER BY meta_id", $id ), ARRAY_N ),
		);
	}

	/**
	 * Every posts column but ID equal (dates within two seconds, the same local-GMT offset),
	 * every meta row equal and in the same order.
	 *
	 * @param array{post: array<string, string>, meta: list<array{string, string}>} $expected WordPress's.
	 * @param array{post: array<string, string>, meta: list<array{string, string}>} $actual   The writer's.
	 */
	private function assert_same_attachment( array $expected, array $actual ): void {
		foreach ( array( 'post_date', 'post_date_gmt', 'post_modified', 'post_modified_gmt' ) as $column ) {
			$this->assertEqualsWithDelta( strtotime( $expected['post'][ $column ] ), strtotime( $actual['post'][ $column ] ), 2, $column );
		}
		foreach ( array( $expected, $actual ) as $attachment ) {
			$post = $attachment['post'];
			$this->assertSame( $post['post_date'], $post['post_modified'] );
			$this->assertSame( $post['post_date_gmt'], $post['post_modified_gmt'] );
			$this->assertSame( $post['post_date_gmt'], get_gmt_from_date( $post['post_date'] ), 'local and GMT dates of the same moment' );
		}
		$strip = static fn( array $post ): array => array_diff_key( $post, array_flip( array( 'ID', 'post_date', 'post_date_gmt', 'post_modified', 'post_modified_gmt' ) ) );
		$this->assertSame( $strip( $expected['post'] ), $strip( $actual['post'] ), 'posts columns' );
		$this->assertSame( $expected['meta'], $actual['meta'], 'meta rows' );
		$this->assertCount( 23, $actual['post'], 'a posts column was added to WordPress: compare it too' );
	}

	/**
	 * Current user, comment defaults and time zone of the site under test.
	 */
	private function site( string $role, string $comments, string $timezone ): void {
		foreach ( array(
			'default_comment_status' => $comments,
			'default_ping_status'    => $comments,
			'timezone_string'        => $timezone,
			'gmt_offset'             => 0,
		) as $option => $value ) {
			$this->saved_options[ $option ] ??= get_option( $option );
			update_option( $option, $value );
		}
		if ( '' === $role ) {
			wp_set_current_user( 0 );
			return;
		}
		$login = 'vis-writer-' . $role;
		$user  = get_user_by( 'login', $login );
		wp_set_current_user(
			$user ? $user->ID : wp_insert_user(
				array(
					'user_login' => $login,
					'user_pass'  => wp_generate_password(),
					'user_email' => $login . '@example.org',
					'role'       => $role,
				)
			)
		);
		$this->assertSame( 'author' !== $role, current_user_can( 'unfiltered_html' ) );
	}

	/**
	 * The uploads directory of the given month (default: this month), created again after
	 * SiteState::reset() removed the tree (wp_upload_dir() checks only once per process).
	 *
	 * @param string|null $month 'yyyy/mm'.
	 */
	private function directory( ?string $month = null ): string {
		$path = wp_upload_dir( $month, false )['path'];
		$this->assertTrue( wp_mkdir_p( $path ), "cannot create $path" );
		return $path;
	}

	/**
	 * A 3 x 2 PNG written by the codec under test (as the import writes files).
	 */
	private function image( string $dir, string $stem ): \VerialImages\Native\ImageInfo {
		$image = imagecreatetruecolor( 3, 2 );
		imagefilledrectangle( $image, 0, 0, 2, 1, (int) imagecolorallocate( $image, 200, 30, 40 ) );
		ob_start();
		imagepng( $image );
		$png = (string) ob_get_clean();
		return \VerialImages\Native\import_file( base64_encode( $png ), $dir, $stem, true );
	}
}
