<?php
/**
 * The shipped translations: template up to date with the code, Spanish complete and compiled.
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests;

use PHPUnit\Framework\TestCase;

final class AdminI18nTest extends TestCase {

	private static function languages(): string {
		return WP_PLUGIN_DIR . '/verial-image-sync/languages/';
	}

	/**
	 * languages/make-pot.sh --check regenerates the template from every PHP and JS file of the
	 * plugin in a temporary directory and compares (it changes nothing).
	 */
	public function test_the_template_and_the_spanish_files_are_up_to_date(): void {
		exec( 'bash ' . escapeshellarg( self::languages() . 'make-pot.sh' ) . ' --check 2>&1', $output, $code );
		$this->assertSame( 0, $code, implode( "\n", $output ) );
	}

	public function test_every_string_has_a_spanish_translation_with_the_same_placeholders(): void {
		require_once ABSPATH . WPINC . '/pomo/po.php';
		$pot = new \PO();
		$po  = new \PO();
		$mo  = new \MO();
		$this->assertTrue( $pot->import_from_file( self::languages() . 'verial-image-sync.pot' ) );
		$this->assertTrue( $po->import_from_file( self::languages() . 'verial-image-sync-es_ES.po' ) );
		$this->assertTrue( $mo->import_from_file( self::languages() . 'verial-image-sync-es_ES.mo' ) );
		$this->assertGreaterThan( 100, count( $pot->entries ) );
		$this->assertEqualsCanonicalizing( array_keys( $pot->entries ), array_keys( $po->entries ), 'the .po and the template list different strings' );
		$this->assertSame( 'nplurals=2; plural=(n != 1);', $po->get_header( 'Plural-Forms' ) );

		foreach ( $pot->entries as $key => $source ) {
			$entry = $po->entries[ $key ];
			$this->assertNotContains( 'fuzzy', $entry->flags, "fuzzy: {$source->singular}" );
			$this->assertCount( $source->is_plural ? 2 : 1, $entry->translations, "forms of: {$source->singular}" );
			foreach ( $entry->translations as $translation ) {
				$this->assertNotSame( '', $translation, "untranslated: {$source->singular}" );
				$this->assertSame( self::placeholders( $source->singular ), self::placeholders( $translation ), "placeholders of: {$source->singular}" );
			}
			$this->assertArrayHasKey( $key, $mo->entries, "not compiled: {$source->singular}" );
			$this->assertSame( $entry->translations, $mo->entries[ $key ]->translations, "the .mo is older than the .po: {$source->singular}" );
		}
	}

	/**
	 * @return list<string> printf placeholders, sorted.
	 */
	private static function placeholders( string $text ): array {
		preg_match_all( '/%(?:\d+\$)?[sd%]/', $text, $matches );
		$found = $matches[0];
		sort( $found );
		return $found;
	}
}
