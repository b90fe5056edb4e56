<?php
/**
 * Result value objects of the native API (polyfill).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImages\Native;

/**
 * Facts about one decoded image. Read-only; built by the API functions (the native class has
 * no public constructor, callers should not rely on this one).
 */
final class ImageInfo {

	/**
	 * @param string      $sha256     Lowercase hex SHA-256 of the decoded bytes.
	 * @param int         $bytes      Decoded size.
	 * @param string      $mime       image/jpeg, image/png, image/gif or image/webp.
	 * @param string      $extension  jpg, png, gif or webp.
	 * @param int         $width      Pixels.
	 * @param int         $height     Pixels.
	 * @param string|null $legacy_md5 md5('data:image/jpeg;base64,' . payload) when asked for.
	 * @param string|null $path       The file written (import_file, imported/repeated rows).
	 */
	public function __construct(
		public readonly string $sha256,
		public readonly int $bytes,
		public readonly string $mime,
		public readonly string $extension,
		public readonly int $width,
		public readonly int $height,
		public readonly ?string $legacy_md5 = null,
		public readonly ?string $path = null,
	) {
	}
}

/**
 * Outcome for one image of an import_response() call. Read-only.
 */
final class ImageResult {

	/**
	 * @param int            $article_id    Verial ID_Articulo.
	 * @param int            $position      Index among that article's images in the response.
	 * @param string         $status        imported, inspected, known, repeated or failed.
	 * @param ImageInfo|null $info          Null when failed.
	 * @param int|null       $attachment_id Set for status known.
	 * @param string|null    $error_kind    Status failed: short exception class name.
	 * @param string|null    $error         Status failed: message with article id and position.
	 */
	public function __construct(
		public readonly int $article_id,
		public readonly int $position,
		public readonly string $status,
		public readonly ?ImageInfo $info = null,
		public readonly ?int $attachment_id = null,
		public readonly ?string $error_kind = null,
		public readonly ?string $error = null,
	) {
	}
}
