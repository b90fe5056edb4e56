<?php
/**
 * Several articles of a batch recorded in one transaction.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Store\LockConflictException;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Transaction;

/**
 * Records articles one after the other in one open transaction and commits them together,
 * once MAX_ARTICLES are in it or MAX_SECONDS after it began, or when the worker is about to do
 * anything else with the database (claim, release or complete a batch, record an API failure).
 *
 * Why: a COMMIT waits for InnoDB's log flush (with MariaDB's default
 * innodb_flush_log_at_trx_commit = 1, an fsync): 0.15 ms on the quiet disk of
 * docs/benchmarks.md's machine, 3 ms while other processes used it, where the rest of an
 * article's import takes about 4 ms. With one transaction per article a 500-article import
 * made 501 commits; now 61, and 2,300 fewer queries (counters and checkpoint once per group):
 * its wall time went down by about a fifth.
 *
 * What stays as with one transaction per article: an article is recorded whole or not at all
 * (a crash loses the open group, whose checkpoint was not committed either, and the batch's
 * recovery sweeps the group's files); the run's counters and the batch checkpoint, written once
 * per group just before its COMMIT (the checkpoint also checks the batch's claim), always match
 * what is committed. When an article fails inside the group, the whole group is rolled back, its files
 * deleted and its pictures taken out of the dedup index, and the articles before it are imported
 * again one by one, each in its own transaction; then the failure goes on as it would have
 * without the group (the batch stops and reports it), except a lost content claim or lock
 * conflict with another worker, for which the article is redone like the others
 * (ArticleImporter::apply(), with its own handling of those).
 * The earlier articles are fetched again for that (rare: it takes another worker or a database
 * failure), so that the group holds no reply: an article's reply can be tens of MB.
 */
final class ArticleGroup {

	/** Articles at most in one transaction. */
	public const MAX_ARTICLES = 16;

	/** Seconds at most between the first article of a transaction and its commit. */
	public const MAX_SECONDS = 0.25;

	/**
	 * The articles recorded in the open transaction, in order, with their counter increments.
	 *
	 * @var list<array{index: int, article_id: int, results: list<\VerialImages\Native\ImageResult>, again: callable, published: array<string, int>, counts: array<string, int>}>
	 */
	private array $pending = array();

	/** The batch of the open transaction, or null when none is open. */
	private ?BatchContext $batch = null;

	private float $opened_at = 0.0;

	/** The index of the article being redone on its own, while that is going on. */
	private ?int $redoing = null;

	/** While articles are redone: add() records each in its own transaction. */
	private bool $one_by_one = false;

	/**
	 * Articles per transaction from now on: MAX_ARTICLES, or 1 once another worker made a group
	 * fail. Workers that store the same pictures at the same time meet in the content table;
	 * a group holds its claims until its commit, so the other worker's group fails and is
	 * fetched again, and with several workers that kept happening.
	 */
	private int $max_articles = self::MAX_ARTICLES;

	public function __construct( private ArticleImporter $importer, private RunStore $runs, private UnusedAttachments $unused ) {
	}

	/**
	 * Records one article in the open transaction (opening one if needed), and commits when the
	 * group is full or old enough.
	 *
	 * @param BatchContext                                        $batch      Claimed batch and its lookups.
	 * @param int                                                 $index      Article's index in the batch.
	 * @param int                                                 $article_id Verial article id.
	 * @param list<\VerialImages\Native\ImageResult>              $results    import_response() results.
	 * @param callable(list<string>): list<\VerialImages\Native\ImageResult> $redo Imports the same reply again once the given hashes are known.
	 * @param callable(): array<string, int>                      $again      Fetches and imports the article again (through add()), if the group is rolled back later.
	 * @return array<string, int> The article's counter increments.
	 * @throws LostClaimException When another worker owns the batch now (at the group's commit: it is rolled back).
	 * @throws \Throwable When redoing an article on its own failed too.
	 */
	public function add( BatchContext $batch, int $index, int $article_id, array $results, callable $redo, callable $again ): array {
		if ( $this->one_by_one ) {
			return $this->importer->apply( $batch, $index, $article_id, $results, $redo );
		}
		$this->redoing = null;
		if ( null !== $this->batch && $this->batch !== $batch ) {
			$this->commit();
		}
		if ( null === $this->batch ) {
			Transaction::begin();
			$this->batch     = $batch;
			$this->opened_at = microtime( true );
		}
		try {
			$counts = $this->importer->record_in_transaction( $batch, $article_id, $results );
		} catch ( \Throwable $e ) {
			$this->redo_one_by_one( $this->abandon() );
			if ( ! self::is_conflict( $e ) ) {
				throw $e; // The article's own failure, reported as without the group.
			}
			$this->max_articles = 1;

			$hashes = $e instanceof ContentClaimedException ? array( $e->sha256 ) : array();
			return $this->importer->apply( $batch, $index, $article_id, $redo( $hashes ), $redo );
		}
		// Known at once: a later article of the group showing the same picture reuses it.
		$this->pending[] = array(
			'index'      => $index,
			'article_id' => $article_id,
			'results'    => $results,
			'again'      => $again,
			'published'  => $batch->publish_staged(),
			'counts'     => $counts,
		);
		if ( count( $this->pending ) >= $this->max_articles || microtime( true ) - $this->opened_at >= self::MAX_SECONDS ) {
			$this->commit();
		}
		return $counts;
	}

	/**
	 * Commits the open transaction (nothing happens when none is open), then deletes what its
	 * articles released.
	 *
	 * @throws LostClaimException When another worker owns the batch now (nothing is committed).
	 * @throws \Throwable When the commit failed, after the articles were redone one by one.
	 */
	public function commit(): void {
		$batch = $this->batch;
		if ( null === $batch ) {
			return;
		}
		$pending = $this->pending;
		try {
			if ( $pending ) {
				$last = $pending[ count( $pending ) - 1 ];
				$this->importer->checkpoint( $batch, $last['index'] );
				$this->runs->add_counts( $batch->run_id, self::sum_counts( $pending ), $last['article_id'] );
			}
			Transaction::commit();
		} catch ( LostClaimException $e ) {
			$this->abandon();
			throw $e;
		} catch ( \Throwable $e ) {
			$this->redo_one_by_one( $this->abandon() );
			if ( ! self::is_conflict( $e ) ) {
				throw $e;
			}
			$this->max_articles = 1;
			return;
		}
		$this->pending = array();
		$this->batch   = null;
		foreach ( $pending as $article ) {
			$this->unused->delete_released( $batch, $article['article_id'] );
		}
	}

	/**
	 * Rolls the open transaction back (nothing happens when none is open): the files of its
	 * articles are deleted and their pictures leave the dedup index.
	 *
	 * @return list<array{index: int, article_id: int, results: list<\VerialImages\Native\ImageResult>, again: callable, published: array<string, int>, counts: array<string, int>}>
	 *         The articles rolled back.
	 */
	public function abandon(): array {
		$batch = $this->batch;
		if ( null === $batch ) {
			return array();
		}
		$pending       = $this->pending;
		$this->pending = array();
		$this->batch   = null;
		Transaction::rollback();
		foreach ( $pending as $article ) {
			$batch->unpublish( $article['published'] );
			ArticleImporter::delete_files( $article['results'] );
		}
		$this->unused->discard();
		return $pending;
	}

	/**
	 * The group's counter increments, added up.
	 *
	 * @param list<array{counts: array<string, int>}> $pending The group's articles.
	 * @return array<string, int>
	 */
	private static function sum_counts( array $pending ): array {
		$sum = array();
		foreach ( $pending as $article ) {
			foreach ( $article['counts'] as $counter => $delta ) {
				$sum[ $counter ] = ( $sum[ $counter ] ?? 0 ) + $delta;
			}
		}
		return $sum;
	}

	/**
	 * Whether another worker made the group fail (what ArticleImporter::apply() redoes an
	 * article for), rather than the article or the database.
	 */
	private static function is_conflict( \Throwable $e ): bool {
		return $e instanceof ContentClaimedException || $e instanceof LockConflictException;
	}

	/**
	 * Imports rolled-back articles again, each in its own transaction.
	 *
	 * @param list<array{index: int, article_id: int, results: list<\VerialImages\Native\ImageResult>, again: callable, published: array<string, int>, counts: array<string, int>}> $articles abandon()'s result.
	 */
	private function redo_one_by_one( array $articles ): void {
		$this->one_by_one = true;
		try {
			foreach ( $articles as $article ) {
				$this->redoing = $article['index'];
				( $article['again'] )();
			}
		} finally {
			$this->one_by_one = false;
		}
		$this->redoing = null;
	}

	/**
	 * After add() or commit() threw: the index of the article whose redo failed, when it was an
	 * earlier one than the article add() was given (the batch's checkpoint is there). Asking
	 * forgets it.
	 */
	public function take_failed_index(): ?int {
		$index         = $this->redoing;
		$this->redoing = null;
		return $index;
	}
}
