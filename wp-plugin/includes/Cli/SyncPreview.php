<?php
/**
 * What a phase 1 run would import, without writing anything.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

use VerialImageSync\Api\VerialClient;
use VerialImageSync\Api\VerialException;
use VerialImageSync\Settings;
use VerialImageSync\Store\ImageTable;
use VerialImageSync\Store\RunStore;

/**
 * `wp verial-images sync --dry-run`: lists the articles as a run started now would (the same
 * full or incremental choice, Phase1Runner::selection()), downloads each one's
 * images and has the codec inspect them in memory (no directory: nothing is written), then
 * compares their content with the stored pictures. It writes nothing at all: no run, no file,
 * no attachment, no row.
 */
final class SyncPreview {

	public const IMPORT    = 'import';     // Has pictures the media library lacks.
	public const UPDATE    = 'update';     // Known pictures, but positions change.
	public const UNCHANGED = 'unchanged';
	public const FAILED    = 'failed';     // The API call failed after the retries.

	public function __construct( private VerialClient $client, private ImageTable $images, private Settings $settings ) {
	}

	/**
	 * The articles a run of this selection would process, listed as RunPlanner lists them.
	 *
	 * @param array{mode: string, since: ?string, article_ids: list<int>} $selection Phase1Runner::selection().
	 * @return list<int>
	 * @throws VerialException When the list cannot be read.
	 */
	public function articles( array $selection ): array {
		if ( $selection['article_ids'] && RunStore::MODE_INCREMENTAL !== $selection['mode'] ) {
			return $selection['article_ids'];
		}
		$listed = array_keys( $this->client->list_articles( $selection['since'] ) );
		return array_values( array_unique( array_merge( $listed, $selection['article_ids'] ) ) );
	}

	/**
	 * Inspects each article's images.
	 *
	 * @param list<int>     $article_ids Articles.
	 * @param callable|null $after_each  Called after each article (progress).
	 * @return list<array{article_id: int, images: int, new: int, known: int, failed: int, action: string, error: string}>
	 */
	public function inspect( array $article_ids, ?callable $after_each = null ): array {
		$known     = $this->images->dedup_index();
		$new_here  = array(); // Pictures new to the library, counted once (for the first article showing them).
		$max_bytes = $this->settings->max_image_bytes();
		$items     = array();
		foreach ( array_chunk( $article_ids, 200 ) as $chunk ) {
			$stored = $this->images->rows_for_articles( $chunk );
			foreach ( $chunk as $article_id ) {
				$item = array(
					'article_id' => $article_id,
					'images'     => 0,
					'new'        => 0,
					'known'      => 0,
					'failed'     => 0,
					'action'     => self::UNCHANGED,
					'error'      => '',
				);
				try {
					$results = $this->client->import_images( $article_id, static fn( string $body ): array => \VerialImages\Native\import_response( $body, null, $known, false, $max_bytes ) );
				} catch ( VerialException $e ) {
					$item['action'] = self::FAILED;
					$item['error']  = $e->getMessage();
					$items[]        = $item;
					if ( null !== $after_each ) {
						$after_each();
					}
					continue;
				}
				$changed = false;
				$rows    = $stored[ $article_id ] ?? array();
				foreach ( $results as $result ) {
					if ( $result->article_id !== $article_id ) {
						continue;
					}
					++$item['images'];
					if ( 'failed' === $result->status || null === $result->info ) {
						++$item['failed'];
						$item['error'] = (string) $result->error;
						continue;
					}
					$sha256   = $result->info->sha256;
					$is_known = 'known' === $result->status || 'repeated' === $result->status || isset( $new_here[ $sha256 ] );
					++$item[ $is_known ? 'known' : 'new' ];
					if ( ! $is_known ) {
						$new_here[ $sha256 ] = true;
					}
					$changed = $changed || ( $rows[ $result->position ]['sha256'] ?? null ) !== $sha256;
				}
				$changed = $changed || count( $rows ) > $item['images'];
				if ( $item['new'] > 0 ) {
					$item['action'] = self::IMPORT;
				} elseif ( $changed ) {
					$item['action'] = self::UPDATE;
				}
				$items[] = $item;
				if ( null !== $after_each ) {
					$after_each();
				}
			}
		}
		return $items;
	}
}
