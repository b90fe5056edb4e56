<?php
/**
 * The plugin's admin page.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync\Admin;

use VerialImageSync\Codec;

/**
 * Under WooCommerce when it is active (where shop managers look for shop tools), else under
 * Tools. Holds the sync card, the last runs, the settings and the codec in use.
 */
final class AdminPage {

	public const SLUG = 'verial-image-sync';

	/**
	 * Hook suffix WordPress gave the page, to enqueue the assets on it only.
	 *
	 * @var string
	 */
	private static string $hook_suffix = '';

	/**
	 * Hooked to admin_menu.
	 */
	public static function add_menu(): void {
		$title = __( 'Verial Image Sync', 'verial-image-sync' );
		$menu  = __( 'Verial images', 'verial-image-sync' );
		$page  = Capability::woocommerce_active()
			? add_submenu_page( 'woocommerce', $title, $menu, Capability::required(), self::SLUG, array( self::class, 'render' ) )
			: add_management_page( $title, $menu, Capability::required(), self::SLUG, array( self::class, 'render' ) );
		self::$hook_suffix = is_string( $page ) ? $page : '';
	}

	/**
	 * The page's URL (also from admin-post.php, where no menu is built).
	 */
	public static function url(): string {
		$parent = Capability::woocommerce_active() ? 'admin.php' : 'tools.php';
		return admin_url( $parent . '?page=' . self::SLUG );
	}

	/**
	 * Hooked to admin_enqueue_scripts.
	 *
	 * @param string $hook_suffix The current admin page.
	 */
	public static function enqueue( $hook_suffix ): void {
		if ( '' !== self::$hook_suffix && self::$hook_suffix === $hook_suffix ) {
			Assets::enqueue();
		}
	}

	/**
	 * Prints the page. WordPress already refused users without the capability before calling
	 * this; checking again keeps the page safe if it is ever called from elsewhere.
	 */
	public static function render(): void {
		if ( ! Capability::granted() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'verial-image-sync' ), '', array( 'response' => 403 ) );
		}
		?>
		<div class="wrap vis-admin">
			<h1><?php esc_html_e( 'Verial Image Sync', 'verial-image-sync' ); ?></h1>
			<?php SettingsForm::render_notice(); ?>
			<div class="vis-columns">
				<div class="vis-column">
					<?php SyncCard::render(); ?>
					<?php self::render_history(); ?>
				</div>
				<div class="vis-column">
					<?php SettingsForm::render(); ?>
					<?php self::render_codec(); ?>
				</div>
			</div>
		</div>
		<?php
	}

	/**
	 * The last runs; rows are filled by the script from the status data.
	 */
	private static function render_history(): void {
		?>
		<div class="vis-card vis-history">
			<h2><?php esc_html_e( 'Last runs', 'verial-image-sync' ); ?></h2>
			<table class="widefat striped">
				<thead>
					<tr>
						<th scope="col"><?php esc_html_e( 'Run', 'verial-image-sync' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Started', 'verial-image-sync' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Status', 'verial-image-sync' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Summary', 'verial-image-sync' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Work time', 'verial-image-sync' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Codec', 'verial-image-sync' ); ?></th>
					</tr>
				</thead>
				<tbody data-vis-field="history"></tbody>
			</table>
		</div>
		<?php
	}

	/**
	 * Which codec does the work; the same facts as Site Health.
	 */
	private static function render_codec(): void {
		$report = Codec::report();
		$native = Codec::NATIVE === $report['engine'];
		?>
		<div class="vis-card vis-codec">
			<h2><?php esc_html_e( 'Image codec', 'verial-image-sync' ); ?></h2>
			<p>
				<span class="vis-badge <?php echo $native ? 'vis-badge--good' : 'vis-badge--fallback'; ?>" data-vis-codec="<?php echo esc_attr( $report['engine'] ); ?>"><?php echo esc_html( Labels::codec( $report['engine'] ) ); ?></span>
			</p>
			<p>
				<?php
				echo esc_html(
					$native
						? __( 'Images are decoded, hashed and written by the verial_images PHP extension.', 'verial-image-sync' )
						: __( 'The verial_images PHP extension is not loaded: the bundled PHP code does the same work, more slowly.', 'verial-image-sync' )
				);
				?>
			</p>
			<dl class="vis-counts">
				<dt><?php esc_html_e( 'Version', 'verial-image-sync' ); ?></dt>
				<dd><code><?php echo esc_html( (string) $report['version'] ); ?></code></dd>
				<dt><?php esc_html_e( 'Build', 'verial-image-sync' ); ?></dt>
				<dd><code><?php echo esc_html( $report['build']['git_revision'] ?? '' ); ?></code></dd>
			</dl>
		</div>
		<?php
	}
}
