<?php
/**
 * Creates and upgrades the plugin's tables.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

use VerialImageSync\Store\ContentTable;
use VerialImageSync\Store\Tables;

/**
 * Runs dbDelta on activation and whenever the stored schema version is behind (plugin updates
 * do not fire the activation hook).
 */
final class Installer {

	public const SCHEMA_OPTION  = 'verial_image_sync_schema_version';
	public const SCHEMA_VERSION = 3;

	/**
	 * Upgrades the schema when the stored version is older than this code's.
	 */
	public static function maybe_upgrade(): void {
		if ( (int) get_option( self::SCHEMA_OPTION, 0 ) < self::SCHEMA_VERSION ) {
			self::install();
		}
	}

	/**
	 * Creates or alters the tables to match schema().
	 */
	public static function install(): void {
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::schema() );
		ContentTable::fill_from_images();
		update_option( self::SCHEMA_OPTION, self::SCHEMA_VERSION, true );
	}

	/**
	 * CREATE TABLE statements in dbDelta's format (two spaces after PRIMARY KEY, one key per line).
	 *
	 * @return list<string>
	 */
	public static function schema(): array {
		global $wpdb;
		$collate  = $wpdb->get_charset_collate();
		$images   = Tables::images();
		$runs     = Tables::runs();
		$batches  = Tables::batches();
		$errors   = Tables::errors();
		$articles = Tables::articles();
		$contents = Tables::contents();

		return array(
			"CREATE TABLE {$images} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  article_id bigint(20) unsigned NOT NULL,
  position smallint(5) unsigned NOT NULL,
  attachment_id bigint(20) unsigned NOT NULL,
  sha256 char(64) NOT NULL,
  legacy_md5 char(32) NOT NULL,
  bytes int(10) unsigned NOT NULL,
  mime varchar(32) NOT NULL,
  width int(10) unsigned NOT NULL,
  height int(10) unsigned NOT NULL,
  last_seen_run bigint(20) unsigned NOT NULL DEFAULT 0,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY article_position (article_id,position),
  KEY sha256 (sha256),
  KEY legacy_md5 (legacy_md5),
  KEY attachment_id (attachment_id)
) {$collate};",
			"CREATE TABLE {$runs} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  status varchar(32) NOT NULL,
  active_slot tinyint(1) unsigned DEFAULT NULL,
  trigger_source varchar(32) NOT NULL DEFAULT '',
  codec varchar(16) NOT NULL DEFAULT '',
  run_mode varchar(16) NOT NULL DEFAULT '',
  image_size int(10) unsigned NOT NULL DEFAULT 300,
  total_articles int(10) unsigned NOT NULL DEFAULT 0,
  total_batches int(10) unsigned NOT NULL DEFAULT 0,
  articles_done int(10) unsigned NOT NULL DEFAULT 0,
  articles_failed int(10) unsigned NOT NULL DEFAULT 0,
  images_seen int(10) unsigned NOT NULL DEFAULT 0,
  images_created int(10) unsigned NOT NULL DEFAULT 0,
  images_reused int(10) unsigned NOT NULL DEFAULT 0,
  images_adopted int(10) unsigned NOT NULL DEFAULT 0,
  images_failed int(10) unsigned NOT NULL DEFAULT 0,
  images_orphaned int(10) unsigned NOT NULL DEFAULT 0,
  images_deleted int(10) unsigned NOT NULL DEFAULT 0,
  bytes_written bigint(20) unsigned NOT NULL DEFAULT 0,
  current_article bigint(20) unsigned DEFAULT NULL,
  peak_memory bigint(20) unsigned NOT NULL DEFAULT 0,
  work_seconds double NOT NULL DEFAULT 0,
  last_error text DEFAULT NULL,
  since datetime DEFAULT NULL,
  only_articles longtext DEFAULT NULL,
  created_at datetime NOT NULL,
  started_at datetime DEFAULT NULL,
  finished_at datetime DEFAULT NULL,
  updated_at datetime NOT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY active_slot (active_slot),
  KEY status (status),
  KEY run_mode_status (run_mode,status)
) {$collate};",
			"CREATE TABLE {$batches} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  run_id bigint(20) unsigned NOT NULL,
  seq int(10) unsigned NOT NULL,
  articles longtext NOT NULL,
  article_count int(10) unsigned NOT NULL,
  next_index int(10) unsigned NOT NULL DEFAULT 0,
  status varchar(16) NOT NULL DEFAULT 'pending',
  claim_token char(32) DEFAULT NULL,
  claimed_at datetime DEFAULT NULL,
  attempts smallint(5) unsigned NOT NULL DEFAULT 0,
  needs_recovery tinyint(1) unsigned NOT NULL DEFAULT 0,
  upload_dir text DEFAULT NULL,
  error text DEFAULT NULL,
  finished_at datetime DEFAULT NULL,
  PRIMARY KEY  (id),
  KEY run_status (run_id,status,seq),
  KEY claim_token (claim_token)
) {$collate};",
			"CREATE TABLE {$errors} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  run_id bigint(20) unsigned NOT NULL,
  batch_id bigint(20) unsigned NOT NULL DEFAULT 0,
  article_id bigint(20) unsigned NOT NULL,
  position smallint(5) unsigned DEFAULT NULL,
  kind varchar(64) NOT NULL,
  message text NOT NULL,
  created_at datetime NOT NULL,
  PRIMARY KEY  (id),
  KEY run_article (run_id,article_id,position)
) {$collate};",
			"CREATE TABLE {$articles} (
  article_id bigint(20) unsigned NOT NULL,
  sku varchar(64) NOT NULL DEFAULT '',
  updated_at datetime NOT NULL,
  PRIMARY KEY  (article_id),
  KEY sku (sku)
) {$collate};",
			"CREATE TABLE {$contents} (
  sha256 char(64) NOT NULL,
  attachment_id bigint(20) unsigned NOT NULL DEFAULT 0,
  created_at datetime NOT NULL,
  PRIMARY KEY  (sha256),
  KEY created_at (created_at)
) {$collate};",
		);
	}
}
