<?php
/**
 * Attachments imported by the existing plugin's own phase 1.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

/**
 * The existing plugin stored each article's images as attachments carrying `_verial_article_id`
 * and `_verial_image_hash` (its md5 of the prefixed base64). Its dedup was per article, so every
 * image it imported is found among the attachments of the same article: one query per batch,
 * for the batch's articles, gives every hash this batch can match.
 */
final class LegacyAttachments {

	/**
	 * Legacy hash => candidate attachments, for the given articles.
	 *
	 * @param list<int> $article_ids Verial article ids.
	 * @return array<string, list<array{attachment_id: int, article_id: int}>>
	 */
	public function for_articles( array $article_ids ): array {
		global $wpdb;
		if ( ! $article_ids ) {
			return array();
		}
		$placeholders = implode( ', ', array_fill( 0, count( $article_ids ), '%s' ) );
		$args         = array_merge( array( AttachmentWriter::META_HASH, AttachmentWriter::META_ARTICLE ), array_map( 'strval', $article_ids ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders only.
		$sql  = "SELECT h.meta_value AS legacy_md5, h.post_id, a.meta_value AS article_id
			FROM {$wpdb->postmeta} a
			JOIN {$wpdb->postmeta} h ON h.post_id = a.post_id AND h.meta_key = %s
			JOIN {$wpdb->posts} p ON p.ID = a.post_id AND p.post_type = 'attachment'
			WHERE a.meta_key = %s AND a.meta_value IN ({$placeholders})
			ORDER BY h.post_id";
		$rows = $wpdb->get_results( $wpdb->prepare( $sql, ...$args ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		$map  = array();
		foreach ( $rows as $row ) {
			$map[ strtolower( (string) $row['legacy_md5'] ) ][] = array(
				'attachment_id' => (int) $row['post_id'],
				'article_id'    => (int) $row['article_id'],
			);
		}
		return $map;
	}

	/**
	 * The attachment to adopt for an image of $article_id: one of that article's own, else any.
	 *
	 * @param array<string, list<array{attachment_id: int, article_id: int}>> $map        From for_articles().
	 * @param string                                                          $legacy_md5 The image's legacy hash.
	 * @param int                                                             $article_id Article being imported.
	 */
	public static function pick( array $map, string $legacy_md5, int $article_id ): ?int {
		$candidates = $map[ $legacy_md5 ] ?? array();
		foreach ( $candidates as $candidate ) {
			if ( $candidate['article_id'] === $article_id ) {
				return $candidate['attachment_id'];
			}
		}
		return $candidates ? $candidates[0]['attachment_id'] : null;
	}
}
