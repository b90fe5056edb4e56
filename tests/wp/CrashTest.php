<?php
/**
 * kill -9 again and again: a run resumed after every kill ends exactly like a clean run.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use PHPUnit\Framework\ExpectationFailedException;
use VerialImageSync\Plugin;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

/**
 * Workers are SIGKILLed at exact points (through tests/wp/fixtures/worker-faults.php: after a
 * download, at an attachment insert, at a meta write) and at random moments while the codec
 * decodes and writes files, resumed after each kill, then left to finish.
 *
 * Env: VIS_LONG=1 kills 25 times on a 400-article catalog instead of 4 times on the default one;
 * VIS_CRASH_SEED=<n> replays the kill points of a failed run (its seed is in the message).
 */
final class CrashTest extends E2eTestCase {

	/**
	 * Hook of the fixture => range of the firing to kill at (small enough to land before the
	 * run ends, large enough that most kills land after some work was committed).
	 */
	private const KILL_POINTS = array(
		'http_api_debug'  => array( 2, 8 ),
		'add_attachment'  => array( 1, 4 ),
		'added_post_meta' => array( 2, 14 ),
	);

	/**
	 * Milliseconds after the start of a child for a blind kill: WordPress loads in about
	 * 150 ms, then it lists, downloads, decodes and writes.
	 */
	private const BLIND_KILL_MS = array( 300, 800 );

	protected function tearDown(): void {
		$this->reset_settings( 'claim_timeout', 'max_batch_attempts' );
	}

	public function test_repeated_kills_resume_to_the_state_of_a_clean_run(): void {
		$long     = '1' === getenv( 'VIS_LONG' );
		$kills    = $long ? 25 : 4;
		$articles = $long ? 400 : self::catalog_size();
		$seed     = (int) ( getenv( 'VIS_CRASH_SEED' ) ?: random_int( 1, 999999 ) );
		mt_srand( $seed );

		$this->fresh_site( $articles );
		$clean = $this->run_foreground();
		$this->assert_state_matches_truth( $clean );
		$reference = SiteState::canonical( $clean );

		$this->fresh_site( $articles );
		// The minimum waits, and no batch given up however often a kill lands in it.
		$this->configure(
			array(
				'lock_ttl'           => 1,
				'claim_timeout'      => 5,
				'max_batch_attempts' => 1000,
			)
		);
		$log  = array();
		$mode = 'run';
		for ( $kill = 0; $kill < $kills; ++$kill ) {
			if ( 0 === $kill % 2 ) {
				$hooks = array_keys( self::KILL_POINTS );
				$hook  = $hooks[ intdiv( $kill, 2 ) % count( $hooks ) ];
				$at    = $hook . ':' . mt_rand( ...self::KILL_POINTS[ $hook ] );
				$child = new ChildProcess( $mode, array( 'VIS_KILL_AT' => $at ) );
				$code  = $child->wait();
			} else {
				$delay = mt_rand( ...self::BLIND_KILL_MS );
				$at    = "after {$delay} ms";
				$child = new ChildProcess( $mode );
				usleep( $delay * 1000 );
				if ( $child->is_running() ) {
					$child->kill();
				}
				$code = $child->wait();
			}
			$log[] = sprintf( '%s kill %d (%s): %s', $mode, $kill + 1, $at, -1 === $code ? 'killed' : "exit $code" );
			$this->assertSame( -1, $code, $this->context( $seed, $log ) . "\nthe worker was not killed (a smaller catalog, or the run finished first?); stderr: " . $child->stderr() );
			$mode = 'resume';
			$this->wait_for_takeover();
		}
		$run = Plugin::services()->runs->active();
		$this->assertNotNull( $run, $this->context( $seed, $log ) . "\nthe killed run is no longer active" );

		Plugin::reset_services();
		$this->assertSame( 'finished', Plugin::services()->foreground->run() );

		$run_id = (int) $run['id'];
		try {
			$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
			$this->assert_state_matches_truth( $run_id );
			$this->assert_nothing_half_done();
			$this->assertSame( $reference, SiteState::canonical( $run_id ), 'final state differs from the clean run' );
			$this->assertSame( array(), $this->unfinished_batches( $run_id ), 'batches not done' );
		} catch ( ExpectationFailedException $e ) {
			throw new ExpectationFailedException( $this->context( $seed, $log ) . "\n" . $e->getMessage(), $e->getComparisonFailure(), $e );
		}
	}

	/**
	 * @return list<string> "id:status" of the run's batches that are not done.
	 */
	private function unfinished_batches( int $run_id ): array {
		global $wpdb;
		return $wpdb->get_col( $wpdb->prepare( 'SELECT CONCAT(id, \':\', status) FROM ' . Tables::batches() . ' WHERE run_id = %d AND status <> %s', $run_id, BatchQueue::DONE ) );
	}

	/**
	 * @param list<string> $log One line per kill.
	 */
	private function context( int $seed, array $log ): string {
		return "crash loop with VIS_CRASH_SEED=$seed:\n  " . implode( "\n  ", $log );
	}
}
