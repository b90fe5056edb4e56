<?php
/**
 * Storage going away under a worker: the database connection killed in the middle of an
 * article, the uploads directory full.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Plugin;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

/**
 * The MariaDB server itself is never stopped (other suites share it): the worker's own
 * connection is killed from inside its article transaction (tests/wp/fixtures/worker-faults.php).
 */
final class StorageFailureTest extends E2eTestCase {

	private const CATALOG = 30;

	protected function tearDown(): void {
		$this->reset_settings( 'claim_timeout' );
	}

	/**
	 * Connection killed right after the run's second attachment was inserted, i.e. inside the
	 * transaction of an article with new pictures: the worker reports it, nothing of that
	 * article is left half-written, and resuming ends with the truth.
	 */
	public function test_database_connection_killed_mid_article_leaves_nothing_half_written(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		$this->configure(
			array(
				'lock_ttl'      => 1,
				'claim_timeout' => 5,
			)
		);
		$report = (string) tempnam( sys_get_temp_dir(), 'vis-db-kill' );
		unlink( $report );
		$child = new ChildProcess(
			'run',
			array(
				'VIS_DB_KILL_AT'   => 'add_attachment:2',
				'VIS_DB_KILL_FILE' => $report,
			)
		);
		$code = $child->wait();
		$this->assertFileExists( $report, 'the connection kill did not happen; stderr: ' . $child->stderr() );
		$landed = trim( (string) file_get_contents( $report ) );
		unlink( $report );
		$context = "connection killed at $landed";

		// Nothing half-written: every article has all of its good images recorded, or none.
		$this->assert_articles_all_or_nothing( $context );
		$this->assertSame( SiteState::referenced_files(), SiteState::upload_files(), "$context: files in uploads that no attachment references" );

		// Reported: the run went on or stopped, but the failure is written down, naming the article.
		$run = Plugin::services()->runs->latest();
		$this->assertNotNull( $run );
		$batch_errors = $wpdb->get_col( $wpdb->prepare( 'SELECT error FROM ' . Tables::batches() . " WHERE run_id = %d AND error IS NOT NULL AND error <> ''", $run['id'] ) );
		$messages     = implode( "\n", array_merge( $batch_errors, array( (string) $run['last_error'], $child->stderr() ) ) );
		$this->assertMatchesRegularExpression( '/article \d+/i', $messages, "$context: no error names the article in hand (exit $code)" );
		$this->assertMatchesRegularExpression( '/gone away|lost connection|connection was killed|database error|commit failed/i', $messages, "$context: the error does not say the database failed" );

		$this->wait_for_takeover();
		Plugin::reset_services();
		if ( Plugin::services()->runs->active() ) {
			$this->assertSame( 'finished', Plugin::services()->foreground->run() );
		}
		$this->assert_nothing_half_done( $context );
		$run_id = (int) $run['id'];
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );
	}

	/**
	 * The uploads directory fills up (a 320 KB tmpfs mounted over this month's directory): the
	 * images that do not fit are listed with their article and position, nothing partial is
	 * left, and once there is room again the next run imports the rest.
	 */
	public function test_full_disk_refuses_what_does_not_fit_and_a_later_run_completes(): void {
		$this->assertSame( 0, posix_geteuid(), 'this test mounts a tmpfs: run the suite as root' );
		$this->fresh_site( self::CATALOG );
		$month = wp_upload_dir()['path'];
		$this->assertTrue( wp_mkdir_p( $month ) );
		$this->mount_tmpfs( $month, '320k' );
		try {
			$run_id = $this->run_foreground();
			$status = $this->status( $run_id );
			$kept   = $this->move_out( $month );
		} finally {
			$this->unmount( $month );
		}
		$this->move_back( $kept, $month );

		$this->assertSame( RunStore::COMPLETED_WITH_ERRORS, $status['status'] );
		$storage = array();
		foreach ( $status['errors'] as $error ) {
			if ( null !== $error['position'] && 1 === preg_match( '/no space|disk full|storage|write|ENOSPC/i', $error['kind'] . ' ' . $error['message'] ) ) {
				$storage[] = $error;
				$this->assertStringContainsString( "article {$error['article_id']} position {$error['position']}", $error['message'] );
			}
		}
		$this->assertNotEmpty( $storage, 'no image was refused for lack of space: ' . json_encode( array_column( $status['errors'], 'message' ) ) );
		$this->assertGreaterThan( 0, $status['images']['created'], 'nothing fitted: the tmpfs is too small for this test to mean anything' );
		$this->assert_nothing_half_done( 'disk full' );

		$second = $this->run_foreground( true );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $second );
		$this->assert_state_matches_truth( $second, false );
	}

	/**
	 * The uploads directory not writable (a read-only mount, since root ignores file modes):
	 * no image can be stored, each is listed with its article and position or the run says
	 * why it stopped, nothing is left behind, and once writable again a run completes.
	 */
	public function test_read_only_uploads_directory_stores_nothing_and_a_later_run_completes(): void {
		global $wpdb;
		$this->assertSame( 0, posix_geteuid(), 'this test mounts a tmpfs: run the suite as root' );
		$this->fresh_site( 12 );
		// A batch that fails is retried: the shortest waits between its attempts.
		$this->configure(
			array(
				'lock_ttl'      => 1,
				'claim_timeout' => 5,
			)
		);
		$month = wp_upload_dir()['path'];
		$this->assertTrue( wp_mkdir_p( $month ) );
		$this->mount_tmpfs( $month, '64k', 'ro' );
		try {
			$services = Plugin::services();
			$run_id   = $services->runner->start( 'foreground' );
			$this->assertSame( 'finished', $services->foreground->run() );
			$status = $this->status( $run_id );
		} finally {
			$this->unmount( $month );
		}

		$this->assertFalse( $status['active'] );
		$this->assertSame( 0, $status['images']['created'] );
		$this->assertSame( '0', $wpdb->get_var( 'SELECT COUNT(*) FROM ' . Tables::images() ) );
		$this->assertSame( array(), SiteState::attachments() );
		$listed = array();
		foreach ( $status['errors'] as $error ) {
			$listed[] = $error['message'];
			$this->assertMatchesRegularExpression( '/^(article|Article) ' . $error['article_id'] . '\b/', $error['message'] );
		}
		$this->assertNotEmpty( array_merge( $listed, array_filter( array( (string) $status['last_error'] ) ) ), 'the run did not say why nothing was stored' );
		$this->assert_nothing_half_done( 'read-only uploads' );

		$again = $this->run_foreground( true );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $again );
		$this->assert_state_matches_truth( $again, false );
	}

	private function mount_tmpfs( string $dir, string $size, string $mode = 'rw' ): void {
		exec( sprintf( 'mount -t tmpfs -o %s,size=%s tmpfs %s 2>&1', escapeshellarg( $mode ), escapeshellarg( $size ), escapeshellarg( $dir ) ), $out, $code );
		$this->assertSame( 0, $code, 'mount: ' . implode( "\n", $out ) );
	}

	private function unmount( string $dir ): void {
		exec( 'umount ' . escapeshellarg( $dir ) . ' 2>&1', $out, $code );
		$this->assertSame( 0, $code, 'umount: ' . implode( "\n", $out ) );
	}

	/**
	 * The tmpfs's files, read into memory before it goes away.
	 *
	 * @return array<string, string> Name => content.
	 */
	private function move_out( string $dir ): array {
		$files = array();
		foreach ( (array) scandir( $dir ) as $name ) {
			if ( is_file( "$dir/$name" ) ) {
				$files[ $name ] = (string) file_get_contents( "$dir/$name" );
			}
		}
		return $files;
	}

	/**
	 * @param array<string, string> $files Name => content.
	 */
	private function move_back( array $files, string $dir ): void {
		foreach ( $files as $name => $content ) {
			file_put_contents( "$dir/$name", $content );
		}
	}

	/**
	 * Per article: its image rows are all of its good images in the truth, or none at all, and
	 * each row's attachment exists with its file.
	 */
	private function assert_articles_all_or_nothing( string $context ): void {
		global $wpdb;
		$rows = array();
		foreach ( $wpdb->get_results( 'SELECT article_id, position, attachment_id FROM ' . Tables::images(), ARRAY_A ) as $row ) {
			$rows[ (int) $row['article_id'] ][ (int) $row['position'] ] = (int) $row['attachment_id'];
		}
		foreach ( MockVerial::truth() as $article_id => $images ) {
			$good = array();
			foreach ( $images as $image ) {
				if ( null !== $image['sha256'] ) {
					$good[] = (int) $image['position'];
				}
			}
			$stored = array_keys( $rows[ $article_id ] ?? array() );
			sort( $stored );
			$this->assertContains( $stored, array( array(), $good ), "$context: article $article_id is half recorded (positions " . implode( ',', $stored ) . ' of ' . implode( ',', $good ) . ')' );
		}
		$missing = $wpdb->get_col( 'SELECT CONCAT(i.article_id, \':\', i.position, \' -> \', i.attachment_id) FROM ' . Tables::images() . " i LEFT JOIN {$wpdb->posts} p ON p.ID = i.attachment_id WHERE p.ID IS NULL" );
		$this->assertSame( array(), $missing, "$context: image rows (article:position -> attachment) whose attachment does not exist" );
		$this->assert_attachments_have_files( $context );
	}

	private function assert_attachments_have_files( string $context ): void {
		$base = wp_get_upload_dir()['basedir'];
		foreach ( SiteState::attachments() as $attachment ) {
			$this->assertFileExists( $base . '/' . $attachment['file'], "$context: attachment {$attachment['id']} without its file" );
		}
	}
}
