<?php
/**
 * Internals of the polyfill: streaming base64 decoder, format sniffer, temp-file storage.
 * Not part of the native API; do not use these classes outside the polyfill.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImages\Native;

/**
 * Argument normalisation shared by the indexes.
 *
 * @internal
 */
final class PolyfillUtil {

	/**
	 * Validates a SHA-256 hex string and lowercases it.
	 *
	 * @throws InvalidInputException Unless it is 64 hex characters.
	 */
	public static function hash( string $hash ): string {
		if ( 64 !== strlen( $hash ) || 64 !== strspn( $hash, '0123456789abcdefABCDEF' ) ) {
			throw new InvalidInputException( sprintf( 'invalid sha256 hex %s: expected 64 hex characters', var_export( substr( $hash, 0, 80 ), true ) ) );
		}
		return strtolower( $hash );
	}

	/**
	 * A non-negative id given as int or as a decimal string ($wpdb returns strings).
	 *
	 * @param mixed  $value Candidate.
	 * @param string $what  Name for the error message.
	 * @throws InvalidInputException Otherwise.
	 */
	/** An attachment id: WordPress never uses 0, and the native index reserves it. */
	public static function attachmentId( mixed $value ): int {
		$id = self::id( $value, 'attachment id' );
		if ( 0 === $id ) {
			throw new InvalidInputException( 'invalid attachment id 0: must be positive' );
		}
		return $id;
	}

	public static function id( mixed $value, string $what ): int {
		if ( is_int( $value ) && $value >= 0 ) {
			return $value;
		}
		if ( is_string( $value ) && '' !== $value && strlen( $value ) === strspn( $value, '0123456789' ) ) {
			$digits = ltrim( $value, '0' );
			$int    = (int) $digits;
			if ( (string) $int === $digits || ( '' === $digits && 0 === $int ) ) { // Else it overflowed.
				return $int;
			}
		}
		throw new InvalidInputException( sprintf( 'invalid %s %s: expected a non-negative integer', $what, var_export( is_scalar( $value ) || null === $value ? $value : get_debug_type( $value ), true ) ) );
	}
}

/**
 * Streaming base64 decoder: payload -> (hash, sniffer, optional file) in fixed chunks, so the
 * decoded image is never held in memory as one string.
 *
 * @internal
 */
final class PolyfillDecoder {

	/** Base64 text handled per step. */
	private const CHUNK = 65536;

	private const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

	/** The only characters skipped (base64_decode(..., true) skips exactly these too). */
	private const SPACE = " \t\r\n";

	/**
	 * Decodes, hashes, sniffs and (with $out) writes one payload.
	 *
	 * @param string        $payload    Base64 text, optionally with a data: prefix.
	 * @param bool          $legacy_md5 Also compute md5('data:image/jpeg;base64,' . $payload).
	 * @param int           $max_bytes  Limit of the decoded size.
	 * @param resource|null $out        Open file the decoded bytes are written to.
	 * @return array{sha256: string, bytes: int, mime: string, extension: string, width: int, height: int, legacy_md5: ?string}
	 * @throws InvalidBase64Exception|SizeLimitException|UnsupportedFormatException|StorageException|InvalidInputException On bad input or write failure.
	 */
	public static function run( string $payload, bool $legacy_md5, int $max_bytes, $out = null ): array {
		if ( $max_bytes <= 0 ) {
			throw new InvalidInputException( sprintf( 'max_bytes must be positive, got %d', $max_bytes ) );
		}
		$len   = strlen( $payload );
		$start = self::prefixLength( $payload );

		// Cheap upper bound first, so an oversized payload is refused without decoding it.
		$padding = 0;
		for ( $i = $len - 1; $i >= $start && $padding < 2; $i-- ) {
			if ( '=' === $payload[ $i ] ) {
				++$padding;
			} elseif ( ! str_contains( self::SPACE, $payload[ $i ] ) ) {
				break;
			}
		}
		if ( intdiv( ( $len - $start ) * 3, 4 ) - $padding > $max_bytes ) {
			throw self::tooBig( $max_bytes );
		}

		$sha     = hash_init( 'sha256' );
		$sniffer = new PolyfillSniffer();
		$total   = 0;
		$rest    = ''; // Symbols of an incomplete 4-symbol group, carried to the next chunk.
		$pad_at  = null; // Offset of the first '=' in the payload.
		$emit    = static function ( string $bytes ) use ( &$total, $max_bytes, $sha, $sniffer, $out ): void {
			$total += strlen( $bytes );
			if ( $total > $max_bytes ) {
				throw self::tooBig( $max_bytes );
			}
			hash_update( $sha, $bytes );
			$sniffer->feed( $bytes );
			if ( null !== $out ) {
				error_clear_last();
				$written = @fwrite( $out, $bytes ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- turned into StorageException.
				if ( strlen( $bytes ) !== $written ) {
					throw new StorageException( 'write failed: ' . ( error_get_last()['message'] ?? 'short write (disk full?)' ) );
				}
			}
		};

		for ( $pos = $start; $pos < $len && null === $pad_at; $pos += self::CHUNK ) {
			$raw = substr( $payload, $pos, self::CHUNK );
			$eq  = strpos( $raw, '=' );
			if ( false !== $eq ) { // Padding ends the data; what follows is checked below.
				$pad_at = $pos + $eq;
				$raw    = substr( $raw, 0, $eq );
			}
			$clean = false === strpbrk( $raw, self::SPACE ) ? $raw : str_replace( array( ' ', "\t", "\r", "\n" ), '', $raw );
			$data  = $rest . $clean;
			$whole = strlen( $data ) & ~3;
			$bytes = base64_decode( substr( $data, 0, $whole ), true );
			$rest  = substr( $data, $whole );
			// $rest of the previous chunk was already validated, so any bad character is in $raw.
			if ( false === $bytes || strlen( $rest ) !== strspn( $rest, self::ALPHABET ) ) {
				$bad = strspn( $raw, self::ALPHABET . self::SPACE );
				throw new InvalidBase64Exception( sprintf( "invalid base64 character '%s' at byte offset %d", self::show( $raw[ $bad ] ), $pos + $bad ) );
			}
			if ( '' !== $bytes ) {
				$emit( $bytes );
			}
		}

		$group = strlen( $rest );
		if ( 1 === $group ) {
			$at = ( $pad_at ?? $len ) - 1;
			while ( str_contains( self::SPACE, $payload[ $at ] ) ) {
				--$at;
			}
			throw new InvalidBase64Exception( sprintf( 'truncated base64: dangling symbol at byte offset %d', $at ) );
		}
		if ( null !== $pad_at ) {
			self::checkPadding( $payload, $pad_at, 2 === $group ? 2 : ( 3 === $group ? 1 : 0 ) );
		}
		if ( $group > 1 ) { // Unpadded or padded final group of 2 or 3 symbols.
			$emit( base64_decode( $rest, true ) );
		}

		$format = $sniffer->finish();
		$md5    = null;
		if ( $legacy_md5 ) { // Two updates: no concatenated copy of a multi-MB payload.
			$ctx = hash_init( 'md5' );
			hash_update( $ctx, 'data:image/jpeg;base64,' );
			hash_update( $ctx, $payload );
			$md5 = hash_final( $ctx );
		}
		return array(
			'sha256'     => hash_final( $sha ),
			'bytes'      => $total,
			'mime'       => $format['mime'],
			'extension'  => $format['extension'],
			'width'      => $format['width'],
			'height'     => $format['height'],
			'legacy_md5' => $md5,
		);
	}

	/**
	 * Length of an optional "data:<anything>;base64," prefix (0 when there is none).
	 */
	private static function prefixLength( string $payload ): int {
		if ( ! str_starts_with( $payload, 'data:' ) ) {
			return 0;
		}
		$comma = strpos( $payload, ',' );
		if ( false === $comma || $comma < 12 || 0 !== substr_compare( $payload, ';base64,', $comma - 7, 8 ) ) {
			return 0; // Not a base64 data URI: the ':' then fails as an invalid character.
		}
		return $comma + 1;
	}

	/**
	 * Checks the padding that starts at $at: exactly $needed '=' (with whitespace allowed
	 * anywhere) and nothing else up to the end.
	 *
	 * @throws InvalidBase64Exception Naming the first offending offset.
	 */
	private static function checkPadding( string $payload, int $at, int $needed ): void {
		$len  = strlen( $payload );
		$seen = 0;
		for ( $i = $at; ; $i++ ) {
			$i += strspn( $payload, self::SPACE, $i );
			if ( $i >= $len ) {
				break;
			}
			if ( '=' !== $payload[ $i ] ) {
				throw new InvalidBase64Exception( sprintf( "invalid base64 character '%s' after padding at byte offset %d", self::show( $payload[ $i ] ), $i ) );
			}
			if ( ++$seen > $needed ) {
				throw new InvalidBase64Exception( sprintf( "invalid base64 character '=' at byte offset %d", $i ) );
			}
		}
		if ( $seen < $needed ) {
			throw new InvalidBase64Exception( sprintf( 'truncated base64: incomplete padding at byte offset %d', $len ) );
		}
	}

	/** A byte for an error message: printable ASCII as is, anything else as \xNN. */
	private static function show( string $byte ): string {
		$ord = ord( $byte );
		return $ord >= 0x20 && $ord < 0x7F ? $byte : sprintf( '\\x%02x', $ord );
	}

	private static function tooBig( int $max_bytes ): SizeLimitException {
		return new SizeLimitException( sprintf( 'decoded image exceeds the limit of %d bytes', $max_bytes ) );
	}
}

/**
 * Format sniffer fed with the decoded bytes in order. Keeps only small buffers: the first
 * bytes (headers), the last bytes (end markers) and the JPEG marker walk state.
 *
 * @internal
 */
final class PolyfillSniffer {

	private const HEAD = 32; // Enough for every header read below (WebP VP8 needs 30).
	private const TAIL = 12; // The PNG IEND chunk.

	private const PNG_IEND = "\x00\x00\x00\x00IEND\xAE\x42\x60\x82";

	private const TYPES = array(
		'jpeg' => array( 'image/jpeg', 'jpg' ),
		'png'  => array( 'image/png', 'png' ),
		'gif'  => array( 'image/gif', 'gif' ),
		'webp' => array( 'image/webp', 'webp' ),
	);

	private int $total  = 0;
	private string $head = '';
	private string $tail = '';

	/** Last 2 bytes before any trailing zero bytes (JPEG end check). */
	private string $last_non_zero = '';

	/** First offset of "<?php" (any case), and the last 4 bytes to find one across chunks. */
	private ?int $php_at       = null;
	private string $php_carry = '';

	/** JPEG marker walk: bytes still to skip (starts with SOI), partial marker, result. */
	private int $jpeg_skip      = 2;
	private string $jpeg_carry = '';
	private bool $jpeg_done     = false;
	private ?array $jpeg_size   = null;

	/**
	 * Takes the next decoded bytes.
	 */
	public function feed( string $bytes ): void {
		$before       = $this->total;
		$this->total += strlen( $bytes );
		if ( strlen( $this->head ) < self::HEAD ) {
			$this->head .= substr( $bytes, 0, self::HEAD - strlen( $this->head ) );
		}

		// JPEG allows trailing zero bytes after EOI; remember where the non-zero data ends.
		$trimmed = "\0" === $bytes[-1] ? rtrim( $bytes, "\0" ) : $bytes;
		if ( '' !== $trimmed ) {
			$this->last_non_zero = substr( $this->tail . substr( $trimmed, -2 ), -2 );
		}
		$this->tail = substr( $this->tail . substr( $bytes, -self::TAIL ), -self::TAIL );

		if ( null === $this->php_at ) {
			$seam = stripos( $this->php_carry . substr( $bytes, 0, 4 ), '<?php' );
			if ( false !== $seam ) {
				$this->php_at = $before - strlen( $this->php_carry ) + $seam;
			} else {
				$inside = stripos( $bytes, '<?php' );
				if ( false !== $inside ) {
					$this->php_at = $before + $inside;
				}
			}
			$this->php_carry = substr( $this->php_carry . substr( $bytes, -4 ), -4 );
		}

		if ( ! $this->jpeg_done ) {
			$this->walkJpeg( $bytes );
		}
	}

	/**
	 * Judges the complete image.
	 *
	 * @return array{mime: string, extension: string, width: int, height: int}
	 * @throws UnsupportedFormatException When it is not a complete, supported image.
	 */
	public function finish(): array {
		if ( 0 === $this->total ) {
			throw new UnsupportedFormatException( 'empty image' );
		}
		$head   = $this->head;
		$format = match ( true ) {
			str_starts_with( $head, "\xFF\xD8\xFF" ) => 'jpeg',
			str_starts_with( $head, "\x89PNG\r\n\x1A\n" ) => 'png',
			str_starts_with( $head, 'GIF87a' ) || str_starts_with( $head, 'GIF89a' ) => 'gif',
			str_starts_with( $head, 'RIFF' ) && 'WEBP' === substr( $head, 8, 4 ) => 'webp',
			default => null,
		};
		if ( null === $format ) {
			throw new UnsupportedFormatException( sprintf( 'unknown image format (first bytes: %s)', bin2hex( substr( $head, 0, 8 ) ) ) );
		}
		if ( null !== $this->php_at ) {
			throw new UnsupportedFormatException( sprintf( 'embedded PHP code at byte offset %d', $this->php_at ) );
		}
		$size = 'jpeg' === $format ? $this->jpeg_size : $this->headerSize( $format );
		if ( null === $size ) {
			throw new UnsupportedFormatException( sprintf( 'no dimensions found in %s header', $format ) );
		}
		if ( 0 === $size[0] || 0 === $size[1] ) {
			throw new UnsupportedFormatException( 'zero width or height' );
		}
		$this->checkEnd( $format );
		return array(
			'mime'      => self::TYPES[ $format ][0],
			'extension' => self::TYPES[ $format ][1],
			'width'     => $size[0],
			'height'    => $size[1],
		);
	}

	/**
	 * Width and height from the fixed-position header of PNG, GIF and WebP.
	 *
	 * @return array{int, int}|null
	 */
	private function headerSize( string $format ): ?array {
		$head = $this->head;
		$have = strlen( $head );
		switch ( $format ) {
			case 'png': // IHDR must be the first chunk: width, height as big-endian u32.
				return $have >= 24 && 'IHDR' === substr( $head, 12, 4 ) ? array_values( unpack( 'N2', $head, 16 ) ) : null;
			case 'gif': // Logical screen descriptor: little-endian u16 width, height.
				return $have >= 10 ? array_values( unpack( 'v2', $head, 6 ) ) : null;
		}
		$chunk = substr( $head, 12, 4 );
		if ( 'VP8 ' === $chunk && $have >= 30 && "\x9D\x01\x2A" === substr( $head, 23, 3 ) ) {
			$wh = unpack( 'v2', $head, 26 ); // Lossy: 14-bit width and height (2 scale bits).
			return array( $wh[1] & 0x3FFF, $wh[2] & 0x3FFF );
		}
		if ( 'VP8L' === $chunk && $have >= 25 && "\x2F" === $head[20] ) {
			$bits = unpack( 'V', $head, 21 )[1]; // Lossless: 14-bit width-1, 14-bit height-1.
			return array( ( $bits & 0x3FFF ) + 1, ( ( $bits >> 14 ) & 0x3FFF ) + 1 );
		}
		if ( 'VP8X' === $chunk && $have >= 30 ) { // Extended: 24-bit canvas width-1, height-1.
			return array( unpack( 'V', substr( $head, 24, 3 ) . "\0" )[1] + 1, unpack( 'V', substr( $head, 27, 3 ) . "\0" )[1] + 1 );
		}
		return null;
	}

	/**
	 * @throws UnsupportedFormatException When the format's end marker is missing.
	 */
	private function checkEnd( string $format ): void {
		switch ( $format ) {
			case 'jpeg':
				if ( "\xFF\xD9" !== $this->last_non_zero ) {
					throw new UnsupportedFormatException( 'truncated jpeg: no end-of-image marker' );
				}
				return;
			case 'png':
				if ( self::PNG_IEND !== $this->tail ) {
					throw new UnsupportedFormatException( 'png has no IEND chunk' );
				}
				return;
			case 'gif':
				if ( "\x3B" !== $this->tail[-1] ) {
					throw new UnsupportedFormatException( 'truncated gif: no trailer byte' );
				}
				return;
			case 'webp':
				$riff = strlen( $this->head ) >= 8 ? unpack( 'V', $this->head, 4 )[1] : -1;
				if ( $riff + 8 !== $this->total && $riff + 9 !== $this->total ) { // + 9: one pad byte.
					throw new UnsupportedFormatException( sprintf( 'webp RIFF size %d does not match the file size %d', $riff + 8, $this->total ) );
				}
				return;
		}
	}

	/**
	 * Walks the JPEG marker segments to the first SOFn, across chunk boundaries: large
	 * APPn/EXIF segments are skipped by length without being buffered.
	 */
	private function walkJpeg( string $bytes ): void {
		if ( $this->jpeg_skip > 0 ) {
			$skip             = min( $this->jpeg_skip, strlen( $bytes ) );
			$this->jpeg_skip -= $skip;
			if ( $this->jpeg_skip > 0 ) {
				return;
			}
			$bytes = substr( $bytes, $skip );
		}
		$data             = $this->jpeg_carry . $bytes;
		$this->jpeg_carry = '';
		$len              = strlen( $data );
		$at               = 0;
		while ( $at < $len ) {
			if ( "\xFF" !== $data[ $at ] ) {
				$this->jpeg_done = true; // Not a marker where one must be: give up.
				return;
			}
			$m = $at + 1 + strspn( $data, "\xFF", $at + 1 ); // Skips fill bytes.
			if ( $m >= $len ) {
				$this->jpeg_carry = "\xFF";
				return;
			}
			$marker = ord( $data[ $m ] );
			if ( 0x01 === $marker || ( $marker >= 0xD0 && $marker <= 0xD8 ) ) { // TEM, RSTn, SOI: no length.
				$at = $m + 1;
				continue;
			}
			if ( 0x00 === $marker || 0xD9 === $marker || 0xDA === $marker ) { // EOI or scan data before any SOF.
				$this->jpeg_done = true;
				return;
			}
			$is_sof = $marker >= 0xC0 && $marker <= 0xCF && 0xC4 !== $marker && 0xC8 !== $marker && 0xCC !== $marker;
			if ( $len - $m < ( $is_sof ? 8 : 3 ) ) { // Marker, length, and for SOF precision, height, width.
				$this->jpeg_carry = "\xFF" . substr( $data, $m );
				return;
			}
			if ( $is_sof ) {
				$hw               = unpack( 'n2', $data, $m + 4 );
				$this->jpeg_size  = array( $hw[2], $hw[1] );
				$this->jpeg_done  = true;
				return;
			}
			$segment = unpack( 'n', $data, $m + 1 )[1];
			if ( $segment < 2 ) {
				$this->jpeg_done = true;
				return;
			}
			$at = $m + 1 + $segment;
		}
		$this->jpeg_skip = $at - $len;
	}
}

/**
 * Temporary files and atomic claiming of final names.
 *
 * @internal
 */
final class PolyfillStorage {

	private const STEM_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';

	/**
	 * @throws InvalidInputException Unless 1-200 chars of [A-Za-z0-9._-] not starting with '.'.
	 */
	public static function checkStem( string $stem ): void {
		$len = strlen( $stem );
		if ( $len < 1 || $len > 200 || strspn( $stem, self::STEM_CHARS ) !== $len || '.' === $stem[0] ) {
			throw new InvalidInputException( sprintf( 'invalid file stem %s: expected 1-200 characters of [A-Za-z0-9._-], not starting with "."', var_export( substr( $stem, 0, 220 ), true ) ) );
		}
	}

	/**
	 * @return string The directory without trailing slash.
	 * @throws StorageException Unless it exists and is writable.
	 */
	public static function checkDirectory( string $directory ): string {
		if ( ! is_dir( $directory ) ) {
			throw new StorageException( sprintf( 'directory does not exist: %s', $directory ) );
		}
		if ( ! is_writable( $directory ) ) {
			throw new StorageException( sprintf( 'directory is not writable: %s', $directory ) );
		}
		return '/' === $directory ? '' : rtrim( $directory, '/' );
	}

	/**
	 * Creates a new, exclusive temporary file in the target directory (same file system, so
	 * it can be linked into place).
	 *
	 * @return array{string, resource}
	 * @throws StorageException When no file can be created.
	 */
	private static function openTemp( string $dir ): array {
		error_clear_last();
		for ( $try = 0; $try < 8; $try++ ) {
			$path   = $dir . '/.vis-tmp-' . bin2hex( random_bytes( 8 ) );
			$handle = @fopen( $path, 'xb' ); // phpcs:ignore WordPress.PHP.NoSilencedErrors,WordPress.WP.AlternativeFunctions -- no WP here.
			if ( false !== $handle ) {
				return array( $path, $handle );
			}
			if ( ! file_exists( $path ) ) {
				break; // Not a name collision: retrying will not help.
			}
		}
		throw new StorageException( sprintf( 'cannot create a temporary file in %s: %s', $dir, error_get_last()['message'] ?? 'unknown error' ) );
	}

	/**
	 * Decodes a payload into a new temporary file in $dir (closed on return). On any error
	 * the temp file is removed before the exception propagates.
	 *
	 * @return array{array, string} The facts for ImageInfo and the temp file path.
	 * @throws NativeException From the decoder or the file system.
	 */
	public static function decodeToTemp( string $payload, string $dir, bool $legacy_md5, int $max_bytes ): array {
		list( $temp, $handle ) = self::openTemp( $dir );
		try {
			$facts  = PolyfillDecoder::run( $payload, $legacy_md5, $max_bytes, $handle );
			$closed = fclose( $handle ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			$handle = null;
			if ( ! $closed ) {
				throw new StorageException( 'closing the temporary file failed (disk full?)' );
			}
			return array( $facts, $temp );
		} catch ( \Throwable $e ) {
			if ( null !== $handle ) {
				fclose( $handle ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			}
			self::discard( $temp );
			throw $e;
		}
	}

	/**
	 * Gives the temp file its final name "$stem.$ext", else "$stem-1.$ext", "$stem-2.$ext"...
	 * A hard link fails when the name exists, so two writers can never claim the same name
	 * and nothing is ever overwritten. The caller removes the temp file afterwards.
	 *
	 * @return string The path claimed.
	 * @throws StorageException When linking fails or no name is free.
	 */
	public static function claim( string $temp, string $dir, string $stem, string $ext ): string {
		error_clear_last();
		for ( $n = 0; $n <= 10000; $n++ ) {
			$target = $dir . '/' . $stem . ( 0 === $n ? '' : '-' . $n ) . '.' . $ext;
			if ( @link( $temp, $target ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors
				return $target;
			}
			clearstatcache( true, $target );
			if ( file_exists( $target ) || is_link( $target ) ) {
				continue; // Taken: try the next name.
			}
			// File systems without hard links: claim the name by exclusive creation, then
			// move the temp file over our own placeholder.
			$placeholder = @fopen( $target, 'xb' ); // phpcs:ignore WordPress.PHP.NoSilencedErrors,WordPress.WP.AlternativeFunctions
			if ( false === $placeholder ) {
				if ( file_exists( $target ) ) {
					continue;
				}
				throw new StorageException( sprintf( 'cannot create %s: %s', $target, error_get_last()['message'] ?? 'unknown error' ) );
			}
			fclose( $placeholder ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			if ( @rename( $temp, $target ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors,WordPress.WP.AlternativeFunctions
				return $target;
			}
			@unlink( $target ); // phpcs:ignore WordPress.PHP.NoSilencedErrors,WordPress.WP.AlternativeFunctions
			throw new StorageException( sprintf( 'cannot move the temporary file to %s: %s', $target, error_get_last()['message'] ?? 'unknown error' ) );
		}
		throw new StorageException( sprintf( 'no free file name for %s.%s in %s after 10000 attempts', $stem, $ext, $dir ) );
	}

	/** Removes a temp file if it is still there (after a claim or an error). */
	public static function discard( string $temp ): void {
		if ( file_exists( $temp ) ) {
			@unlink( $temp ); // phpcs:ignore WordPress.PHP.NoSilencedErrors,WordPress.WP.AlternativeFunctions
		}
	}
}

/**
 * Parsing and shape checks of a GetImagenesArticulosWS response body.
 *
 * @internal
 */
final class PolyfillResponse {

	/**
	 * The "Imagenes" list of a successful response.
	 *
	 * @return list<array{ID_Articulo: int, Imagen: string}>
	 * @throws InvalidJsonException When the body is not JSON of that shape.
	 * @throws ApiErrorException When InfoError.Codigo != 0.
	 */
	public static function images( string $body ): array {
		try {
			$doc = json_decode( $body, true, 512, JSON_THROW_ON_ERROR );
		} catch ( \JsonException $e ) {
			throw new InvalidJsonException( 'invalid JSON in the response body: ' . $e->getMessage() );
		}
		if ( ! is_array( $doc ) || ( array() !== $doc && array_is_list( $doc ) ) ) {
			throw new InvalidJsonException( 'the response body is not a JSON object' );
		}
		$info = $doc['InfoError'] ?? null;
		if ( ! is_array( $info ) || ! is_int( $info['Codigo'] ?? null ) || ! is_string( $info['Descripcion'] ?? '' ) ) {
			throw new InvalidJsonException( 'missing or invalid "InfoError" (expected {"Codigo": int, "Descripcion": string|null})' );
		}
		if ( 0 !== $info['Codigo'] ) {
			throw new ApiErrorException( sprintf( 'Verial InfoError %d: %s', $info['Codigo'], $info['Descripcion'] ?? '(no description)' ), $info['Codigo'] );
		}
		$images = $doc['Imagenes'] ?? null;
		if ( ! is_array( $images ) || ! array_is_list( $images ) ) {
			throw new InvalidJsonException( 'missing or invalid "Imagenes" (expected a list)' );
		}
		foreach ( $images as $i => $image ) {
			if ( ! is_array( $image ) || ! is_int( $image['ID_Articulo'] ?? null ) || ! is_string( $image['Imagen'] ?? '' ) ) {
				throw new InvalidJsonException( sprintf( 'invalid "Imagenes"[%d] (expected {"ID_Articulo": int, "Imagen": string})', $i ) );
			}
			// A null or missing Imagen is an empty image: refused per image, like the extension.
			$images[ $i ]['Imagen'] = $image['Imagen'] ?? '';
		}
		return $images;
	}
}
