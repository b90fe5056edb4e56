<?php
/**
 * DedupIndex and ArticleIndex (polyfill): plain PHP arrays behind the native API.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImages\Native;

/**
 * Content hash -> attachment id. First insert wins.
 *
 * Keys are lowercase hex strings: a 64-char hex string is never turned into an integer key by
 * PHP (too long for an int), so lookups stay plain hash-table hits.
 */
final class DedupIndex {

	/**
	 * Lowercase hex sha256 => attachment id.
	 *
	 * @var array<string, int>
	 */
	private array $ids = array();

	public function __construct() {
	}

	/**
	 * Adds rows: a list of [sha256, attachment_id] (ids may be numeric strings, as $wpdb
	 * returns them) or a map sha256 => attachment_id. All rows are validated before any is
	 * added, so a bad row leaves the index unchanged.
	 *
	 * @param array<mixed> $rows Rows as described above.
	 * @return int How many new hashes were added.
	 * @throws InvalidInputException On a malformed row, hash or id.
	 */
	public function load( array $rows ): int {
		$pairs = array();
		foreach ( $rows as $key => $row ) {
			if ( is_array( $row ) ) {
				$row = array_values( $row );
				if ( 2 !== count( $row ) || ! is_string( $row[0] ) ) {
					throw new InvalidInputException( sprintf( 'bad row %s: expected [sha256, attachment_id]', var_export( $key, true ) ) );
				}
				list( $hash, $id ) = $row;
			} elseif ( is_string( $key ) ) {
				$hash = $key;
				$id   = $row;
			} else {
				throw new InvalidInputException( sprintf( 'bad row %d: expected [sha256, attachment_id] or sha256 => attachment_id', $key ) );
			}
			$pairs[] = array( PolyfillUtil::hash( $hash ), PolyfillUtil::attachmentId( $id ) );
		}
		$added = 0;
		foreach ( $pairs as list( $hash, $id ) ) {
			if ( ! isset( $this->ids[ $hash ] ) ) {
				$this->ids[ $hash ] = $id;
				++$added;
			}
		}
		return $added;
	}

	/**
	 * The attachment id stored for a hash, or null.
	 *
	 * @param string $sha256 64 hex chars (any case).
	 */
	public function get( string $sha256 ): ?int {
		return $this->ids[ PolyfillUtil::hash( $sha256 ) ] ?? null;
	}

	/**
	 * Looks up several hashes at once.
	 *
	 * @param array<mixed> $hashes List of hashes.
	 * @return array<string, int> Lowercase hash => id, only for the hashes that are present.
	 */
	public function getMany( array $hashes ): array {
		$found = array();
		foreach ( $hashes as $hash ) {
			if ( ! is_string( $hash ) ) {
				throw new InvalidInputException( 'hashes must be strings of 64 hex characters' );
			}
			$hash = PolyfillUtil::hash( $hash );
			if ( isset( $this->ids[ $hash ] ) ) {
				$found[ $hash ] = $this->ids[ $hash ];
			}
		}
		return $found;
	}

	/**
	 * Inserts if absent.
	 *
	 * @return int The id now stored for that hash (the earlier one if it was present).
	 */
	public function insert( string $sha256, int $attachment_id ): int {
		$hash = PolyfillUtil::hash( $sha256 );
		$id   = PolyfillUtil::attachmentId( $attachment_id );
		return $this->ids[ $hash ] ??= $id;
	}

	/** Removes a hash; whether it was present. */
	public function remove( string $sha256 ): bool {
		$hash = PolyfillUtil::hash( $sha256 );
		if ( ! isset( $this->ids[ $hash ] ) ) {
			return false;
		}
		unset( $this->ids[ $hash ] );
		return true;
	}

	public function count(): int {
		return count( $this->ids );
	}

	/**
	 * Estimated memory held by the index. PHP cannot measure one array, so this models the
	 * zend HashTable: 32-byte bucket + 4-byte hash slot per table slot (power of two, min 8)
	 * and a 96-byte allocation per 64-char key string.
	 */
	public function memoryBytes(): int {
		$count = count( $this->ids );
		$slots = 8;
		while ( $slots < $count ) {
			$slots *= 2;
		}
		return 56 + $slots * 36 + $count * 96;
	}
}

/**
 * Verial article id -> attachment ids ordered by position.
 */
final class ArticleIndex {

	private const MAGIC   = 'VIAX';
	private const VERSION = 1;

	/**
	 * Article id => attachment ids in position order.
	 *
	 * @var array<int, list<int>>
	 */
	private array $articles = array();

	private int $images = 0;

	private function __construct() {
	}

	/**
	 * Builds the index from rows: a list of [article_id, position, attachment_id] or of arrays
	 * with those keys (values may be numeric strings). A repeated (article, position) keeps the
	 * lowest attachment id; then an attachment repeated within one article keeps its lowest
	 * position.
	 *
	 * @param array<mixed> $rows Rows as described above.
	 * @throws InvalidInputException On a malformed row.
	 */
	public static function fromRows( array $rows ): ArticleIndex {
		$by_position = array();
		foreach ( $rows as $key => $row ) {
			if ( ! is_array( $row ) ) {
				throw new InvalidInputException( sprintf( 'bad row %s: expected an array', var_export( $key, true ) ) );
			}
			if ( array_key_exists( 'article_id', $row ) ) {
				$row = array( $row['article_id'], $row['position'] ?? null, $row['attachment_id'] ?? null );
			} elseif ( array( 0, 1, 2 ) !== array_keys( $row ) ) {
				throw new InvalidInputException( sprintf( 'bad row %s: expected [article_id, position, attachment_id]', var_export( $key, true ) ) );
			}
			$article  = PolyfillUtil::id( $row[0], 'article id' );
			$position = PolyfillUtil::id( $row[1], 'position' );
			$id       = PolyfillUtil::attachmentId( $row[2] );
			if ( ! isset( $by_position[ $article ][ $position ] ) || $id < $by_position[ $article ][ $position ] ) {
				$by_position[ $article ][ $position ] = $id;
			}
		}
		$index = new self();
		foreach ( $by_position as $article => $ids ) {
			ksort( $ids );
			// array_unique keeps the first occurrence, i.e. the lowest position.
			$index->articles[ $article ] = array_values( array_unique( $ids, SORT_NUMERIC ) );
			$index->images              += count( $index->articles[ $article ] );
		}
		ksort( $index->articles );
		return $index;
	}

	/**
	 * @return list<int> Attachment ids by position ([] when the article has none).
	 */
	public function get( int $article_id ): array {
		return $this->articles[ $article_id ] ?? array();
	}

	/**
	 * @param array<mixed> $article_ids Article ids (ints or numeric strings).
	 * @return array<int, list<int>> Every requested id is a key ([] when it has no images).
	 */
	public function getMany( array $article_ids ): array {
		$out = array();
		foreach ( $article_ids as $article ) {
			$article         = PolyfillUtil::id( $article, 'article id' );
			$out[ $article ] = $this->articles[ $article ] ?? array();
		}
		return $out;
	}

	public function has( int $article_id ): bool {
		return isset( $this->articles[ $article_id ] );
	}

	/** Number of articles. */
	public function count(): int {
		return count( $this->articles );
	}

	/** Number of (article, attachment) pairs. */
	public function imageCount(): int {
		return $this->images;
	}

	/**
	 * @return list<int> Article ids, ascending.
	 */
	public function articleIds(): array {
		return array_keys( $this->articles );
	}

	/**
	 * Compact binary form: "VIAX", version byte, integer width byte (4 or 8), article count,
	 * then per article its id, image count and attachment ids, then a CRC32 of all of that.
	 * Integers are little-endian; 4 bytes wide unless an id needs 8.
	 * Not byte-compatible with the native format (each implementation reads its own).
	 */
	public function serialize(): string {
		$max = 0;
		foreach ( $this->articles as $article => $ids ) {
			$max = max( $max, $article, ...$ids );
		}
		$wide = $max > 0xFFFFFFFF;
		$int  = $wide ? 'P' : 'V';
		$out  = self::MAGIC . pack( 'CCV', self::VERSION, $wide ? 8 : 4, count( $this->articles ) );
		foreach ( $this->articles as $article => $ids ) {
			$out .= pack( $int . 'V' . $int . '*', $article, count( $ids ), ...$ids );
		}
		return $out . pack( 'V', crc32( $out ) );
	}

	/**
	 * Reads what serialize() wrote.
	 *
	 * @throws InvalidInputException When $data is not a valid serialized index of this version.
	 */
	public static function unserialize( string $data ): ArticleIndex {
		$len = strlen( $data );
		if ( $len < 14 || ! str_starts_with( $data, self::MAGIC ) ) {
			throw new InvalidInputException( 'not a serialized ArticleIndex' );
		}
		$head = unpack( 'Cversion/Cwidth/Varticles', $data, 4 );
		if ( self::VERSION !== $head['version'] ) {
			throw new InvalidInputException( sprintf( 'unsupported ArticleIndex version %d', $head['version'] ) );
		}
		if ( unpack( 'V', $data, $len - 4 )[1] !== crc32( substr( $data, 0, $len - 4 ) ) ) {
			throw new InvalidInputException( 'corrupt serialized ArticleIndex (checksum mismatch)' );
		}
		$width = $head['width'];
		if ( 4 !== $width && 8 !== $width ) {
			throw new InvalidInputException( 'corrupt serialized ArticleIndex (integer width)' );
		}
		$int   = 8 === $width ? 'P' : 'V';
		$end   = $len - 4;
		$at    = 10;
		$index = new self();
		for ( $a = 0; $a < $head['articles']; $a++ ) {
			if ( $end - $at < $width + 4 ) {
				throw new InvalidInputException( 'truncated serialized ArticleIndex' );
			}
			$entry = unpack( $int . 'article/Vcount', $data, $at );
			$at   += $width + 4;
			$count = $entry['count'];
			if ( $entry['article'] < 0 || isset( $index->articles[ $entry['article'] ] ) || 0 === $count || ( $end - $at ) < $count * $width ) {
				throw new InvalidInputException( 'corrupt serialized ArticleIndex (article entry)' );
			}
			$ids = array_values( unpack( $int . $count, $data, $at ) );
			$at += $count * $width;
			if ( min( $ids ) < 0 || count( array_unique( $ids, SORT_NUMERIC ) ) !== $count ) {
				throw new InvalidInputException( 'corrupt serialized ArticleIndex (attachment ids)' );
			}
			$index->articles[ $entry['article'] ] = $ids;
			$index->images                       += $count;
		}
		if ( $at !== $end ) {
			throw new InvalidInputException( 'corrupt serialized ArticleIndex (trailing data)' );
		}
		ksort( $index->articles );
		return $index;
	}
}
