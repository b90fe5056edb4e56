<?php
/**
 * Phase 2 end to end: a few hundred products get their articles' pictures from phase 1.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Assign\AssignJob;
use VerialImageSync\Assign\AssignModule;
use VerialImageSync\Assign\AssignmentReport;
use VerialImageSync\Assign\AssignmentService;
use VerialImageSync\Assign\ExistingPlugin;
use VerialImageSync\Assign\ProductImages;
use VerialImageSync\Plugin;
use VerialImageSync\Settings;
use VerialImageSync\Sync\TimeBox;

require_once __DIR__ . '/fixtures/Shop.php';

/**
 * Written without WooCommerce (so through the post meta it writes); the WooCommerce API path
 * runs in ExistingPluginTest.
 */
final class AssignmentTest extends E2eTestCase {

	private const CATALOG = 300;

	/**
	 * Phase 1 on the catalog, then products linked every way the existing plugin links them
	 * (meta, mapping table, SKU only), some not at all, some with pictures set by hand or by the
	 * existing plugin's own phase 2; phase 2 gives each linked product its article's pictures in
	 * Verial's order.
	 *
	 * @return array<string, mixed> The shop: products by kind and each product's article.
	 */
	public function test_every_product_gets_its_articles_pictures_in_order(): array {
		$this->fresh_site( self::CATALOG );
		Shop::reset();
		Shop::create_mapping_table();
		$this->run_foreground();
		Plugin::reset_services();

		$shop     = $this->build_shop();
		$expected = Shop::expected_pictures();

		$started = microtime( true );
		$counted = Shop::count_queries( static function () use ( &$report ): void {
			$report = Plugin::services()->assigner->assign_all();
		} );
		$seconds = microtime( true ) - $started;

		$linked = $shop['article_of'];
		$this->assertSame( count( $linked ), $report->products_seen, 'products seen' );
		foreach ( $linked as $product_id => $article_id ) {
			if ( isset( $shop['manual'][ $product_id ] ) ) {
				$this->assertSame( $shop['manual'][ $product_id ], Shop::pictures( $product_id ), "hand-set pictures of product $product_id were changed" );
			} else {
				$this->assertSame( $expected[ $article_id ], Shop::pictures( $product_id ), "pictures of product $product_id (article $article_id, {$shop['kind'][ $product_id ]})" );
			}
		}
		foreach ( $shop['unlinked'] as $product_id ) {
			$this->assertSame( array(), Shop::pictures( $product_id ), "unlinked product $product_id got pictures" );
		}
		$without_images = count( array_filter( $linked, static fn( int $article_id ): bool => ! $expected[ $article_id ] ) );
		$this->assertGreaterThan( 0, $without_images, 'the catalog must have articles without images' );
		$this->assertSame( count( $shop['manual'] ), $report->products_skipped_manual );
		$this->assertSame( $without_images, $report->products_without_images );
		$this->assertSame( count( $linked ) - count( $shop['manual'] ) - $without_images, $report->products_updated );
		$this->assertSame( 0, $report->products_unchanged );
		$with_images_no_product = array_diff( array_keys( array_filter( $expected ) ), $linked );
		$this->assertSame( count( $with_images_no_product ), $report->articles_without_product );
		$this->assertTrue( $report->complete );

		$batches = (int) ceil( self::CATALOG / AssignmentService::BATCH_SIZE );
		fwrite(
			STDERR,
			sprintf(
				"[vis] phase 2: %d products (%d updated) in %.2f s: %d queries in %d batches of %d articles, %d of them writes\n",
				$report->products_seen,
				$report->products_updated,
				$seconds,
				$counted['queries'],
				$batches,
				AssignmentService::BATCH_SIZE,
				$counted['writes']
			)
		);
		return $shop;
	}

	/**
	 * A second pass writes nothing, and reads a fixed number of queries per batch (no query per
	 * product).
	 *
	 * @depends test_every_product_gets_its_articles_pictures_in_order
	 * @param array<string, mixed> $shop The shop.
	 */
	public function test_a_second_pass_writes_nothing( array $shop ): void {
		$counted = Shop::count_queries( static function () use ( &$report ): void {
			$report = Plugin::services()->assigner->assign_all();
		} );
		$this->assertSame( 0, $counted['writes'], "writes:\n" . implode( "\n", array_slice( $counted['write_sql'], 0, 5 ) ) );
		$this->assertSame( 0, $report->products_updated );
		$this->assertSame( count( $shop['manual'] ), $report->products_skipped_manual );
		$batches = (int) ceil( self::CATALOG / AssignmentService::BATCH_SIZE ) + 1; // + the empty page that ends the walk.
		$this->assertLessThanOrEqual( 10 * $batches, $counted['queries'], 'queries of a pass with nothing to write' );
		fwrite( STDERR, sprintf( "[vis] phase 2 again, nothing to write: %d queries for %d products in %d pages\n", $counted['queries'], $report->products_seen, $batches ) );
	}

	/**
	 * The public functions give the same pictures in one query, and the filter overrides them,
	 * for the functions and for phase 2 alike.
	 *
	 * @depends test_every_product_gets_its_articles_pictures_in_order
	 * @param array<string, mixed> $shop The shop.
	 */
	public function test_public_functions_and_their_filter( array $shop ): void {
		$expected   = Shop::expected_pictures();
		$product_id = $this->plain_product( $shop, 'meta' );
		$articles   = array_values( array_unique( array_merge( array( $shop['article_of'][ $product_id ] ), array_slice( array_keys( array_filter( $expected ) ), 0, 40 ) ) ) );
		$counted  = Shop::count_queries( static function () use ( $articles, &$images ): void {
			$images = verial_image_sync_images_for_articles( array_merge( $articles, array( '999999' ) ) );
		} );
		$this->assertSame( 1, $counted['queries'], 'one query for the whole list' );
		$wanted = array_intersect_key( $expected, array_flip( $articles ) ) + array( 999999 => array() );
		ksort( $wanted );
		ksort( $images );
		$this->assertSame( $wanted, $images );
		$this->assertSame( $expected[ $articles[0] ], verial_image_sync_images_for_article( $articles[0] ) );

		$reversed = array_reverse( $expected[ $articles[0] ] );
		$override = static function ( array $images ) use ( $articles, $reversed ): array {
			if ( isset( $images[ $articles[0] ] ) ) {
				$images[ $articles[0] ] = $reversed;
			}
			return $images;
		};
		add_filter( 'verial_image_sync_images_for_articles', $override );
		try {
			$this->assertSame( $reversed, verial_image_sync_images_for_article( $articles[0] ) );
			Plugin::services()->assigner->assign_articles( array( $articles[0] ) );
			$this->assertSame( $reversed, Shop::pictures( $product_id ), 'phase 2 ignores the filter' );
		} finally {
			remove_filter( 'verial_image_sync_images_for_articles', $override );
		}
		Plugin::services()->assigner->assign_articles( array( $articles[0] ) );
		$this->assertSame( $expected[ $articles[0] ], Shop::pictures( $product_id ) );
	}

	/**
	 * Pictures set by hand are kept; --force replaces them; the rollback gives every product what
	 * it showed before this plugin's first assignment (hand-set, the existing plugin's, or none)
	 * and then the plugin no longer counts them as its own.
	 *
	 * @depends test_every_product_gets_its_articles_pictures_in_order
	 * @param array<string, mixed> $shop The shop.
	 */
	public function test_forced_pictures_and_the_rollback( array $shop ): void {
		$assigner = Plugin::services()->assigner;
		$expected = Shop::expected_pictures();
		$manual   = array_keys( $shop['manual'] );
		$dry      = $assigner->assign_products( $manual, true, true );
		$this->assertSame( count( $manual ), $dry->products_updated );
		$this->assertCount( count( $manual ), $dry->changes );
		foreach ( $shop['manual'] as $product_id => $pictures ) {
			$this->assertSame( $pictures, Shop::pictures( $product_id ), 'a dry run wrote' );
		}

		$report = $assigner->assign_products( $manual, false, true );
		$this->assertSame( count( $manual ), $report->products_updated );
		foreach ( $manual as $product_id ) {
			$this->assertSame( $expected[ $shop['article_of'][ $product_id ] ], Shop::pictures( $product_id ) );
		}

		// A product changed by hand after the assignment keeps that change through the rollback.
		$changed_later = $this->plain_product( $shop, 'meta' );
		$hand_set      = array( Shop::plain_picture( 'changed later' ) );
		Shop::set_pictures( $changed_later, $hand_set[0], array() );

		Settings::save( array( 'assign_images' => false ) );
		Plugin::reset_services();
		try {
			$restored = Plugin::services()->assigner->restore_all();
			$this->assertSame( 1, $restored->products_skipped_manual );
			$this->assertSame( $hand_set, Shop::pictures( $changed_later ) );
			foreach ( $shop['article_of'] as $product_id => $article_id ) {
				if ( $product_id === $changed_later ) {
					continue;
				}
				$before = $shop['manual'][ $product_id ] ?? $shop['legacy'][ $product_id ] ?? array();
				$this->assertSame( $before, Shop::pictures( $product_id ), "product $product_id did not get its previous pictures back" );
			}
			global $wpdb;
			$this->assertSame( 0, (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE meta_key IN (%s, %s)", ProductImages::ASSIGNED_META, ProductImages::PREVIOUS_META ) ), 'notes left after the rollback' );
		} finally {
			Settings::save( array( 'assign_images' => true ) );
			Plugin::reset_services();
		}

		// Back on: the same assignment as before, hand-set pictures (now including the one changed later) left alone.
		Shop::set_pictures( $changed_later, 0, array() );
		$again = Plugin::services()->assigner->assign_all();
		$this->assertSame( count( $manual ), $again->products_skipped_manual );
		foreach ( $shop['article_of'] as $product_id => $article_id ) {
			$this->assertSame( $shop['manual'][ $product_id ] ?? $expected[ $article_id ], Shop::pictures( $product_id ) );
		}
	}

	/**
	 * The rollback switch: with assignment off, nothing of this plugin assigns (hook, background
	 * job), so a product keeps what the existing plugin's phase 2 set; back on, the hook puts this
	 * plugin's assignment back after that plugin's save.
	 *
	 * @depends test_every_product_gets_its_articles_pictures_in_order
	 * @param array<string, mixed> $shop The shop.
	 */
	public function test_the_rollback_switch( array $shop ): void {
		$expected   = Shop::expected_pictures();
		$product_id = (int) array_key_first( $shop['legacy'] );
		$article_id = $shop['article_of'][ $product_id ];
		$legacy     = $shop['legacy'][ $product_id ];
		$this->assertNotSame( $legacy, $expected[ $article_id ] );

		Settings::save( array( 'assign_images' => false ) );
		Plugin::reset_services();
		try {
			try {
				AssignModule::start_background();
				$this->fail( 'the background job started while assignment is off' );
			} catch ( \RuntimeException $e ) {
				$this->assertSame( AssignJob::disabled_message(), $e->getMessage() );
			}
			$this->assertFalse( wp_next_scheduled( AssignJob::HOOK ) );
			$this->assertFalse( AssignModule::status()['enabled'] );

			// The existing plugin's phase 2 saves the product with its own lookup's pictures.
			Shop::set_pictures( $product_id, $legacy[0], array_slice( $legacy, 1 ) );
			do_action( ExistingPlugin::PRODUCT_UPDATED, $product_id, $article_id );
			$this->assertSame( $legacy, Shop::pictures( $product_id ), 'assigned while off' );
		} finally {
			Settings::save( array( 'assign_images' => true ) );
			Plugin::reset_services();
		}
		do_action( ExistingPlugin::PRODUCT_UPDATED, $product_id, $article_id );
		$this->assertSame( $expected[ $article_id ], Shop::pictures( $product_id ), 'the hook did not assign after the existing plugin\'s save' );
		$created = $this->plain_product( $shop, 'sku' );
		Shop::set_pictures( $created, 0, array() );
		do_action( ExistingPlugin::PRODUCT_CREATED, $created );
		$this->assertSame( $expected[ $shop['article_of'][ $created ] ], Shop::pictures( $created ) );
	}

	/**
	 * The background job runs in time-boxed slices from a stored cursor; a pass cut after every
	 * batch ends with the same result as one pass; cancel stops it.
	 *
	 * @depends test_every_product_gets_its_articles_pictures_in_order
	 * @param array<string, mixed> $shop The shop.
	 */
	public function test_background_job_and_resumable_passes( array $shop ): void {
		$expected = Shop::expected_pictures();
		$cleared  = array_slice( array_values( array_filter( $shop['by_kind']['mapping'], static fn( int $product_id ): bool => (bool) $expected[ $shop['article_of'][ $product_id ] ] ) ), 0, 30 );
		foreach ( $cleared as $product_id ) {
			Shop::set_pictures( $product_id, 0, array() );
		}

		AssignModule::start_background();
		$status = AssignModule::status();
		$this->assertSame( AssignJob::RUNNING, $status['state'] );
		$this->assertNotFalse( wp_next_scheduled( AssignJob::HOOK ) );
		$this->assertSame( Plugin::services()->assigner->count_articles(), $status['articles']['total'] );
		$this->assertGreaterThan( 0, $this->run_cron( array( AssignJob::HOOK ) ) );

		$status = AssignModule::status();
		$this->assertSame( AssignJob::DONE, $status['state'], (string) $status['error'] );
		$this->assertNotNull( $status['started_at'] );
		$this->assertNotNull( $status['finished_at'] );
		$this->assertSame( $status['articles']['total'], $status['articles']['done'] );
		$this->assertSame( count( $cleared ), $status['counts']['products_updated'] );
		$this->assertSame( count( $shop['manual'] ), $status['counts']['products_skipped_manual'] );
		foreach ( $cleared as $product_id ) {
			$this->assertSame( $expected[ $shop['article_of'][ $product_id ] ], Shop::pictures( $product_id ) );
		}

		// A pass whose time box is always used up does one batch per call, from the cursor.
		foreach ( $cleared as $product_id ) {
			Shop::set_pictures( $product_id, 0, array() );
		}
		$total = new AssignmentReport();
		$calls = 0;
		do {
			$slice = Plugin::services()->assigner->assign_all( false, new TimeBox( 0, 0.99 ), $total->next_cursor );
			$total->merge( $slice );
			++$calls;
		} while ( ! $slice->complete && $calls < 100 );
		$this->assertSame( (int) ceil( Plugin::services()->assigner->count_articles() / AssignmentService::BATCH_SIZE ) + 1, $calls );
		$this->assertSame( count( $cleared ), $total->products_updated );
		$this->assertSame( count( $shop['article_of'] ), $total->products_seen );

		AssignModule::start_background();
		$this->assertTrue( AssignModule::cancel() );
		$this->assertSame( AssignJob::IDLE, AssignModule::status()['state'] );
		$this->assertFalse( wp_next_scheduled( AssignJob::HOOK ) );
		$this->assertFalse( AssignModule::cancel() );
	}

	/**
	 * Articles whose images changed in Verial (reordered, replaced, removed, added): after phase 1
	 * and phase 2, their products show the new pictures; no other product is written.
	 *
	 * @depends test_every_product_gets_its_articles_pictures_in_order
	 * @param array<string, mixed> $shop The shop.
	 */
	public function test_changed_articles_give_their_products_the_new_pictures( array $shop ): void {
		$manual  = $shop['manual'];
		$usable  = array_filter(
			MockVerial::truth(),
			static fn( array $images, int $article_id ): bool => count( $images ) >= 3 && ! in_array( null, array_column( $images, 'sha256' ), true ) && in_array( $article_id, $shop['article_of'], true ) && ! array_intersect_key( $manual, array_flip( array_keys( $shop['article_of'], $article_id, true ) ) ),
			ARRAY_FILTER_USE_BOTH
		);
		$changed = array_slice( array_keys( $usable ), 0, 4 );
		$this->assertCount( 4, $changed );
		try {
			MockVerial::mutate( array( 'article' => $changed[0], 'op' => 'reorder' ) );
			MockVerial::mutate( array( 'article' => $changed[1], 'op' => 'replace', 'position' => 1 ) );
			MockVerial::mutate( array( 'article' => $changed[2], 'op' => 'remove', 'position' => 0 ) );
			MockVerial::mutate( array( 'article' => $changed[3], 'op' => 'add', 'position' => 0 ) );
			// Phase 1 for just these articles (what `wp verial-images sync --article=...` runs).
			Plugin::services()->runner->start( 'foreground', null, $changed );
			$this->assertSame( 'finished', Plugin::services()->foreground->run() );
			Plugin::reset_services();
			$report = Plugin::services()->assigner->assign_all();

			$expected = Shop::expected_pictures();
			$products = array_keys( array_intersect( $shop['article_of'], $changed ) );
			$this->assertSame( count( $products ), $report->products_updated, 'products updated besides those of the changed articles' );
			foreach ( $products as $product_id ) {
				$this->assertSame( $expected[ $shop['article_of'][ $product_id ] ], Shop::pictures( $product_id ), "product $product_id" );
			}
		} finally {
			MockVerial::reset_mutations();
			Shop::reset();
		}
	}

	/**
	 * A product of that kind whose article has pictures and that shows neither hand-set pictures
	 * nor the existing plugin's.
	 *
	 * @param array<string, mixed> $shop The shop.
	 */
	private function plain_product( array $shop, string $kind ): int {
		$expected = Shop::expected_pictures();
		foreach ( $shop['by_kind'][ $kind ] as $product_id ) {
			if ( count( $expected[ $shop['article_of'][ $product_id ] ] ) >= 2 && ! isset( $shop['manual'][ $product_id ] ) && ! isset( $shop['legacy'][ $product_id ] ) ) {
				return $product_id;
			}
		}
		$this->fail( "no plain $kind product" );
	}

	/**
	 * Products for every kind of link. Articles in catalog order: 6 in 10 linked by meta, 2 by
	 * the mapping table, 1 by SKU only, 1 not at all; plus products linked two ways (the stronger
	 * link wins), unrelated products, products with hand-set pictures and products showing what
	 * the existing plugin's phase 2 assigned (its own order).
	 *
	 * @return array<string, mixed>
	 */
	private function build_shop(): array {
		$skus     = Shop::skus();
		$expected = Shop::expected_pictures();
		$articles = array_keys( MockVerial::truth() );
		$shop     = array(
			'article_of' => array(),
			'kind'       => array(),
			'by_kind'    => array(),
			'unlinked'   => array(),
			'manual'     => array(),
			'legacy'     => array(),
		);
		$add      = static function ( string $kind, int $product_id, int $article_id ) use ( &$shop ): void {
			$shop['article_of'][ $product_id ] = $article_id;
			$shop['kind'][ $product_id ]       = $kind;
			$shop['by_kind'][ $kind ][]        = $product_id;
		};
		$orphans  = array();
		foreach ( $articles as $index => $article_id ) {
			$sku = $skus[ $article_id ];
			switch ( $index % 10 ) {
				case 6:
				case 7:
					$product_id = Shop::product( "Mapped $article_id", array( '_sku' => "OTHER-$article_id" ) );
					Shop::map( $product_id, $article_id, $sku );
					$add( 'mapping', $product_id, $article_id );
					break;
				case 8:
					$add( 'sku', Shop::product( "By SKU $article_id", array( '_sku' => $sku ) ), $article_id );
					break;
				case 9:
					$orphans[] = $article_id;
					break;
				default:
					$add(
						'meta',
						Shop::product(
							"Linked $article_id",
							array(
								'_sku'               => $sku,
								'_verial_product_id' => $article_id,
							)
						),
						$article_id
					);
			}
		}
		// Linked by meta to one article, carrying an article's SKU that has no product: the link wins.
		$add( 'meta over sku', Shop::product( 'Meta over SKU', array( '_verial_product_id' => $articles[1], '_sku' => $skus[ $orphans[0] ] ) ), $articles[1] );
		// Mapped to one article, meta to another: the mapping table wins, as in the existing plugin.
		$product_id = Shop::product( 'Mapping over meta', array( '_verial_product_id' => $articles[2] ) );
		Shop::map( $product_id, $orphans[1] );
		$add( 'mapping over meta', $product_id, $orphans[1] );
		for ( $i = 0; $i < 20; ++$i ) {
			$shop['unlinked'][] = Shop::product( "Unrelated $i", array( '_sku' => "UNRELATED-$i" ) );
		}

		$with_pictures = array_values( array_filter( $shop['by_kind']['meta'], static fn( int $product_id ): bool => count( $expected[ $shop['article_of'][ $product_id ] ] ) >= 2 ) );
		// Set by hand: a picture from outside Verial, plus one of another article.
		foreach ( array_slice( $with_pictures, 0, 8 ) as $i => $product_id ) {
			$main    = Shop::plain_picture( "hand-picked $i" );
			$gallery = array( $expected[ $shop['article_of'][ $with_pictures[ $i + 10 ] ] ][0] );
			Shop::set_pictures( $product_id, $main, $gallery );
			$shop['manual'][ $product_id ] = array_merge( array( $main ), $gallery );
		}
		// Assigned by the existing plugin's phase 2: the article's own pictures, main image last.
		foreach ( array_slice( $with_pictures, 20, 10 ) as $product_id ) {
			$own      = $expected[ $shop['article_of'][ $product_id ] ];
			$pictures = array_merge( array_slice( $own, 1 ), array( $own[0] ) );
			Shop::set_pictures( $product_id, $pictures[0], array_slice( $pictures, 1 ) );
			$shop['legacy'][ $product_id ] = $pictures;
		}
		return $shop;
	}
}
