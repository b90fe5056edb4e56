<?php
/**
 * The sync controls and progress, on the plugin's page and on the existing plugin's dashboard.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

/**
 * Prints the card's skeleton; assets/js/admin.js fills it from the status route and wires its
 * buttons (elements are found by their data-vis-* attributes, so the card may appear on any page).
 */
final class SyncCard {

	/**
	 * Prints the card. Callers check the capability and enqueue Assets.
	 */
	public static function render(): void {
		?>
		<div class="vis-card vis-sync" data-vis-sync>
			<h2><?php esc_html_e( 'Import images from Verial', 'verial-image-sync' ); ?></h2>
			<p class="vis-sync__state">
				<strong data-vis-field="state"><?php esc_html_e( 'No sync has run yet.', 'verial-image-sync' ); ?></strong>
				<span data-vis-field="when"></span>
			</p>
			<div class="vis-progress">
				<progress max="100" value="0" data-vis-field="progress" aria-label="<?php esc_attr_e( 'Sync progress', 'verial-image-sync' ); ?>"></progress>
				<span class="vis-progress__percent" data-vis-field="percent">0 %</span>
			</div>
			<dl class="vis-counts">
				<dt><?php esc_html_e( 'Articles', 'verial-image-sync' ); ?></dt>
				<dd data-vis-field="articles">&mdash;</dd>
				<dt><?php esc_html_e( 'Images imported', 'verial-image-sync' ); ?></dt>
				<dd data-vis-field="created">&mdash;</dd>
				<dt><?php esc_html_e( 'Duplicates avoided', 'verial-image-sync' ); ?></dt>
				<dd data-vis-field="duplicates">&mdash;</dd>
				<dt><?php esc_html_e( 'Refused or failed', 'verial-image-sync' ); ?></dt>
				<dd data-vis-field="failed">&mdash;</dd>
				<dt><?php esc_html_e( 'Current article', 'verial-image-sync' ); ?></dt>
				<dd data-vis-field="current">&mdash;</dd>
			</dl>
			<p class="vis-actions">
				<button type="button" class="button button-primary" data-vis-action="start"><?php esc_html_e( 'Sync images', 'verial-image-sync' ); ?></button>
				<button type="button" class="button" data-vis-action="start-full" title="<?php esc_attr_e( 'Fetches the images of every article again, not only of those changed since the last sync.', 'verial-image-sync' ); ?>"><?php esc_html_e( 'Full sync', 'verial-image-sync' ); ?></button>
				<button type="button" class="button" data-vis-action="cancel" hidden><?php esc_html_e( 'Cancel', 'verial-image-sync' ); ?></button>
				<button type="button" class="button" data-vis-action="resume" hidden title="<?php esc_attr_e( 'Schedules the background worker of this sync again, for a sync that stopped progressing.', 'verial-image-sync' ); ?>"><?php esc_html_e( 'Resume', 'verial-image-sync' ); ?></button>
			</p>
			<p class="vis-message" role="status" aria-live="polite" data-vis-field="message"></p>
			<details class="vis-errors" data-vis-field="errors" hidden>
				<summary data-vis-field="errors-title"></summary>
				<table class="widefat striped">
					<thead>
						<tr>
							<th scope="col"><?php esc_html_e( 'Article', 'verial-image-sync' ); ?></th>
							<th scope="col"><?php esc_html_e( 'Image', 'verial-image-sync' ); ?></th>
							<th scope="col"><?php esc_html_e( 'Error', 'verial-image-sync' ); ?></th>
						</tr>
					</thead>
					<tbody data-vis-field="error-rows"></tbody>
				</table>
			</details>

			<h3><?php esc_html_e( 'Assign images to products', 'verial-image-sync' ); ?></h3>
			<p class="vis-sync__state">
				<strong data-vis-field="assign-state"></strong>
				<span data-vis-field="assign-when"></span>
			</p>
			<dl class="vis-counts" data-vis-field="assign-counts"></dl>
			<p class="vis-message vis-message--error" data-vis-field="assign-error"></p>
			<p class="vis-actions">
				<button type="button" class="button" data-vis-action="assign"><?php esc_html_e( 'Assign images to products', 'verial-image-sync' ); ?></button>
			</p>
		</div>
		<?php
	}
}
