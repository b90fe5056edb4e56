#!/usr/bin/env bash
# Browser test of the admin page: a real Chromium (Debian's, headless, driven by playwright-core)
# against the test WordPress of tests/wp/lib.sh served by PHP's built-in server, with the mock
# Verial API behind it.
#
#   bash tests/browser/run.sh
#
# Env: VIS_PHP_EXTENSION  path of libverial_images.so for the server (empty: the PHP polyfill)
#      VIS_ARTICLES       mock catalog size (default 30)
#      VIS_KEEP=1         keep the temp WordPress and database (tests/wp/lib.sh)
# Installs Debian's chromium and the npm packages when missing. Screenshots go to
# tests/browser/artifacts/. Ends with "N passed, N failed"; exits non-zero on failure.
#
# WP-Cron: the site runs with WP-Cron on (DISABLE_WP_CRON false) and nothing else drives it, as
# on a default install: every request, the page's status polls included, lets WordPress spawn
# wp-cron.php over loopback HTTP, which the server's other workers answer. So the bar reaching
# 100 % proves that the background run advances on its own once the button is clicked.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export VIS_ARTICLES=${VIS_ARTICLES:-30}
# shellcheck source=../wp/lib.sh
source "$here/../wp/lib.sh"

ensure_browser() {
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    if [[ ! -x /usr/bin/chromium ]] || ! command -v npm >/dev/null 2>&1; then
        vis_log "installing Debian's chromium and npm"
        $sudo apt-get update -qq
        local packages=(chromium)
        command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
    fi
    if [[ ! -f $here/node_modules/.package-lock.json || $here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
        vis_log "npm ci in tests/browser"
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

server_pid=""
# The server and its worker processes form one process group (setsid below): stop them all.
# errexit is off here, or a failing kill would end the trap before vis_cleanup runs.
stop_server() {
    local status=$?
    set +e
    if [[ -n $server_pid ]]; then
        kill -TERM -- "-$server_pid" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 -- "-$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$server_pid" 2>/dev/null
    fi
    return $status
}

ensure_browser
vis_setup
trap 'stop_server; vis_cleanup' EXIT

port=$(free_port)
export VIS_URL="http://127.0.0.1:$port"
# The site must live at the URL the browser uses, and WP-Cron must spawn (see the header).
sed -i -e "s|'WP_HOME', 'http://localhost'|'WP_HOME', '$VIS_URL'|" \
    -e "s|'WP_SITEURL', 'http://localhost'|'WP_SITEURL', '$VIS_URL'|" \
    -e "s|'DISABLE_WP_CRON', true|'DISABLE_WP_CRON', false|" "$VIS_WP_DIR/wp-config.php"
grep -q "'WP_HOME', '$VIS_URL'" "$VIS_WP_DIR/wp-config.php" || { vis_log "could not point wp-config.php at $VIS_URL"; exit 1; }

export VIS_ADMIN_PASSWORD VIS_SUBSCRIBER_PASSWORD
VIS_ADMIN_PASSWORD=$(php -r 'echo bin2hex(random_bytes(12));')
VIS_SUBSCRIBER_PASSWORD=$(php -r 'echo bin2hex(random_bytes(12));')
php "${VIS_PHP_ARGS[@]}" "$here/bin/site.php" prepare "$VIS_ADMIN_PASSWORD" "$VIS_SUBSCRIBER_PASSWORD"

PHP_CLI_SERVER_WORKERS=4 setsid php "${VIS_PHP_ARGS[@]}" -S "127.0.0.1:$port" -t "$VIS_WP_DIR" \
    >"$VIS_WORK/server.log" 2>&1 </dev/null &
server_pid=$!
answers() { php -r 'exit(@file_get_contents($argv[1]) === false ? 1 : 0);' "$VIS_URL/wp-login.php"; }
for _ in $(seq 1 100); do
    answers && break
    sleep 0.1
done
answers || { vis_log "the PHP server did not answer"; cat "$VIS_WORK/server.log" >&2; exit 1; }
vis_log "WordPress at $VIS_URL, mock at $VIS_MOCK_URL, codec: ${VIS_PHP_EXTENSION:-polyfill}"

# The spec runs site.php (locale switch) with the same PHP options as the server.
VIS_PHP_ARGS_JSON=$(php -r 'echo json_encode(array_slice($argv, 1));' -- "${VIS_PHP_ARGS[@]}")
export VIS_PHP_ARGS_JSON VIS_SITE_SCRIPT="$here/bin/site.php" VIS_ARTIFACTS="$here/artifacts"
mkdir -p "$VIS_ARTIFACTS"

status=0
node "$here/admin.spec.mjs" || status=$?
if ((status != 0)); then
    vis_log "server log tail:"
    tail -n 20 "$VIS_WORK/server.log" >&2
    [[ -f $VIS_WORK/debug.log ]] && grep -v 'PHP Deprecated' "$VIS_WORK/debug.log" | tail -n 20 >&2
fi
exit $status
