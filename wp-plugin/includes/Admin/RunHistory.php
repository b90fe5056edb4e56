<?php
/**
 * The last runs, summarized for people.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use VerialImageSync\Store\Tables;

/**
 * Reads the runs table for the admin page's history (RunStore only knows single runs: the
 * workers never need a list). One query, newest first.
 */
final class RunHistory {

	public const LIMIT = 10;

	/**
	 * The newest runs, each with its counts and a translated one-line summary.
	 *
	 * @param int $limit At most this many.
	 * @return list<array<string, mixed>>
	 */
	public function recent( int $limit = self::LIMIT ): array {
		global $wpdb;
		$table = Tables::runs();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} ORDER BY id DESC LIMIT %d", $limit ), ARRAY_A );
		return array_map( array( self::class, 'describe' ), is_array( $rows ) ? $rows : array() );
	}

	/**
	 * One run row as the page shows it.
	 *
	 * @param array<string, string|null> $row Runs table row.
	 * @return array<string, mixed>
	 */
	private static function describe( array $row ): array {
		$duplicates = (int) $row['images_reused'] + (int) $row['images_adopted'];
		return array(
			'id'           => (int) $row['id'],
			'status'       => (string) $row['status'],
			'status_label' => Labels::run_status( (string) $row['status'] ),
			'mode'         => (string) $row['run_mode'],
			'mode_label'   => Labels::run_mode( (string) $row['run_mode'] ),
			'codec'        => Labels::codec( (string) $row['codec'] ),
			'created_at'   => Dates::from_utc( $row['created_at'] ),
			'seconds'      => round( (float) $row['work_seconds'], 1 ),
			'summary'      => self::summary( (int) $row['articles_done'], (int) $row['total_articles'], (int) $row['articles_failed'], (int) $row['images_created'], $duplicates, (int) $row['images_failed'], (int) $row['images_orphaned'], (int) $row['images_deleted'] ),
		);
	}

	/**
	 * "30 of 30 articles, 55 images imported, 12 duplicates avoided, 2 articles failed, 3 images
	 * refused, 1 unused image kept, 2 unused images deleted" (the failures and the pictures
	 * articles dropped only when there are some).
	 */
	private static function summary( int $done, int $total, int $articles_failed, int $created, int $duplicates, int $images_failed, int $orphaned, int $deleted ): string {
		$parts = array(
			sprintf(
				/* translators: 1: articles processed, 2: articles in the run. */
				_n( '%1$s of %2$s article', '%1$s of %2$s articles', $total, 'verial-image-sync' ),
				number_format_i18n( $done ),
				number_format_i18n( $total )
			),
			sprintf(
				/* translators: %s: number of images imported. */
				_n( '%s image imported', '%s images imported', $created, 'verial-image-sync' ),
				number_format_i18n( $created )
			),
			sprintf(
				/* translators: %s: number of images that were already in the media library. */
				_n( '%s duplicate avoided', '%s duplicates avoided', $duplicates, 'verial-image-sync' ),
				number_format_i18n( $duplicates )
			),
		);
		if ( $articles_failed > 0 ) {
			$parts[] = sprintf(
				/* translators: %s: number of articles whose images could not be read. */
				_n( '%s article failed', '%s articles failed', $articles_failed, 'verial-image-sync' ),
				number_format_i18n( $articles_failed )
			);
		}
		if ( $images_failed > 0 ) {
			$parts[] = sprintf(
				/* translators: %s: number of images refused (corrupt or not an image). */
				_n( '%s image refused', '%s images refused', $images_failed, 'verial-image-sync' ),
				number_format_i18n( $images_failed )
			);
		}
		if ( $orphaned > 0 ) {
			$parts[] = sprintf(
				/* translators: %s: number of pictures no article shows any more that were kept in the media library. */
				_n( '%s unused image kept', '%s unused images kept', $orphaned, 'verial-image-sync' ),
				number_format_i18n( $orphaned )
			);
		}
		if ( $deleted > 0 ) {
			$parts[] = sprintf(
				/* translators: %s: number of pictures no article or product used any more that were deleted. */
				_n( '%s unused image deleted', '%s unused images deleted', $deleted, 'verial-image-sync' ),
				number_format_i18n( $deleted )
			);
		}
		/* translators: separates the parts of a run summary. */
		return implode( __( ', ', 'verial-image-sync' ), $parts );
	}
}
