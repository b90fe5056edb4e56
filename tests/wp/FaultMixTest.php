<?php
/**
 * Every fault kind at once, 5 % each, with the figures in the test log.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Plugin;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

/**
 * The mock fails 25 % of all calls (HTTP 500, InfoError 2, truncated JSON, dropped connection,
 * a reply slower than the plugin's timeout): the run must survive it with retries, lose no
 * image, and name every article it could not finish.
 */
final class FaultMixTest extends E2eTestCase {

	private const CATALOG = 80;

	private const RATE = 0.05;

	public function test_a_five_percent_mix_of_every_fault_is_survived_without_losing_an_image(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		$this->configure( array( 'http_timeout' => 1 ) );
		MockVerial::config(
			array(
				'slow_ms' => 1600, // Above http_timeout: the plugin gives up on the call and retries.
				'faults'  => array_fill_keys( array( 'http500', 'info_error2', 'truncated_json', 'drop', 'slow' ), self::RATE ),
			)
		);
		try {
			$run_id = $this->run_foreground();
			$stats  = MockVerial::stats();
		} finally {
			MockVerial::config( array( 'faults' => new \stdClass() ) );
		}

		$status = $this->status( $run_id );
		$this->assertFalse( $status['active'] );
		$this->assertContains( $status['status'], array( RunStore::COMPLETED, RunStore::COMPLETED_WITH_ERRORS ), 'last error: ' . $status['last_error'] );

		// Articles that failed after every retry are listed, each with its cause.
		$failed = array();
		foreach ( $status['errors'] as $error ) {
			if ( null === $error['position'] ) {
				$this->assertStringContainsString( "Article {$error['article_id']}:", $error['message'] );
				$failed[ (int) $error['article_id'] ] = true;
			}
		}

		// Every good image of the other articles is there exactly once, with its content.
		$stored = array();
		foreach ( $wpdb->get_results( 'SELECT article_id, position, sha256 FROM ' . Tables::images(), ARRAY_A ) as $row ) {
			$stored[ $row['article_id'] . ':' . $row['position'] ] = $row['sha256'];
		}
		$lost     = array();
		$deferred = 0;
		foreach ( MockVerial::truth() as $article_id => $images ) {
			foreach ( $images as $image ) {
				if ( null === $image['sha256'] ) {
					continue;
				}
				$key = $article_id . ':' . $image['position'];
				if ( isset( $failed[ $article_id ] ) ) {
					$deferred += isset( $stored[ $key ] ) ? 0 : 1;
				} elseif ( ( $stored[ $key ] ?? null ) !== $image['sha256'] ) {
					$lost[] = $key;
				}
			}
		}
		$injected = array_map( 'intval', (array) $stats['faults'] );
		$total    = array_sum( $injected );
		// A failed article used up every attempt on a fault; every other fault was retried away.
		$attempts = count( $this->settings_retry_delays() ) + 1;
		$survived = $total - $attempts * count( $failed );
		$kinds    = array();
		foreach ( array( 'http500', 'info_error2', 'truncated_json', 'drop', 'slow' ) as $kind ) {
			$kinds[] = $kind . '=' . ( $injected[ $kind ] ?? 0 );
		}
		fwrite(
			STDERR,
			sprintf(
				"fault-mix: calls=%d injected %s total=%d survived=%d articles_failed=%d images_lost=%d images_deferred_with_failed_articles=%d status=%s\n",
				(int) $stats['call_counter'],
				implode( ' ', $kinds ),
				$total,
				$survived,
				count( $failed ),
				count( $lost ),
				$deferred,
				$status['status']
			)
		);

		foreach ( array( 'http500', 'info_error2', 'truncated_json', 'drop', 'slow' ) as $kind ) {
			$this->assertGreaterThan( 0, $injected[ $kind ] ?? 0, "the mock injected no $kind fault" );
		}
		$this->assertSame( array(), $lost, 'good images missing although their article was not reported as failed' );
		$this->assertLessThan( self::CATALOG / 10, count( $failed ), 'too many articles failed: the retries do not work' );
		$this->assertSame( $status['articles']['failed'] - $this->articles_with_corrupt_images( array_keys( $failed ) ), count( $failed ) );
		$this->assert_nothing_half_done( 'fault mix' );

		// Without faults, a full run imports what the failed articles missed: nothing lost at all.
		$again = $this->run_foreground( true );
		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $again );
		$this->assert_state_matches_truth( $again, false );
	}

	/**
	 * @return list<int>
	 */
	private function settings_retry_delays(): array {
		return Plugin::services()->settings->retry_delays_ms();
	}

	/**
	 * Articles the run counts as failed because of their planted corrupt images.
	 *
	 * @param list<int> $failed_whole Articles that failed as a whole (not counted here).
	 */
	private function articles_with_corrupt_images( array $failed_whole ): int {
		$count = 0;
		foreach ( MockVerial::truth() as $article_id => $images ) {
			if ( ! in_array( $article_id, $failed_whole, true ) && in_array( null, array_column( $images, 'sha256' ), true ) ) {
				++$count;
			}
		}
		return $count;
	}
}
