<?php
/**
 * Installation, settings, background driver, thumbnails, cancel, legacy adoption, changes in
 * Verial, deletions and uninstall.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Installer;
use VerialImageSync\Media\ThumbnailQueue;
use VerialImageSync\Plugin;
use VerialImageSync\Services;
use VerialImageSync\Settings;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;
use VerialImageSync\Sync\BatchWorker;
use VerialImageSync\Sync\RunAlreadyActiveException;

final class LifecycleTest extends E2eTestCase {

	public function test_activation_created_the_tables_with_their_indexes(): void {
		global $wpdb;
		$this->assertSame( Installer::SCHEMA_VERSION, (int) get_option( Installer::SCHEMA_OPTION ) );
		$indexes = array();
		foreach ( $wpdb->get_results( 'SHOW INDEX FROM ' . Tables::images(), ARRAY_A ) as $index ) {
			$indexes[ $index['Key_name'] ][] = $index['Column_name'];
		}
		$this->assertSame( array( 'article_id', 'position' ), $indexes['article_position'] );
		$this->assertSame( array( 'sha256' ), $indexes['sha256'] );
		$this->assertSame( array( 'legacy_md5' ), $indexes['legacy_md5'] );
		$this->assertSame( array( 'attachment_id' ), $indexes['attachment_id'] );
		foreach ( Tables::all() as $table ) {
			$this->assertSame( 'InnoDB', $wpdb->get_var( $wpdb->prepare( 'SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s', $table ) ), "$table must be transactional" );
		}

		// Upgrading an up-to-date schema changes nothing.
		$wpdb->last_error = '';
		Installer::install();
		$this->assertSame( '', $wpdb->last_error );
	}

	public function test_settings_default_to_the_existing_plugins_api_settings(): void {
		delete_option( Settings::OPTION );
		update_option( Settings::LEGACY_OPTION, array( 'mia_url_base' => 'http://x.verial.org:8000/WcfServiceLibraryVerial/', 'mia_numero_sesion' => '18' ) );
		try {
			$settings = Settings::load();
			$this->assertSame( 'http://x.verial.org:8000/WcfServiceLibraryVerial', $settings->base_url() );
			$this->assertSame( 18, $settings->session() );
			$this->assertSame( 300, $settings->image_size() );
			$this->assertSame( array( 250, 750, 2000 ), $settings->retry_delays_ms() );

			$settings = Settings::save( array( 'base_url' => 'http://verial.example:8000' ) );
			$this->assertSame( 'http://verial.example:8000/WcfServiceLibraryVerial', $settings->base_url() );
			$this->assertSame( 18, $settings->session(), 'the session still comes from the existing plugin' );
		} finally {
			delete_option( Settings::LEGACY_OPTION );
			delete_option( Settings::OPTION );
		}
	}

	/**
	 * WP-Cron: the start answers at once; each event processes one time-boxed slice and
	 * schedules the next; thumbnails are made afterwards by their own deferred job.
	 */
	public function test_cron_driver_runs_in_slices_and_thumbnails_come_later(): void {
		$this->fresh_site( 30 );
		// One request at a time, so 30 articles at 50 ms of latency outlast a 1-second slice.
		$this->configure(
			array(
				'time_limit'          => 1,
				'generate_thumbnails' => true,
				'parallel_requests'   => 1,
			)
		);
		MockVerial::config( array( 'latency_ms' => 50 ) );

		$started = microtime( true );
		$run_id  = Plugin::start_background_run();
		$this->assertLessThan( 1.0, microtime( true ) - $started, 'starting a background run must answer at once' );
		$this->assertSame( RunStore::LISTING, $this->status( $run_id )['status'] );
		$this->assertNotFalse( wp_next_scheduled( Plugin::PROCESS_HOOK ) );
		$this->assertNotFalse( wp_next_scheduled( Plugin::WATCHDOG_HOOK ) );
		try {
			Plugin::start_background_run();
			$this->fail( 'a second background run was started' );
		} catch ( RunAlreadyActiveException $e ) {
			$this->assertStringContainsString( "run #$run_id", $e->getMessage() );
		}

		$slices = $this->run_cron( array( Plugin::PROCESS_HOOK ) );
		MockVerial::config( array( 'latency_ms' => 0 ) );
		$this->assertGreaterThan( 1, $slices, 'the run was not split into several cron events' );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );

		$attachments = SiteState::attachments();
		$this->assertSame( count( $attachments ), Plugin::services()->thumbnails->count_pending() );
		foreach ( $attachments as $attachment ) {
			$this->assertSame( array(), wp_get_attachment_metadata( $attachment['id'] )['sizes'], 'sizes made on the critical path' );
		}
		$this->assertNotFalse( wp_next_scheduled( ThumbnailQueue::HOOK ) );

		$engines = array();
		$count   = static function ( $attachment_id, $engine ) use ( &$engines ): void {
			$engines[ get_post_mime_type( $attachment_id ) ][ $engine ] = ( $engines[ get_post_mime_type( $attachment_id ) ][ $engine ] ?? 0 ) + 1;
		};
		add_action( 'verial_image_sync_sizes_made', $count, 10, 2 );
		$this->run_cron( array( ThumbnailQueue::HOOK ) );
		remove_action( 'verial_image_sync_sizes_made', $count );
		$this->assertSame( 0, Plugin::services()->thumbnails->count_pending() );
		$with_sizes = 0;
		foreach ( $attachments as $attachment ) {
			$meta = wp_get_attachment_metadata( $attachment['id'] );
			if ( $meta['width'] > 150 || $meta['height'] > 150 ) {
				$this->assertArrayHasKey( 'thumbnail', $meta['sizes'], "no thumbnail for {$attachment['file']}" );
				++$with_sizes;
			}
			$dir = dirname( get_attached_file( $attachment['id'] ) );
			foreach ( $meta['sizes'] as $name => $size ) {
				$on_disk = getimagesize( "$dir/{$size['file']}" );
				$this->assertSame( array( $size['width'], $size['height'], $size['mime-type'] ), array( $on_disk[0], $on_disk[1], $on_disk['mime'] ), "size $name of {$attachment['file']}" );
			}
		}
		$this->assertGreaterThan( 0, $with_sizes );
		// Every format's sizes come from the extension when it is loaded; on the fallback codec,
		// from WordPress's own editor.
		$expected = extension_loaded( 'verial_images' ) ? 'native' : 'wordpress';
		foreach ( $engines as $mime => $by_engine ) {
			$this->assertSame( array( $expected ), array_keys( $by_engine ), "sizes of $mime images" );
		}
		$this->assertArrayHasKey( 'image/jpeg', $engines );
		$this->assert_no_leftovers();

		Plugin::watchdog();
		$this->assertFalse( wp_next_scheduled( Plugin::WATCHDOG_HOOK ), 'the watchdog outlived the run' );
	}

	/**
	 * A background chain that broke (a worker died before scheduling its successor) is
	 * restarted by the watchdog.
	 */
	public function test_watchdog_restarts_a_broken_chain(): void {
		$this->fresh_site( 12 );
		$run_id = Plugin::start_background_run();
		wp_clear_scheduled_hook( Plugin::PROCESS_HOOK );

		Plugin::watchdog();
		$this->assertNotFalse( wp_next_scheduled( Plugin::PROCESS_HOOK ) );
		$this->run_cron( array( Plugin::PROCESS_HOOK ) );
		$this->assert_state_matches_truth( $run_id );
	}

	/**
	 * Cancel: the worker stops after the article in hand, nothing is left half-done, and a new
	 * run may start.
	 */
	public function test_cancel_stops_the_run_cleanly(): void {
		global $wpdb;
		$this->fresh_site( 40 );
		// One request at a time: 40 articles at 40 ms of latency outlast the 1-second slice.
		$this->configure(
			array(
				'time_limit'        => 1,
				'parallel_requests' => 1,
			)
		);
		MockVerial::config( array( 'latency_ms' => 40 ) );

		$services = Plugin::services();
		$run_id   = $services->runner->start( 'foreground' );
		$this->assertSame( BatchWorker::MORE, $services->worker->run_slice() );
		$this->assertTrue( $services->runner->cancel() );
		MockVerial::config( array( 'latency_ms' => 0 ) );

		$status = $this->status( $run_id );
		$this->assertSame( RunStore::CANCELLED, $status['status'] );
		$this->assertGreaterThan( 0, $status['articles']['done'] );
		$this->assertLessThan( 40, $status['articles']['done'] );
		$this->assertSame( 0, $status['batches'][ BatchQueue::PENDING ] + $status['batches'][ BatchQueue::RUNNING ] );
		$this->assertSame( BatchWorker::IDLE, $services->worker->run_slice() );
		$this->assertFalse( $services->runner->cancel(), 'cancelled twice' );
		$this->assert_no_leftovers();
		$this->assertSame( count( SiteState::attachments() ), (int) $wpdb->get_var( 'SELECT COUNT(DISTINCT attachment_id) FROM ' . Tables::images() ), 'attachments without image rows' );

		$next = $this->run_foreground();
		$this->assertGreaterThan( 0, $this->status( $next )['images']['reused'] );
		$this->assert_state_matches_truth( $next, false );
	}

	/**
	 * Attachments made by the existing plugin's own phase 1 are recognised by its hash and
	 * adopted, not duplicated.
	 */
	public function test_attachments_of_the_existing_plugin_are_adopted(): void {
		$this->fresh_site( 20 );
		$article_id = 0;
		$image      = null;
		foreach ( MockVerial::truth() as $id => $images ) {
			foreach ( $images as $candidate ) {
				if ( null !== $candidate['sha256'] && 'jpeg' === $candidate['format'] ) {
					$article_id = $id;
					$image      = $candidate;
					break 2;
				}
			}
		}
		$this->assertNotNull( $image );
		$legacy_id = $this->plant_legacy_attachment( $article_id, $image['position'] );

		$run_id = $this->run_foreground();

		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM ' . Tables::images() . ' WHERE article_id = %d AND position = %d', $article_id, $image['position'] ), ARRAY_A );
		$this->assertSame( $legacy_id, (int) $row['attachment_id'], 'the legacy attachment was not adopted' );
		$this->assertSame( 1, $this->status( $run_id )['images']['adopted'] );
		$this->assertCount( count( $this->pictures() ), SiteState::attachments(), 'the adopted picture was imported again' );
		$this->assertSame( SiteState::referenced_files(), SiteState::upload_files(), 'a file was written for the adopted picture and left behind' );
	}

	/**
	 * Verial changes (reorder, replace, remove) are applied on the next run: positions move,
	 * only the new picture is imported, rows of removed positions go, and the existing
	 * plugin's meta follows.
	 */
	public function test_changed_articles_are_updated_on_the_next_run(): void {
		$this->fresh_site( 40 );
		$this->run_foreground();
		$articles = array_keys( array_filter( MockVerial::truth(), static fn( array $images ): bool => count( $images ) >= 3 && ! in_array( null, array_column( $images, 'sha256' ), true ) ) );
		$this->assertGreaterThanOrEqual( 3, count( $articles ) );
		$before = $this->pictures();
		try {
			MockVerial::mutate( array( 'article' => $articles[0], 'op' => 'reorder' ) );
			MockVerial::mutate( array( 'article' => $articles[1], 'op' => 'replace', 'position' => 1 ) );
			MockVerial::mutate( array( 'article' => $articles[2], 'op' => 'remove', 'position' => 0 ) );
			$retired = count( array_diff_key( $before, $this->pictures() ) );
			$this->assertGreaterThan( 0, $retired );

			// Explicitly full, so the whole state can be compared (ResyncTest covers the
			// default, incremental mode).
			$run_id = Plugin::services()->runner->start( 'foreground', null, array(), true );
			$this->assertSame( 'finished', Plugin::services()->foreground->run() );
			$status = $this->status( $run_id );
			$this->assertSame( 1, $status['images']['created'], 'only the replaced picture is new' );
			$this->assert_state_matches_truth( $run_id, false, $retired );
		} finally {
			MockVerial::reset_mutations();
		}
	}

	/**
	 * Distinct good pictures of the mock's current truth.
	 *
	 * @return array<string, true>
	 */
	private function pictures(): array {
		$pictures = array();
		foreach ( MockVerial::truth() as $images ) {
			foreach ( $images as $image ) {
				if ( null !== $image['sha256'] ) {
					$pictures[ $image['sha256'] ] = true;
				}
			}
		}
		return $pictures;
	}

	/**
	 * An attachment deleted from the media library is forgotten and imported again.
	 */
	public function test_deleted_attachment_is_imported_again(): void {
		$this->fresh_site( 12 );
		$this->run_foreground();
		$victim = SiteState::attachments()[0];
		wp_delete_attachment( $victim['id'], true );

		// Its article did not change in Verial: only a full run (the periodic verification
		// pass) fetches it again.
		$run_id = Plugin::services()->runner->start( 'foreground', null, array(), true );
		$this->assertSame( 'finished', Plugin::services()->foreground->run() );
		$this->assertSame( 1, $this->status( $run_id )['images']['created'] );
		$this->assert_state_matches_truth( $run_id );
	}

	/**
	 * Last: uninstall removes the plugin's tables, options and jobs, and keeps the media.
	 */
	public function test_uninstall_keeps_the_media(): void {
		global $wpdb;
		$this->fresh_site( 12 );
		$this->configure( array( 'generate_thumbnails' => true ) );
		$this->run_foreground();
		$attachments = SiteState::attachments();
		$files       = SiteState::upload_files();
		$this->assertNotEmpty( $attachments );
		$this->assertNotFalse( wp_next_scheduled( ThumbnailQueue::HOOK ) );

		deactivate_plugins( 'verial-image-sync/verial-image-sync.php' );
		uninstall_plugin( 'verial-image-sync/verial-image-sync.php' );

		foreach ( Tables::all() as $table ) {
			$this->assertNull( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ), "$table survived uninstall" );
		}
		foreach ( array( Settings::OPTION, Installer::SCHEMA_OPTION, Services::LOCK_OPTION ) as $option ) {
			$this->assertNull( $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $option ) ), "$option survived uninstall" );
		}
		$this->assertFalse( wp_next_scheduled( ThumbnailQueue::HOOK ) );
		$this->assertSame( $attachments, SiteState::attachments() );
		$this->assertSame( $files, SiteState::upload_files() );
	}
}
