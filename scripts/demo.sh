#!/usr/bin/env bash
# The main job on a built-in default, from a fresh Debian 12 machine:
#   bash scripts/demo.sh [--articles N] [--port P] [--fallback]
# Installs what is missing, builds the extension, starts MariaDB, sets up a WordPress demo shop
# with the plugin (one product per Verial article), starts the mock Verial API with a realistic
# catalog (300 articles by default), runs phase 1 then phase 2 with progress, prints a summary,
# and leaves the shop served on 127.0.0.1 with the admin URL and login printed. A second
# invocation reuses the shop and the mock and only does what changed (nothing, by default).
# --fallback runs the plugin on its pure-PHP codec instead of the extension.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VIS_ROOT"

articles=300
port=8080
extension_args=()
native=1
while (($#)); do
    case $1 in
    --articles) articles=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --fallback) native=0; shift ;;
    *) echo "usage: $0 [--articles N] [--port P] [--fallback]" >&2; exit 2 ;;
    esac
done
mock_port=$((port + 1))
demo=${VIS_DEMO_DIR:-/var/tmp/verial-image-sync-demo}
db=verial_image_sync_demo

ensure_packages
ensure_mariadb
build_extension
((native)) && extension_args=(-d "extension=$VIS_EXT_RELEASE")

mkdir -p "$demo"
export VIS_WP_DIR=$demo/wordpress
if [[ ! -f $VIS_WP_DIR/wp-config.php ]]; then
    say "creating the demo WordPress in $VIS_WP_DIR"
    rm -rf "$VIS_WP_DIR"
    cp -rL /usr/share/wordpress "$VIS_WP_DIR"
    mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    php -r 'echo bin2hex(random_bytes(8));' >"$demo/admin-password"
    write_wp_config "$VIS_WP_DIR" "$db" "http://127.0.0.1:$port" on
fi
# The plugin as in this checkout (a copy: the demo never writes into the repository).
rm -rf "$VIS_WP_DIR/wp-content/plugins/verial-image-sync"
cp -r wp-plugin "$VIS_WP_DIR/wp-content/plugins/verial-image-sync"

listening() { php -r 'exit(@fsockopen("127.0.0.1", (int) $argv[1]) ? 0 : 1);' "$1"; }
if ! listening "$mock_port"; then
    say "starting the mock Verial API ($articles articles) on 127.0.0.1:$mock_port"
    mkdir -p "$demo/mock"
    VERIAL_MOCK_CACHE=/tmp/vis-mock-cache tests/mock-verial/start.sh "$mock_port" "$demo/mock" --articles "$articles" >/dev/null
fi
export VIS_MOCK_URL=http://127.0.0.1:$mock_port
export VIS_ADMIN_PASSWORD
VIS_ADMIN_PASSWORD=$(cat "$demo/admin-password")

say "preparing the demo shop"
php "${extension_args[@]}" scripts/demo/site.php

say "phase 1 and phase 2 ($( ((native)) && echo native extension || echo PHP fallback))"
status=0
php "${extension_args[@]}" -d memory_limit=512M scripts/demo/run.php || status=$?

# Serve the shop (WP-Cron included, so the admin page's button runs in the background).
pkill -f "php.*-S 127.0.0.1:$port" 2>/dev/null || true
PHP_CLI_SERVER_WORKERS=4 setsid php "${extension_args[@]}" -S "127.0.0.1:$port" -t "$VIS_WP_DIR" \
    >"$demo/server.log" 2>&1 </dev/null &
for _ in $(seq 1 50); do listening "$port" && break; sleep 0.1; done
cat <<INFO

The demo shop is served at http://127.0.0.1:$port/
  admin page:  http://127.0.0.1:$port/wp-admin/tools.php?page=verial-image-sync
  login:       admin / $VIS_ADMIN_PASSWORD
  media:       http://127.0.0.1:$port/wp-admin/upload.php
  mock API:    $VIS_MOCK_URL (ground truth: $VIS_MOCK_URL/__mock/truth)
Stop it with: pkill -f 'php.*-S 127.0.0.1:$port'; tests/mock-verial/stop.sh $demo/mock
Start over with: rm -rf $demo && mariadb -uroot -e 'DROP DATABASE $db'
INFO
exit $status
