<?php
/**
 * Bad and hostile input from the Verial API, end to end.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

/**
 * Whatever Verial sends (broken base64, a 50 MB picture, PHP dressed up as an image, article ids
 * that look like paths), nothing lands outside the uploads directory, nothing executable lands
 * inside it, and every refusal is listed with the article (and position) it came from.
 */
final class BadInputTest extends E2eTestCase {

	private const CATALOG = 24;

	/**
	 * Extensions a web server may execute or obey, which must never appear under uploads.
	 */
	private const EXECUTABLE = '/\.(php\d*|phtml|pht|phps|phar|inc|htaccess|htpasswd|user\.ini|cgi|pl|py|sh|shtml|asp|aspx|jsp|svg|html?)$/i';

	protected function tearDown(): void {
		MockVerial::config(
			array(
				'extra_articles' => array(),
				'extra_images'   => new \stdClass(),
				'foreign_images' => new \stdClass(),
				'huge_image'     => null,
			)
		);
	}

	/**
	 * The mock's five corrupt kinds: each refused with its article and position, none stored.
	 */
	public function test_the_five_corrupt_kinds_are_refused_with_article_and_position(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		$run_id = $this->run_foreground();

		$errors = array();
		foreach ( $this->status( $run_id )['errors'] as $error ) {
			$errors[ $error['article_id'] . ':' . $error['position'] ] = $error;
		}
		$kinds = array();
		foreach ( MockVerial::truth() as $article_id => $images ) {
			foreach ( $images as $image ) {
				if ( null === $image['corrupt'] ) {
					continue;
				}
				$key                        = $article_id . ':' . $image['position'];
				$kinds[ $image['corrupt'] ] = true;
				$this->assertArrayHasKey( $key, $errors, "{$image['corrupt']} image $key was not refused" );
				$this->assertStringContainsString( "article $article_id position {$image['position']}", $errors[ $key ]['message'], $image['corrupt'] );
				$stored = $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM ' . Tables::images() . ' WHERE article_id = %d AND position = %d', $article_id, $image['position'] ) );
				$this->assertSame( '0', $stored, "{$image['corrupt']} image $key was stored" );
			}
		}
		$this->assertEqualsCanonicalizing( array( 'invalid_chars', 'truncated_base64', 'truncated_image', 'html_text', 'empty' ), array_keys( $kinds ), 'the catalog must plant every corrupt kind' );
		$this->assert_state_matches_truth( $run_id );
		$this->assert_nothing_executable_or_outside();
	}

	/**
	 * A 50 MB picture (over the 25 MB limit) in a worker process with the usual 256 MB memory
	 * limit: refused by size, naming the article and position, nothing of it written, the
	 * article's good images kept, and the worker alive to finish the run. (A separate process,
	 * so that a worker running out of memory fails this test, not the whole suite.)
	 *
	 * The worker's peak memory goes to the test log: the whole reply is held in memory before
	 * any size check, so this figure says how close a 256 MB worker came to dying.
	 */
	public function test_50_mb_image_is_refused_by_size_in_a_worker_without_running_out_of_memory(): void {
		$this->fresh_site( self::CATALOG );
		$truth = MockVerial::truth();
		list( $huge ) = $this->clean_articles( 1 );
		MockVerial::config(
			array(
				'huge_image' => array(
					'article' => $huge,
					'bytes'   => 50 * 1024 * 1024,
				),
			)
		);
		$before = $this->files_outside_uploads();
		$child  = new ChildProcess( 'run' );
		$code   = $child->wait();
		$this->assertSame( 0, $code, 'the worker did not survive the 50 MB reply: ' . $child->stderr() . implode( "\n", $this->take_plugin_log_messages() ) );
		$final = json_decode( $child->stdout(), true );
		fwrite( STDERR, sprintf( "bad-input: 50 MB image reply, worker peak memory %.1f MB\n", $final['peak_memory'] / 1048576 ) );

		list( , $errors, $rows ) = $this->check_hostile_run( (int) $final['id'], $before );
		$position = count( $truth[ $huge ] );
		$this->assertArrayHasKey( "$huge:$position", $errors, 'the 50 MB image was not refused' );
		$this->assertStringContainsString( "article $huge position $position", $errors[ "$huge:$position" ]['message'] );
		$this->assertMatchesRegularExpression( '/limit|too (large|big)|size/i', $errors[ "$huge:$position" ]['message'] );
		$this->assertCount( count( $truth[ $huge ] ), $rows[ $huge ] ?? array(), "article $huge lost its good images to the huge one" );
		$this->assert_untouched_articles_match_truth( $rows, array( $huge ) );
	}

	/**
	 * A text with an image data-URI prefix, PHP behind a GIF header and PHP in a real JPEG's
	 * comment: each refused (or, for the JPEG, at most stored as a .jpg picture) at its article
	 * and position, the article's good images kept.
	 */
	public function test_disguised_payloads_are_refused_with_article_and_position(): void {
		$this->fresh_site( self::CATALOG );
		$truth = MockVerial::truth();
		list( $extras ) = $this->clean_articles( 1 );

		$jpeg_with_php = $this->jpeg_with_comment( "<?php echo 'owned'; system(\$_GET['c'] ?? 'id'); ?>" );
		MockVerial::config(
			array(
				'extra_images' => array(
					(string) $extras => array(
						'data:image/png;base64,' . base64_encode( "This is not a picture.\n" ),
						base64_encode( "GIF89a\x01\x00\x01\x00\x80\x00\x00<?php system(\$_GET['c']); __halt_compiler();" ),
						base64_encode( $jpeg_with_php ),
					),
				),
			)
		);
		list( , $errors, $rows ) = $this->hostile_run();

		$first = count( $truth[ $extras ] );
		foreach ( array( 'data-URI text', 'GIF with PHP' ) as $offset => $what ) {
			$key = $extras . ':' . ( $first + $offset );
			$this->assertArrayHasKey( $key, $errors, "$what was not refused" );
			$this->assertStringContainsString( 'article ' . $extras . ' position ' . ( $first + $offset ), $errors[ $key ]['message'], $what );
			$this->assertArrayNotHasKey( $first + $offset, $rows[ $extras ] ?? array(), "$what was stored" );
		}
		if ( isset( $rows[ $extras ][ $first + 2 ] ) ) {
			$this->assertSame( 'image/jpeg', $rows[ $extras ][ $first + 2 ]['mime'] );
			$this->assertSame( hash( 'sha256', $jpeg_with_php ), $rows[ $extras ][ $first + 2 ]['sha256'] );
		} else {
			$this->assertArrayHasKey( $extras . ':' . ( $first + 2 ), $errors, 'the JPEG with PHP in a comment was neither stored nor refused' );
		}
		$this->assertCount( $first, array_diff_key( $rows[ $extras ] ?? array(), array( $first + 2 => true ) ), "article $extras lost good images" );
		$this->assert_untouched_articles_match_truth( $rows, array( $extras ) );
	}

	/**
	 * Image replies whose ID_Articulo is not the article asked for (a path, a negative id,
	 * another real article, a fraction): nothing stored or left on disk under either id, and
	 * the article in hand reports it.
	 */
	public function test_image_replies_claiming_another_article_are_reported_and_leave_no_file(): void {
		$this->fresh_site( self::CATALOG );
		$truth = MockVerial::truth();
		list( $pathlike, $negative, $other, $fraction, $owner ) = $this->clean_articles( 5 );
		MockVerial::config(
			array(
				'foreign_images' => array(
					(string) $pathlike => '../../../wp-config',
					(string) $negative => -7,
					(string) $other    => $owner,
					(string) $fraction => 1.5,
				),
			)
		);
		list( , $errors, $rows ) = $this->hostile_run();

		foreach ( array( $pathlike, $negative, $other, $fraction ) as $article_id ) {
			$this->assertSame( array(), $rows[ $article_id ] ?? array(), "article $article_id stored images whose reply claimed another article" );
			$this->assertNotEmpty( preg_grep( "/^$article_id:/", array_keys( $errors ) ), "article $article_id: the reply for another article was ignored without an error" );
		}
		$this->assertCount( count( $truth[ $owner ] ), $rows[ $owner ] ?? array(), "article $owner got images from another article's reply" );
		$this->assert_untouched_articles_match_truth( $rows, array( $pathlike, $negative, $other, $fraction ) );
	}

	/**
	 * Article ids in the listing that are a path, negative, zero, huge, fractional or carry a
	 * NUL: none becomes an article of the run (refused or ignored), nothing is stored for them.
	 */
	public function test_hostile_article_ids_in_the_listing_are_refused(): void {
		$this->fresh_site( self::CATALOG );
		$truth = MockVerial::truth();
		list( $owner ) = $this->clean_articles( 1 );
		MockVerial::config(
			array(
				'extra_articles' => array(
					array( 'Id' => '../../etc/passwd' ),
					array( 'Id' => -5 ),
					array( 'Id' => 0 ),
					array( 'Id' => 99999999999999999999 ),
					array( 'Id' => 2.5 ),
					array( 'Id' => "{$owner}\0.php" ),
				),
			)
		);
		list( $status, , $rows ) = $this->hostile_run();

		$listed = $this->processing_order( (int) $status['id'] );
		$this->assertSame( array(), array_values( array_diff( $listed, array_keys( $truth ) ) ), 'the run took ids that are not Verial articles' );
		$this->assertSame( count( $truth ), count( $listed ), 'an article was listed twice' );
		$this->assert_untouched_articles_match_truth( $rows, array() );
	}

	/**
	 * Runs with the hostile mock in this process, then check_hostile_run().
	 *
	 * @return array{0: array<string, mixed>, 1: array<string, array<string, mixed>>, 2: array<int, array<int, array<string, string>>>}
	 */
	private function hostile_run(): array {
		$before = $this->files_outside_uploads();
		return $this->check_hostile_run( $this->run_foreground(), $before );
	}

	/**
	 * What holds whatever was sent: the run ended, nothing is written outside uploads, nothing
	 * executable inside, nothing half-done.
	 *
	 * @param int                   $run_id The run.
	 * @param array<string, string> $before files_outside_uploads() before the run.
	 * @return array{0: array<string, mixed>, 1: array<string, array<string, mixed>>, 2: array<int, array<int, array<string, string>>>}
	 *         Status, errors by "article:position", image rows by article and position.
	 */
	private function check_hostile_run( int $run_id, array $before ): array {
		global $wpdb;
		$status = $this->status( $run_id );
		$this->assertSame( RunStore::COMPLETED_WITH_ERRORS, $status['status'], 'last error: ' . $status['last_error'] );
		$this->assertSame( $before, $this->files_outside_uploads(), 'files written outside the uploads directory' );
		$this->assert_nothing_executable_or_outside();
		$this->assert_nothing_half_done( 'hostile input' );

		$errors = array();
		foreach ( $status['errors'] as $error ) {
			$errors[ $error['article_id'] . ':' . ( $error['position'] ?? '-' ) ] = $error;
		}
		$rows = array();
		foreach ( $wpdb->get_results( 'SELECT article_id, position, sha256, mime FROM ' . Tables::images(), ARRAY_A ) as $row ) {
			$rows[ (int) $row['article_id'] ][ (int) $row['position'] ] = $row;
		}
		return array( $status, $errors, $rows );
	}

	/**
	 * The first $count articles with at least two images, all good.
	 *
	 * @return list<int>
	 */
	private function clean_articles( int $count ): array {
		$clean = array_keys( array_filter( MockVerial::truth(), static fn( array $images ): bool => count( $images ) >= 2 && ! in_array( null, array_column( $images, 'sha256' ), true ) ) );
		$this->assertGreaterThanOrEqual( $count, count( $clean ), "the catalog needs $count articles with only good images" );
		return array_slice( $clean, 0, $count );
	}

	/**
	 * Articles nobody tampered with hold exactly their good images, and no rows exist under ids
	 * Verial does not have.
	 *
	 * @param array<int, array<int, array<string, string>>> $rows     Image rows by article and position.
	 * @param list<int>                                     $tampered Articles the test changed.
	 */
	private function assert_untouched_articles_match_truth( array $rows, array $tampered ): void {
		$truth = MockVerial::truth();
		foreach ( array_keys( $rows ) as $article_id ) {
			$this->assertArrayHasKey( $article_id, $truth, "image rows under article id $article_id, which Verial does not have" );
		}
		foreach ( array_diff( array_keys( $truth ), $tampered ) as $article_id ) {
			$good = array();
			foreach ( $truth[ $article_id ] as $image ) {
				if ( null !== $image['sha256'] ) {
					$good[ (int) $image['position'] ] = $image['sha256'];
				}
			}
			$stored = array_map( static fn( array $row ): string => $row['sha256'], $rows[ $article_id ] ?? array() );
			ksort( $stored );
			$this->assertSame( $good, $stored, "images of article $article_id" );
		}
	}

	/**
	 * No file under uploads with an extension a server could execute or obey, and every file
	 * really inside uploads (no symlink or ".." escape).
	 */
	private function assert_nothing_executable_or_outside(): void {
		$base = (string) realpath( wp_get_upload_dir()['basedir'] );
		foreach ( SiteState::upload_files() as $file ) {
			$this->assertDoesNotMatchRegularExpression( self::EXECUTABLE, basename( $file ), "executable or server-config file under uploads: $file" );
			$this->assertStringStartsWith( $base . '/', (string) realpath( $file ), "$file resolves outside uploads" );
			$this->assertStringNotContainsString( '..', basename( $file ), "path trick in a file name: $file" );
		}
	}

	/**
	 * Every file of the WordPress directory outside uploads, with its size and mtime.
	 *
	 * @return array<string, string>
	 */
	private function files_outside_uploads(): array {
		clearstatcache();
		$uploads = wp_get_upload_dir()['basedir'];
		$files   = array();
		$walk    = new \RecursiveIteratorIterator( new \RecursiveDirectoryIterator( (string) getenv( 'VIS_WP_DIR' ), \FilesystemIterator::SKIP_DOTS ) );
		foreach ( $walk as $file ) {
			$path = $file->getPathname();
			if ( str_starts_with( $path, $uploads . '/' ) ) {
				continue;
			}
			$files[ $path ] = $file->getSize() . ' ' . $file->getMTime();
		}
		ksort( $files );
		return $files;
	}

	/**
	 * A small valid JPEG with $comment in a COM segment right after SOI.
	 */
	private function jpeg_with_comment( string $comment ): string {
		$image = imagecreatetruecolor( 40, 30 );
		imagefilledrectangle( $image, 5, 5, 30, 20, 0x3366cc );
		ob_start();
		imagejpeg( $image, null, 80 );
		$jpeg = (string) ob_get_clean();
		imagedestroy( $image );
		return substr( $jpeg, 0, 2 ) . "\xFF\xFE" . pack( 'n', strlen( $comment ) + 2 ) . $comment . substr( $jpeg, 2 );
	}
}
