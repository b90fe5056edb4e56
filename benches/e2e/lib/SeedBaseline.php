<?php
/**
 * The baseline: what the seed's pure-PHP phase 1 (ImageSyncManager of seed 000, the existing
 * plugin `mi-integracion-api`) does, step by step, and its phase-2 lookup
 * (MapProduct::get_attachments_by_article_id). Written for this benchmark from the seed's
 * description; it reproduces the seed's behaviour, including its flaws, on purpose:
 *
 * - one GetImagenesArticulosWS call per article (WordPress HTTP API, json_decode of the whole
 *   body, InfoError not looked at: an error reply reads as "no images");
 * - per image: the payload is prefixed with 'data:image/jpeg;base64,' whatever the real format,
 *   md5 of that string, a postmeta lookup of the hash restricted to the article (so the same
 *   picture under two articles is stored twice); a duplicate has its `_verial_image_order`
 *   rewritten (the seed compares the stored string with the int position, so always);
 * - the prefix checked with a `^data:image/(\w+);base64,(.+)$` match (`.` stops at line breaks,
 *   so base64 wrapped with CRLF is refused as "invalid format");
 * - lenient base64_decode in 10 KB slices of the text into a tempnam() file, the file read back
 *   whole, `wp_upload_bits` with a name ending in ".jpeg", `wp_insert_attachment` with MIME
 *   image/jpeg, `wp_generate_attachment_metadata` + `wp_update_attachment_metadata`, then three
 *   `update_post_meta` (article id, hash, order);
 * - a checkpoint option written every 100 articles;
 * - thumbnails off = the `intermediate_image_sizes_advanced` filter returning no sizes.
 *
 * @package VerialImageSync\Benches
 */

declare(strict_types=1);

namespace VisBench;

final class SeedBaseline {

	private const SLICE       = 10 * 1024;
	private const PREFIX      = 'data:image/jpeg;base64,';
	private const LIST_PAGE   = 100;
	private const IMAGE_SIZE  = 300;
	private const HTTP_TIMEOUT = 30;

	/**
	 * Counters of the run.
	 *
	 * @var array<string, int>
	 */
	public array $stats = array(
		'articles'    => 0,
		'images_seen' => 0,
		'created'     => 0,
		'duplicates'  => 0,
		'errors'      => 0,
	);

	/**
	 * @param string $base_url   Service root (…/WcfServiceLibraryVerial).
	 * @param int    $session    Verial's `x`.
	 * @param bool   $thumbnails Whether WordPress generates intermediate sizes during the import.
	 */
	public function __construct( private string $base_url, private int $session, private bool $thumbnails ) {
	}

	/**
	 * The whole phase 1: list the articles, then each article's images.
	 */
	public function run(): void {
		if ( ! $this->thumbnails ) {
			add_filter( 'intermediate_image_sizes_advanced', static fn(): array => array() );
		}
		require_once ABSPATH . 'wp-admin/includes/image.php';
		$done = 0;
		foreach ( $this->article_ids() as $article_id ) {
			$this->article( $article_id );
			++$done;
			++$this->stats['articles'];
			if ( 0 === $done % 100 ) {
				update_option(
					'mia_images_sync_checkpoint',
					array(
						'last_processed_id' => $article_id,
						'stats'             => $this->stats,
						'timestamp'         => time(),
					)
				);
			}
		}
	}

	/**
	 * Article ids from GetArticulosWS in pages of 100 (the seed stops at the first short page).
	 * The seed's own listing sends today's date and no range (a bug that lists nothing, or the
	 * same page forever); this pages with inicio/fin as it obviously means to.
	 *
	 * @return list<int>
	 */
	private function article_ids(): array {
		$ids = array();
		for ( $first = 1; ; $first += self::LIST_PAGE ) {
			$reply    = $this->get( 'GetArticulosWS', array( 'inicio' => $first, 'fin' => $first + self::LIST_PAGE - 1 ) );
			$articles = is_array( $reply ) ? (array) ( $reply['Articulos'] ?? array() ) : array();
			if ( ! $articles ) {
				break;
			}
			foreach ( $articles as $article ) {
				if ( ! empty( $article['Id'] ) ) {
					$ids[] = (int) $article['Id'];
				}
			}
			if ( count( $articles ) < self::LIST_PAGE ) {
				break;
			}
		}
		return array_values( array_unique( $ids ) );
	}

	/**
	 * One API call; the decoded body, or null for a transport error or non-200 status.
	 *
	 * @param array<string, int|string> $params Query parameters besides x.
	 * @return array<string, mixed>|null
	 */
	private function get( string $method, array $params ): ?array {
		$url      = $this->base_url . '/' . $method . '?' . http_build_query( array( 'x' => $this->session ) + $params );
		$response = wp_remote_get( $url, array( 'timeout' => self::HTTP_TIMEOUT ) );
		if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
			return null;
		}
		$data = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		return is_array( $data ) ? $data : null;
	}

	private function article( int $article_id ): void {
		$reply = $this->get(
			'GetImagenesArticulosWS',
			array(
				'id_articulo'        => $article_id,
				'numpixelsladomenor' => self::IMAGE_SIZE,
			)
		);
		if ( null === $reply ) {
			++$this->stats['errors'];
			return;
		}
		foreach ( (array) ( $reply['Imagenes'] ?? array() ) as $position => $item ) {
			++$this->stats['images_seen'];
			if ( empty( $item['Imagen'] ) ) {
				continue;
			}
			$result = $this->image( self::PREFIX . $item['Imagen'], $article_id, (int) $position );
			if ( false === $result ) {
				++$this->stats['errors'];
			} elseif ( 'duplicate' === $result ) {
				++$this->stats['duplicates'];
			} else {
				++$this->stats['created'];
			}
		}
	}

	/**
	 * One image: attachment id, 'duplicate', or false.
	 */
	private function image( string $data_uri, int $article_id, int $order ): int|string|false {
		$hash     = md5( $data_uri );
		$existing = $this->attachment_by_hash( $hash, $article_id );
		if ( $existing ) {
			// The seed compares the stored string with the int: always different, always written.
			if ( get_post_meta( $existing, '_verial_image_order', true ) !== $order ) {
				update_post_meta( $existing, '_verial_image_order', $order );
			}
			return 'duplicate';
		}
		if ( ! preg_match( '/^data:image\/(\w+);base64,(.+)$/', $data_uri, $parts ) ) {
			return false;
		}
		$type = $parts[1];
		$temp = $this->decode_to_temp_file( $parts[2] );
		if ( false === $temp ) {
			return false;
		}
		$bytes = file_get_contents( $temp );
		if ( false === $bytes ) {
			unlink( $temp );
			return false;
		}
		$name   = 'verial-image-' . $article_id . '-' . uniqid() . '.' . $type;
		$upload = wp_upload_bits( $name, null, $bytes );
		unlink( $temp );
		if ( ! empty( $upload['error'] ) ) {
			return false;
		}
		$attachment_id = wp_insert_attachment(
			array(
				'post_mime_type' => 'image/' . $type,
				'post_title'     => sanitize_file_name( $name ),
				'post_content'   => '',
				'post_status'    => 'inherit',
			),
			$upload['file'],
			0
		);
		if ( is_wp_error( $attachment_id ) || ! $attachment_id ) {
			return false;
		}
		wp_update_attachment_metadata( $attachment_id, wp_generate_attachment_metadata( $attachment_id, $upload['file'] ) );
		update_post_meta( $attachment_id, '_verial_article_id', $article_id );
		update_post_meta( $attachment_id, '_verial_image_hash', $hash );
		update_post_meta( $attachment_id, '_verial_image_order', $order );
		return $attachment_id;
	}

	/**
	 * Lenient base64_decode of 10 KB slices of the text, appended to a tempnam() file.
	 */
	private function decode_to_temp_file( string $base64 ): string|false {
		$path = tempnam( sys_get_temp_dir(), 'verial_img_' );
		if ( false === $path ) {
			return false;
		}
		$out = fopen( $path, 'wb' );
		if ( ! $out ) {
			return false;
		}
		$length = strlen( $base64 );
		for ( $offset = 0; $offset < $length; $offset += self::SLICE ) {
			$decoded = base64_decode( substr( $base64, $offset, min( self::SLICE, $length - $offset ) ) );
			if ( false === $decoded || false === fwrite( $out, $decoded ) ) {
				fclose( $out );
				unlink( $path );
				return false;
			}
		}
		fclose( $out );
		return $path;
	}

	/**
	 * The seed's duplicate check: an attachment of this article carrying this hash.
	 */
	private function attachment_by_hash( string $hash, int $article_id ): int|false {
		global $wpdb;
		$found = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = '_verial_image_hash' AND meta_value = %s"
				. " AND post_id IN (SELECT post_id FROM {$wpdb->postmeta} WHERE meta_key = '_verial_article_id' AND meta_value = %d) LIMIT 1",
				$hash,
				$article_id
			)
		);
		return $found ? (int) $found : false;
	}

	/**
	 * Phase 2 of the seed, per product: the article's attachments by meta query, sorted by their
	 * `_verial_image_order` read one by one (missing or 0 sorts as 999, as in the seed).
	 *
	 * @return list<int>
	 */
	public static function attachments_of_article( int $article_id ): array {
		$ids = get_posts(
			array(
				'post_type'      => 'attachment',
				'post_mime_type' => 'image',
				'meta_query'     => array(
					array(
						'key'     => '_verial_article_id',
						'value'   => $article_id,
						'compare' => '=',
					),
				),
				'posts_per_page' => -1,
				'fields'         => 'ids',
			)
		);
		if ( ! $ids ) {
			return array();
		}
		usort(
			$ids,
			static function ( $a, $b ): int {
				$order_a = get_post_meta( $a, '_verial_image_order', true ) ?: 999;
				$order_b = get_post_meta( $b, '_verial_image_order', true ) ?: 999;
				return $order_a <=> $order_b;
			}
		);
		return array_map( 'intval', $ids );
	}
}
