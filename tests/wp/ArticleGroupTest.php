<?php
/**
 * Sync\ArticleGroup in a real run: several articles per transaction, and what happens when one
 * of them fails inside the group.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

final class ArticleGroupTest extends E2eTestCase {

	private const CATALOG = 40;

	/**
	 * Fewer commits than articles (each one waits for the disk), and the same state as ever.
	 */
	public function test_a_run_commits_several_articles_at_a_time(): void {
		$this->fresh_site( self::CATALOG );
		$commits = 0;
		$this->hook(
			'query',
			function ( $query ) use ( &$commits ) {
				if ( 'COMMIT' === $query ) {
					++$commits;
				}
				return $query;
			}
		);
		$run_id = $this->run_foreground();

		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );
		$this->assertGreaterThan( 0, $commits );
		$this->assertLessThan( intdiv( self::CATALOG, 2 ), $commits, 'articles are still committed one by one' );
	}

	/**
	 * An article whose recording throws in the middle of a group: the articles recorded before
	 * it in the same transaction are rolled back and imported again, each in its own
	 * transaction; the failure is reported with the article as before, the batch's next attempt
	 * imports it, and the end state is the truth with nothing left over.
	 */
	public function test_an_article_failing_inside_a_group_redoes_the_ones_before_it(): void {
		global $wpdb;
		$this->fresh_site( self::CATALOG );
		// Attachments are created article after article: the 12th is a few articles into the
		// first group (articles have 3 to 6 pictures).
		$created = 0;
		$failed  = null;
		$this->hook(
			'add_attachment',
			function ( int $attachment_id ) use ( &$created, &$failed ): void {
				if ( 12 === ++$created ) {
					$failed = (int) get_post_meta( $attachment_id, '_verial_article_id', true );
					// Not a RuntimeException: AttachmentWriter's own failures are reported per image.
					throw new \LogicException( 'planted failure of the 12th attachment' );
				}
			}
		);
		// Between the failure and the batch's failed attempt: one commit per article redone.
		$redone = null;
		$this->hook(
			'query',
			function ( $query ) use ( &$failed, &$redone ) {
				if ( null !== $failed && null === $redone ) {
					$redone = 0;
				}
				if ( is_int( $redone ) && $redone >= 0 ) {
					if ( 'COMMIT' === $query ) {
						++$redone;
					} elseif ( str_contains( (string) $query, "needs_recovery = '1'" ) ) {
						$redone = -1 - $redone; // Done counting: -1 - commits.
					}
				}
				return $query;
			}
		);
		$run_id = $this->run_foreground();
		$this->assertNotNull( $failed, 'the planted failure did not happen' );
		$this->assertLessThan( -1, $redone, 'no article recorded before the failure in its group was imported again on its own' );

		// Every article once, the ones before the failed one in its group again for their redo,
		// and from the failed one on again on the batch's next attempt (with the requests that
		// were in flight ahead of it).
		$image_api = MockVerial::stats()['calls']['GetImagenesArticulosWS'] ?? 0;
		$this->assertGreaterThanOrEqual( self::CATALOG + 1 + ( -1 - $redone ), $image_api, 'image calls' );

		$error = (string) $wpdb->get_var( $wpdb->prepare( 'SELECT error FROM ' . Tables::batches() . ' WHERE run_id = %d AND error IS NOT NULL', $run_id ) );
		$this->assertStringContainsString( "stopped at article {$failed}:", $error );
		$this->assertStringContainsString( 'planted failure of the 12th attachment', $error );

		$this->assert_run_status( RunStore::COMPLETED_WITH_ERRORS, $run_id );
		$this->assert_state_matches_truth( $run_id );
		$this->assert_no_leftovers();
		$this->assertSame( 0, (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->posts} p LEFT JOIN " . Tables::images() . " i ON i.attachment_id = p.ID WHERE p.post_type = 'attachment' AND i.attachment_id IS NULL" ), 'attachments without image rows' );
	}
}
