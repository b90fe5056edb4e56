<?php
/**
 * Site Health Info tab: the plugin's section.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Health;

use VerialImageSync\Admin\Labels;
use VerialImageSync\Admin\RunHistory;
use VerialImageSync\Codec;
use VerialImageSync\Installer;
use VerialImageSync\Plugin;
use VerialImageSync\Store\Tables;

use const VerialImageSync\VERSION;

/**
 * What support needs first: codec and build, versions, table sizes, the last run. The API
 * URL and session are marked private, so "Copy site info" leaves them out.
 */
final class DebugInformation {

	public const SECTION = 'verial-image-sync';

	/**
	 * Hooked to debug_information.
	 *
	 * @param array<string, array<string, mixed>> $info Sections so far.
	 * @return array<string, array<string, mixed>>
	 */
	public static function register( $info ): array {
		$info                  = (array) $info;
		$info[ self::SECTION ] = array(
			'label'  => __( 'Verial Image Sync', 'verial-image-sync' ),
			'fields' => array_merge( self::codec_fields(), self::table_fields(), self::run_fields() ),
		);
		return $info;
	}

	/**
	 * @return array<string, array<string, mixed>>
	 */
	private static function codec_fields(): array {
		$report   = Codec::report();
		$build    = $report['build'];
		$settings = Plugin::services()->settings;
		return array(
			'codec'          => self::field( __( 'Image codec', 'verial-image-sync' ), Labels::codec( $report['engine'] ), $report['engine'] ),
			'codec_version'  => self::field( __( 'Codec version', 'verial-image-sync' ), (string) $report['version'] ),
			'codec_build'    => self::field( __( 'Codec build (git revision)', 'verial-image-sync' ), $build['git_revision'] ?? '' ),
			'codec_compiler' => self::field( __( 'Codec compiler and target', 'verial-image-sync' ), trim( ( $build['rustc'] ?? '' ) . ' ' . ( $build['target'] ?? '' ) . ' ' . ( $build['profile'] ?? '' ) ) ),
			'base64_engine'  => self::field( __( 'Base64 engine', 'verial-image-sync' ), $build['base64_engine'] ?? '' ),
			'plugin_version' => self::field( __( 'Plugin version', 'verial-image-sync' ), VERSION ),
			'schema_version' => self::field( __( 'Database schema version', 'verial-image-sync' ), (string) get_option( Installer::SCHEMA_OPTION, '' ) ),
			'driver'         => self::field( __( 'Background driver', 'verial-image-sync' ), Labels::driver( Plugin::services()->driver->name() ), Plugin::services()->driver->name() ),
			'base_url'       => self::field( __( 'Verial API URL', 'verial-image-sync' ), $settings->base_url(), null, true ),
			'session'        => self::field( __( 'Verial session number', 'verial-image-sync' ), (string) $settings->session(), null, true ),
		);
	}

	/**
	 * Row counts of the plugin's tables, one query each.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	private static function table_fields(): array {
		global $wpdb;
		$fields = array();
		// A missing table is reported as such, not as a database error in the log.
		$suppressed = $wpdb->suppress_errors( true );
		foreach ( Tables::all() as $table ) {
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table names.
			$count                      = $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" );
			$fields[ 'rows_' . $table ] = self::field(
				/* translators: %s: database table name. */
				sprintf( __( 'Rows in %s', 'verial-image-sync' ), $table ),
				null === $count ? __( 'table missing', 'verial-image-sync' ) : number_format_i18n( (int) $count ),
				null === $count ? 'missing' : (int) $count
			);
		}
		$wpdb->suppress_errors( $suppressed );
		return $fields;
	}

	/**
	 * @return array<string, array<string, mixed>>
	 */
	private static function run_fields(): array {
		$last = ( new RunHistory() )->recent( 1 );
		if ( ! $last ) {
			return array( 'last_run' => self::field( __( 'Last run', 'verial-image-sync' ), __( 'none', 'verial-image-sync' ), 'none' ) );
		}
		$run = $last[0];
		return array(
			'last_run' => self::field(
				__( 'Last run', 'verial-image-sync' ),
				sprintf(
					/* translators: 1: run id, 2: status, 3: start date, 4: summary of counts. */
					__( '#%1$d, %2$s, started %3$s: %4$s', 'verial-image-sync' ),
					$run['id'],
					$run['status_label'],
					(string) $run['created_at'],
					$run['summary']
				),
				sprintf( '#%d %s %s', $run['id'], $run['status'], (string) $run['created_at'] )
			),
		);
	}

	/**
	 * One Info tab field; `debug` is the untranslated value "Copy site info" uses.
	 *
	 * @param string          $label   Label.
	 * @param string          $value   Shown value.
	 * @param string|int|null $debug   Value for the copied report (default: $value).
	 * @param bool            $private Left out of the copied report.
	 * @return array<string, mixed>
	 */
	private static function field( string $label, string $value, string|int|null $debug = null, bool $private = false ): array {
		$field = array(
			'label' => $label,
			'value' => $value,
		);
		if ( null !== $debug ) {
			$field['debug'] = $debug;
		}
		if ( $private ) {
			$field['private'] = true;
		}
		return $field;
	}
}
