<?php
/**
 * The WP-CLI commands, run inside the test WordPress through a stand-in for WP-CLI's API.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Cli\CliModule;
use VerialImageSync\Plugin;
use VerialImageSync\Settings;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

require_once __DIR__ . '/src/WpCliStandIn.php';
require_once __DIR__ . '/fixtures/Shop.php';

final class CliTest extends E2eTestCase {

	private const CATALOG = 24;

	protected function setUp(): void {
		WpCliStandIn::reset();
		CliModule::register();
		\WP_CLI::do_hook( 'after_wp_load' );
	}

	public function test_commands_and_the_alias_are_registered(): void {
		foreach ( array( 'verial-images', 'verial-images index', 'verial sync-images' ) as $command ) {
			$this->assertArrayHasKey( $command, WpCliStandIn::$commands );
		}
		$this->assertIsArray( WpCliStandIn::find( array( 'verial-images', 'sync' ) ) );
		$this->assertIsArray( WpCliStandIn::find( array( 'verial-images', 'index', 'rebuild' ) ) );

		// When the existing plugin provides `wp verial sync-images`, it is left alone.
		WpCliStandIn::reset();
		$theirs = static function (): void {
		};
		\WP_CLI::add_command( 'verial sync-images', $theirs );
		CliModule::register();
		\WP_CLI::do_hook( 'after_wp_load' );
		$this->assertSame( $theirs, WpCliStandIn::$commands['verial sync-images'] );

		$unknown = WpCliStandIn::run( 'verial-images status', array( 'bogus' => true ) );
		$this->assertSame( 1, $unknown->code );
		$this->assertStringContainsString( 'unknown --bogus parameter', $unknown->stderr );
	}

	/**
	 * Articles with only good images: a sync of them succeeds, with a progress bar and a summary.
	 */
	public function test_sync_of_articles_succeeds(): void {
		$this->fresh_site( self::CATALOG );
		$good = array_slice( array_keys( array_filter( MockVerial::truth(), static fn( array $images ): bool => $images && ! in_array( null, array_column( $images, 'sha256' ), true ) ) ), 0, 4 );
		$this->assertCount( 4, $good );

		$result = WpCliStandIn::run( 'verial-images sync', array( 'article' => implode( ',', $good ) ) );

		$this->assertSame( 0, $result->code, $result->output() );
		$this->assertStringContainsString( 'Success: Imported the images of 4 articles', $result->stdout );
		$this->assertMatchesRegularExpression( '/\|\s*run\s*\|\s*status\s*\|\s*articles\s*\|\s*articles_failed/', $result->stdout );
		$this->assertSame( '', $result->stderr );
		$this->assertSame(
			array(
				array(
					'message'  => 'Importing images',
					'total'    => 4,
					'ticks'    => 4,
					'finished' => true,
				),
			),
			$result->bars
		);
		global $wpdb;
		$stored = array_map( 'intval', $wpdb->get_col( 'SELECT DISTINCT article_id FROM ' . Tables::images() . ' ORDER BY article_id' ) );
		sort( $good );
		$this->assertSame( $good, $stored );
		$run = Plugin::services()->runs->latest();
		$this->assertSame( 'cli', $run['trigger_source'] );
		$this->assertSame( RunStore::COMPLETED, $run['status'] );
	}

	/**
	 * The whole catalog has corrupt images: the errors are warnings and the exit status is 1;
	 * status shows the run in every format.
	 */
	public function test_sync_with_failed_articles_exits_non_zero_and_status_shows_it(): void {
		$this->fresh_site( self::CATALOG );
		$corrupt = array();
		foreach ( MockVerial::truth() as $article_id => $images ) {
			foreach ( $images as $image ) {
				if ( null === $image['sha256'] ) {
					$corrupt[ $article_id ][] = $image['position'];
				}
			}
		}
		$this->assertNotEmpty( $corrupt );

		$result = WpCliStandIn::run( 'verial-images sync' );

		$this->assertSame( 1, $result->code, $result->output() );
		foreach ( $corrupt as $article_id => $positions ) {
			$this->assertStringContainsString( "Warning: article $article_id position {$positions[0]}", $result->stderr );
		}
		$this->assertStringContainsString( sprintf( 'Error: %d of %d articles failed', count( $corrupt ), self::CATALOG ), $result->stderr );
		$this->assert_state_matches_truth( (int) Plugin::services()->runs->latest()['id'] );

		$json = WpCliStandIn::run( 'verial-images status', array( 'format' => 'json' ) );
		$this->assertSame( 0, $json->code );
		$status = json_decode( $json->stdout, true )[0];
		$this->assertSame( RunStore::COMPLETED_WITH_ERRORS, $status['status'] );
		$this->assertSame( self::CATALOG, $status['articles_total'] );
		$this->assertSame( count( $corrupt ), $status['articles_failed'] );
		$this->assertFalse( $status['active'] );
		$this->assertSame( 'idle', $status['assign_state'] );
		$this->assertTrue( $status['assign_enabled'] );

		$table = WpCliStandIn::run( 'verial-images status' );
		$this->assertMatchesRegularExpression( '/\|\s*status\s*\|\s*completed_with_errors\s*\|/', $table->stdout );
		$yaml = WpCliStandIn::run( 'verial-images status', array( 'format' => 'yaml' ) );
		$this->assertStringContainsString( 'status: completed_with_errors', $yaml->stdout );
	}

	/**
	 * --resume continues the active run; a second start is refused; --since keeps only what
	 * Verial changed since then, and is stored on the run.
	 */
	public function test_resume_and_since(): void {
		$this->fresh_site( self::CATALOG );
		$none = WpCliStandIn::run( 'verial-images sync', array( 'resume' => true ) );
		$this->assertSame( 1, $none->code );
		$this->assertStringContainsString( 'no active run to resume', $none->stderr );

		$run_id  = Plugin::services()->runner->start( 'admin' );
		$refused = WpCliStandIn::run( 'verial-images sync' );
		$this->assertSame( 1, $refused->code );
		$this->assertStringContainsString( "run #$run_id", $refused->stderr );
		$this->assertStringContainsString( '--resume', $refused->stderr );
		$resumed = WpCliStandIn::run( 'verial-images sync', array( 'resume' => true ) );
		$this->assertStringContainsString( 'articles failed', $resumed->stderr, $resumed->output() );
		$this->assertSame( RunStore::COMPLETED_WITH_ERRORS, Plugin::services()->runs->get( $run_id )['status'] );

		$touched = array_key_first( array_filter( MockVerial::truth(), static fn( array $images ): bool => $images && ! in_array( null, array_column( $images, 'sha256' ), true ) ) );
		try {
			MockVerial::mutate( array( 'article' => $touched, 'op' => 'touch' ) );
			$since  = gmdate( 'Y-m-d' );
			$result = WpCliStandIn::run( 'verial-images sync', array( 'since' => $since ) );
			$this->assertSame( 0, $result->code, $result->output() );
			$run = Plugin::services()->runs->latest();
			$this->assertSame( "$since 00:00:00", $run['since'] );
			$this->assertSame( 1, (int) $run['total_articles'] );
			$this->assertSame( array( $touched ), $this->processing_order( (int) $run['id'] ) );
		} finally {
			MockVerial::reset_mutations();
		}
		$bad = WpCliStandIn::run( 'verial-images sync', array( 'since' => '01/06/2025' ) );
		$this->assertSame( 1, $bad->code );
		$this->assertStringContainsString( '--since expects', $bad->stderr );
	}

	/**
	 * Dry runs of both phases write nothing at all and say what would happen.
	 */
	public function test_dry_runs_write_nothing(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		Shop::reset();
		$before = $this->database_fingerprint();

		$preview = WpCliStandIn::run( 'verial-images sync', array( 'dry-run' => true ) );

		$this->assertSame( 0, $preview->code, $preview->output() );
		$this->assertSame( $before, $this->database_fingerprint(), 'the dry run wrote to the database' );
		$this->assertSame( array(), SiteState::upload_files(), 'the dry run wrote files' );
		// Verial lists by id; a picture is new for the first article that shows it.
		$seen      = array();
		$importing = 0;
		$reordered = 0;
		$with_good = 0;
		$truth     = MockVerial::truth();
		ksort( $truth );
		foreach ( $truth as $images ) {
			$good = array_filter( array_column( $images, 'sha256' ) );
			if ( ! $good ) {
				continue;
			}
			++$with_good;
			array_diff( $good, array_keys( $seen ) ) ? ++$importing : ++$reordered;
			$seen += array_fill_keys( $good, true );
		}
		$this->assertStringContainsString( sprintf( 'of %d articles, %d have %d new pictures to import, %d would change positions only', self::CATALOG, $importing, count( $seen ), $reordered ), $preview->stdout );
		$this->assertSame( self::CATALOG, $preview->bars[0]['ticks'] );

		WpCliStandIn::run( 'verial-images sync' );
		// After a sync the next one is incremental, and so is its preview: the articles changed
		// since (one here) and those that failed last time, each downloaded once; --full previews
		// every article.
		$synced  = (int) Plugin::services()->runs->latest()['id'];
		$failed  = Plugin::services()->errors->failed_articles( $synced );
		$changed = (int) array_key_first( array_filter( MockVerial::truth(), static fn( array $images ): bool => count( array_filter( array_column( $images, 'sha256' ) ) ) > 1 && ! in_array( null, array_column( $images, 'sha256' ), true ) ) );
		MockVerial::mutate( array( 'article' => $changed, 'op' => 'reorder' ) );
		MockVerial::reset_stats();
		try {
			$again = WpCliStandIn::run( 'verial-images sync', array( 'dry-run' => true ) );
			$full  = WpCliStandIn::run( 'verial-images sync', array( 'dry-run' => true, 'full' => true ) );
		} finally {
			MockVerial::reset_mutations();
		}
		$this->assertSame( 0, $again->code, $again->output() );
		$this->assertStringContainsString( sprintf( 'Incremental: the articles changed since %s', Plugin::services()->runner->selection( null, array(), false )['since'] ), $again->stdout );
		$this->assertStringContainsString( sprintf( 'of %d articles, 0 have 0 new pictures to import, 1 would change positions only', count( $failed ) + 1 ), $again->stdout );
		$this->assertSame( count( $failed ) + 1 + self::CATALOG, MockVerial::stats()['calls']['GetImagenesArticulosWS'] ?? 0, 'image calls of the two previews' );
		$this->assertStringContainsString( sprintf( 'of %d articles, 0 have 0 new pictures to import, 1 would change positions only', self::CATALOG ), $full->stdout );
		$this->assertSame( $synced, (int) Plugin::services()->runs->latest()['id'], 'a dry run started a run' );

		$skus = Shop::skus();
		foreach ( array_keys( array_filter( MockVerial::truth() ) ) as $article_id ) {
			Shop::product( "Product $article_id", array( '_sku' => $skus[ $article_id ] ) );
		}
		Plugin::reset_services();
		$counted = Shop::count_queries( static function () use ( &$assign ): void {
			$assign = WpCliStandIn::run( 'verial-images assign', array( 'dry-run' => true ) );
		} );
		$this->assertSame( 0, $assign->code, $assign->output() );
		$this->assertSame( 0, $counted['writes'], 'assign --dry-run wrote' );
		$this->assertSame( $with_good, substr_count( $assign->stdout, '| update ' ) );
		$this->assertStringContainsString( "Success: Dry run, nothing written: Assigned images to $with_good products", $assign->stdout );

		$real = WpCliStandIn::run( 'verial-images assign' );
		$this->assertSame( 0, $real->code, $real->output() );
		$this->assertStringContainsString( "Success: Assigned images to $with_good products (0 already right", $real->stdout );
		$this->assertSame( 1, count( $real->bars ) );
		$this->assertGreaterThan( 0, (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE meta_key = '_thumbnail_id'" ) );

		Settings::save( array( 'assign_images' => false ) );
		Plugin::reset_services();
		try {
			$refused = WpCliStandIn::run( 'verial-images assign' );
			$this->assertSame( 1, $refused->code );
			$this->assertStringContainsString( 'Image assignment is turned off', $refused->stderr );
			$restore = WpCliStandIn::run( 'verial-images assign', array( 'restore' => true ) );
			$this->assertSame( 0, $restore->code, $restore->output() );
			$this->assertStringContainsString( "Success: $with_good products got their previous images back", $restore->stdout );
			$this->assertSame( 0, (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE meta_key = '_thumbnail_id'" ) );
		} finally {
			Settings::save( array( 'assign_images' => true ) );
			Plugin::reset_services();
			Shop::reset();
		}
	}

	public function test_cancel(): void {
		$this->fresh_site( self::CATALOG );
		$run_id = Plugin::services()->runner->start( 'admin' );
		$result = WpCliStandIn::run( 'verial-images cancel' );
		$this->assertSame( 0, $result->code );
		$this->assertStringContainsString( "Success: Cancelled run #$run_id.", $result->stdout );
		$this->assertSame( RunStore::CANCELLED, Plugin::services()->runs->get( $run_id )['status'] );
		$again = WpCliStandIn::run( 'verial-images cancel' );
		$this->assertSame( 0, $again->code );
		$this->assertStringContainsString( 'Warning: Nothing to cancel', $again->stderr );
	}

	/**
	 * After the image table is lost, `index rebuild` brings back every (article, attachment) and
	 * every picture's own row exactly; the next phase 1 run then restores the rest, importing
	 * nothing again. Doctor is clean before, warns while the table is missing rows.
	 */
	public function test_index_rebuild_restores_a_truncated_table(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		$this->run_foreground();
		$doctor = WpCliStandIn::run( 'verial-images doctor' );
		$this->assertSame( 0, $doctor->code, $doctor->output() );
		$this->assertStringContainsString( 'Success: Every check passed.', $doctor->stdout );
		$reference = $this->image_rows();

		$wpdb->query( 'TRUNCATE TABLE ' . Tables::images() );
		$doctor = WpCliStandIn::run( 'verial-images doctor', array( 'format' => 'json' ) );
		$checks = array_column( json_decode( $doctor->stdout, true ), null, 'check' );
		$this->assertSame( 'warning', $checks['unindexed attachments']['status'] );

		$result = WpCliStandIn::run( 'verial-images index rebuild' );
		$this->assertSame( 0, $result->code, $result->output() );
		$rebuilt = $this->image_rows();
		$pairs   = static fn( array $rows ): array => array_values( array_unique( array_map( static fn( array $row ): string => $row['article_id'] . '>' . $row['attachment_id'], $rows ) ) );
		$this->assertEqualsCanonicalizing( $pairs( $reference ), $pairs( $rebuilt ) );
		$owners = array();
		foreach ( SiteState::attachments() as $attachment ) {
			$owners[ $attachment['articles'][0] . ':' . $attachment['order'] ] = $attachment['id'];
		}
		$exact = 0;
		foreach ( $reference as $key => $row ) {
			if ( ( $owners[ $key ] ?? null ) === (int) $row['attachment_id'] ) {
				$this->assertSame( $row, $rebuilt[ $key ] ?? null, "row $key" );
				++$exact;
			}
		}
		$this->assertGreaterThan( 0, $exact );
		$this->assertStringContainsString( sprintf( '%d rows added, 0 kept, 0 removed', count( $rebuilt ) ), $result->stdout );

		// Explicitly full: the default mode would only fetch what changed in Verial since.
		$run_id = Plugin::services()->runner->start( 'foreground', null, array(), true );
		$this->assertSame( 'finished', Plugin::services()->foreground->run() );
		$this->assertSame( 0, $this->status( $run_id )['images']['created'] );
		$this->assertSame( $reference, $this->image_rows() );
		$this->assertSame( 0, WpCliStandIn::run( 'verial-images doctor' )->code );
	}

	/**
	 * Doctor reports an orphan row, an attachment without its file and a temporary file, and
	 * exits with status 1; rebuilding the index removes the orphan row.
	 */
	public function test_doctor_finds_planted_problems(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		$this->run_foreground();
		$wpdb->insert(
			Tables::images(),
			array(
				'article_id'    => 424242,
				'position'      => 0,
				'attachment_id' => 999999,
				'sha256'        => str_repeat( 'a', 64 ),
				'legacy_md5'    => str_repeat( 'b', 32 ),
				'bytes'         => 1,
				'mime'          => 'image/jpeg',
				'width'         => 1,
				'height'        => 1,
				'created_at'    => current_time( 'mysql', true ),
				'updated_at'    => current_time( 'mysql', true ),
			)
		);
		$victim = SiteState::attachments()[0];
		$file   = wp_get_upload_dir()['basedir'] . '/' . $victim['file'];
		$moved  = $file . '.away';
		rename( $file, $moved );
		$temp = dirname( $file ) . '/.vis-tmp-planted000000000';
		file_put_contents( $temp, 'partial' );
		try {
			$result = WpCliStandIn::run( 'verial-images doctor', array( 'format' => 'json' ) );
			$this->assertSame( 1, $result->code );
			$this->assertStringContainsString( 'Error: 2 checks failed.', $result->stderr );
			$checks = array_column( json_decode( $result->stdout, true ), null, 'check' );
			$this->assertSame( 'error', $checks['orphan rows']['status'] );
			$this->assertStringContainsString( 'article 424242 position 0 -> attachment 999999', $checks['orphan rows']['details'] );
			$this->assertSame( 'error', $checks['attachment files']['status'] );
			$this->assertStringContainsString( (string) $victim['id'], $checks['attachment files']['details'] );
			$this->assertSame( 'warning', $checks['temporary files']['status'] );
			$this->assertStringContainsString( '.vis-tmp-planted', $checks['temporary files']['details'] );
			$this->assertSame( 'ok', $checks['codec']['status'] );
			$this->assertStringContainsString( \VerialImages\Native\version(), $checks['codec']['details'] );

			$rebuild = WpCliStandIn::run( 'verial-images index rebuild' );
			$this->assertStringContainsString( '1 removed', $rebuild->stdout );
			$this->assertStringContainsString( "Warning: Attachment {$victim['id']} has no file", $rebuild->stderr );
		} finally {
			rename( $moved, $file );
			unlink( $temp );
		}
		$this->assertSame( 0, WpCliStandIn::run( 'verial-images doctor' )->code );
	}

	/**
	 * The seed's `wp verial sync-images --all` runs phase 1.
	 */
	public function test_the_seeds_alias_runs_phase_1(): void {
		$this->fresh_site( self::CATALOG );
		$result = WpCliStandIn::run( 'verial sync-images', array( 'all' => true ) );
		$this->assertStringContainsString( 'articles failed', $result->stderr, $result->output() );
		$run = Plugin::services()->runs->latest();
		$this->assertSame( 'cli', $run['trigger_source'] );
		$this->assertSame( self::CATALOG, (int) $run['total_articles'] );
	}

	/**
	 * Image rows keyed "article:position", without the run-dependent columns.
	 *
	 * @return array<string, array<string, string>>
	 */
	private function image_rows(): array {
		global $wpdb;
		$rows = array();
		foreach ( $wpdb->get_results( 'SELECT article_id, position, attachment_id, sha256, legacy_md5, bytes, mime, width, height FROM ' . Tables::images() . ' ORDER BY article_id, position', ARRAY_A ) as $row ) {
			$rows[ $row['article_id'] . ':' . $row['position'] ] = $row;
		}
		return $rows;
	}

	/**
	 * Checksums of every table a run, an import or an assignment writes.
	 *
	 * @return array<string, string>
	 */
	private function database_fingerprint(): array {
		global $wpdb;
		$fingerprint = array();
		foreach ( array_merge( Tables::all(), array( $wpdb->posts, $wpdb->postmeta, $wpdb->options ) ) as $table ) {
			$fingerprint[ $table ] = (string) $wpdb->get_row( "CHECKSUM TABLE {$table}", ARRAY_N )[1];
		}
		return $fingerprint;
	}
}
