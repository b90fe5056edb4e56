<?php
/**
 * The sync card on the existing Verial plugin's dashboard.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

/**
 * Hooked to `mi_integracion_api_after_main_dashboard`, which mi-integracion-api fires at the end
 * of its dashboard: people who sync products there see and start the image sync there too.
 */
final class DashboardCard {

	/**
	 * Prints the card for users allowed to use it; nothing for the others.
	 */
	public static function render(): void {
		if ( ! Capability::granted() ) {
			return;
		}
		// The page is already being printed: the style and script go to the footer.
		Assets::enqueue();
		?>
		<div class="vis-dashboard">
			<?php SyncCard::render(); ?>
			<p><a href="<?php echo esc_url( AdminPage::url() ); ?>"><?php esc_html_e( 'Verial Image Sync settings, last runs and errors', 'verial-image-sync' ); ?></a></p>
		</div>
		<?php
	}
}
