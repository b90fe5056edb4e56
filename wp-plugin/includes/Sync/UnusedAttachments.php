<?php
/**
 * What happens to a picture an article no longer shows.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Media\AttachmentUsage;
use VerialImageSync\Store\ErrorLog;
use VerialImageSync\Store\ImageTable;
use VerialImageSync\Store\RunStore;

/**
 * When an article drops a picture and no row of any article refers to it any more, the picture
 * is deleted only if this plugin created it, no post shows it, and `delete_unused_images` is on.
 * Otherwise it stays in the media library and the run reports it as orphaned, so the shop
 * decides; adopted pictures of the existing plugin and pictures added by hand are never deleted.
 *
 * Two steps because a file deletion cannot be rolled back: release() decides inside the
 * article's transaction (it sees that transaction's rows) and records the orphans there;
 * delete_released() deletes after the commit, so a rollback never leaves an attachment whose
 * file is gone. A process killed between the two leaves an unused picture, never a broken one.
 */
final class UnusedAttachments {

	/**
	 * Attachments release() decided to delete, per article (an ArticleGroup commits several
	 * at once): article id => attachment id => the article's old row of it.
	 *
	 * @var array<int, array<int, array<string, string>>>
	 */
	private array $to_delete = array();

	/**
	 * @param ImageTable      $images        Image rows.
	 * @param AttachmentUsage $usage         Postmeta reads.
	 * @param ErrorLog        $errors        The run's report.
	 * @param RunStore        $runs          Run counters.
	 * @param bool            $delete_unused Settings::delete_unused_images().
	 */
	public function __construct( private ImageTable $images, private AttachmentUsage $usage, private ErrorLog $errors, private RunStore $runs, private bool $delete_unused ) {
	}

	/**
	 * Decides about the pictures the article dropped, after its rows were saved. Orphans are
	 * recorded in the run's report; the ones to delete wait for delete_released().
	 *
	 * @param int                                  $run_id     Run id.
	 * @param int                                  $batch_id   Batch id.
	 * @param int                                  $article_id Verial article id.
	 * @param array<int, array<string, string>>    $dropped    Attachment id => the article's old row of it.
	 * @return int Pictures reported as orphaned.
	 */
	public function release( int $run_id, int $batch_id, int $article_id, array $dropped ): int {
		unset( $this->to_delete[ $article_id ] );
		$unused          = array_diff( array_keys( $dropped ), $this->images->referenced( array_keys( $dropped ) ) );
		if ( ! $unused ) {
			return 0;
		}
		$users   = $this->usage->users( $unused );
		$created = array_flip( $this->usage->created_by_plugin( $unused ) );
		$orphans = array();
		foreach ( $unused as $attachment_id ) {
			$row = $dropped[ $attachment_id ];
			if ( $this->delete_unused && isset( $created[ $attachment_id ] ) && ! isset( $users[ $attachment_id ] ) ) {
				$this->to_delete[ $article_id ][ $attachment_id ] = $row;
				continue;
			}
			$orphans[] = self::orphan( $article_id, (int) $row['position'], $attachment_id, $this->reason( isset( $created[ $attachment_id ] ), $users[ $attachment_id ] ?? array() ) );
		}
		$this->errors->add( $run_id, $batch_id, $orphans );
		return count( $orphans );
	}

	/**
	 * Forgets what release() chose for articles whose transaction was rolled back.
	 */
	public function discard(): void {
		$this->to_delete = array();
	}

	/**
	 * Deletes what release() chose, after the article's transaction committed. The picture's
	 * hash leaves the worker's dedup index so that a later article showing the same picture
	 * imports it again instead of referring to the deleted attachment.
	 *
	 * @param BatchContext $batch      The batch (run, the worker's dedup index).
	 * @param int          $article_id Verial article id.
	 * @return int Attachments deleted.
	 */
	public function delete_released( BatchContext $batch, int $article_id ): int {
		$to_delete = $this->to_delete[ $article_id ] ?? array();
		unset( $this->to_delete[ $article_id ] );
		$deleted         = 0;
		$failed          = array();
		// Another worker may have stored a row for one of them since the decision.
		$to_delete = array_diff_key( $to_delete, array_flip( $this->images->referenced( array_keys( $to_delete ) ) ) );
		foreach ( $to_delete as $attachment_id => $row ) {
			if ( wp_delete_attachment( $attachment_id, true ) ) {
				++$deleted;
				if ( $batch->index->get( (string) $row['sha256'] ) === $attachment_id ) {
					$batch->index->remove( (string) $row['sha256'] );
				}
				continue;
			}
			$failed[] = self::orphan( $article_id, (int) $row['position'], $attachment_id, __( 'WordPress could not delete it', 'verial-image-sync' ) );
		}
		$this->errors->add( $batch->run_id, $batch->batch_id, $failed );
		if ( $deleted || $failed ) {
			$this->runs->add_counts(
				$batch->run_id,
				array(
					'images_deleted'  => $deleted,
					'images_orphaned' => count( $failed ),
				),
				$article_id
			);
		}
		return $deleted;
	}

	/**
	 * Why an unused picture is kept.
	 *
	 * @param bool      $created Whether this plugin created it.
	 * @param list<int> $users   Posts that show it.
	 */
	private function reason( bool $created, array $users ): string {
		if ( $users ) {
			/* translators: %s: post ids, comma-separated. */
			return sprintf( __( 'still shown by post %s', 'verial-image-sync' ), implode( ', ', $users ) );
		}
		if ( ! $created ) {
			return __( 'this plugin did not create it (adopted from the existing plugin or added by hand)', 'verial-image-sync' );
		}
		return __( 'deleting unused images is turned off', 'verial-image-sync' );
	}

	/**
	 * One report entry.
	 *
	 * @return array{article_id: int, position: ?int, kind: string, message: string}
	 */
	private static function orphan( int $article_id, int $position, int $attachment_id, string $reason ): array {
		return array(
			'article_id' => $article_id,
			'position'   => $position,
			'kind'       => ErrorLog::ORPHANED,
			'message'    => sprintf(
				/* translators: 1: article id, 2: image position, 3: attachment id, 4: why it is kept. */
				__( 'Article %1$d position %2$d: picture %3$d is no longer in the article and no other article shows it; it stays in the media library: %4$s.', 'verial-image-sync' ),
				$article_id,
				$position,
				$attachment_id,
				$reason
			),
		);
	}
}
