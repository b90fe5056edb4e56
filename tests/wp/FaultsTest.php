<?php
/**
 * Verial API failures: transient ones retried, permanent ones reported.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Api\VerialException;
use VerialImageSync\Plugin;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

final class FaultsTest extends E2eTestCase {

	/**
	 * HTTP 500, InfoError 2, truncated JSON, dropped connections and timeouts on ~20 % of the
	 * calls: all retried, the final state is still exactly the truth.
	 */
	public function test_transient_faults_are_retried(): void {
		$this->fresh_site( 60 );
		// One request at a time: the mock draws each call's fault from a call counter, so only a
		// sequential run meets every kind for sure (WorkersTest covers faults on concurrent fetches).
		$this->configure(
			array(
				'http_timeout'      => 1,
				'parallel_requests' => 1,
			)
		);
		MockVerial::config(
			array(
				'slow_ms' => 1500,
				'faults'  => array(
					'http500'        => 0.05,
					'info_error2'    => 0.05,
					'truncated_json' => 0.05,
					'drop'           => 0.04,
					// With this seed, calls 28, 38 and 46 are slow: more than one, so a retry
					// that shifts the call numbers cannot leave the run without a timeout.
					'slow'           => 0.04,
				),
			)
		);

		$run_id = $this->run_foreground();

		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$stats = MockVerial::stats();
		foreach ( array( 'http500', 'info_error2', 'truncated_json', 'drop', 'slow' ) as $kind ) {
			$this->assertGreaterThan( 0, $stats['faults'][ $kind ] ?? 0, "the mock injected no $kind fault" );
		}
		$this->assertGreaterThan( 60, $stats['calls']['GetImagenesArticulosWS'], 'no image call was retried' );
		$this->assert_state_matches_truth( $run_id );
	}

	/**
	 * Articles whose every attempt fails (HTTP 500, InfoError 2, truncated JSON) are listed with
	 * the cause; the others are imported; the run is "completed with errors", and a later run
	 * imports the missing articles.
	 */
	public function test_articles_failing_after_the_retries_are_listed(): void {
		$this->fresh_site( 40 );
		$failing  = array_slice( array_keys( array_filter( MockVerial::truth() ) ), 2, 3 );
		$fault_of = array_combine( $failing, array( 'http500', 'info_error2', 'truncated_json' ) );
		$expected = array_combine(
			$failing,
			array(
				array( VerialException::HTTP_STATUS, 'HTTP 500 (after 4 attempts)' ),
				array( VerialException::API_ERROR, 'InfoError 2: Error SQL (after 4 attempts)' ),
				array( VerialException::INVALID_JSON, 'invalid JSON reply' ),
			)
		);
		$current  = null;
		$toggle   = static function ( $pre, $args, $url ) use ( $fault_of, &$current ) {
			parse_str( (string) parse_url( $url, PHP_URL_QUERY ), $query );
			$fault = $fault_of[ (int) ( $query['id_articulo'] ?? 0 ) ] ?? null;
			if ( $fault !== $current ) {
				MockVerial::config( array( 'faults' => null === $fault ? new \stdClass() : array( $fault => 1.0 ) ) );
				$current = $fault;
			}
			return $pre;
		};
		add_filter( 'pre_http_request', $toggle, 10, 3 );
		try {
			$run_id = $this->run_foreground();
		} finally {
			remove_filter( 'pre_http_request', $toggle, 10 );
			MockVerial::config( array( 'faults' => new \stdClass() ) );
		}

		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$status         = $this->status( $run_id );
		$article_errors = array_values( array_filter( $status['errors'], static fn( array $e ): bool => null === $e['position'] ) );
		$this->assertSame( $failing, array_column( $article_errors, 'article_id' ) );
		foreach ( $article_errors as $error ) {
			list( $kind, $text ) = $expected[ $error['article_id'] ];
			$this->assertSame( $kind, $error['kind'] );
			$this->assertStringContainsString( "Article {$error['article_id']}: Verial GetImagenesArticulosWS(id_articulo={$error['article_id']}", $error['message'] );
			$this->assertStringContainsString( $text, $error['message'] );
		}
		global $wpdb;
		$ids = implode( ',', $failing );
		$this->assertSame( 0, (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . Tables::images() . " WHERE article_id IN ($ids)" ) );

		// Explicitly full, so the whole state can be compared (ResyncTest covers the default
		// mode's retry of failed articles).
		$second = Plugin::services()->runner->start( 'foreground', null, array(), true );
		$this->assertSame( 'finished', Plugin::services()->foreground->run() );
		$this->assert_state_matches_truth( $second, false );
	}

	/**
	 * A wrong session number is InfoError 1: not retried, the run fails at once with Verial's
	 * code in its error, and the next run may start.
	 */
	public function test_session_error_fails_the_run_without_retrying(): void {
		$this->fresh_site( 20 );
		$this->configure( array( 'session' => 99 ) );

		$services = Plugin::services();
		$run_id   = $services->runner->start( 'foreground' );
		$this->assertSame( 'finished', $services->foreground->run() );

		$status = $this->status( $run_id );
		$this->assertSame( RunStore::FAILED, $status['status'] );
		$this->assertStringContainsString( 'GetNumArticulosWS: InfoError 1', (string) $status['last_error'] );
		$this->assertSame( 1, MockVerial::stats()['calls']['GetNumArticulosWS'] ?? 0, 'InfoError 1 was retried' );
		$this->assert_no_leftovers();
		$this->assertNull( $services->runs->active() );

		$this->configure();
		$next = $this->run_foreground();
		$this->assert_state_matches_truth( $next );
	}
}
