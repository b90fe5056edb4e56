<?php
/**
 * Lists a run's articles and splits them into batches.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Api\VerialClient;
use VerialImageSync\Api\VerialException;
use VerialImageSync\Store\ArticleTable;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Transaction;

/**
 * The first step of a run, done by the first worker rather than by the request that started the
 * run (which answers at once). Listing is all-or-nothing: the batches, the listed articles' SKUs
 * (phase 2 matches products by them) and the "running" status are committed together, so a
 * worker killed while listing leaves the run to be listed again.
 */
final class RunPlanner {

	public function __construct( private VerialClient $client, private BatchQueue $queue, private RunStore $runs, private ArticleTable $articles, private int $batch_size ) {
	}

	/**
	 * Lists the run's articles (all, or those changed since the run's `since` plus the failures
	 * of the previous run it retries, or exactly the articles of an "articles" run) and stores
	 * the batches.
	 *
	 * @param int $run_id Run in status "listing".
	 * @return int Number of articles.
	 * @throws VerialException When the list cannot be read; a date filter Verial refuses gets a
	 *                         message that quotes it and names the setting to change.
	 */
	public function plan( int $run_id ): int {
		$run  = (array) $this->runs->get( $run_id );
		$only = json_decode( (string) ( $run['only_articles'] ?? '' ), true );
		$only = is_array( $only ) ? array_values( array_unique( array_map( 'intval', $only ) ) ) : array();
		$skus = array();
		if ( $only && RunStore::MODE_INCREMENTAL !== $run['run_mode'] ) {
			$article_ids = $only;
		} else {
			$skus        = $this->list_since( $run['since'] ?? null );
			$article_ids = array_values( array_unique( array_merge( array_keys( $skus ), $only ) ) );
		}
		$batches = array_chunk( $article_ids, $this->batch_size );
		Transaction::run(
			function () use ( $run_id, $article_ids, $batches, $skus ): void {
				$this->queue->replace( $run_id, $batches );
				$this->articles->save( $skus );
				$this->runs->mark_running( $run_id, count( $article_ids ), count( $batches ) );
			}
		);
		return count( $article_ids );
	}

	/**
	 * Verial's article list, filtered by the run's since moment when it has one.
	 *
	 * @param string|null $since Y-m-d H:i:s in Verial's time zone, or null.
	 * @return array<int, string> Article id => SKU.
	 * @throws VerialException When the list cannot be read.
	 */
	private function list_since( ?string $since ): array {
		try {
			return $this->client->list_articles( $since );
		} catch ( VerialException $e ) {
			if ( null !== $since && $e->is_date_format_refusal() ) {
				throw VerialException::date_filter_refused( $this->client->since_params( $since ), $e );
			}
			throw $e;
		}
	}
}
