<?php
/**
 * Decides what a run started without an explicit choice covers.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Sync;

use VerialImageSync\Store\RunStore;

/**
 * Incremental by default: a catalog of thousands of articles changes a few at a time, and
 * fetching every article's images again costs gigabytes of base64. A run then asks Verial only
 * for the articles created or modified since the previous run that went through was started,
 * less a margin for clock skew between WordPress and Verial. A full run is needed when there is
 * no such run yet, and once every `full_check_days` as the verification pass (Verial's
 * modification time is the only signal, and a change that does not move it would otherwise be
 * missed for ever).
 *
 * Pure: it gets the runs and the clock from the caller, so it is testable without a database.
 */
final class RunModePolicy {

	/**
	 * @param int           $margin_minutes  Subtracted from the previous run's start.
	 * @param \DateTimeZone $verial_timezone Time zone of Verial's fecha/hora.
	 * @param int           $full_check_days A full run when the last one is older (0 = never).
	 */
	public function __construct( private int $margin_minutes, private \DateTimeZone $verial_timezone, private int $full_check_days ) {
	}

	/**
	 * @param array<string, string|null>|null $previous  The last finished full or incremental run
	 *                                                   (RunStore::last_finished()), or null.
	 * @param array<string, string|null>|null $last_full The last finished full run, or null.
	 * @param \DateTimeImmutable              $now       The current moment.
	 * @return array{mode: string, since: ?string} RunStore::MODE_FULL with no since, or
	 *         MODE_INCREMENTAL with since as Y-m-d H:i:s in Verial's time zone.
	 */
	public function decide( ?array $previous, ?array $last_full, \DateTimeImmutable $now ): array {
		$full = array(
			'mode'  => RunStore::MODE_FULL,
			'since' => null,
		);
		if ( null === $previous || null === $last_full ) {
			return $full;
		}
		if ( $this->full_check_days > 0 && self::started( $last_full ) < $now->modify( sprintf( '-%d days', $this->full_check_days ) ) ) {
			return $full;
		}
		$since = self::started( $previous )
			->modify( sprintf( '-%d minutes', $this->margin_minutes ) )
			->setTimezone( $this->verial_timezone );
		return array(
			'mode'  => RunStore::MODE_INCREMENTAL,
			'since' => $since->format( 'Y-m-d H:i:s' ),
		);
	}

	/**
	 * When a run started: its first worker's start, else its creation (UTC in the runs table).
	 *
	 * @param array<string, string|null> $run Runs table row.
	 */
	private static function started( array $run ): \DateTimeImmutable {
		$utc = new \DateTimeZone( 'UTC' );
		return new \DateTimeImmutable( (string) ( $run['started_at'] ?? $run['created_at'] ), $utc );
	}
}
