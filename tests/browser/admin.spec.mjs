/**
 * The admin page in a real browser: access refusals, the "Sync images" button driving a background
 * run to 100 % against the mock Verial API, phase 2, the connection test and the Spanish label.
 * Run through run.sh, which provides the site (VIS_URL), users, mock and PHP options.
 * Prints "ok"/"not ok" per check and a final "N passed, N failed"; exits 1 on any failure.
 */
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = ( name ) => {
	const value = process.env[ name ];
	if ( undefined === value ) {
		throw new Error( `${ name } is not set: run this through tests/browser/run.sh` );
	}
	return value;
};

const site = env( 'VIS_URL' );
const mock = env( 'VIS_MOCK_URL' );
const artifacts = env( 'VIS_ARTIFACTS' );
const articles = Number( process.env.VIS_ARTICLES || 30 );
const native = '' !== ( process.env.VIS_PHP_EXTENSION || '' );
const pageUrl = `${ site }/wp-admin/tools.php?page=verial-image-sync`;
const route = ( path ) => `${ site }/?rest_route=${ encodeURIComponent( '/verial-image-sync/v1' + path ) }`;

const results = { passed: 0, failed: 0 };
const pageErrors = [];

async function check( name, body ) {
	try {
		await body();
		results.passed++;
		console.log( `ok - ${ name }` );
	} catch ( error ) {
		results.failed++;
		console.log( `not ok - ${ name }\n  ${ String( error.stack || error ).split( '\n' ).join( '\n  ' ) }` );
	}
}

/** Mock Verial control endpoint (latency, to make the run last a few seconds). */
async function mockConfig( changes ) {
	const reply = await fetch( `${ mock }/__mock/config`, { method: 'POST', body: JSON.stringify( changes ), headers: { 'Content-Type': 'application/json' } } );
	assert.equal( reply.status, 200 );
}

function sitePhp( ...args ) {
	execFileSync( 'php', [ ...JSON.parse( env( 'VIS_PHP_ARGS_JSON' ) ), env( 'VIS_SITE_SCRIPT' ), ...args ], { stdio: 'inherit' } );
}

/** Logs in and lands on the light profile page (the dashboard's widgets are slow to build). */
async function login( page, user, password ) {
	await page.context().clearCookies();
	await page.goto( `${ site }/wp-login.php?redirect_to=${ encodeURIComponent( site + '/wp-admin/profile.php' ) }` );
	await page.fill( '#user_login', user );
	await page.fill( '#user_pass', password );
	await page.click( '#wp-submit' );
	await page.waitForURL( /\/wp-admin\/profile\.php/ );
}

const card = ( page ) => page.locator( '.vis-admin [data-vis-sync]' );
const fieldText = ( page, name ) => card( page ).locator( `[data-vis-field="${ name }"]` ).textContent();
const progress = ( page ) => card( page ).locator( 'progress' ).evaluate( ( element ) => element.value );

const profile = mkdtempSync( join( tmpdir(), 'vis-chromium-' ) );
const context = await chromium.launchPersistentContext( profile, {
	executablePath: '/usr/bin/chromium',
	headless: true,
	args: [ '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic' ],
	viewport: { width: 1400, height: 1000 },
} );
const page = context.pages()[ 0 ] || ( await context.newPage() );
page.on( 'pageerror', ( error ) => pageErrors.push( String( error ) ) );
// Generous: the machine may be busy with other builds, and every PHP request is a full WordPress load.
page.setDefaultTimeout( 60000 );
page.setDefaultNavigationTimeout( 60000 );

try {
	await check( 'a subscriber is refused the page and every route', async () => {
		await login( page, 'reader', env( 'VIS_SUBSCRIBER_PASSWORD' ) );
		const response = await page.goto( pageUrl );
		assert.equal( response.status(), 403 );
		assert.match( await page.textContent( 'body' ), /Sorry, you are not allowed to access this page\./ );
		// Even with a valid REST nonce of its own.
		const nonce = await ( await page.request.get( `${ site }/wp-admin/admin-ajax.php?action=rest-nonce` ) ).text();
		assert.match( nonce, /^[0-9a-f]{10}$/ );
		const headers = { 'X-WP-Nonce': nonce };
		assert.equal( ( await page.request.get( route( '/status' ), { headers } ) ).status(), 403 );
		for ( const path of [ '/runs', '/runs/cancel', '/runs/resume', '/assign', '/test-connection' ] ) {
			assert.equal( ( await page.request.post( route( path ), { headers } ) ).status(), 403, path );
		}
	} );

	await check( "an administrator's cookie without a valid nonce is refused", async () => {
		await login( page, 'admin', env( 'VIS_ADMIN_PASSWORD' ) );
		const missing = await page.request.post( route( '/runs' ) );
		assert.equal( missing.status(), 401, 'no nonce: treated as logged out' );
		const wrong = await page.request.post( route( '/runs' ), { headers: { 'X-WP-Nonce': '0123456789' } } );
		assert.equal( wrong.status(), 403 );
		assert.equal( ( await wrong.json() ).code, 'rest_cookie_invalid_nonce' );
		assert.equal( ( await page.request.get( route( '/status' ) ) ).status(), 401 );
		const settings = await page.request.post( `${ site }/wp-admin/admin-post.php`, { form: { action: 'verial_image_sync_save_settings', base_url: 'http://attacker.example' } } );
		assert.equal( settings.status(), 403, 'settings form without its nonce' );
	} );

	await check( 'the page shows the idle card, the settings and the codec', async () => {
		await page.goto( pageUrl );
		await page.getByRole( 'button', { name: 'Sync images', exact: true } ).waitFor();
		assert.equal( await fieldText( page, 'state' ), 'No sync has run yet.', 'a refused request started a run' );
		assert.equal( await progress( page ), 0 );
		assert.equal( await page.locator( '#vis-base-url' ).inputValue(), `${ mock }/WcfServiceLibraryVerial` );
		assert.equal( ( await page.textContent( '.vis-badge' ) ).trim(), native ? 'Native extension (verial_images)' : 'PHP fallback (polyfill)' );
	} );

	await check( 'Test connection reports the article count', async () => {
		await page.getByRole( 'button', { name: 'Test connection' } ).click();
		await page.locator( '[data-vis-field="connection"]', { hasText: `Verial lists ${ articles } articles.` } ).waitFor();
	} );

	await check( 'Sync images runs in the background to 100 %, a second start is refused', async () => {
		await mockConfig( { latency_ms: 150 } );
		const seen = new Set();
		let refused = null;
		try {
			await page.getByRole( 'button', { name: 'Sync images', exact: true } ).click();
			await card( page ).locator( '[data-vis-field="message"]', { hasText: 'Sync started' } ).waitFor();
			const deadline = Date.now() + 180000;
			for ( let value = await progress( page ); value < 100; value = await progress( page ) ) {
				seen.add( value );
				if ( null === refused && value > 0 ) {
					// The same request the button sends, while the run is active.
					refused = await page.evaluate( () => window.wp.apiFetch( { path: '/verial-image-sync/v1/runs', method: 'POST' } ).then( () => null, ( error ) => error ) );
				}
				assert.ok( Date.now() < deadline, `the bar stopped at ${ value } %` );
				await page.waitForTimeout( 250 );
			}
		} finally {
			await mockConfig( { latency_ms: 0 } );
		}
		assert.ok( [ ...seen ].some( ( value ) => value > 0 && value < 100 ), `no progress between 0 and 100 was shown: ${ [ ...seen ] }` );
		assert.ok( refused, 'a second start was accepted' );
		assert.equal( refused.code, 'verial_image_sync_run_active' );
		assert.match( refused.message, /already in progress \(run #1/ );

		assert.equal( await fieldText( page, 'percent' ), '100 %' );
		assert.match( await fieldText( page, 'state' ), /^Run #1: Completed/ );
		assert.equal( await fieldText( page, 'articles' ), `${ articles } of ${ articles }` );
		assert.ok( Number( ( await fieldText( page, 'created' ) ).replace( /\D/g, '' ) ) > 0, 'no image imported' );
		assert.equal( await card( page ).getByRole( 'button', { name: 'Cancel' } ).isHidden(), true );
		const history = page.locator( '[data-vis-field="history"] tr' ).first();
		assert.match( await history.textContent(), new RegExp( `#1.*Completed.*${ articles } of ${ articles } articles, \\d+ images imported` ) );
		await page.screenshot( { path: join( artifacts, 'admin-page.png' ), fullPage: true } );
	} );

	await check( 'the errors of the run are listed by article', async () => {
		const errors = card( page ).locator( '[data-vis-field="errors"]' );
		await errors.locator( 'summary' ).click();
		const rows = errors.locator( 'tbody tr' );
		assert.ok( await rows.count() > 0, 'the mock catalog plants corrupt images' );
		assert.match( await rows.first().textContent(), /^\d+.*article \d+ position \d+/ );
	} );

	await check( 'the phase 2 button assigns images in the background', async () => {
		await page.getByRole( 'button', { name: 'Assign images to products' } ).click();
		await card( page ).locator( '[data-vis-field="assign-state"]', { hasText: 'Done' } ).waitFor( { timeout: 120000 } );
	} );

	await check( 'under es_ES the button reads "Sincronizar Imágenes"', async () => {
		sitePhp( 'locale', 'admin', 'es_ES' );
		await page.goto( pageUrl );
		await page.getByRole( 'button', { name: 'Sincronizar Imágenes', exact: true } ).waitFor();
		assert.match( await fieldText( page, 'state' ), /^Ejecución #1: Completada/ );
		assert.equal( await page.textContent( '.vis-admin h2' ), 'Importar imágenes de Verial' );
		await page.screenshot( { path: join( artifacts, 'admin-page-es_ES.png' ), fullPage: true } );
		sitePhp( 'locale', 'admin', '' );
	} );

	await check( 'Full sync goes over every article again, then Sync images asks only for changes', async () => {
		const runId = ( text ) => Number( ( /^Run #(\d+)/.exec( text ) || [ 0, 0 ] )[ 1 ] );
		// The state line once a run newer than run #after has ended, whatever the end.
		const ended = async ( after ) => {
			const deadline = Date.now() + 180000;
			for ( ;; ) {
				const text = await fieldText( page, 'state' );
				if ( runId( text ) > after && /^Run #\d+: (Completed|Failed|Cancelled)/.test( text ) ) {
					return text;
				}
				assert.ok( Date.now() < deadline, `no run after #${ after } ended: "${ text }"` );
				await page.waitForTimeout( 250 );
			}
		};
		await page.goto( pageUrl );
		const before = runId( await fieldText( page, 'state' ) );
		await page.getByRole( 'button', { name: 'Full sync', exact: true } ).click();
		const full = await ended( before );
		assert.match( full, /^Run #\d+: Completed.*\(Full sync\)$/ );
		assert.equal( await fieldText( page, 'articles' ), `${ articles } of ${ articles }` );
		// Nothing changed in the mock since the full run started: the default run lists no article.
		await page.getByRole( 'button', { name: 'Sync images', exact: true } ).click();
		assert.match( await ended( runId( full ) ), /^Run #\d+: Completed \(Changes only\)$/ );
		assert.equal( await fieldText( page, 'articles' ), '0 of 0' );
	} );

	await check( 'no JavaScript error on the pages', async () => {
		assert.deepEqual( pageErrors, [] );
	} );
} finally {
	await context.close();
	rmSync( profile, { recursive: true, force: true } );
}

console.log( `${ results.passed } passed, ${ results.failed } failed` );
process.exit( results.failed > 0 ? 1 : 0 );
