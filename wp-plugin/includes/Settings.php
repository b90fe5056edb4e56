<?php
/**
 * The plugin's settings.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

/**
 * Immutable, sanitized view of the `verial_image_sync_settings` option.
 *
 * When the existing sync plugin is installed, its API URL and session number
 * (option `mi_integracion_api_ajustes`) are the defaults, so a site that already talks to
 * Verial needs no configuration.
 */
final class Settings {

	public const OPTION        = 'verial_image_sync_settings';
	public const LEGACY_OPTION = 'mi_integracion_api_ajustes';
	public const SERVICE_PATH  = '/WcfServiceLibraryVerial';

	/**
	 * Sanitized values, keyed like defaults().
	 *
	 * @var array<string, mixed>
	 */
	private array $values;

	/**
	 * @param array<string, mixed> $values Raw values; unknown keys are dropped.
	 */
	public function __construct( array $values ) {
		$this->values = self::sanitize( $values );
	}

	/**
	 * Built-in defaults, before the existing plugin's settings and the stored option.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults(): array {
		return array(
			'base_url'             => '',
			'session'              => 0,
			'image_size'           => 300,   // Verial's numpixelsladomenor; 0 = original size.
			'http_timeout'         => 30,    // Seconds, per request (the existing plugin's value).
			'retry_delays_ms'      => array( 250, 750, 2000 ),
			'list_page_size'       => 500,
			'batch_size'           => 25,    // Articles per persisted batch.
			'time_limit'           => 20,    // Seconds of work per background request.
			'memory_ratio'         => 0.9,   // Stop a slice past this share of memory_limit.
			'lock_ttl'             => 300,   // Seconds before a dead worker's lock may be taken over.
			'max_batch_attempts'   => 3,
			'max_image_bytes'      => 26214400,
			'generate_thumbnails'  => true,
			// Phase 2. Off = rollback switch: this plugin assigns nothing and the shop goes back
			// to whatever assigned product images before.
			'assign_images'        => true,
			// Products not linked by the existing plugin are matched by SKU = ReferenciaBarras.
			'match_by_sku'         => true,
			// Re-sync. A run asks only for articles changed since the previous run started, less
			// this margin for clock skew between WordPress and Verial.
			'since_margin_minutes' => 15,
			// Verial's hora format is not documented: "H:i:s" (HH:MM:SS) or "H:i" (HH:MM).
			'hora_format'          => 'H:i:s',
			// Time zone of Verial's fecha/hora; '' = the site's time zone.
			'verial_timezone'      => '',
			// A full verification run replaces the incremental one this often (0 = never).
			'full_check_days'      => 7,
			// Delete an attachment this plugin created once no article or product uses it
			// (off: keep it and report it as orphaned).
			'delete_unused_images' => false,
			// Concurrency: image requests in flight at once, and seconds after which a batch
			// claimed by a silent worker is taken over. With 8 in flight, 100 ms of API latency
			// adds about a quarter to a run (4: twice as long; benches/scale); 8 replies of a few
			// hundred KB each are held at most.
			'parallel_requests'    => 8,
			'claim_timeout'        => 120,
		);
	}

	/**
	 * Loads the stored settings over the defaults (and the existing plugin's API settings).
	 */
	public static function load(): self {
		$values = self::defaults();
		$legacy = get_option( self::LEGACY_OPTION, array() );
		if ( is_array( $legacy ) ) {
			if ( ! empty( $legacy['mia_url_base'] ) ) {
				$values['base_url'] = (string) $legacy['mia_url_base'];
			}
			if ( isset( $legacy['mia_numero_sesion'] ) && is_numeric( $legacy['mia_numero_sesion'] ) ) {
				$values['session'] = (int) $legacy['mia_numero_sesion'];
			}
		}
		$stored = get_option( self::OPTION, array() );
		if ( is_array( $stored ) ) {
			$values = array_merge( $values, $stored );
		}
		/**
		 * Filters the effective settings before they are sanitized.
		 *
		 * @param array<string, mixed> $values Settings keyed like Settings::defaults().
		 */
		$values = apply_filters( 'verial_image_sync_settings', $values );
		return new self( is_array( $values ) ? $values : self::defaults() );
	}

	/**
	 * Stores settings (merged over the stored ones) after sanitizing them.
	 *
	 * @param array<string, mixed> $changes Values to change.
	 */
	public static function save( array $changes ): self {
		$stored = get_option( self::OPTION, array() );
		$merged = array_merge( is_array( $stored ) ? $stored : array(), array_intersect_key( $changes, self::defaults() ) );
		$clean  = array_intersect_key( self::sanitize( array_merge( self::defaults(), $merged ) ), $merged );
		update_option( self::OPTION, $clean, false );
		return self::load();
	}

	/**
	 * @param array<string, mixed> $values Raw values.
	 * @return array<string, mixed>
	 */
	private static function sanitize( array $values ): array {
		$values = array_merge( self::defaults(), array_intersect_key( $values, self::defaults() ) );
		$delays = is_array( $values['retry_delays_ms'] ) ? $values['retry_delays_ms'] : array();

		return array(
			'base_url'             => self::service_url( (string) $values['base_url'] ),
			'session'              => max( 0, (int) $values['session'] ),
			'image_size'           => max( 0, (int) $values['image_size'] ),
			'http_timeout'         => max( 1, (int) $values['http_timeout'] ),
			'retry_delays_ms'      => array_values( array_map( static fn( $ms ): int => max( 0, (int) $ms ), array_slice( $delays, 0, 10 ) ) ),
			'list_page_size'       => min( 5000, max( 1, (int) $values['list_page_size'] ) ),
			'batch_size'           => min( 1000, max( 1, (int) $values['batch_size'] ) ),
			'time_limit'           => max( 1, (int) $values['time_limit'] ),
			'memory_ratio'         => min( 0.99, max( 0.1, (float) $values['memory_ratio'] ) ),
			'lock_ttl'             => max( 1, (int) $values['lock_ttl'] ),
			'max_batch_attempts'   => max( 1, (int) $values['max_batch_attempts'] ),
			'max_image_bytes'      => max( 1, (int) $values['max_image_bytes'] ),
			'generate_thumbnails'  => (bool) $values['generate_thumbnails'],
			'assign_images'        => (bool) $values['assign_images'],
			'match_by_sku'         => (bool) $values['match_by_sku'],
			'since_margin_minutes' => min( 1440, max( 0, (int) $values['since_margin_minutes'] ) ),
			'hora_format'          => 'H:i' === $values['hora_format'] ? 'H:i' : 'H:i:s',
			'verial_timezone'      => self::timezone_name( (string) $values['verial_timezone'] ),
			'full_check_days'      => min( 365, max( 0, (int) $values['full_check_days'] ) ),
			'delete_unused_images' => (bool) $values['delete_unused_images'],
			'parallel_requests'    => min( 16, max( 1, (int) $values['parallel_requests'] ) ),
			'claim_timeout'        => max( 5, (int) $values['claim_timeout'] ),
		);
	}

	/**
	 * A valid IANA time zone name, or '' (the site's time zone) for anything else.
	 *
	 * @param string $name Time zone as configured.
	 */
	private static function timezone_name( string $name ): string {
		$name = trim( $name );
		return '' !== $name && in_array( $name, \DateTimeZone::listIdentifiers(), true ) ? $name : '';
	}

	/**
	 * Normalizes a Verial URL to the service root, without trailing slash. The existing plugin
	 * stores it with the service path ("http://host:8000/WcfServiceLibraryVerial/"); a bare host
	 * gets the path appended.
	 *
	 * @param string $url URL as configured.
	 */
	private static function service_url( string $url ): string {
		$url = trim( $url );
		if ( '' === $url ) {
			return '';
		}
		$url = untrailingslashit( esc_url_raw( $url, array( 'http', 'https' ) ) );
		if ( '' !== $url && ! str_ends_with( strtolower( $url ), strtolower( self::SERVICE_PATH ) ) ) {
			$url .= self::SERVICE_PATH;
		}
		return $url;
	}

	/**
	 * Every sanitized value.
	 *
	 * @return array<string, mixed>
	 */
	public function all(): array {
		return $this->values;
	}

	public function base_url(): string {
		return $this->values['base_url'];
	}

	public function session(): int {
		return $this->values['session'];
	}

	public function image_size(): int {
		return $this->values['image_size'];
	}

	public function http_timeout(): int {
		return $this->values['http_timeout'];
	}

	/**
	 * Delays before each retry; the number of retries is their count.
	 *
	 * @return list<int>
	 */
	public function retry_delays_ms(): array {
		return $this->values['retry_delays_ms'];
	}

	public function list_page_size(): int {
		return $this->values['list_page_size'];
	}

	public function batch_size(): int {
		return $this->values['batch_size'];
	}

	public function time_limit(): int {
		return $this->values['time_limit'];
	}

	public function memory_ratio(): float {
		return $this->values['memory_ratio'];
	}

	public function lock_ttl(): int {
		return $this->values['lock_ttl'];
	}

	public function max_batch_attempts(): int {
		return $this->values['max_batch_attempts'];
	}

	public function max_image_bytes(): int {
		return $this->values['max_image_bytes'];
	}

	public function generate_thumbnails(): bool {
		return $this->values['generate_thumbnails'];
	}

	public function assign_images(): bool {
		return $this->values['assign_images'];
	}

	public function match_by_sku(): bool {
		return $this->values['match_by_sku'];
	}

	public function since_margin_minutes(): int {
		return $this->values['since_margin_minutes'];
	}

	public function hora_format(): string {
		return $this->values['hora_format'];
	}

	/**
	 * Verial's time zone: the configured one, else the site's.
	 */
	public function verial_timezone(): \DateTimeZone {
		return '' === $this->values['verial_timezone'] ? wp_timezone() : new \DateTimeZone( $this->values['verial_timezone'] );
	}

	public function full_check_days(): int {
		return $this->values['full_check_days'];
	}

	public function delete_unused_images(): bool {
		return $this->values['delete_unused_images'];
	}

	public function parallel_requests(): int {
		return $this->values['parallel_requests'];
	}

	public function claim_timeout(): int {
		return $this->values['claim_timeout'];
	}
}
