<?php
/**
 * Store\Transaction against real MariaDB lock conflicts.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Store\LockConflictException;
use VerialImageSync\Store\Transaction;

/**
 * A second connection holds a row lock; the unit of work under test meets it, as a worker meets
 * another worker's transaction.
 */
final class TransactionTest extends E2eTestCase {

	private ?\mysqli $other = null;

	protected function tearDown(): void {
		global $wpdb;
		if ( null !== $this->other ) {
			$this->other->query( 'ROLLBACK' );
			$this->other->close();
			$this->other = null;
		}
		$wpdb->query( 'SET SESSION innodb_lock_wait_timeout = DEFAULT' );
	}

	/**
	 * WordPress's functions return false for a failed statement and go on: after a lost lock
	 * wait, the rest of the unit of work must not run (it would commit an incomplete unit).
	 */
	public function test_a_statement_after_a_lost_lock_wait_is_refused_and_nothing_is_kept(): void {
		global $wpdb;
		list( $free, $locked ) = $this->two_posts();
		$this->lock_row( $locked );
		$wpdb->query( 'SET SESSION innodb_lock_wait_timeout = 1' );

		$reached = false;
		try {
			Transaction::run(
				static function () use ( $wpdb, $free, $locked, &$reached ): void {
					$wpdb->update( $wpdb->posts, array( 'post_title' => 'changed' ), array( 'ID' => $free ) );
					// Waits 1 s for the other connection's lock, fails, and returns false.
					$wpdb->update( $wpdb->posts, array( 'post_title' => 'changed' ), array( 'ID' => $locked ) );
					$reached = true;
					$wpdb->update( $wpdb->posts, array( 'post_content' => 'after the conflict' ), array( 'ID' => $free ) );
				}
			);
			$this->fail( 'the unit of work went on after a lost lock wait' );
		} catch ( LockConflictException $e ) {
			$this->assertStringContainsString( 'Lock wait timeout', $e->getMessage() );
		}
		$this->assertTrue( $reached, 'the conflict was not met where expected' );
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT post_title, post_content FROM {$wpdb->posts} WHERE ID = %d", $free ), ARRAY_A );
		$this->assertSame(
			array(
				'post_title'   => 'free',
				'post_content' => '',
			),
			$row,
			'a write of the unit of work was kept'
		);
	}

	/**
	 * A checked statement that loses a lock conflict raises the retryable exception, and the
	 * transaction leaves nothing behind.
	 */
	public function test_a_checked_statement_raises_the_retryable_conflict(): void {
		global $wpdb;
		list( $free, $locked ) = $this->two_posts();
		$this->lock_row( $locked );
		$wpdb->query( 'SET SESSION innodb_lock_wait_timeout = 1' );

		$this->expectException( LockConflictException::class );
		try {
			Transaction::run(
				static function () use ( $wpdb, $free, $locked ): void {
					$wpdb->update( $wpdb->posts, array( 'post_title' => 'changed' ), array( 'ID' => $free ) );
					Transaction::check( $wpdb->update( $wpdb->posts, array( 'post_title' => 'changed' ), array( 'ID' => $locked ) ), 'updating the locked post' );
				}
			);
		} finally {
			$this->assertSame( 'free', $wpdb->get_var( $wpdb->prepare( "SELECT post_title FROM {$wpdb->posts} WHERE ID = %d", $free ) ) );
		}
	}

	/**
	 * Outside a transaction a statement that lost a lock wait is run again, and succeeds once
	 * the other connection lets go (here: after its first failure).
	 */
	public function test_a_single_statement_is_retried_after_a_lost_lock_wait(): void {
		global $wpdb;
		list( , $locked ) = $this->two_posts();
		$this->lock_row( $locked );
		$wpdb->query( 'SET SESSION innodb_lock_wait_timeout = 1' );

		$tries  = 0;
		$result = Transaction::retrying(
			function () use ( $wpdb, $locked, &$tries ) {
				++$tries;
				$result = $wpdb->update( $wpdb->posts, array( 'post_title' => 'changed' ), array( 'ID' => $locked ) );
				if ( false === $result ) {
					$this->other->query( 'ROLLBACK' ); // The other worker finishes meanwhile.
				}
				return $result;
			},
			'updating the locked post'
		);
		$this->assertSame( 1, $result );
		$this->assertSame( 2, $tries );
	}

	/**
	 * @return array{int, int} Two draft posts: one nobody locks, one the other connection will.
	 */
	private function two_posts(): array {
		$ids = array();
		foreach ( array( 'free', 'locked' ) as $title ) {
			$ids[] = (int) wp_insert_post(
				array(
					'post_title'  => $title,
					'post_status' => 'draft',
				)
			);
		}
		return $ids;
	}

	/**
	 * Takes a row lock on the post in a second connection, in an open transaction.
	 */
	private function lock_row( int $post_id ): void {
		global $wpdb;
		$this->other = new \mysqli( DB_HOST, DB_USER, DB_PASSWORD, DB_NAME );
		$this->assertTrue( $this->other->query( 'START TRANSACTION' ) );
		$this->assertNotFalse( $this->other->query( "SELECT ID FROM {$wpdb->posts} WHERE ID = {$post_id} FOR UPDATE" ) );
	}
}
