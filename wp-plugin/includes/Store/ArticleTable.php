<?php
/**
 * Verial articles and their SKUs.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Store;

/**
 * Phase 1 lists every article through GetArticulosWS anyway; keeping each Id's
 * `ReferenciaBarras` here lets phase 2 match products by SKU without asking Verial again, and
 * with one indexed query per batch instead of one API call per product.
 */
final class ArticleTable {

	/**
	 * Rows per INSERT statement.
	 */
	private const CHUNK = 500;

	/**
	 * Stores (or refreshes) the SKUs of listed articles.
	 *
	 * @param array<int, string> $skus Article id => ReferenciaBarras ('' when Verial has none).
	 */
	public function save( array $skus ): void {
		global $wpdb;
		$table = Tables::articles();
		$now   = current_time( 'mysql', true );
		foreach ( array_chunk( $skus, self::CHUNK, true ) as $chunk ) {
			$values = array();
			foreach ( $chunk as $article_id => $sku ) {
				$values[] = $wpdb->prepare( '(%d, %s, %s)', $article_id, substr( trim( $sku ), 0, 64 ), $now );
			}
			// Only a changed SKU moves updated_at; MariaDB applies the assignments left to right.
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- values prepared above.
			Transaction::check( $wpdb->query( "INSERT INTO {$table} (article_id, sku, updated_at) VALUES " . implode( ', ', $values ) . ' ON DUPLICATE KEY UPDATE updated_at = IF(sku <> VALUES(sku), VALUES(updated_at), updated_at), sku = VALUES(sku)' ), 'saving article SKUs' );
		}
	}

	/**
	 * The articles phase 2 walks over, after a cursor: every article with stored images or
	 * listed by Verial. Each side is cut at $limit before the union, so a page reads only about
	 * $limit index entries of each table, however large they are.
	 *
	 * @param int $after Article id cursor (0 = from the start).
	 * @param int $limit Page size.
	 * @return list<int> Ascending article ids.
	 */
	public function known_after( int $after, int $limit ): array {
		global $wpdb;
		$images   = Tables::images();
		$articles = Tables::articles();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		$sql = "(SELECT DISTINCT article_id FROM {$images} WHERE article_id > %d ORDER BY article_id LIMIT %d)
			UNION (SELECT article_id FROM {$articles} WHERE article_id > %d ORDER BY article_id LIMIT %d)
			ORDER BY article_id LIMIT %d";
		$ids = $wpdb->get_col( $wpdb->prepare( $sql, $after, $limit, $after, $limit, $limit ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		Transaction::check( is_array( $ids ), 'paging articles' );
		return array_map( 'intval', $ids );
	}

	/**
	 * How many articles known_after() walks over in all.
	 */
	public function count_known(): int {
		global $wpdb;
		$images   = Tables::images();
		$articles = Tables::articles();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM (SELECT article_id FROM {$images} UNION SELECT article_id FROM {$articles}) known" );
	}

	/**
	 * SKUs of the given articles, in one query.
	 *
	 * @param list<int> $article_ids Verial article ids.
	 * @return array<int, string> Article id => SKU, only for articles with a non-empty SKU.
	 */
	public function skus_of( array $article_ids ): array {
		global $wpdb;
		if ( ! $article_ids ) {
			return array();
		}
		$table = Tables::articles();
		$ids   = implode( ',', array_map( 'intval', $article_ids ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and table name.
		$rows = $wpdb->get_results( "SELECT article_id, sku FROM {$table} WHERE article_id IN ({$ids}) AND sku <> ''", ARRAY_N );
		$skus = array();
		foreach ( $rows as $row ) {
			$skus[ (int) $row[0] ] = (string) $row[1];
		}
		return $skus;
	}

	/**
	 * Articles carrying the given SKUs, in one query.
	 *
	 * @param list<string> $skus Product SKUs.
	 * @return array<string, int> SKU => article id (the lowest id when Verial repeats a SKU).
	 */
	public function articles_with( array $skus ): array {
		global $wpdb;
		$skus = array_values( array_unique( array_filter( array_map( 'strval', $skus ), 'strlen' ) ) );
		if ( ! $skus ) {
			return array();
		}
		$table        = Tables::articles();
		$placeholders = implode( ', ', array_fill( 0, count( $skus ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders and table name.
		$rows     = $wpdb->get_results( $wpdb->prepare( "SELECT sku, MIN(article_id) FROM {$table} WHERE sku IN ({$placeholders}) GROUP BY sku", ...$skus ), ARRAY_N );
		$articles = array();
		foreach ( $rows as $row ) {
			$articles[ (string) $row[0] ] = (int) $row[1];
		}
		return $articles;
	}
}
