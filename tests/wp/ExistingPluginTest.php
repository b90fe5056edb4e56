<?php
/**
 * The existing sync plugin (mi-integracion-api) with this one: its phase 2 keeps finding our
 * attachments, and its product saves through WooCommerce end with our exact assignment.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Assign\ProductImages;
use VerialImageSync\Assign\ProductLinks;
use VerialImageSync\Plugin;
use VerialImageSync\Settings;

require_once __DIR__ . '/fixtures/Shop.php';

/**
 * Its stand-in and WooCommerce's run in child processes (tests/wp/fixtures/existing-plugin.php),
 * loaded before the other plugins like on a real shop; this process only looks at the database.
 */
final class ExistingPluginTest extends E2eTestCase {

	private const CATALOG = 40;

	/**
	 * Its lookup (attachments by `_verial_article_id`, ordered by `_verial_image_order`) finds
	 * exactly each article's pictures among our attachments, and the order meta of an article's
	 * own pictures is their position.
	 */
	public function test_its_lookup_finds_our_attachments(): void {
		$this->fresh_site( self::CATALOG );
		Shop::reset();
		$this->run_foreground();
		$expected = Shop::expected_pictures();

		$found = $this->existing_plugin( 'lookup', array_keys( $expected ) );

		$owned = 0;
		foreach ( $expected as $article_id => $pictures ) {
			$theirs = $found[ $article_id ];
			$this->assertEqualsCanonicalizing( $pictures, $theirs, "its lookup of article $article_id" );
			foreach ( $pictures as $attachment_id ) {
				if ( (int) get_post_meta( $attachment_id, '_verial_article_id', true ) === $article_id ) {
					$this->assertSame( (string) $this->position_in_truth( $article_id, $attachment_id ), get_post_meta( $attachment_id, '_verial_image_order', true ) );
					++$owned;
				}
			}
		}
		$this->assertGreaterThan( 0, $owned );
	}

	/**
	 * Its product sync creates and updates products through WooCommerce with the pictures its
	 * lookup finds (its order puts position 0 last); our hooks then give each product Verial's
	 * order through WooCommerce's API. Its second sync finds the same products and ends the same.
	 *
	 * @depends test_its_lookup_finds_our_attachments
	 */
	public function test_its_product_sync_ends_with_our_assignment(): void {
		$this->activate();
		$articles = $this->articles();
		$expected = Shop::expected_pictures();

		$products = array_map( static fn( array $synced ): int => $synced['product'], $this->existing_plugin( 'sync', $articles ) );

		$this->assertCount( self::CATALOG, $products );
		$this->assertSame( self::CATALOG, $this->mapped() );
		$differs = 0;
		foreach ( $products as $article_id => $product_id ) {
			$this->assertSame( $expected[ $article_id ], Shop::pictures( $product_id ), "product $product_id of article $article_id" );
			if ( $expected[ $article_id ] ) {
				$this->assertSame( implode( ',', $expected[ $article_id ] ), get_post_meta( $product_id, ProductImages::ASSIGNED_META, true ) );
			}
			$differs += count( $expected[ $article_id ] ) > 1 ? 1 : 0;
		}
		$this->assertGreaterThan( 0, $differs, 'no article where its order and ours differ' );

		$again = array_map( static fn( array $synced ): int => $synced['product'], $this->existing_plugin( 'sync', $articles ) );
		$this->assertSame( $products, $again, 'its second sync made new products' );
		foreach ( $products as $article_id => $product_id ) {
			$this->assertSame( $expected[ $article_id ], Shop::pictures( $product_id ) );
		}
	}

	/**
	 * With assignment turned off (the rollback switch), its product sync assigns exactly what its
	 * own lookup finds, as before this plugin; turned back on, its next sync ends with ours.
	 *
	 * @depends test_its_product_sync_ends_with_our_assignment
	 */
	public function test_with_assignment_off_it_assigns_as_before(): void {
		$articles = $this->articles();
		$expected = Shop::expected_pictures();
		Settings::save( array( 'assign_images' => false ) );
		try {
			$reordered = 0;
			foreach ( $this->existing_plugin( 'sync', $articles ) as $article_id => $synced ) {
				$this->assertSame( $synced['pictures'], Shop::pictures( $synced['product'] ), "product {$synced['product']} with assignment off" );
				$reordered += $synced['pictures'] === $expected[ $article_id ] ? 0 : 1;
			}
			$this->assertGreaterThan( 0, $reordered );
		} finally {
			Settings::save( array( 'assign_images' => true ) );
			Plugin::reset_services();
		}
		foreach ( $this->existing_plugin( 'sync', $articles ) as $article_id => $synced ) {
			$this->assertSame( $expected[ $article_id ], Shop::pictures( $synced['product'] ), "product {$synced['product']} with assignment back on" );
		}
	}

	/**
	 * Its dashboard fires its extension point, where the admin module adds its card.
	 *
	 * @depends test_its_lookup_finds_our_attachments
	 */
	public function test_its_dashboard_offers_its_extension_point(): void {
		$page = $this->existing_plugin( 'dashboard', array() );
		$this->assertSame( 1, $page['fired'] );
		$this->assertStringContainsString( 'mi-integracion-api-dashboard', $page['html'] );
		global $wpdb;
		$wpdb->query( 'DROP TABLE IF EXISTS ' . ProductLinks::mapping_table() );
		delete_option( Settings::LEGACY_OPTION );
		Shop::reset();
	}

	/**
	 * Its activation: mapping table and API settings.
	 */
	private function activate(): void {
		$this->existing_plugin(
			'activate',
			array(
				'url'     => MockVerial::url(),
				'session' => 18,
			)
		);
		$this->assertSame( MockVerial::url() . '/WcfServiceLibraryVerial/', get_option( Settings::LEGACY_OPTION )['mia_url_base'] );
		Plugin::reset_services();
	}

	/**
	 * The catalog as GetArticulosWS lists it (what its sync reads).
	 *
	 * @return list<array{Id: int, ReferenciaBarras: string, Nombre: string}>
	 */
	private function articles(): array {
		$articles = array();
		foreach ( Shop::skus() as $article_id => $sku ) {
			$articles[] = array(
				'Id'               => $article_id,
				'ReferenciaBarras' => $sku,
				'Nombre'           => "Artículo $article_id",
			);
		}
		return $articles;
	}

	private function mapped(): int {
		global $wpdb;
		return (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . ProductLinks::mapping_table() );
	}

	private function position_in_truth( int $article_id, int $attachment_id ): int {
		global $wpdb;
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT MIN(position) FROM ' . \VerialImageSync\Store\Tables::images() . ' WHERE article_id = %d AND attachment_id = %d', $article_id, $attachment_id ) );
	}

	/**
	 * Runs the stand-ins in a child process and returns its JSON answer.
	 *
	 * @param string $mode  activate, lookup, sync or dashboard.
	 * @param mixed  $input Encoded as JSON.
	 * @return array<int|string, mixed>
	 */
	private function existing_plugin( string $mode, $input ): array {
		$command = array( PHP_BINARY, '-d', 'memory_limit=256M', '-d', 'display_errors=stderr' );
		if ( '' !== (string) getenv( 'VIS_PHP_EXTENSION' ) ) {
			array_push( $command, '-d', 'extension=' . getenv( 'VIS_PHP_EXTENSION' ) );
		}
		array_push( $command, __DIR__ . '/fixtures/existing-plugin.php', $mode, (string) wp_json_encode( $input ) );
		$process = proc_open( $command, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$this->assertIsResource( $process );
		$stdout = (string) stream_get_contents( $pipes[1] );
		$stderr = (string) stream_get_contents( $pipes[2] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		$code = proc_close( $process );
		$this->assertSame( 0, $code, "existing-plugin.php $mode: $stderr" );
		$this->assertSame( '', $stderr, "existing-plugin.php $mode wrote to stderr" );
		wp_cache_flush();
		return json_decode( $stdout, true, 512, JSON_THROW_ON_ERROR );
	}
}
