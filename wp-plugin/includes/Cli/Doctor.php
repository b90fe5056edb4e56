<?php
/**
 * Health checks of the installation, for `wp verial-images doctor`.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Cli;

use VerialImageSync\Assign\AssignJob;
use VerialImageSync\Assign\ExistingPlugin;
use VerialImageSync\Assign\ProductImageWriter;
use VerialImageSync\Codec;
use VerialImageSync\Installer;
use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Services;
use VerialImageSync\Store\Tables;

/**
 * Each check answers with a status: "ok", "warning" (works, but worth a look) or "error"
 * (something is broken or lost and needs a repair, named in the details). Read-only: repairs
 * are the commands the details name.
 */
final class Doctor {

	public const OK      = 'ok';
	public const WARNING = 'warning';
	public const ERROR   = 'error';

	/**
	 * Ids listed in a detail at most.
	 */
	private const EXAMPLES = 5;

	public function __construct( private Services $services ) {
	}

	/**
	 * @return list<array{check: string, status: string, details: string}>
	 */
	public function checks(): array {
		$checks = array( $this->codec(), $this->schema() );
		if ( self::OK !== $checks[1]['status'] ) {
			return $checks; // The table checks below need the tables.
		}
		return array_merge(
			$checks,
			array(
				$this->image_table(),
				$this->orphan_rows(),
				$this->unindexed_attachments(),
				$this->missing_files(),
				$this->temporary_files(),
				$this->phase1(),
				$this->assignment(),
				$this->existing_plugin(),
			)
		);
	}

	private function codec(): array {
		$report = Codec::report();
		if ( Codec::MISSING === $report['engine'] ) {
			return self::check( 'codec', self::ERROR, __( 'Neither the verial_images extension nor its PHP polyfill could be loaded.', 'verial-image-sync' ) );
		}
		$build = $report['build'];
		if ( Codec::NATIVE === $report['engine'] ) {
			/* translators: 1: version, 2: git revision, 3: build profile, 4: target, 5: base64 engine. */
			return self::check( 'codec', self::OK, sprintf( __( 'verial_images extension %1$s (git %2$s, %3$s, %4$s, base64 %5$s)', 'verial-image-sync' ), $report['version'], $build['git_revision'] ?? '?', $build['profile'] ?? '?', $build['target'] ?? '?', $build['base64_engine'] ?? '?' ) );
		}
		/* translators: %s: polyfill version. */
		return self::check( 'codec', self::OK, sprintf( __( 'PHP polyfill %s: the verial_images extension is not loaded (same results, slower).', 'verial-image-sync' ), $report['version'] ) );
	}

	private function schema(): array {
		global $wpdb;
		$missing = array();
		foreach ( Tables::all() as $table ) {
			if ( $table !== $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) ) {
				$missing[] = $table;
			}
		}
		$version = (int) get_option( Installer::SCHEMA_OPTION, 0 );
		if ( $missing || $version < Installer::SCHEMA_VERSION ) {
			/* translators: 1: stored schema version, 2: current schema version, 3: missing tables. */
			return self::check( 'schema', self::ERROR, sprintf( __( 'Version %1$d of %2$d, missing tables: %3$s. Deactivate and activate the plugin.', 'verial-image-sync' ), $version, Installer::SCHEMA_VERSION, $missing ? implode( ', ', $missing ) : '-' ) );
		}
		/* translators: 1: schema version, 2: number of tables. */
		return self::check( 'schema', self::OK, sprintf( __( 'Version %1$d, %2$d tables.', 'verial-image-sync' ), $version, count( Tables::all() ) ) );
	}

	private function image_table(): array {
		global $wpdb;
		$images = Tables::images();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$row = $wpdb->get_row( "SELECT COUNT(*), COUNT(DISTINCT article_id), COUNT(DISTINCT attachment_id) FROM {$images}", ARRAY_N );
		/* translators: 1: image rows, 2: articles, 3: attachments. */
		return self::check( 'image table', self::OK, sprintf( __( '%1$d images of %2$d articles in %3$d attachments.', 'verial-image-sync' ), $row[0], $row[1], $row[2] ) );
	}

	private function orphan_rows(): array {
		global $wpdb;
		$images = Tables::images();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		$rows = $wpdb->get_results( "SELECT i.article_id, i.position, i.attachment_id FROM {$images} i LEFT JOIN {$wpdb->posts} p ON p.ID = i.attachment_id AND p.post_type = 'attachment' WHERE p.ID IS NULL ORDER BY i.article_id, i.position", ARRAY_N );
		if ( ! $rows ) {
			return self::check( 'orphan rows', self::OK, __( 'Every image row points to an existing attachment.', 'verial-image-sync' ) );
		}
		/* translators: 1: article id, 2: position, 3: attachment id. */
		$examples = array_map( static fn( array $row ): string => sprintf( __( 'article %1$d position %2$d -> attachment %3$d', 'verial-image-sync' ), $row[0], $row[1], $row[2] ), array_slice( $rows, 0, self::EXAMPLES ) );
		/* translators: 1: number of rows, 2: examples. */
		return self::check( 'orphan rows', self::ERROR, sprintf( __( '%1$d image rows point to deleted attachments (%2$s). Run wp verial-images index rebuild.', 'verial-image-sync' ), count( $rows ), implode( '; ', $examples ) ) );
	}

	private function unindexed_attachments(): array {
		global $wpdb;
		$images = Tables::images();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names only.
		$ids = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT m.post_id FROM {$wpdb->postmeta} m LEFT JOIN {$images} i ON i.attachment_id = m.post_id WHERE m.meta_key = %s AND i.id IS NULL ORDER BY m.post_id", AttachmentWriter::META_ARTICLE ) );
		if ( ! $ids ) {
			return self::check( 'unindexed attachments', self::OK, __( 'Every Verial attachment is in the image table.', 'verial-image-sync' ) );
		}
		/* translators: 1: number of attachments, 2: example ids. */
		return self::check( 'unindexed attachments', self::WARNING, sprintf( __( '%1$d attachments carry _verial_article_id but have no image row (e.g. %2$s): imports of the existing plugin that no run has seen yet, or a lost table. wp verial-images index rebuild adds them.', 'verial-image-sync' ), count( $ids ), implode( ', ', array_slice( $ids, 0, self::EXAMPLES ) ) ) );
	}

	private function missing_files(): array {
		global $wpdb;
		$images = Tables::images();
		$base   = wp_get_upload_dir()['basedir'];
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
		$files   = $wpdb->get_results( "SELECT DISTINCT i.attachment_id, f.meta_value FROM {$images} i LEFT JOIN {$wpdb->postmeta} f ON f.post_id = i.attachment_id AND f.meta_key = '_wp_attached_file' ORDER BY i.attachment_id", ARRAY_N );
		$missing = array();
		foreach ( $files as $file ) {
			if ( null === $file[1] || ! is_file( path_join( $base, (string) $file[1] ) ) ) {
				$missing[] = (int) $file[0];
			}
		}
		if ( ! $missing ) {
			/* translators: %d: number of files. */
			return self::check( 'attachment files', self::OK, sprintf( __( '%d files present.', 'verial-image-sync' ), count( $files ) ) );
		}
		/* translators: 1: number of attachments, 2: example ids. */
		return self::check( 'attachment files', self::ERROR, sprintf( __( '%1$d attachments have no file (e.g. %2$s). Delete them in the media library and run phase 1 again to import their pictures anew.', 'verial-image-sync' ), count( $missing ), implode( ', ', array_slice( $missing, 0, self::EXAMPLES ) ) ) );
	}

	private function temporary_files(): array {
		$base  = wp_get_upload_dir()['basedir'];
		$found = array();
		if ( is_dir( $base ) ) {
			$walk = new \RecursiveIteratorIterator( new \RecursiveDirectoryIterator( $base, \FilesystemIterator::SKIP_DOTS ) );
			foreach ( $walk as $file ) {
				if ( $file->isFile() && str_starts_with( $file->getFilename(), '.vis-tmp-' ) ) {
					$found[] = _wp_relative_upload_path( $file->getPathname() );
				}
			}
		}
		if ( ! $found ) {
			return self::check( 'temporary files', self::OK, __( 'None in uploads.', 'verial-image-sync' ) );
		}
		$why = null !== $this->services->runs->active() ? __( 'A run is active and may be writing them.', 'verial-image-sync' ) : __( 'Left by a killed worker: safe to delete.', 'verial-image-sync' );
		/* translators: 1: number of files, 2: example paths, 3: why they are there. */
		return self::check( 'temporary files', self::WARNING, sprintf( __( '%1$d in uploads (e.g. %2$s). %3$s', 'verial-image-sync' ), count( $found ), implode( ', ', array_slice( $found, 0, self::EXAMPLES ) ), $why ) );
	}

	private function phase1(): array {
		$run = $this->services->runs->active() ?? $this->services->runs->latest();
		if ( null === $run ) {
			return self::check( 'phase 1', self::OK, __( 'No run yet.', 'verial-image-sync' ) );
		}
		/* translators: 1: run id, 2: run status, 3: articles done, 4: articles, 5: articles failed. */
		return self::check( 'phase 1', self::OK, sprintf( __( 'Run #%1$d %2$s (%3$d of %4$d articles, %5$d failed).', 'verial-image-sync' ), $run['id'], $run['status'], $run['articles_done'], $run['total_articles'], $run['articles_failed'] ) );
	}

	private function assignment(): array {
		if ( ! $this->services->settings->assign_images() ) {
			return self::check( 'phase 2', self::WARNING, AssignJob::disabled_message() );
		}
		$how = ProductImageWriter::uses_woocommerce() ? __( 'On, writing through WooCommerce.', 'verial-image-sync' ) : __( 'On, writing WooCommerce\'s post meta (WooCommerce is not loaded).', 'verial-image-sync' );
		return self::check( 'phase 2', self::OK, $how . ' ' . ( $this->services->settings->match_by_sku() ? __( 'Products without a link are matched by SKU.', 'verial-image-sync' ) : __( 'Products are matched by their links only, not by SKU.', 'verial-image-sync' ) ) );
	}

	private function existing_plugin(): array {
		if ( ! ExistingPlugin::is_active() ) {
			return self::check( 'existing plugin', self::OK, __( 'Not loaded.', 'verial-image-sync' ) );
		}
		/* translators: %s: version of the existing plugin. */
		return self::check( 'existing plugin', self::OK, sprintf( __( 'mi-integracion-api %s is loaded: its product saves end with these images.', 'verial-image-sync' ), (string) ExistingPlugin::version() ) );
	}

	/**
	 * @return array{check: string, status: string, details: string}
	 */
	private static function check( string $check, string $status, string $details ): array {
		return array(
			'check'   => $check,
			'status'  => $status,
			'details' => $details,
		);
	}
}
