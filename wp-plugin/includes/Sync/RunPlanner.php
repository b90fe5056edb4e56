<?php
/**
 * Lists a run's articles and splits them into batches.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Api\VerialClient;
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
	 * Lists the run's articles (all, those changed since the run's `since`, or exactly the
	 * run's `only_articles`) and stores the batches.
	 *
	 * @param int $run_id Run in status "listing".
	 * @return int Number of articles.
	 * @throws \VerialImageSync\Api\VerialException When the list cannot be read.
	 */
	public function plan( int $run_id ): int {
		$run  = (array) $this->runs->get( $run_id );
		$only = json_decode( (string) ( $run['only_articles'] ?? '' ), true );
		$skus = array();
		if ( is_array( $only ) && $only ) {
			$article_ids = array_values( array_unique( array_map( 'intval', $only ) ) );
		} else {
			$skus        = $this->client->list_articles( $run['since'] ?? null );
			$article_ids = array_keys( $skus );
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
}
