<?php
/**
 * The settings form and its admin-post handler.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use VerialImageSync\Settings;

/**
 * A classic form posted to admin-post.php (works without JavaScript), guarded by the plugin's
 * capability and its own nonce. Only the settings a shop manager should touch are here; the
 * tuning ones stay with the `verial_image_sync_settings` filter.
 */
final class SettingsForm {

	public const ACTION = 'verial_image_sync_save_settings';

	/**
	 * Query argument of the page telling what happened to the last submission.
	 */
	public const RESULT_ARG = 'vis-settings';

	/**
	 * Checkboxes: absent from the POST body when unticked.
	 */
	private const FLAGS = array( 'generate_thumbnails', 'assign_images', 'match_by_sku', 'delete_unused_images' );

	/**
	 * Prints the form with the effective settings.
	 */
	public static function render(): void {
		$settings = Settings::load();
		?>
		<form class="vis-card vis-settings" method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<h2><?php esc_html_e( 'Settings', 'verial-image-sync' ); ?></h2>
			<input type="hidden" name="action" value="<?php echo esc_attr( self::ACTION ); ?>">
			<?php wp_nonce_field( self::ACTION ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="vis-base-url"><?php esc_html_e( 'Verial API URL', 'verial-image-sync' ); ?></label></th>
					<td>
						<input type="url" class="regular-text code" id="vis-base-url" name="base_url" value="<?php echo esc_attr( $settings->base_url() ); ?>" placeholder="http://verial.example:8000/WcfServiceLibraryVerial">
						<p class="description"><?php esc_html_e( 'The service root; "/WcfServiceLibraryVerial" is added when missing. Until saved here, the existing Verial plugin\'s setting is used.', 'verial-image-sync' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="vis-session"><?php esc_html_e( 'Session number', 'verial-image-sync' ); ?></label></th>
					<td><input type="number" class="small-text" id="vis-session" name="session" min="0" step="1" value="<?php echo esc_attr( (string) $settings->session() ); ?>"></td>
				</tr>
				<tr>
					<th scope="row"><label for="vis-image-size"><?php esc_html_e( 'Image size (pixels)', 'verial-image-sync' ); ?></label></th>
					<td>
						<input type="number" class="small-text" id="vis-image-size" name="image_size" min="0" step="1" value="<?php echo esc_attr( (string) $settings->image_size() ); ?>">
						<p class="description"><?php esc_html_e( 'Length of the shorter side Verial scales images to; 0 imports the original size.', 'verial-image-sync' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="vis-batch-size"><?php esc_html_e( 'Batch size (articles)', 'verial-image-sync' ); ?></label></th>
					<td><input type="number" class="small-text" id="vis-batch-size" name="batch_size" min="1" max="1000" step="1" value="<?php echo esc_attr( (string) $settings->batch_size() ); ?>"></td>
				</tr>
				<tr>
					<th scope="row"><label for="vis-parallel"><?php esc_html_e( 'Requests in flight', 'verial-image-sync' ); ?></label></th>
					<td>
						<input type="number" class="small-text" id="vis-parallel" name="parallel_requests" min="1" max="16" step="1" value="<?php echo esc_attr( (string) $settings->parallel_requests() ); ?>">
						<p class="description"><?php esc_html_e( 'Image requests sent to Verial at once, so the API\'s latency is paid once per group of articles instead of once per article.', 'verial-image-sync' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="vis-full-check"><?php esc_html_e( 'Full sync every (days)', 'verial-image-sync' ); ?></label></th>
					<td>
						<input type="number" class="small-text" id="vis-full-check" name="full_check_days" min="0" max="365" step="1" value="<?php echo esc_attr( (string) $settings->full_check_days() ); ?>">
						<p class="description"><?php esc_html_e( 'Syncs ask Verial only for the articles changed since the last sync; this often one goes over every article instead, to catch changes Verial does not date. 0: never.', 'verial-image-sync' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="vis-hora-format"><?php esc_html_e( 'Time format of the date filter', 'verial-image-sync' ); ?></label></th>
					<td>
						<select id="vis-hora-format" name="hora_format">
							<option value="H:i:s" <?php selected( $settings->hora_format(), 'H:i:s' ); ?>>HH:MM:SS</option>
							<option value="H:i" <?php selected( $settings->hora_format(), 'H:i' ); ?>>HH:MM</option>
						</select>
						<p class="description"><?php esc_html_e( 'How the "hora" of Verial\'s date filter is sent. Change it if Verial answers "wrong date format" (InfoError 22).', 'verial-image-sync' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><?php esc_html_e( 'Options', 'verial-image-sync' ); ?></th>
					<td>
						<fieldset>
							<label><input type="checkbox" name="generate_thumbnails" value="1" <?php checked( $settings->generate_thumbnails() ); ?>> <?php esc_html_e( 'Generate thumbnails in the background after the import', 'verial-image-sync' ); ?></label><br>
							<label><input type="checkbox" name="assign_images" value="1" <?php checked( $settings->assign_images() ); ?>> <?php esc_html_e( 'Assign the imported images to products (off: the shop keeps the images assigned before)', 'verial-image-sync' ); ?></label><br>
							<label><input type="checkbox" name="match_by_sku" value="1" <?php checked( $settings->match_by_sku() ); ?>> <?php esc_html_e( 'Find products not linked to Verial by their SKU (ReferenciaBarras)', 'verial-image-sync' ); ?></label><br>
							<label><input type="checkbox" name="delete_unused_images" value="1" <?php checked( $settings->delete_unused_images() ); ?>> <?php esc_html_e( 'Delete pictures Verial removed once no article or product uses them (only pictures this plugin created; off: keep them and list them as unused)', 'verial-image-sync' ); ?></label>
						</fieldset>
					</td>
				</tr>
			</table>
			<p class="submit">
				<button type="submit" class="button button-primary"><?php esc_html_e( 'Save settings', 'verial-image-sync' ); ?></button>
				<button type="button" class="button" data-vis-action="test-connection"><?php esc_html_e( 'Test connection', 'verial-image-sync' ); ?></button>
			</p>
			<p class="vis-message" role="status" aria-live="polite" data-vis-field="connection"></p>
		</form>
		<?php
	}

	/**
	 * admin_post_ handler: checks, saves, and goes back to the page with the result.
	 */
	public static function handle(): void {
		if ( ! Capability::granted() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'verial-image-sync' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::ACTION );

		// Sanitized by Settings::save(), the one place that knows each value's rules.
		$values = array(
			'base_url'          => isset( $_POST['base_url'] ) ? sanitize_text_field( wp_unslash( $_POST['base_url'] ) ) : '',
			'session'           => isset( $_POST['session'] ) ? absint( $_POST['session'] ) : 0,
			'image_size'        => isset( $_POST['image_size'] ) ? absint( $_POST['image_size'] ) : 0,
			'batch_size'        => isset( $_POST['batch_size'] ) ? absint( $_POST['batch_size'] ) : 0,
		);
		// Added after the first release: a form rendered by an older page may lack them.
		foreach ( array( 'parallel_requests', 'full_check_days' ) as $number ) {
			if ( isset( $_POST[ $number ] ) ) {
				$values[ $number ] = absint( $_POST[ $number ] );
			}
		}
		if ( isset( $_POST['hora_format'] ) ) {
			$values['hora_format'] = sanitize_text_field( wp_unslash( $_POST['hora_format'] ) );
		}
		foreach ( self::FLAGS as $flag ) {
			$values[ $flag ] = ! empty( $_POST[ $flag ] );
		}
		$result = 'saved';
		// A URL that sanitizes to nothing would silently erase the working one: keep that instead.
		if ( '' !== $values['base_url'] && '' === ( new Settings( array( 'base_url' => $values['base_url'] ) ) )->base_url() ) {
			unset( $values['base_url'] );
			$result = 'invalid-url';
		}
		Settings::save( $values );

		wp_safe_redirect( add_query_arg( self::RESULT_ARG, $result, AdminPage::url() ) );
		exit;
	}

	/**
	 * Prints the notice for the last submission, read from the page's query string.
	 */
	public static function render_notice(): void {
		// Only chooses which fixed message to show; the save itself was nonce-checked.
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$result = isset( $_GET[ self::RESULT_ARG ] ) ? sanitize_key( wp_unslash( $_GET[ self::RESULT_ARG ] ) ) : '';
		if ( 'saved' === $result ) {
			printf( '<div class="notice notice-success is-dismissible"><p>%s</p></div>', esc_html__( 'Settings saved.', 'verial-image-sync' ) );
		} elseif ( 'invalid-url' === $result ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html__( 'The Verial API URL is not a valid http or https address and was not saved; the other settings were.', 'verial-image-sync' ) );
		}
	}
}
