<?php
/**
 * Phase 1 end to end: full run, re-run, killed run, concurrent starts.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Plugin;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

final class Phase1RunTest extends E2eTestCase {

	/**
	 * Every good image once, every corrupt one listed, shared pictures stored once.
	 *
	 * @return list<string> Canonical state, the reference for the tests that depend on this one.
	 */
	public function test_full_run_imports_every_good_image_once(): array {
		$this->fresh_site();
		$run_id = $this->run_foreground();

		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );

		$status = $this->status( $run_id );
		$truth  = MockVerial::truth();
		$good   = 0;
		$shared = array();
		foreach ( $truth as $images ) {
			foreach ( $images as $image ) {
				if ( null !== $image['sha256'] ) {
					++$good;
					$shared[ $image['sha256'] ] = true;
				}
			}
		}
		$this->assertGreaterThan( count( $shared ), $good, 'the mock catalog must share pictures for this test to mean anything' );
		$this->assertSame( count( $truth ), $status['articles']['total'] );
		$this->assertSame( count( $shared ), $status['images']['created'] );
		$this->assertSame( $good - count( $shared ), $status['images']['duplicates_avoided'] );
		$this->assertSame( 0, $status['images']['adopted'] );
		$this->assertSame( $status['batches'][ BatchQueue::DONE ], (int) ceil( count( $truth ) / 10 ) );

		$state = SiteState::canonical( $run_id );
		$this->dump_state( $state );
		return $state;
	}

	/**
	 * @depends test_full_run_imports_every_good_image_once
	 * @param list<string> $reference Canonical state after the first run.
	 */
	public function test_second_run_creates_nothing( array $reference ): void {
		global $wpdb;
		$max_post_id = (int) $wpdb->get_var( "SELECT MAX(ID) FROM {$wpdb->posts}" );
		$files       = SiteState::upload_files();

		// Explicitly full: the default mode would only list what changed since the first run.
		$run_id = Plugin::services()->runner->start( 'foreground', null, array(), true );
		$this->assertSame( 'finished', Plugin::services()->foreground->run() );

		$status = $this->status( $run_id );
		$this->assertSame( 0, $status['images']['created'] );
		$this->assertSame( 0, $status['images']['bytes_written'] );
		$this->assertSame( $status['images']['seen'] - $status['images']['failed'], $status['images']['reused'] );
		$this->assertSame( $max_post_id, (int) $wpdb->get_var( "SELECT MAX(ID) FROM {$wpdb->posts}" ), 'a post was created' );
		$this->assertSame( $files, SiteState::upload_files() );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );
		$this->assertSame( $this->without_errors( $reference ), $this->without_errors( SiteState::canonical( $run_id ) ) );
		$this->assertSame( 0, (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM ' . Tables::images() . ' WHERE last_seen_run <> %d', $run_id ) ), 'rows not marked as seen by the second run' );
	}

	/**
	 * A worker killed with SIGKILL in the middle of a batch; the run resumed gives the same
	 * final state, with no orphan file, no temporary file and no stale lock.
	 *
	 * @depends test_full_run_imports_every_good_image_once
	 * @param list<string> $reference Canonical state of an uninterrupted run.
	 */
	public function test_killed_run_resumes_to_the_same_state( array $reference ): void {
		global $wpdb;
		$this->fresh_site();
		// The resume below waits for the killed worker's batch claim to go stale.
		$this->configure( array( 'claim_timeout' => 5 ) );
		MockVerial::config( array( 'latency_ms' => 15 ) );

		$child   = new ChildProcess( 'run' );
		$batches = Tables::batches();
		$middle  = null;
		$until   = microtime( true ) + 60;
		while ( null === $middle && microtime( true ) < $until && $child->is_running() ) {
			// Checkpoints are committed with each group of articles (ArticleGroup): the kill
			// lands in the group after the first one committed in the batch.
			$middle = $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$batches} WHERE status = %s AND next_index BETWEEN 1 AND JSON_LENGTH(articles) - 1 AND seq >= 3", BatchQueue::RUNNING ) );
			usleep( 5000 );
		}
		$this->assertNotNull( $middle, 'the child never got into the middle of a batch: ' . $child->stderr() );
		$child->kill();
		MockVerial::config( array( 'latency_ms' => 0 ) );

		// The batch in hand when the kill landed (usually the one seen above) and, when its last
		// image requests were out, the next one, claimed ahead with none of its articles done.
		$victims = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$batches} WHERE status = %s ORDER BY seq", BatchQueue::RUNNING ), ARRAY_A );
		$this->assertContains( count( $victims ), array( 1, 2 ), 'the killed worker must leave its batch "running", and at most the one claimed ahead' );
		$victim = $victims[0];
		if ( 2 === count( $victims ) ) {
			$this->assertSame( array( (int) $victim['seq'] + 1, 0 ), array( (int) $victims[1]['seq'], (int) $victims[1]['next_index'] ), 'the second batch held is not the next one, claimed ahead' );
		}

		$run = Plugin::services()->runs->active();
		$this->assertNotNull( $run, 'the killed run is no longer active' );
		// Workers hold their batch's claim, not a lock, while importing (the lock only guards
		// listing and ending a run, so that several workers can drain one run).
		$this->assertNull( SiteState::lock_value(), 'the killed worker held the lock while importing' );

		// What a kill during a write leaves behind, planted in case the kill did not land there.
		$dir = (string) $wpdb->get_var( $wpdb->prepare( "SELECT upload_dir FROM {$batches} WHERE id = %d", $victim['id'] ) );
		$this->assertDirectoryExists( $dir );
		$articles = json_decode( $victim['articles'], true );
		$pending  = $articles[ count( $articles ) - 1 ];
		file_put_contents( $dir . '/.vis-tmp-killed0000000000', 'partial' );
		file_put_contents( $dir . "/verial-{$pending}-0.jpg", "\xFF\xD8\xFF\xE0 not referenced" );

		// Resumed once the claim is stale, the batch is taken back before any later one is
		// claimed, so the articles are processed in the uninterrupted run's order (a shared
		// picture is then first stored by the same article).
		usleep( (int) ( ( Plugin::services()->settings->claim_timeout() + 0.2 ) * 1e6 ) );
		$this->assertSame( 'finished', Plugin::services()->foreground->run() );

		$run_id = (int) $run['id'];
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );
		$this->assertSame( $reference, SiteState::canonical( $run_id ) );
		$recovered = (int) $wpdb->get_var( $wpdb->prepare( "SELECT attempts FROM {$batches} WHERE id = %d", $victim['id'] ) );
		$this->assertSame( 1, $recovered, 'the interrupted batch was not recovered exactly once' );
		if ( 2 === count( $victims ) ) {
			$ahead = (int) $wpdb->get_var( $wpdb->prepare( "SELECT attempts FROM {$batches} WHERE id = %d", $victims[1]['id'] ) );
			$this->assertSame( 0, $ahead, 'the batch claimed ahead and never begun counted an attempt' );
		}
	}

	/**
	 * Two runs started at the same moment by two processes: one runs, the other is refused
	 * with a message naming the active run.
	 *
	 * @depends test_full_run_imports_every_good_image_once
	 * @param list<string> $reference Canonical state of an uninterrupted run.
	 */
	public function test_two_runs_started_together_one_is_refused( array $reference ): void {
		$this->fresh_site();
		$start_at = sprintf( '%.6F', microtime( true ) + 1.5 );
		$children = array(
			new ChildProcess( 'run', array( 'VIS_START_AT' => $start_at ) ),
			new ChildProcess( 'run', array( 'VIS_START_AT' => $start_at ) ),
		);
		$codes = array();
		foreach ( $children as $child ) {
			$codes[] = $child->wait();
		}
		sort( $codes );
		$this->assertSame( array( 0, 3 ), $codes, 'stderr: ' . $children[0]->stderr() . $children[1]->stderr() );
		$refused = 3 === $children[0]->wait() ? $children[0] : $children[1];
		$message = json_decode( $refused->stdout(), true )['refused'] ?? '';
		$this->assertMatchesRegularExpression( '/already in progress \(run #\d+/', $message );

		$run = Plugin::services()->runs->latest();
		$this->assertSame( 1, $this->count_runs(), 'the refused start left a run behind' );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, (int) $run['id'] );
		$this->assertSame( $reference, SiteState::canonical( (int) $run['id'] ) );
	}

	private function count_runs(): int {
		global $wpdb;
		return (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . Tables::runs() );
	}

	/**
	 * @param list<string> $lines Canonical state.
	 * @return list<string> Without the error lines (which belong to one run).
	 */
	private function without_errors( array $lines ): array {
		return array_values( array_filter( $lines, static fn( string $line ): bool => ! str_starts_with( $line, 'error ' ) ) );
	}
}
