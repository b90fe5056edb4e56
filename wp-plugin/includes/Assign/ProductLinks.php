<?php
/**
 * Which WooCommerce product shows which Verial article.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Assign;

use VerialImageSync\Store\ArticleTable;
use VerialImageSync\Store\Transaction;

/**
 * Finds products in bulk through the existing sync plugin's links, in the order that plugin
 * reads them: its table `{prefix}verial_product_mapping (wc_id, verial_id, sku)`, then the
 * product meta `_verial_product_id`, then (when enabled) the product's `_sku` equal to the
 * article's ReferenciaBarras. A product's strongest link decides, so a product linked to one
 * article and carrying another article's SKU follows its link. No CAST on postmeta: meta
 * values are compared as the strings WordPress stores.
 */
final class ProductLinks {

	public const PRODUCT_META = '_verial_product_id';
	public const SKU_META     = '_sku';

	/**
	 * Whether the existing plugin's mapping table exists (checked once).
	 *
	 * @var bool|null
	 */
	private ?bool $has_mapping = null;

	/**
	 * @param ArticleTable $articles     Article SKUs stored by phase 1.
	 * @param bool         $match_by_sku Whether products may be matched by SKU.
	 */
	public function __construct( private ArticleTable $articles, private bool $match_by_sku ) {
	}

	/**
	 * The products linked to the given articles.
	 *
	 * @param list<int> $article_ids Verial article ids.
	 * @return array<int, int> Product id => article id, only for these articles.
	 */
	public function for_articles( array $article_ids ): array {
		global $wpdb;
		if ( ! $article_ids ) {
			return array();
		}
		$ids        = implode( ',', array_map( 'intval', $article_ids ) );
		$candidates = array();
		if ( $this->has_mapping() ) {
			$mapping = self::mapping_table();
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and table name.
			$candidates = $wpdb->get_col( "SELECT wc_id FROM {$mapping} WHERE verial_id IN ({$ids})" );
		}
		array_push( $candidates, ...$this->posts_with( self::PRODUCT_META, array_map( 'strval', $article_ids ) ) );
		if ( $this->match_by_sku ) {
			array_push( $candidates, ...$this->posts_with( self::SKU_META, array_values( $this->articles->skus_of( $article_ids ) ) ) );
		}
		$wanted = array_flip( array_map( 'intval', $article_ids ) );
		return array_filter( $this->for_products( $candidates ), static fn( int $article_id ): bool => isset( $wanted[ $article_id ] ) );
	}

	/**
	 * The article each given product is linked to.
	 *
	 * @param array<int|string> $product_ids Post ids; ids that are not live products are ignored.
	 * @return array<int, int> Product id => article id, only for linked products.
	 */
	public function for_products( array $product_ids ): array {
		global $wpdb;
		$ids = array_values( array_unique( array_filter( array_map( 'intval', $product_ids ), static fn( int $id ): bool => $id > 0 ) ) );
		if ( ! $ids ) {
			return array();
		}
		$list     = implode( ',', $ids );
		$products = $wpdb->get_col( "SELECT ID FROM {$wpdb->posts} WHERE ID IN ({$list}) AND post_type = 'product' AND post_status NOT IN ('trash', 'auto-draft') ORDER BY ID" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
		Transaction::check( is_array( $products ), 'reading products' );
		if ( ! $products ) {
			return array();
		}
		$list   = implode( ',', array_map( 'intval', $products ) );
		$mapped = array();
		if ( $this->has_mapping() ) {
			$mapping = self::mapping_table();
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and table name.
			foreach ( $wpdb->get_results( "SELECT wc_id, MIN(verial_id) FROM {$mapping} WHERE wc_id IN ({$list}) AND verial_id > 0 GROUP BY wc_id", ARRAY_N ) as $row ) {
				$mapped[ (int) $row[0] ] = (int) $row[1];
			}
		}
		$meta = array();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
		foreach ( $wpdb->get_results( $wpdb->prepare( "SELECT post_id, meta_key, meta_value FROM {$wpdb->postmeta} WHERE post_id IN ({$list}) AND meta_key IN (%s, %s) ORDER BY meta_id", self::PRODUCT_META, self::SKU_META ), ARRAY_N ) as $row ) {
			$meta[ (int) $row[0] ][ $row[1] ] ??= trim( (string) $row[2] );
		}
		$by_sku = array();
		if ( $this->match_by_sku ) {
			$by_sku = $this->articles->articles_with( array_map( static fn( array $values ): string => $values[ self::SKU_META ] ?? '', $meta ) );
		}
		$links = array();
		foreach ( array_map( 'intval', $products ) as $product_id ) {
			$linked               = (int) ( $meta[ $product_id ][ self::PRODUCT_META ] ?? 0 );
			$sku                  = $meta[ $product_id ][ self::SKU_META ] ?? '';
			$links[ $product_id ] = $mapped[ $product_id ] ?? ( $linked > 0 ? $linked : ( $by_sku[ $sku ] ?? 0 ) );
		}
		return array_filter( $links );
	}

	/**
	 * Post ids carrying one of the values under the meta key, in one query.
	 *
	 * @param string       $key    Meta key.
	 * @param list<string> $values Meta values.
	 * @return list<int>
	 */
	private function posts_with( string $key, array $values ): array {
		global $wpdb;
		$values = array_values( array_filter( $values, 'strlen' ) );
		if ( ! $values ) {
			return array();
		}
		$placeholders = implode( ', ', array_fill( 0, count( $values ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders only.
		return array_map( 'intval', $wpdb->get_col( $wpdb->prepare( "SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = %s AND meta_value IN ({$placeholders})", $key, ...$values ) ) );
	}

	private function has_mapping(): bool {
		global $wpdb;
		$this->has_mapping ??= self::mapping_table() === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( self::mapping_table() ) ) );
		return $this->has_mapping;
	}

	/**
	 * The existing plugin's table of product links.
	 */
	public static function mapping_table(): string {
		return $GLOBALS['wpdb']->prefix . 'verial_product_mapping';
	}
}
