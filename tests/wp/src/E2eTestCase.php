<?php
/**
 * Base class of the end-to-end tests.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use PHPUnit\Framework\TestCase;
use VerialImageSync\Plugin;
use VerialImageSync\Settings;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Store\Tables;

/**
 * Settings for tests, running the plugin, and the assertions against the mock's ground truth.
 */
abstract class E2eTestCase extends TestCase {

	/**
	 * @var list<array{string, callable, int}> Hooks a test added with hook(), removed after it.
	 */
	private array $hooks = array();

	/**
	 * Adds a filter or action for the current test only.
	 */
	protected function hook( string $hook, callable $callback, int $priority = 10, int $args = 4 ): void {
		add_filter( $hook, $callback, $priority, $args );
		$this->hooks[] = array( $hook, $callback, $priority );
	}

	/**
	 * Removes what the test added to $hook with hook().
	 */
	protected function remove_hook( string $hook ): void {
		foreach ( $this->hooks as $i => list( $name, $callback, $priority ) ) {
			if ( $name === $hook ) {
				remove_filter( $name, $callback, $priority );
				unset( $this->hooks[ $i ] );
			}
		}
	}

	/**
	 * Runs after each test, before its tearDown().
	 *
	 * @after
	 */
	public function remove_hooks(): void {
		foreach ( $this->hooks as list( $hook, $callback, $priority ) ) {
			remove_filter( $hook, $callback, $priority );
		}
		$this->hooks = array();
	}

	/**
	 * No PHP notice, warning or deprecation from the plugin (WP_DEBUG is on; WordPress core's
	 * own PHP 8.2 deprecations are not ours).
	 */
	protected function assertPostConditions(): void {
		$log = WP_DEBUG_LOG;
		if ( is_string( $log ) && is_file( $log ) ) {
			$ours = preg_grep( '~/plugins/verial-image-sync/~', (array) file( $log ) );
			$this->assertSame( array(), array_values( $ours ), 'PHP messages from the plugin in ' . $log );
		}
	}

	/**
	 * Removes the plugin's PHP messages from the debug log and returns them: for a test whose
	 * child process may die (a fatal error is then the test's own failure, and must not fail
	 * every later test in assertPostConditions()).
	 *
	 * @return list<string>
	 */
	protected function take_plugin_log_messages(): array {
		$log = WP_DEBUG_LOG;
		if ( ! is_string( $log ) || ! is_file( $log ) ) {
			return array();
		}
		$lines = (array) file( $log );
		$ours  = preg_grep( '~/plugins/verial-image-sync/~', $lines );
		if ( $ours ) {
			file_put_contents( $log, implode( '', array_diff_key( $lines, $ours ) ) );
		}
		return array_values( array_map( 'trim', $ours ) );
	}

	/**
	 * The mock catalog size run.sh started with.
	 */
	protected static function catalog_size(): int {
		return (int) ( getenv( 'VIS_ARTICLES' ) ?: 150 );
	}

	/**
	 * Plugin settings for tests: the mock, small batches, near-zero retry delays, a short lock
	 * lifetime (kill tests wait for it), no thumbnails unless a test wants them. Everything else
	 * goes back to its default: settings are merged when saved, and one test's leftovers (say,
	 * the settings form test's image size 0) must not change what the next one imports.
	 *
	 * @param array<string, mixed> $overrides Settings to change.
	 */
	protected function configure( array $overrides = array() ): void {
		Settings::save(
			array_merge(
				Settings::defaults(),
				array(
					'base_url'            => MockVerial::url(),
					'session'             => 18,
					'batch_size'          => 10,
					'time_limit'          => 30,
					'http_timeout'        => 10,
					'retry_delays_ms'     => array( 1, 1, 1 ),
					'lock_ttl'            => 3,
					'generate_thumbnails' => false,
				),
				$overrides
			)
		);
		Plugin::reset_services();
	}

	/**
	 * Puts settings that configure() does not set back to their defaults (settings are merged
	 * when saved, so a test that changes them must undo it for the tests after it).
	 *
	 * @param string ...$keys Setting names.
	 */
	protected function reset_settings( string ...$keys ): void {
		Settings::save( array_intersect_key( Settings::defaults(), array_flip( $keys ) ) );
		Plugin::reset_services();
	}

	/**
	 * A clean site and a fault-free, unchanged mock of the given size.
	 */
	protected function fresh_site( ?int $articles = null ): void {
		SiteState::reset();
		MockVerial::reset_mutations();
		MockVerial::config(
			array(
				'articles'   => $articles ?? self::catalog_size(),
				'faults'     => new \stdClass(),
				'latency_ms' => 0,
			)
		);
		MockVerial::reset_stats();
		$this->configure();
	}

	/**
	 * Starts a run and processes it in this process, like the WP-CLI command will.
	 *
	 * @param bool $full Every article, not only those the run mode policy would pick (after a
	 *                   first run it lists only what changed since).
	 * @return int Run id.
	 */
	protected function run_foreground( bool $full = false ): int {
		$services = Plugin::services();
		$run_id   = $services->runner->start( 'foreground', null, array(), $full );
		$this->assertSame( 'finished', $services->foreground->run() );
		return $run_id;
	}

	/**
	 * @return array<string, mixed>
	 */
	protected function status( int $run_id ): array {
		$status = Plugin::services()->runner->status( $run_id, 100000 );
		$this->assertNotNull( $status );
		return $status;
	}

	/**
	 * Article ids in the order the run processed them (its batches in sequence).
	 *
	 * @return list<int>
	 */
	protected function processing_order( int $run_id ): array {
		global $wpdb;
		$order = array();
		foreach ( $wpdb->get_col( $wpdb->prepare( 'SELECT articles FROM ' . Tables::batches() . ' WHERE run_id = %d ORDER BY seq', $run_id ) ) as $json ) {
			array_push( $order, ...json_decode( $json, true ) );
		}
		return $order;
	}

	/**
	 * The imported state is exactly the mock's ground truth: every good image stored once with
	 * the right article, position, content, MIME, size and meta; every corrupt one refused and
	 * listed with its article and position; nothing else in the media library or on disk.
	 *
	 * After several runs, an attachment's first article is the one that first stored it, which
	 * need not be the first in this run's order; pictures an article dropped stay in the media
	 * library without article meta ("retired").
	 *
	 * @param int  $run_id      Run whose errors are checked.
	 * @param bool $single_run  Whether all attachments come from this run (owner = first use in its order).
	 * @param int  $retired     Attachments expected without any `_verial_article_id`.
	 */
	protected function assert_state_matches_truth( int $run_id, bool $single_run = true, int $retired = 0 ): void {
		global $wpdb;
		$truth = MockVerial::truth();
		$base  = wp_get_upload_dir()['basedir'];

		$rows = array();
		foreach ( $wpdb->get_results( 'SELECT * FROM ' . Tables::images(), ARRAY_A ) as $row ) {
			$rows[ $row['article_id'] . ':' . $row['position'] ] = $row;
		}
		$errors = array();
		foreach ( Plugin::services()->errors->for_run( $run_id, 100000 ) as $error ) {
			$errors[ $error['article_id'] . ':' . ( $error['position'] ?? '-' ) ] = $error;
		}
		$attachments = array();
		$unowned     = 0;
		foreach ( SiteState::attachments() as $attachment ) {
			if ( ! $attachment['articles'] ) {
				++$unowned;
				continue;
			}
			$attachments[ $attachment['id'] ] = $attachment;
		}
		$this->assertSame( $retired, $unowned, 'attachments without _verial_article_id' );

		$order    = array_flip( $this->processing_order( $run_id ) );
		$by_hash  = array();
		$good     = 0;
		$corrupt  = 0;
		foreach ( $truth as $article_id => $images ) {
			$this->assertArrayHasKey( $article_id, $order, "article $article_id was not listed" );
			foreach ( $images as $image ) {
				$key = $article_id . ':' . $image['position'];
				if ( null === $image['sha256'] ) {
					++$corrupt;
					$this->assertArrayNotHasKey( $key, $rows, "corrupt image $key was stored" );
					$this->assertArrayHasKey( $key, $errors, "corrupt image $key ({$image['corrupt']}) is not listed among the run's errors" );
					$this->assertStringContainsString( "article $article_id position {$image['position']}", $errors[ $key ]['message'] );
					continue;
				}
				++$good;
				$this->assertArrayHasKey( $key, $rows, "good image $key is missing" );
				$row = $rows[ $key ];
				$this->assertSame( $image['sha256'], $row['sha256'], "content of $key" );
				$this->assertSame( 'image/' . $image['format'], $row['mime'], "MIME of $key" );
				$this->assertSame( array( $image['width'], $image['height'], $image['bytes'] ), array( (int) $row['width'], (int) $row['height'], (int) $row['bytes'] ), "size of $key" );
				$this->assertSame( $image['verial_hash'], $row['legacy_md5'], "legacy hash of $key" );
				$attachment_id = (int) $row['attachment_id'];
				$this->assertArrayHasKey( $attachment_id, $attachments, "attachment of $key does not exist" );
				$this->assertSame( $row['mime'], $attachments[ $attachment_id ]['mime'], "post_mime_type of $key" );
				$by_hash[ $image['sha256'] ][] = array(
					'article'  => $article_id,
					'position' => (int) $image['position'],
					'hash'     => $image['verial_hash'],
					'id'       => $attachment_id,
				);
			}
		}
		$this->assertSame( $good, count( $rows ), 'image rows besides the good images' );
		$this->assertCount( count( $by_hash ), $attachments, 'attachments: one per distinct picture' );
		$this->assertCount( $corrupt, $errors, 'errors besides the corrupt images: ' . json_encode( array_diff_key( $errors, $rows ) ) );

		foreach ( $by_hash as $sha256 => $uses ) {
			$ids = array_unique( array_column( $uses, 'id' ) );
			$this->assertCount( 1, $ids, "picture $sha256 is stored more than once" );
			$attachment = $attachments[ $ids[0] ];
			usort( $uses, static fn( array $a, array $b ): int => array( $order[ $a['article'] ], $a['position'] ) <=> array( $order[ $b['article'] ], $b['position'] ) );
			$owner = $uses[0];
			if ( ! $single_run ) {
				foreach ( $uses as $use ) {
					if ( $use['article'] === $attachment['articles'][0] ) {
						$owner = $use;
						break;
					}
				}
			}
			$articles = array_values( array_unique( array_column( $uses, 'article' ) ) );
			$this->assertSame( $owner['article'], $attachment['articles'][0], "_verial_article_id of $sha256" );
			$this->assertEqualsCanonicalizing( $articles, $attachment['articles'], "articles of $sha256" );
			$this->assertSame( (string) $owner['position'], $attachment['order'], "_verial_image_order of $sha256" );
			$this->assertSame( $owner['hash'], $attachment['hash'], "_verial_image_hash of $sha256" );
			// Named after where it was first seen, which a later reorder does not rename.
			$name = $single_run ? 'verial-' . $owner['article'] . '-' . $owner['position'] : 'verial-\d+-\d+(-\d+)?';
			$this->assertMatchesRegularExpression( '/^' . $name . '\.(jpg|png|gif|webp)$/', basename( $attachment['file'] ) );
			$path = $base . '/' . $attachment['file'];
			$this->assertFileExists( $path );
			$this->assertSame( $sha256, hash_file( 'sha256', $path ), "file content of $sha256" );
		}
		$this->assert_no_leftovers();
	}

	/**
	 * No temporary file, no file without an attachment, no lock.
	 */
	protected function assert_no_leftovers(): void {
		$this->assertSame( SiteState::referenced_files(), SiteState::upload_files(), 'files in uploads besides the attachments' );
		$this->assertNull( SiteState::lock_value(), 'the worker lock is still held' );
	}

	/**
	 * What no crash, lost database or refused input may leave behind: an attachment without its
	 * file, a file (temporary or not) that no attachment references, postmeta of a post that
	 * does not exist, an image row without its attachment, a batch still marked running, the
	 * worker lock.
	 *
	 * @param string $context Prefix of the failure messages (seed, kill points...).
	 */
	protected function assert_nothing_half_done( string $context = '' ): void {
		global $wpdb;
		$prefix = '' === $context ? '' : $context . ': ';
		$base   = wp_get_upload_dir()['basedir'];
		foreach ( SiteState::attachments() as $attachment ) {
			$this->assertNotSame( '', $attachment['file'], "{$prefix}attachment {$attachment['id']} has no _wp_attached_file" );
			$this->assertFileExists( $base . '/' . $attachment['file'], "{$prefix}attachment {$attachment['id']} without its file" );
		}
		$temporary = preg_grep( '~/\.vis-tmp-~', SiteState::upload_files() );
		$this->assertSame( array(), array_values( $temporary ), "{$prefix}temporary files left in uploads" );
		$this->assertSame( SiteState::referenced_files(), SiteState::upload_files(), "{$prefix}files in uploads that no attachment references" );
		$orphan_meta = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->postmeta} m LEFT JOIN {$wpdb->posts} p ON p.ID = m.post_id WHERE p.ID IS NULL AND ( m.meta_key LIKE '\\_verial\\_%' OR m.meta_key LIKE '\\_wp\\_attach%' )" );
		$this->assertSame( 0, $orphan_meta, "{$prefix}attachment postmeta rows of posts that do not exist" );
		$orphan_rows = $wpdb->get_col( 'SELECT CONCAT(i.article_id, \':\', i.position) FROM ' . Tables::images() . " i LEFT JOIN {$wpdb->posts} p ON p.ID = i.attachment_id WHERE p.ID IS NULL" );
		$this->assertSame( array(), $orphan_rows, "{$prefix}image rows (article:position) whose attachment does not exist" );
		$running = $wpdb->get_col( $wpdb->prepare( 'SELECT id FROM ' . Tables::batches() . ' WHERE status = %s', BatchQueue::RUNNING ) );
		$this->assertSame( array(), $running, "{$prefix}batches still marked running" );
		$this->assertNull( SiteState::lock_value(), "{$prefix}the worker lock is still held" );
	}

	/**
	 * Waits until a killed worker's lock and batch claim may be taken over (lock_ttl and
	 * claim_timeout, which the tests set to their minimum), so that a resume does not depend on
	 * how the drivers wait for a dead worker.
	 */
	protected function wait_for_takeover(): void {
		$settings = Plugin::services()->settings;
		usleep( (int) ( ( max( $settings->lock_ttl(), $settings->claim_timeout() ) + 0.3 ) * 1e6 ) );
	}

	/**
	 * Runs due WP-Cron events of this plugin the way wp-cron.php does (DISABLE_WP_CRON is on, so
	 * the tests decide when), until none is left or $max_rounds is reached.
	 *
	 * @param list<string> $hooks Hooks to run.
	 * @return int Events run.
	 */
	protected function run_cron( array $hooks, int $max_rounds = 1000 ): int {
		$ran = 0;
		for ( $round = 0; $round < $max_rounds; ++$round ) {
			$due = null;
			foreach ( (array) _get_cron_array() as $timestamp => $events ) {
				foreach ( $events as $hook => $instances ) {
					if ( in_array( $hook, $hooks, true ) && $timestamp <= time() ) {
						$due = array( $timestamp, $hook, reset( $instances )['args'] );
						break 2;
					}
				}
			}
			if ( null === $due ) {
				return $ran;
			}
			wp_unschedule_event( $due[0], $due[1], $due[2] );
			do_action_ref_array( $due[1], $due[2] );
			++$ran;
		}
		return $ran;
	}

	/**
	 * Saves the canonical state for the codec comparison of the main test script.
	 *
	 * @param list<string> $lines SiteState::canonical() output.
	 */
	protected function dump_state( array $lines ): void {
		$file = (string) getenv( 'VIS_STATE_DUMP' );
		if ( '' !== $file ) {
			file_put_contents( $file, implode( "\n", $lines ) . "\n" );
		}
	}

	protected function assert_run_status( string $expected, int $run_id ): void {
		$status = $this->status( $run_id );
		$this->assertSame( $expected, $status['status'], 'run status; last error: ' . $status['last_error'] );
		if ( RunStore::COMPLETED_WITH_ERRORS === $expected ) {
			$this->assertGreaterThan( 0, $status['error_count'] );
		}
		$this->assertFalse( $status['active'] );
	}

	/**
	 * An attachment as the existing plugin stores it, for the article's picture at $position.
	 */
	protected function plant_legacy_attachment( int $article_id, int $position ): int {
		$imagen  = json_decode( MockVerial::images_body( $article_id ), true )['Imagenes'][ $position ]['Imagen'];
		$uploads = wp_upload_dir();
		$this->assertTrue( wp_mkdir_p( $uploads['path'] ) );
		$file = $uploads['path'] . '/verial-image-' . $article_id . '-legacy.jpeg';
		file_put_contents( $file, base64_decode( $imagen ) );
		$legacy_id = wp_insert_attachment(
			array(
				'post_mime_type' => 'image/jpeg',
				'post_title'     => 'verial-image-' . $article_id,
				'post_status'    => 'inherit',
				'meta_input'     => array(
					'_verial_article_id'  => $article_id,
					'_verial_image_order' => $position,
					'_verial_image_hash'  => md5( 'data:image/jpeg;base64,' . $imagen ),
				),
			),
			$file
		);
		$this->assertIsInt( $legacy_id );
		return $legacy_id;
	}
}
