<?php
/**
 * Public functions for other code (the existing sync plugin's phase 2, themes, custom syncs).
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

defined( 'ABSPATH' ) || exit;

/**
 * The attachments of Verial articles in image order: the first is the main image, the rest the
 * gallery. One query on the plugin's image table for the whole list, however long, instead of
 * one meta query per article. The result passes through the filter
 * `verial_image_sync_images_for_articles` (array $images, list<int> $article_ids).
 *
 * @param array<int|string> $ids Verial article ids.
 * @return array<int, list<int>> Article id => attachment ids ([] when it has no image).
 */
function verial_image_sync_images_for_articles( array $ids ): array {
	return \VerialImageSync\Plugin::services()->image_source->for_articles( $ids );
}

/**
 * The attachments of one Verial article in image order (main image first); the same filter as
 * verial_image_sync_images_for_articles() applies.
 *
 * @param int $id Verial article id.
 * @return list<int>
 */
function verial_image_sync_images_for_article( int $id ): array {
	return verial_image_sync_images_for_articles( array( $id ) )[ $id ] ?? array();
}
