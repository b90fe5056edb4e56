<?php
/**
 * Rebuilds the image table from the attachments' meta.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Store\ImageTable;

/**
 * After a database restore (or anything else that lost or damaged the image table), the
 * attachments still carry the existing plugin's meta: every article that shows them
 * (`_verial_article_id`, first the one that stored them), their position in that first article
 * (`_verial_image_order`) and the legacy hash. The content hash is recomputed from the file.
 *
 * Rows that are still there are kept; rows of deleted attachments go. Each attachment gets its
 * own (first article, position) row. The meta keeps no position for the other articles that show
 * a picture, so there it is appended after the article's own pictures, at positions no Verial
 * list reaches: until the next phase 1 run, those articles show their shared pictures last (and
 * a picture shown twice, once). That run re-reads every article, puts every picture at its real
 * position and drops the appended rows as positions beyond the article's count, reusing every
 * picture (nothing is imported again).
 */
final class IndexRebuilder {

	/**
	 * Attachments per query.
	 */
	private const CHUNK = 500;

	/**
	 * First position of appended rows: beyond any real list (positions are a smallint).
	 */
	private const APPENDED_FROM = 32768;

	public function __construct( private ImageTable $images ) {
	}

	/**
	 * @return array{attachments: int, kept: int, added: int, removed: int, missing_files: list<int>}
	 */
	public function rebuild(): array {
		$result = array(
			'attachments'   => 0,
			'kept'          => 0,
			'added'         => 0,
			'removed'       => $this->images->delete_orphans(),
			'missing_files' => array(),
		);
		$others = array(); // Article => rows of shared pictures, to append.
		$after  = 0;
		while ( $attachments = $this->attachments_after( $after ) ) { // phpcs:ignore Generic.CodeAnalysis.AssignmentInCondition.FoundInWhileCondition
			$after    = (int) array_key_last( $attachments );
			$articles = array_unique( array_merge( ...array_column( $attachments, 'articles' ) ) );
			$stored   = $this->images->rows_for_articles( $articles );
			$rows     = array();
			foreach ( $attachments as $attachment_id => $attachment ) {
				++$result['attachments'];
				$facts = $this->facts( $attachment_id, $attachment );
				if ( null === $facts ) {
					$result['missing_files'][] = $attachment_id;
					continue;
				}
				foreach ( $attachment['articles'] as $index => $article_id ) {
					if ( in_array( $attachment_id, array_map( 'intval', array_column( $stored[ $article_id ], 'attachment_id' ) ), true ) ) {
						++$result['kept'];
						continue;
					}
					$position = $attachment['order'];
					if ( 0 === $index && null !== $position && ! isset( $stored[ $article_id ][ $position ] ) ) {
						$stored[ $article_id ][ $position ] = array( 'attachment_id' => (string) $attachment_id );
						$rows[]                             = $facts + array(
							'article_id' => $article_id,
							'position'   => $position,
						);
					} else {
						$others[ $article_id ][] = $facts;
					}
				}
			}
			$this->images->upsert( $rows );
			$result['added'] += count( $rows );
		}
		$result['added'] += $this->place_others( $others );
		return $result;
	}

	/**
	 * Appends the rows of shared pictures to their articles.
	 *
	 * @param array<int, list<array<string, int|string>>> $others Article => rows without position.
	 * @return int Rows added.
	 */
	private function place_others( array $others ): int {
		$added = 0;
		foreach ( array_chunk( $others, self::CHUNK, true ) as $chunk ) {
			$stored = $this->images->rows_for_articles( array_keys( $chunk ) );
			$rows   = array();
			foreach ( $chunk as $article_id => $pending ) {
				$position = self::APPENDED_FROM;
				foreach ( $pending as $facts ) {
					while ( isset( $stored[ $article_id ][ $position ] ) ) {
						++$position;
					}
					$stored[ $article_id ][ $position ] = array();
					$rows[]                             = $facts + array(
						'article_id' => $article_id,
						'position'   => $position,
					);
				}
			}
			$this->images->upsert( $rows );
			$added += count( $rows );
		}
		return $added;
	}

	/**
	 * The next attachments carrying `_verial_article_id`, with their meta, in three queries.
	 *
	 * @param int $after Attachment id cursor.
	 * @return array<int, array{articles: list<int>, order: ?int, hash: string, file: string, meta: string, mime: string}>
	 */
	private function attachments_after( int $after ): array {
		global $wpdb;
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT DISTINCT m.post_id FROM {$wpdb->postmeta} m JOIN {$wpdb->posts} p ON p.ID = m.post_id AND p.post_type = 'attachment'
				WHERE m.meta_key = %s AND m.post_id > %d ORDER BY m.post_id LIMIT %d",
				AttachmentWriter::META_ARTICLE,
				$after,
				self::CHUNK
			)
		);
		if ( ! $ids ) {
			return array();
		}
		$list        = implode( ',', array_map( 'intval', $ids ) );
		$attachments = array();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
		foreach ( $wpdb->get_results( "SELECT ID, post_mime_type FROM {$wpdb->posts} WHERE ID IN ({$list}) ORDER BY ID", ARRAY_N ) as $row ) {
			$attachments[ (int) $row[0] ] = array(
				'articles' => array(),
				'order'    => null,
				'hash'     => '',
				'file'     => '',
				'meta'     => '',
				'mime'     => (string) $row[1],
			);
		}
		$keys = array(
			AttachmentWriter::META_ARTICLE => 'articles',
			AttachmentWriter::META_ORDER   => 'order',
			AttachmentWriter::META_HASH    => 'hash',
			'_wp_attached_file'            => 'file',
			'_wp_attachment_metadata'      => 'meta',
		);
		$sql  = "SELECT post_id, meta_key, meta_value FROM {$wpdb->postmeta} WHERE post_id IN ({$list}) AND meta_key IN (%s, %s, %s, %s, %s) ORDER BY meta_id";
		$rows = $wpdb->get_results( $wpdb->prepare( $sql, ...array_keys( $keys ) ), ARRAY_N ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		foreach ( $rows as $row ) {
			$attachment_id = (int) $row[0];
			$field         = $keys[ $row[1] ];
			if ( 'articles' === $field ) {
				if ( (int) $row[2] > 0 && ! in_array( (int) $row[2], $attachments[ $attachment_id ]['articles'], true ) ) {
					$attachments[ $attachment_id ]['articles'][] = (int) $row[2];
				}
			} elseif ( 'order' === $field ) {
				$attachments[ $attachment_id ]['order'] ??= is_numeric( $row[2] ) ? max( 0, (int) $row[2] ) : null;
			} elseif ( '' === $attachments[ $attachment_id ][ $field ] ) {
				$attachments[ $attachment_id ][ $field ] = (string) $row[2];
			}
		}
		return $attachments;
	}

	/**
	 * The image row's columns that come from the attachment and its file.
	 *
	 * @param int                  $attachment_id Attachment id.
	 * @param array<string, mixed> $attachment    From attachments_after().
	 * @return array<string, int|string>|null Null when the file is missing.
	 */
	private function facts( int $attachment_id, array $attachment ): ?array {
		$path = '' === $attachment['file'] ? '' : path_join( wp_get_upload_dir()['basedir'], $attachment['file'] );
		if ( '' === $path || ! is_file( $path ) ) {
			return null;
		}
		$meta = maybe_unserialize( $attachment['meta'] );
		$size = is_array( $meta ) && ! empty( $meta['width'] ) ? array( (int) $meta['width'], (int) $meta['height'] ) : (array) wp_getimagesize( $path );
		return array(
			'attachment_id' => $attachment_id,
			'sha256'        => (string) hash_file( 'sha256', $path ),
			'legacy_md5'    => strtolower( $attachment['hash'] ),
			'bytes'         => (int) filesize( $path ),
			'mime'          => $attachment['mime'],
			'width'         => (int) ( $size[0] ?? 0 ),
			'height'        => (int) ( $size[1] ?? 0 ),
			'last_seen_run' => 0,
		);
	}
}
