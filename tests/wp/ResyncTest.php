<?php
/**
 * Re-sync runs: incremental by default, removed and reordered pictures, orphans.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Cli\CliModule;
use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Plugin;
use VerialImageSync\Store\ErrorLog;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;
use VerialImageSync\Sync\RunModePolicy;

require_once __DIR__ . '/src/WpCliStandIn.php';

/**
 * After a full run the mock's articles are changed with /__mock/mutate; the next run started
 * without a choice must ask Verial only for those articles and end with the image table equal to
 * the mock's new truth.
 */
final class ResyncTest extends E2eTestCase {

	private const CATALOG = 40;

	protected function setUp(): void {
		WpCliStandIn::reset();
		CliModule::register();
		\WP_CLI::do_hook( 'after_wp_load' );
	}

	protected function tearDown(): void {
		MockVerial::reset_mutations();
		MockVerial::config( array( 'timezone' => 'UTC' ) );
		update_option( 'timezone_string', '' );
		update_option( 'gmt_offset', 0 );
		parent::tearDown();
	}

	/**
	 * The policy alone: full without a previous run or when the last full one is too old,
	 * otherwise incremental since the previous start less the margin, in Verial's time zone.
	 */
	public function test_the_policy_picks_the_mode_and_the_since_moment(): void {
		$now    = new \DateTimeImmutable( '2026-03-10 12:00:00', new \DateTimeZone( 'UTC' ) );
		$tokyo  = new RunModePolicy( 15, new \DateTimeZone( 'Asia/Tokyo' ), 7 );
		$recent = array(
			'started_at' => '2026-03-10 08:00:00',
			'created_at' => '2026-03-10 07:59:00',
		);
		$old    = array(
			'started_at' => '2026-03-02 11:00:00',
			'created_at' => '2026-03-02 11:00:00',
		);

		$this->assertSame( array( 'mode' => 'full', 'since' => null ), $tokyo->decide( null, null, $now ) );
		$this->assertSame( array( 'mode' => 'full', 'since' => null ), $tokyo->decide( $recent, null, $now ), 'no full run yet' );
		$this->assertSame( array( 'mode' => 'full', 'since' => null ), $tokyo->decide( $recent, $old, $now ), 'the last full run is older than 7 days' );
		$this->assertSame( array( 'mode' => 'incremental', 'since' => '2026-03-10 16:45:00' ), $tokyo->decide( $recent, $recent, $now ), '08:00 UTC less 15 minutes is 16:45 in Tokyo' );
		$this->assertSame(
			array( 'mode' => 'incremental', 'since' => '2026-03-10 07:45:00' ),
			( new RunModePolicy( 15, new \DateTimeZone( 'Atlantic/Canary' ), 0 ) )->decide( $recent, $old, $now ),
			'full_check_days 0 never forces a full run; the Canaries are on UTC in March'
		);
		$this->assertSame(
			array( 'mode' => 'incremental', 'since' => '2026-03-10 07:59:00' ),
			( new RunModePolicy( 0, new \DateTimeZone( 'UTC' ), 7 ) )->decide( array( 'started_at' => null, 'created_at' => '2026-03-10 07:59:00' ), $recent, $now ),
			'a run no worker started counts from its creation'
		);
	}

	/**
	 * Replace, add, remove, reorder and touch: the next default run is incremental, fetches
	 * exactly the changed articles, ends equal to the new truth, unlinks the removed pictures and
	 * reports them as orphaned (deleting is off) without making the run "completed with errors".
	 */
	public function test_incremental_run_applies_changes_and_reports_orphans(): void {
		global $wpdb;
		MockVerial::reset_mutations();
		$this->fresh_site( self::CATALOG );
		$picked = $this->clean_articles( 6 );
		list( $replaced, $added, $removed, $reordered, $touched, $legacy_article ) = $picked;
		$legacy_id = $this->plant_legacy_attachment( $legacy_article, 0 );

		$first = $this->run_full();
		$this->assertSame( RunStore::MODE_FULL, $this->status( $first )['mode'] );
		$this->assertSame( $legacy_id, $this->attachment_at( $legacy_article, 0 ), 'the planted picture was not adopted' );
		$dropped = array(
			$replaced       => $this->attachment_at( $replaced, 1 ),
			$removed        => $this->attachment_at( $removed, 0 ),
			$legacy_article => $legacy_id,
		);

		MockVerial::mutate( array( 'article' => $replaced, 'op' => 'replace', 'position' => 1 ) );
		MockVerial::mutate( array( 'article' => $added, 'op' => 'add', 'position' => 1 ) );
		MockVerial::mutate( array( 'article' => $removed, 'op' => 'remove', 'position' => 0 ) );
		MockVerial::mutate( array( 'article' => $reordered, 'op' => 'reorder' ) );
		MockVerial::mutate( array( 'article' => $touched, 'op' => 'touch' ) );
		MockVerial::mutate( array( 'article' => $legacy_article, 'op' => 'remove', 'position' => 0 ) );
		MockVerial::reset_stats();

		$run_id = $this->run_foreground();

		$stats  = MockVerial::stats();
		$status = $this->status( $run_id );
		$this->assert_run_status( RunStore::COMPLETED, $run_id );
		$this->assertSame( RunStore::MODE_INCREMENTAL, $status['mode'] );
		$this->assertNotNull( $status['since'] );
		$this->assertEqualsCanonicalizing( $picked, $this->processing_order( $run_id ), 'the run did not cover exactly the changed articles' );
		$this->assertSame( count( $picked ), $stats['calls']['GetImagenesArticulosWS'] ?? 0, 'image calls' );
		$this->assertSame( 1, $stats['calls']['GetNumArticulosWS'] ?? 0 );
		$this->assertSame( 1, $stats['calls']['GetArticulosWS'] ?? 0 );
		$bytes = array_sum( array_map( static fn( int $id ): int => strlen( MockVerial::images_body( $id ) ), $picked ) );
		$this->assertSame( $bytes, $stats['bytes']['GetImagenesArticulosWS'] ?? 0, 'image bytes besides the changed articles\' replies' );
		$this->assertSame( 2, $status['images']['created'], 'only the replacing and the added picture are new' );

		$this->assert_rows_match_truth();
		$this->assertSame( 0, $status['error_count'] );
		$this->assertSame( 3, $status['images']['orphaned'] );
		$this->assertSame( 0, $status['images']['deleted'] );
		$orphans = array();
		foreach ( $status['orphans'] as $orphan ) {
			$this->assertSame( ErrorLog::ORPHANED, $orphan['kind'] );
			$orphans[ $orphan['article_id'] ] = $orphan;
		}
		$this->assertEqualsCanonicalizing( array_keys( $dropped ), array_keys( $orphans ) );
		foreach ( $dropped as $article_id => $attachment_id ) {
			$this->assertNotNull( get_post( $attachment_id ), "the picture article $article_id dropped was deleted" );
			$this->assertFileExists( (string) get_attached_file( $attachment_id ) );
			$this->assertNotContains( (string) $article_id, get_post_meta( $attachment_id, AttachmentWriter::META_ARTICLE ), "picture $attachment_id is still linked to article $article_id" );
			$this->assertSame( 0, (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM ' . Tables::images() . ' WHERE attachment_id = %d', $attachment_id ) ) );
			$this->assertStringContainsString( "Article $article_id position", $orphans[ $article_id ]['message'] );
			$this->assertStringContainsString( "picture $attachment_id", $orphans[ $article_id ]['message'] );
		}
		$this->assertStringContainsString( 'turned off', $orphans[ $removed ]['message'] );
		$this->assertStringContainsString( 'did not create', $orphans[ $legacy_article ]['message'] );

		// The reordered article: the picture moved to the front is its main image for the
		// existing plugin's lookup too.
		$front = $this->attachment_at( $reordered, 0 );
		$this->assertSame( '0', get_post_meta( $front, AttachmentWriter::META_ORDER, true ) );
		$this->assert_no_leftovers();
	}

	/**
	 * With delete_unused_images on, a picture no article shows any more is deleted with its
	 * file, unless a post still shows it; a picture added by hand is never touched.
	 */
	public function test_unused_pictures_are_deleted_unless_a_post_shows_them(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( self::CATALOG );
		$this->configure( array( 'delete_unused_images' => true ) );
		list( $removed, $replaced, $kept ) = $this->clean_articles( 3 );
		$this->run_full();

		$gone_removed  = $this->attachment_at( $removed, 0 );
		$gone_replaced = $this->attachment_at( $replaced, 1 );
		$shown         = $this->attachment_at( $kept, 0 );
		$files         = array( get_attached_file( $gone_removed ), get_attached_file( $gone_replaced ) );
		$by_hand       = $this->hand_added_attachment();
		$product       = wp_insert_post(
			array(
				'post_type'   => 'product',
				'post_status' => 'publish',
				'post_title'  => 'Resync test product',
			)
		);
		$this->assertIsInt( $product );
		try {
			update_post_meta( $product, '_product_image_gallery', $by_hand . ',' . $shown );

			MockVerial::mutate( array( 'article' => $removed, 'op' => 'remove', 'position' => 0 ) );
			MockVerial::mutate( array( 'article' => $replaced, 'op' => 'replace', 'position' => 1 ) );
			MockVerial::mutate( array( 'article' => $kept, 'op' => 'remove', 'position' => 0 ) );
			$run_id = $this->run_foreground();

			$status = $this->status( $run_id );
			$this->assert_run_status( RunStore::COMPLETED, $run_id );
			$this->assertSame( RunStore::MODE_INCREMENTAL, $status['mode'] );
			$this->assertSame( 2, $status['images']['deleted'] );
			$this->assertSame( 1, $status['images']['orphaned'] );
			foreach ( array( $gone_removed, $gone_replaced ) as $i => $attachment_id ) {
				$this->assertNull( get_post( $attachment_id ), "unused picture $attachment_id was not deleted" );
				$this->assertFileDoesNotExist( (string) $files[ $i ] );
			}
			$this->assertNotNull( get_post( $shown ), 'a picture a product shows was deleted' );
			$this->assertFileExists( (string) get_attached_file( $shown ) );
			$this->assertCount( 1, $status['orphans'] );
			$this->assertSame( $kept, $status['orphans'][0]['article_id'] );
			$this->assertSame( 0, $status['orphans'][0]['position'] );
			$this->assertStringContainsString( "still shown by post $product", $status['orphans'][0]['message'] );

			$this->assertNotNull( get_post( $by_hand ), 'the picture added by hand was deleted' );
			$this->assertFileExists( (string) get_attached_file( $by_hand ) );
			$this->assertSame( $by_hand . ',' . $shown, get_post_meta( $product, '_product_image_gallery', true ) );
			$this->assert_rows_match_truth();
			$this->assert_no_leftovers();
		} finally {
			wp_delete_post( $product, true );
		}
	}

	/**
	 * A picture Verial sends broken this time keeps the picture stored at that position: no
	 * unlinking, no orphan, the position listed among the errors.
	 */
	public function test_a_broken_picture_never_unlinks_the_stored_one(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( self::CATALOG );
		list( $article_id ) = $this->clean_articles( 1 );
		$this->run_full();
		$stored = $this->rows_of( $article_id );
		MockVerial::mutate( array( 'article' => $article_id, 'op' => 'touch' ) );
		$reply = json_decode( MockVerial::images_body( $article_id ), true );
		$reply['Imagenes'][1]['Imagen'] = '';
		$break = static function ( $pre, $args, $url ) use ( $article_id, $reply ) {
			parse_str( (string) parse_url( $url, PHP_URL_QUERY ), $query );
			if ( (int) ( $query['id_articulo'] ?? 0 ) !== $article_id ) {
				return $pre;
			}
			return array(
				'headers'  => array( 'content-type' => 'application/json; charset=utf-8' ),
				'body'     => json_encode( $reply ),
				'response' => array(
					'code'    => 200,
					'message' => 'OK',
				),
				'cookies'  => array(),
				'filename' => null,
			);
		};
		add_filter( 'pre_http_request', $break, 10, 3 );
		try {
			$run_id = $this->run_foreground();
		} finally {
			remove_filter( 'pre_http_request', $break, 10 );
		}

		$status = $this->status( $run_id );
		$this->assertSame( RunStore::MODE_INCREMENTAL, $status['mode'] );
		$this->assertSame( array( $article_id ), $this->processing_order( $run_id ) );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assertSame( array( array( $article_id, 1 ) ), array_map( static fn( array $e ): array => array( $e['article_id'], $e['position'] ), $status['errors'] ) );
		$this->assertSame( array(), $status['orphans'] );
		$this->assertSame( 0, $status['images']['orphaned'] );
		$after = $this->rows_of( $article_id );
		$this->assertSame( array_column( $stored, 'attachment_id', 'position' ), array_column( $after, 'attachment_id', 'position' ), 'a stored picture was unlinked' );
		$this->assertContains( (string) $article_id, get_post_meta( (int) $stored[1]['attachment_id'], AttachmentWriter::META_ARTICLE ) );
	}

	/**
	 * Nothing changed in Verial: the re-sync only lists (and finds nothing to fetch), although
	 * the previous run had refused corrupt pictures (those are not retried; a failed article is).
	 */
	public function test_unchanged_catalog_resync_makes_only_listing_calls(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( self::CATALOG );
		$first = $this->run_full();
		$this->assertGreaterThan( 0, $this->status( $first )['error_count'], 'the catalog must have corrupt pictures for this test to mean anything' );
		$before = SiteState::canonical();
		MockVerial::reset_stats();

		$run_id = $this->run_foreground();

		$calls = (array) MockVerial::stats()['calls'];
		unset( $calls['GetArticulosWS'] ); // Not even asked for when the count is 0.
		$this->assertSame( array( 'GetNumArticulosWS' => 1 ), $calls );
		$status = $this->status( $run_id );
		$this->assert_run_status( RunStore::COMPLETED, $run_id );
		$this->assertSame( RunStore::MODE_INCREMENTAL, $status['mode'] );
		$this->assertSame( 0, $status['articles']['total'] );
		$this->assertSame( $before, SiteState::canonical() );
	}

	/**
	 * An article whose images could not be fetched is fetched again by the next default run,
	 * although Verial does not list it as changed.
	 */
	public function test_failed_article_is_retried_by_the_next_incremental_run(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( self::CATALOG );
		list( $failing ) = $this->clean_articles( 1 );
		$refuse = static function ( $pre, $args, $url ) use ( $failing ) {
			parse_str( (string) parse_url( $url, PHP_URL_QUERY ), $query );
			return (int) ( $query['id_articulo'] ?? 0 ) === $failing ? new \WP_Error( 'http_request_failed', 'planted outage' ) : $pre;
		};
		add_filter( 'pre_http_request', $refuse, 10, 3 );
		try {
			$first = $this->run_full();
		} finally {
			remove_filter( 'pre_http_request', $refuse, 10 );
		}
		$whole = array_filter( $this->status( $first )['errors'], static fn( array $error ): bool => null === $error['position'] );
		$this->assertSame( array( $failing ), array_column( $whole, 'article_id' ), 'the planted outage did not fail the article' );
		$this->assertSame( array(), $this->rows_of( $failing ) );
		MockVerial::reset_stats();

		$run_id = $this->run_foreground();

		$status = $this->status( $run_id );
		$this->assertSame( RunStore::MODE_INCREMENTAL, $status['mode'] );
		$this->assertSame( array( $failing ), $status['retried'] );
		$this->assertSame( array( $failing ), $this->processing_order( $run_id ) );
		$this->assertSame( 1, MockVerial::stats()['calls']['GetImagenesArticulosWS'] ?? 0 );
		$this->assert_run_status( RunStore::COMPLETED, $run_id );
		$this->assert_rows_match_truth();
	}

	/**
	 * The weekly verification pass: once the last full run is older than full_check_days, the
	 * default run is full; with 0 it never is.
	 */
	public function test_old_full_run_gives_a_full_run(): void {
		global $wpdb;
		MockVerial::reset_mutations();
		$this->fresh_site( 20 );
		$full = $this->run_full();
		$this->assertSame( RunStore::MODE_INCREMENTAL, $this->status( $this->run_foreground() )['mode'], 'a recent full run gives an incremental one' );

		$eight_days_ago = gmdate( 'Y-m-d H:i:s', time() - 8 * DAY_IN_SECONDS );
		$wpdb->update( Tables::runs(), array( 'created_at' => $eight_days_ago, 'started_at' => $eight_days_ago ), array( 'id' => $full ) );
		$this->configure( array( 'full_check_days' => 0 ) );
		$this->assertSame( RunStore::MODE_INCREMENTAL, $this->status( $this->run_foreground() )['mode'], 'full_check_days 0 forced a full run' );

		$this->configure( array( 'full_check_days' => 7 ) );
		$run_id = $this->run_foreground();
		$status = $this->status( $run_id );
		$this->assertSame( RunStore::MODE_FULL, $status['mode'] );
		$this->assertNull( $status['since'] );
		$this->assertSame( 20, $status['articles']['total'] );
		$this->assert_state_matches_truth( $run_id, false );
	}

	/**
	 * Verial's InfoError 22 for the date filter fails the run at once, with the values sent and
	 * the setting to change in the message.
	 */
	public function test_refused_date_filter_fails_the_run_with_a_clear_message(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( 12 );
		foreach ( array( 'H:i:s' => '10:30:00', 'H:i' => '10:30' ) as $format => $hora ) {
			$this->configure( array( 'hora_format' => $format ) );
			MockVerial::reset_stats();
			// A day 0 the database stores as is and Verial (the mock) refuses.
			$run_id = Plugin::services()->runner->start( 'foreground', '2025-06-00 10:30:00' );
			$this->assertSame( 'finished', Plugin::services()->foreground->run() );

			$status = $this->status( $run_id );
			$this->assertSame( RunStore::FAILED, $status['status'] );
			$this->assertStringContainsString( 'refused the date filter', (string) $status['last_error'] );
			$this->assertStringContainsString( 'InfoError 22', (string) $status['last_error'] );
			$this->assertStringContainsString( 'fecha "2025-06-00" and hora "' . $hora . '"', (string) $status['last_error'] );
			$this->assertStringContainsString( '"hora format" setting', (string) $status['last_error'] );
			$this->assertSame( array( 'GetNumArticulosWS' => 1 ), (array) MockVerial::stats()['calls'], 'the refused filter was retried' );
			$this->assert_no_leftovers();
		}
	}

	/**
	 * The since moment is sent in Verial's time zone, whatever the site's: with the site in
	 * Tokyo and Verial in the Canaries (nine hours apart), a changed article is still found, and
	 * with no Verial time zone set the site's is used.
	 */
	public function test_since_is_sent_in_verials_time_zone(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( 20 );
		update_option( 'timezone_string', 'Asia/Tokyo' );
		$articles = array_keys( array_filter( MockVerial::truth() ) );
		$cases    = array(
			'Atlantic/Canary' => array( 'Atlantic/Canary', $articles[0] ),
			''                => array( 'Asia/Tokyo', $articles[1] ),
		);
		$this->run_full();
		$touched = array();
		foreach ( $cases as $setting => list( $verial_zone, $article_id ) ) {
			$this->configure( array( 'verial_timezone' => $setting ) );
			MockVerial::config( array( 'timezone' => $verial_zone ) );
			$previous = Plugin::services()->runs->last_finished( array( RunStore::MODE_FULL, RunStore::MODE_INCREMENTAL ) );
			MockVerial::mutate( array( 'article' => $article_id, 'op' => 'touch' ) );
			$touched[] = $article_id; // The earlier one too: it changed within the margin.

			$run_id = $this->run_foreground();

			$status   = $this->status( $run_id );
			$expected = ( new \DateTimeImmutable( (string) $previous['started_at'], new \DateTimeZone( 'UTC' ) ) )
				->modify( '-15 minutes' )
				->setTimezone( new \DateTimeZone( $verial_zone ) )
				->format( 'Y-m-d H:i:s' );
			$this->assertSame( $expected, $status['since'], "since in $verial_zone" );
			$this->assertEqualsCanonicalizing( $touched, $this->processing_order( $run_id ), "the article touched in $verial_zone time was not listed" );
		}
	}

	/**
	 * The explicit choices: `wp verial-images sync --full`, and the admin page's "Full sync"
	 * (POST /runs with mode=full, same capability check as the default start).
	 */
	public function test_full_mode_from_the_cli_and_the_rest_route(): void {
		MockVerial::reset_mutations();
		$this->fresh_site( 12 );
		$first = WpCliStandIn::run( 'verial-images sync' );
		$this->assertSame( 1, $first->code, 'the catalog has corrupt pictures: ' . $first->output() );
		$this->assertSame( RunStore::MODE_FULL, Plugin::services()->runs->latest()['run_mode'], 'the first run is full' );
		WpCliStandIn::run( 'verial-images sync' );
		$this->assertSame( RunStore::MODE_INCREMENTAL, Plugin::services()->runs->latest()['run_mode'] );

		$full = WpCliStandIn::run( 'verial-images sync', array( 'full' => true ) );
		$run  = Plugin::services()->runs->latest();
		$this->assertSame( RunStore::MODE_FULL, $run['run_mode'], $full->output() );
		$this->assertSame( 12, (int) $run['total_articles'] );
		$this->assertMatchesRegularExpression( '/\|\s*full\s*\|/', $full->stdout, 'the summary does not show the mode' );
		$status = json_decode( WpCliStandIn::run( 'verial-images status', array( 'format' => 'json' ) )->stdout, true )[0];
		$this->assertSame( RunStore::MODE_FULL, $status['mode'] );

		$mixed = WpCliStandIn::run( 'verial-images sync', array( 'full' => true, 'since' => '2025-06-01' ) );
		$this->assertSame( 1, $mixed->code );
		$this->assertStringContainsString( '--full goes over every article', $mixed->stderr );

		$request = new \WP_REST_Request( 'POST', '/verial-image-sync/v1/runs' );
		$request->set_param( 'mode', 'full' );
		wp_set_current_user( 0 );
		$this->assertContains( rest_do_request( $request )->get_status(), array( 401, 403 ), 'a visitor started a run' );
		$admins = get_users( array( 'role' => 'administrator', 'fields' => 'ID' ) );
		wp_set_current_user( (int) $admins[0] );
		try {
			$request->set_param( 'mode', 'everything' );
			$this->assertSame( 400, rest_do_request( $request )->get_status() );
			$request->set_param( 'mode', 'full' );
			$response = rest_do_request( $request );
			$this->assertSame( 202, $response->get_status() );
			$run_id = $response->get_data()['run_id'];
			$this->assertSame( RunStore::MODE_FULL, Plugin::services()->runs->get( $run_id )['run_mode'] );
			$this->assertSame( 'finished', Plugin::services()->foreground->run() );
			$this->assertSame( 12, $this->status( $run_id )['articles']['total'] );

			$request->set_param( 'mode', null );
			$response = rest_do_request( $request );
			$this->assertSame( 202, $response->get_status() );
			$this->assertSame( RunStore::MODE_INCREMENTAL, Plugin::services()->runs->get( $response->get_data()['run_id'] )['run_mode'] );
			Plugin::services()->runner->cancel();
		} finally {
			wp_set_current_user( 0 );
			_set_cron_array( array() );
		}
	}

	/**
	 * Starts an explicitly full run and processes it.
	 */
	private function run_full(): int {
		$services = Plugin::services();
		$run_id   = $services->runner->start( 'foreground', null, array(), true );
		$this->assertSame( 'finished', $services->foreground->run() );
		return $run_id;
	}

	/**
	 * Articles whose images are all good own photos, three to eight of them, each shown once:
	 * removing or replacing one leaves a picture no other article uses.
	 *
	 * @return list<int>
	 */
	private function clean_articles( int $count ): array {
		$found = array();
		foreach ( MockVerial::truth() as $article_id => $images ) {
			$pictures = array_column( $images, 'picture' );
			$own      = array_filter( $pictures, static fn( string $picture ): bool => str_starts_with( $picture, 'a' ) );
			if ( count( $images ) >= 3 && count( $images ) <= 8 && ! in_array( null, array_column( $images, 'sha256' ), true )
				&& count( $own ) === count( $pictures ) && count( array_unique( $pictures ) ) === count( $pictures ) && 'jpeg' === $images[0]['format'] ) {
				$found[] = $article_id;
			}
		}
		$this->assertGreaterThanOrEqual( $count, count( $found ), 'not enough articles with only their own pictures in the mock catalog' );
		return array_slice( $found, 0, $count );
	}

	/**
	 * A picture a shop manager uploaded by hand.
	 */
	private function hand_added_attachment(): int {
		$uploads = wp_upload_dir();
		$file    = $uploads['path'] . '/by-hand.png';
		$image   = imagecreatetruecolor( 4, 4 );
		imagepng( $image, $file );
		$id = wp_insert_attachment(
			array(
				'post_mime_type' => 'image/png',
				'post_title'     => 'by hand',
				'post_status'    => 'inherit',
			),
			$file
		);
		$this->assertIsInt( $id );
		return $id;
	}

	private function attachment_at( int $article_id, int $position ): int {
		$rows = $this->rows_of( $article_id );
		$this->assertArrayHasKey( $position, $rows, "article $article_id has no image row at position $position" );
		return (int) $rows[ $position ]['attachment_id'];
	}

	/**
	 * @return array<int, array<string, string>> position => row.
	 */
	private function rows_of( int $article_id ): array {
		return Plugin::services()->images->rows_for_articles( array( $article_id ) )[ $article_id ];
	}

	/**
	 * The image table is exactly the mock's current truth: one row per good image with its
	 * content, at its position, pointing at an attachment whose file holds that content.
	 */
	private function assert_rows_match_truth(): void {
		global $wpdb;
		$rows = array();
		foreach ( $wpdb->get_results( 'SELECT article_id, position, attachment_id, sha256 FROM ' . Tables::images(), ARRAY_A ) as $row ) {
			$rows[ $row['article_id'] . ':' . $row['position'] ] = $row;
		}
		$good = 0;
		foreach ( MockVerial::truth() as $article_id => $images ) {
			foreach ( $images as $image ) {
				$key = $article_id . ':' . $image['position'];
				if ( null === $image['sha256'] ) {
					$this->assertArrayNotHasKey( $key, $rows, "corrupt image $key has a row" );
					continue;
				}
				++$good;
				$this->assertArrayHasKey( $key, $rows, "image $key ({$image['picture']}) has no row" );
				$this->assertSame( $image['sha256'], $rows[ $key ]['sha256'], "content of $key" );
				$file = (string) get_attached_file( (int) $rows[ $key ]['attachment_id'] );
				$this->assertFileExists( $file, "file of $key" );
				$this->assertSame( $image['sha256'], hash_file( 'sha256', $file ), "file content of $key" );
			}
		}
		$this->assertCount( $good, $rows, 'rows besides the truth\'s good images' );
	}
}
