<?php
/**
 * Concurrency: several worker processes on one run, concurrent image requests.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Cli\CliModule;
use VerialImageSync\Cli\WorkerPool;
use VerialImageSync\Plugin;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

require_once __DIR__ . '/src/WpCliStandIn.php';

final class WorkersTest extends E2eTestCase {

	/**
	 * Two worker processes drain one run together: each picture is stored once although both
	 * meet the shared pool pictures, the table equals the truth, every batch is done, and at
	 * some moment both held batches.
	 */
	public function test_two_workers_drain_one_run(): void {
		global $wpdb;
		$this->fresh_site();
		MockVerial::config( array( 'latency_ms' => 10 ) );
		$run_id = Plugin::services()->runner->start( 'foreground' );

		$children = array( new ChildProcess( 'resume' ), new ChildProcess( 'resume' ) );
		$most     = 0;
		$until    = microtime( true ) + 120;
		$runs     = Tables::runs();
		// Watched through the database: the children's exit codes are read once, by wait().
		while ( microtime( true ) < $until && null !== $wpdb->get_var( $wpdb->prepare( "SELECT active_slot FROM {$runs} WHERE id = %d", $run_id ) ) ) {
			$most = max( $most, (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM ' . Tables::batches() . ' WHERE run_id = %d AND status = %s', $run_id, BatchQueue::RUNNING ) ) );
			usleep( 5000 );
		}
		MockVerial::config( array( 'latency_ms' => 0 ) );
		foreach ( $children as $child ) {
			$this->assertSame( 0, $child->wait(), 'stderr: ' . $child->stderr() );
		}

		// A worker holds the batch it imports and, near its end, the next one, claimed ahead
		// (RequestsAhead): more than two open batches means both workers held some at once.
		$this->assertGreaterThan( 2, $most, 'the two workers never held a batch at the same time' );
		$this->assertLessThanOrEqual( 4, $most, 'a worker held more than its batch and the one claimed ahead' );
		$this->assert_drained( $run_id );
	}

	/**
	 * `wp verial-images sync --workers=4`: four processes (started through the worker command
	 * filter, as the WP-CLI stand-in cannot launch WP-CLI) drain the run, the parent shows the
	 * progress and the summary, and exits 1 because the catalog's corrupt images fail their
	 * articles.
	 */
	public function test_sync_with_four_workers(): void {
		$this->fresh_site();
		WpCliStandIn::reset();
		CliModule::register();
		\WP_CLI::do_hook( 'after_wp_load' );
		$command = static fn(): array => self::worker_command();
		add_filter( WorkerPool::COMMAND_FILTER, $command );
		try {
			$result = WpCliStandIn::run( 'verial-images sync', array( 'workers' => '4' ) );
		} finally {
			remove_filter( WorkerPool::COMMAND_FILTER, $command );
		}

		$run    = Plugin::services()->runs->latest();
		$status = $this->status( (int) $run['id'] );
		$this->assertSame( 1, $result->code, $result->output() );
		$this->assertStringContainsString( sprintf( 'Error: %d of %d articles failed (listed above)', $status['articles']['failed'], count( MockVerial::truth() ) ), $result->stderr );
		$this->assertStringNotContainsString( 'Worker ', $result->stderr, 'a worker process failed' );
		$this->assertMatchesRegularExpression( '/\|\s*run\s*\|/', $result->stdout, 'no summary table' );
		$this->assertStringContainsString( '| ' . RunStore::COMPLETED_WITH_ERRORS . ' ', $result->stdout );
		$this->assertCount( 1, $result->bars );
		$this->assertSame( count( MockVerial::truth() ), $result->bars[0]['ticks'] );
		$this->assertTrue( $result->bars[0]['finished'] );
		$this->assert_drained( (int) $run['id'] );

		$bad = WpCliStandIn::run( 'verial-images sync', array( 'workers' => '0' ) );
		$this->assertSame( 1, $bad->code );
		$this->assertStringContainsString( '--workers takes a number from 1 to', $bad->stderr );
	}

	/**
	 * A worker SIGKILLed inside an article's transaction: the other one finishes the rest, then
	 * takes the dead worker's batch back once its claim is older than the claim timeout, and the
	 * final state is the same as without the kill.
	 */
	public function test_killed_workers_batch_is_taken_over_after_the_claim_timeout(): void {
		global $wpdb;
		$this->fresh_site();
		$this->configure( array( 'claim_timeout' => 5 ) );
		MockVerial::config( array( 'latency_ms' => 10 ) );
		$run_id = Plugin::services()->runner->start( 'foreground' );

		$victim    = new ChildProcess( 'resume', array( 'VIS_KILL_AT' => 'add_attachment:5' ) );
		$survivor  = new ChildProcess( 'resume' );
		$victim_at = $victim->wait();
		$killed_at = microtime( true );
		$this->assertSame( -1, $victim_at, 'the worker was not killed; stderr: ' . $victim->stderr() );
		$stale = $wpdb->get_col( $wpdb->prepare( 'SELECT id FROM ' . Tables::batches() . ' WHERE run_id = %d AND status = %s', $run_id, BatchQueue::RUNNING ) );
		$this->assertNotEmpty( $stale, 'the killed worker held no batch' );

		$this->assertSame( 0, $survivor->wait(), 'stderr: ' . $survivor->stderr() );
		MockVerial::config( array( 'latency_ms' => 0 ) );
		$this->assertGreaterThanOrEqual( 3.5, microtime( true ) - $killed_at, 'the batch was taken back before its claim timed out' );

		$attempts = array_map( 'intval', $wpdb->get_col( $wpdb->prepare( 'SELECT attempts FROM ' . Tables::batches() . ' WHERE run_id = %d ORDER BY id', $run_id ) ) );
		// Only the batch it was importing counts an attempt; one it had claimed ahead, none.
		$this->assertSame( 1, array_sum( $attempts ), 'batches taken back: ' . implode( ',', $attempts ) );
		$this->assert_drained( $run_id );
	}

	/**
	 * A picture another worker stored after this worker's dedup index was loaded: the content
	 * claim fails, the article is rolled back and redone, and reuses that worker's attachment.
	 */
	public function test_a_picture_stored_by_another_worker_meanwhile_is_reused(): void {
		global $wpdb;
		$this->fresh_site( 60 );
		$uses = array();
		foreach ( MockVerial::truth() as $article_id => $images ) {
			foreach ( $images as $image ) {
				if ( null !== $image['sha256'] ) {
					$uses[ $image['sha256'] ][ $article_id ] = true;
				}
			}
		}
		$shared = array_filter( $uses, static fn( array $articles ): bool => count( $articles ) >= 2 );
		$this->assertNotEmpty( $shared, 'the catalog has no picture shared by two articles' );
		$sha256                = (string) array_key_first( $shared );
		list( $first, $second ) = array_keys( $shared[ $sha256 ] );

		$services = Plugin::services();
		$services->runner->start( 'foreground', null, array( $first ) );
		$this->assertSame( 'finished', $services->foreground->run() );
		$stored = (int) $wpdb->get_var( $wpdb->prepare( 'SELECT attachment_id FROM ' . Tables::images() . ' WHERE sha256 = %s', $sha256 ) );
		$this->assertGreaterThan( 0, $stored );
		// As if another worker had just committed it: in the contents table (the claim), not yet
		// in this worker's index, which a new run loads from the image rows.
		$wpdb->query( $wpdb->prepare( 'DELETE FROM ' . Tables::images() . ' WHERE article_id = %d', $first ) );
		$files = SiteState::upload_files();

		$run_id = $services->runner->start( 'foreground', null, array( $second ) );
		$this->assertSame( 'finished', $services->foreground->run() );

		$this->assertSame( array( (string) $stored ), $wpdb->get_col( $wpdb->prepare( 'SELECT DISTINCT attachment_id FROM ' . Tables::images() . ' WHERE sha256 = %s', $sha256 ) ), 'the picture was stored again' );
		$this->assertGreaterThan( 0, $this->status( $run_id )['images']['reused'] );
		$this->assertContains( $second, array_map( 'intval', get_post_meta( $stored, '_verial_article_id' ) ) );
		$this->assertSame( SiteState::referenced_files(), SiteState::upload_files(), 'the redone article left a file behind' );
		$this->assertSame( count( array_diff( SiteState::upload_files(), $files ) ), $this->status( $run_id )['images']['created'] );
	}

	/**
	 * parallel_requests = 4 with 100 ms of API latency: the image requests overlap (seen in the
	 * mock's server log: several connections open at once), the window rolls (a request is sent
	 * as soon as a reply is taken, while the others are still waiting on the API, instead of
	 * after the whole group is answered), also from one batch into the next, and each article is
	 * still fetched once; with 1, they never overlap.
	 */
	public function test_parallel_requests_overlap(): void {
		$articles = 24;
		foreach ( array( 4, 1 ) as $parallel ) {
			$this->fresh_site( $articles );
			$this->configure( array( 'parallel_requests' => $parallel ) );
			MockVerial::truth();
			MockVerial::config( array( 'latency_ms' => 100 ) );
			MockVerial::reset_stats();
			$log    = (string) getenv( 'VIS_MOCK_STATE' ) . '/server.log';
			$offset = filesize( $log );

			$run_id = $this->run_foreground();

			$open    = $this->most_open_connections( $log, (int) $offset );
			$rolling = $this->requests_sent_while_others_wait( $log, (int) $offset );
			MockVerial::config( array( 'latency_ms' => 0 ) );
			$calls = MockVerial::stats()['calls']['GetImagenesArticulosWS'] ?? 0;
			$this->assertSame( $articles, $calls, "image calls with parallel_requests = $parallel" );
			if ( $parallel > 1 ) {
				$this->assertGreaterThanOrEqual( 3, $open, 'the image requests did not overlap' );
				// A window that rolls across batches (the next batch claimed ahead) sends every
				// request but the first 4 that way: 20 here. One restarted empty at each batch of
				// 10 sends at most articles 5 to 10 of each that way (12); one refilled only once
				// empty, none.
				$this->assertGreaterThan( 12, $rolling, "only $rolling requests were sent as a reply was taken while others were in flight: the window does not roll across batches" );
			} else {
				// One at a time, but the mock's server processes log independently: one may log
				// its "Closing" just after the next connection's "Accepted" in another process.
				$this->assertLessThanOrEqual( 2, $open, 'requests overlapped with parallel_requests = 1' );
			}
			$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
			$this->assert_state_matches_truth( $run_id );
		}
	}

	/**
	 * Faults on concurrently fetched replies (HTTP 500, InfoError 2, truncated JSON, dropped
	 * connections, timeouts): each such article is fetched again alone with the retries, and the
	 * final state is still exactly the truth.
	 */
	public function test_faults_on_concurrent_fetches_fall_back_to_single_calls(): void {
		$articles = 40;
		$this->fresh_site( $articles );
		$this->configure(
			array(
				'http_timeout'      => 1,
				'parallel_requests' => 4,
			)
		);
		MockVerial::config(
			array(
				'slow_ms' => 1500,
				'faults'  => array(
					'http500'        => 0.06,
					'info_error2'    => 0.06,
					'truncated_json' => 0.06,
					'drop'           => 0.06,
					'slow'           => 0.03,
				),
			)
		);
		try {
			$run_id = $this->run_foreground();
		} finally {
			MockVerial::config( array( 'faults' => new \stdClass() ) );
		}

		$stats = MockVerial::stats();
		$this->assertGreaterThan( 0, array_sum( $stats['faults'] ?? array() ), 'the mock injected no fault' );
		$this->assertGreaterThan( $articles, $stats['calls']['GetImagenesArticulosWS'], 'no failed reply was fetched again' );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );
	}

	/**
	 * The most connections the mock had open at once after $offset in its log (PHP's built-in
	 * server logs "Accepted" and "Closing" per connection, in order).
	 */
	private function most_open_connections( string $log, int $offset ): int {
		clearstatcache();
		$text = (string) file_get_contents( $log, false, null, $offset );
		$this->assertMatchesRegularExpression( '/ Accepted$/m', $text, 'the mock logged no connection' );
		$open = 0;
		$most = 0;
		foreach ( explode( "\n", $text ) as $line ) {
			if ( str_ends_with( $line, ' Accepted' ) ) {
				$most = max( $most, ++$open );
			} elseif ( str_ends_with( $line, ' Closing' ) ) {
				--$open;
			}
		}
		return $most;
	}

	/**
	 * How many connections the mock accepted after $offset in its log while one accepted before
	 * its latest "Closing" was still open: requests sent as replies are taken, while earlier
	 * ones are still waiting on the API. A window refilled only once all its replies are in has
	 * none (each group is sent at once, and all of it is answered before the next group).
	 */
	private function requests_sent_while_others_wait( string $log, int $offset ): int {
		clearstatcache();
		$open      = array(); // Client address => event number of its "Accepted".
		$event     = 0;
		$last_shut = -1;
		$rolling   = 0;
		foreach ( explode( "\n", (string) file_get_contents( $log, false, null, $offset ) ) as $line ) {
			if ( 1 !== preg_match( '/ (\S+) (Accepted|Closing)$/', $line, $match ) ) {
				continue;
			}
			++$event;
			if ( 'Closing' === $match[2] ) {
				unset( $open[ $match[1] ] );
				$last_shut = $event;
				continue;
			}
			$rolling            += $open && min( $open ) < $last_shut ? 1 : 0;
			$open[ $match[1] ] = $event;
		}
		return $rolling;
	}

	/**
	 * The run completed, every batch is done, and the state is the truth: one attachment per
	 * distinct good picture (which article stored a shared one first depends on the workers'
	 * timing), nothing left over, no lock.
	 */
	private function assert_drained( int $run_id ): void {
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$batches = $this->status( $run_id )['batches'];
		$this->assertSame( (int) ceil( count( MockVerial::truth() ) / 10 ), $batches[ BatchQueue::DONE ], 'batches: ' . json_encode( $batches ) );
		$this->assertSame( $batches[ BatchQueue::DONE ], array_sum( $batches ), 'batches not done: ' . json_encode( $batches ) );
		$this->assert_state_matches_truth( $run_id, false );
		$this->assert_nothing_half_done();
	}

	/**
	 * One worker process for `sync --workers`: the suite's worker script on the active run.
	 *
	 * @return list<string>
	 */
	private static function worker_command(): array {
		$command = array( PHP_BINARY, '-d', 'memory_limit=256M', '-d', 'display_errors=stderr' );
		if ( '' !== (string) getenv( 'VIS_PHP_EXTENSION' ) ) {
			array_push( $command, '-d', 'extension=' . getenv( 'VIS_PHP_EXTENSION' ) );
		}
		array_push( $command, __DIR__ . '/bin/worker.php', 'resume' );
		return $command;
	}
}
