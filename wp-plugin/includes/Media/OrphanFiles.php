<?php
/**
 * Removes what a killed worker left in the uploads directory.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Media;

/**
 * The codec writes a file before the transaction that creates its attachment; a worker killed in
 * between (or mid-decode) leaves a file no attachment points to, or a `.vis-tmp-*` temporary
 * file. Before a batch is redone, its directory is swept: files named after the batch's
 * articles that no attachment references are deleted (no live worker writes for that batch's
 * articles). Temporaries are swept only when no worker of the run is writing (several workers
 * share a directory, and a temporary file does not say whose it is).
 */
final class OrphanFiles {

	/**
	 * Prefix of the codec's temporary files (extension and polyfill alike).
	 */
	private const TEMP_PREFIX = '.vis-tmp-';

	/**
	 * Names the codec gives imported files: verial-<article>-<position>[-<n>].<ext>.
	 */
	private const NAME_PATTERN = '/^verial-(\d+)-\d+(?:-\d+)?\.(?:jpg|png|gif|webp)$/';

	/**
	 * Deletes unreferenced files of the given articles and temporary files in $dir.
	 *
	 * @param string    $dir         Absolute directory the batch wrote to.
	 * @param list<int> $article_ids The batch's articles.
	 * @param bool      $temporaries Also delete temporary files (only when nobody is writing).
	 * @return list<string> Deleted file names.
	 */
	public function sweep( string $dir, array $article_ids, bool $temporaries = true ): array {
		if ( '' === $dir || ! is_dir( $dir ) ) {
			return array();
		}
		$wanted     = array_flip( $article_ids );
		$candidates = array();
		$deleted    = array();
		foreach ( (array) scandir( $dir ) as $name ) {
			$name = (string) $name;
			if ( str_starts_with( $name, self::TEMP_PREFIX ) ) {
				if ( ! $temporaries ) {
					continue;
				}
				wp_delete_file( $dir . '/' . $name );
				$deleted[] = $name;
			} elseif ( preg_match( self::NAME_PATTERN, $name, $match ) && isset( $wanted[ (int) $match[1] ] ) ) {
				$candidates[ _wp_relative_upload_path( $dir . '/' . $name ) ] = $name;
			}
		}
		if ( ! $candidates ) {
			return $deleted;
		}
		foreach ( array_diff_key( $candidates, array_flip( $this->referenced( array_keys( $candidates ) ) ) ) as $name ) {
			wp_delete_file( $dir . '/' . $name );
			$deleted[] = $name;
		}
		return $deleted;
	}

	/**
	 * Which of these relative upload paths an attachment points to, in one query.
	 *
	 * @param list<string> $relative_paths Paths relative to the uploads base directory.
	 * @return list<string>
	 */
	private function referenced( array $relative_paths ): array {
		global $wpdb;
		$placeholders = implode( ', ', array_fill( 0, count( $relative_paths ), '%s' ) );
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders only.
		return $wpdb->get_col( $wpdb->prepare( "SELECT meta_value FROM {$wpdb->postmeta} WHERE meta_key = '_wp_attached_file' AND meta_value IN ({$placeholders})", ...$relative_paths ) );
	}
}
