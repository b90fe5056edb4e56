<?php

// Stubs for verial_images

namespace VerialImages\Native {
    /**
     * Verial answered with a non-zero InfoError; getCode() is its Codigo.
     */
    class ApiErrorException extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * Verial article id -> ordered attachment ids (see docs/native-api.md).
     */
    class ArticleIndex {
        public function __construct() {}

        /**
         * @return list<int> ascending
         *
         * @return array
         */
        public function articleIds(): array {}

        /**
         * Number of articles.
         *
         * @return int
         */
        public function count(): int {}

        /**
         * Builds the index from rows [article_id, position, attachment_id] (or with those keys).
         *
         * @param array $rows
         * @return \VerialImages\Native\ArticleIndex
         */
        public static function fromRows(array $rows): \VerialImages\Native\ArticleIndex {}

        /**
         * The article's attachment ids by position ([] when it has none).
         *
         * @param int $article_id
         * @return array
         */
        public function get(int $article_id): array {}

        /**
         * Every requested article id as a key, with its ordered attachment ids.
         *
         * @param array $article_ids
         * @return array
         */
        public function getMany(array $article_ids): array {}

        /**
         * @param int $article_id
         * @return bool
         */
        public function has(int $article_id): bool {}

        /**
         * Number of (article, attachment) pairs.
         *
         * @return int
         */
        public function imageCount(): int {}

        /**
         * Compact versioned binary form, for caching a built index.
         *
         * @return string
         */
        public function serialize(): string {}

        /**
         * @param string $data
         * @return \VerialImages\Native\ArticleIndex
         */
        public static function unserialize(string $data): \VerialImages\Native\ArticleIndex {}
    }

    /**
     * Content hash -> attachment id (see docs/native-api.md).
     */
    class DedupIndex {
        public function __construct() {}

        /**
         * @return int
         */
        public function count(): int {}

        /**
         * @param string $sha256
         * @return int|null
         */
        public function get(string $sha256): ?int {}

        /**
         * The hashes that are present, with their attachment ids (keys as given).
         *
         * @param array $hashes
         * @return array
         */
        public function getMany(array $hashes): array {}

        /**
         * Inserts if absent; returns the id now stored for the hash.
         *
         * @param string $sha256
         * @param int $attachment_id
         * @return int
         */
        public function insert(string $sha256, int $attachment_id): int {}

        /**
         * Loads rows [sha256, attachment_id] (or sha256 => attachment_id); returns how many
         * hashes were new. Validates every row before changing anything.
         *
         * @param array $rows
         * @return int
         */
        public function load(array $rows): int {}

        /**
         * Heap bytes held by the table (for memory reports).
         *
         * @return int
         */
        public function memoryBytes(): int {}

        /**
         * @param string $sha256
         * @return bool
         */
        public function remove(string $sha256): bool {}
    }

    /**
     * Facts about one valid image (read-only).
     */
    class ImageInfo {
        /**
         * Decoded size in bytes.
         *
         * @var int
         */
        public readonly int $bytes;

        /**
         * File extension for that type: jpg, png, gif or webp.
         *
         * @var string
         */
        public readonly string $extension;

        public readonly int $height;

        /**
         * md5('data:image/jpeg;base64,' . payload) when asked for, else null.
         *
         * @var string|null
         */
        public readonly ?string $legacy_md5;

        /**
         * MIME type from the magic bytes: image/jpeg, image/png, image/gif or image/webp.
         *
         * @var string
         */
        public readonly string $mime;

        /**
         * The file written, for imports.
         *
         * @var string|null
         */
        public readonly ?string $path;

        /**
         * Lowercase hex SHA-256 of the decoded bytes.
         *
         * @var string
         */
        public readonly string $sha256;

        public readonly int $width;

        public function __construct() {}
    }

    /**
     * What happened to one image of a response (read-only).
     */
    class ImageResult {
        public readonly int $article_id;

        /**
         * For status "known": the attachment that already holds this content.
         *
         * @var int|null
         */
        public readonly ?int $attachment_id;

        /**
         * For status "failed": the message, naming article, position and byte offset.
         *
         * @var string|null
         */
        public readonly ?string $error;

        /**
         * For status "failed": the exception class that import_file would have thrown.
         *
         * @var string|null
         */
        public readonly ?string $error_kind;

        public readonly ?\VerialImages\Native\ImageInfo $info;

        /**
         * 0-based index among this article's images in the response.
         *
         * @var int
         */
        public readonly int $position;

        /**
         * imported | inspected | known | repeated | failed
         *
         * @var string
         */
        public readonly string $status;

        public function __construct() {}
    }

    /**
     * The payload is not valid base64; the message names the byte offset.
     */
    class InvalidBase64Exception extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * An argument the caller got wrong: file stem, hash, rows, serialized index.
     */
    class InvalidInputException extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * The response body is not the JSON Verial sends; the message names the byte offset.
     */
    class InvalidJsonException extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * Base class of every exception the extension throws.
     */
    class NativeException extends \Exception {
        public function __construct() {}
    }

    /**
     * The decoded image exceeds `max_bytes`.
     */
    class SizeLimitException extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * A file-system failure: missing directory, permissions, disk full.
     */
    class StorageException extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * The decoded bytes are not a complete JPEG, PNG, GIF or WebP.
     */
    class UnsupportedFormatException extends \VerialImages\Native\NativeException {
        public function __construct() {}
    }

    /**
     * Build facts: version, git_revision, php_api, rustc, target, profile, base64_engine.
     *
     * @return array
     */
    function build_info(): array {}

    /**
     * Decodes a payload into "$directory/$stem.<real extension>" (first free name), atomically.
     *
     * @param string $payload
     * @param string $directory
     * @param string $stem
     * @param bool $legacy_md5
     * @param int $max_bytes
     * @return \VerialImages\Native\ImageInfo
     */
    function import_file(string $payload, string $directory, string $stem, bool $legacy_md5 = false, int $max_bytes = 26214400): \VerialImages\Native\ImageInfo {}

    /**
     * Parses a whole GetImagenesArticulosWS body and processes every image in it.
     *
     * @param string $body
     * @param string|null $directory
     * @param \VerialImages\Native\DedupIndex|null $known
     * @param bool $legacy_md5
     * @param int $max_bytes
     * @return array
     */
    function import_response(string $body, ?string $directory = null, ?\VerialImages\Native\DedupIndex $known = null, bool $legacy_md5 = false, int $max_bytes = 26214400): array {}

    /**
     * Decodes, hashes and sniffs a payload without writing anything.
     *
     * @param string $payload
     * @param bool $legacy_md5
     * @param int $max_bytes
     * @return \VerialImages\Native\ImageInfo
     */
    function inspect(string $payload, bool $legacy_md5 = false, int $max_bytes = 26214400): \VerialImages\Native\ImageInfo {}

    /**
     * Makes WordPress's intermediate sizes of a JPEG, PNG, GIF or WebP natively (see
     * docs/native-api.md).
     *
     * @param string $file
     * @param array $sizes
     * @param int $jpeg_quality
     * @param int $webp_quality
     * @return array
     */
    function make_subsizes(string $file, array $sizes, int $jpeg_quality = 82, int $webp_quality = 86): array {}

    /**
     * make_subsizes() for every path of `$files`, in parallel: the same keys in the same order,
     * each value that file's `sizes` array or, when it failed, the message make_subsizes() would
     * have thrown it with (see docs/native-api.md).
     *
     * @param array $files
     * @param array $sizes
     * @param int $jpeg_quality
     * @param int $webp_quality
     * @return array
     */
    function make_subsizes_many(array $files, array $sizes, int $jpeg_quality = 82, int $webp_quality = 86): array {}

    /**
     * The extension's version.
     *
     * @return string
     */
    function version(): string {}
}
