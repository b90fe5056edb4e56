# Shared by tests/wp/run.sh and tests/wp/bench.sh: a throw-away WordPress (Debian's package
# copied to a temp dir) on a fresh MariaDB database, with the plugin activated and the mock
# Verial API running. Source it, call vis_setup, and vis_cleanup runs on exit (trap).
#
# Env: VIS_PHP_EXTENSION  path of libverial_images.so (empty: the plugin's PHP polyfill)
#      VIS_ARTICLES       articles in the mock catalog (default 150)
#      VIS_MOCK_SEED      mock seed (default 1)
#      VIS_KEEP=1         keep the temp dir and database for inspection
# shellcheck shell=bash

VIS_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# MariaDB start-up and the free-port helper are shared with the top-level scripts.
source "$VIS_TESTS_DIR/../../scripts/lib.sh"
VIS_WP_SOURCE=${VIS_WP_SOURCE:-/usr/share/wordpress}

vis_log() { printf '[vis] %s\n' "$*" >&2; }

# php with the codec choice applied: every PHP process of the harness goes through this.
vis_php_args() {
    VIS_PHP_ARGS=(-d memory_limit=256M -d display_errors=stderr -d error_reporting=E_ALL)
    if [[ -n ${VIS_PHP_EXTENSION:-} ]]; then
        [[ -f $VIS_PHP_EXTENSION ]] || { vis_log "VIS_PHP_EXTENSION=$VIS_PHP_EXTENSION: no such file"; return 1; }
        VIS_PHP_ARGS+=(-d "extension=$VIS_PHP_EXTENSION")
    fi
}


vis_cleanup() {
    local status=$?
    set +e
    if [[ -n ${VIS_MOCK_STATE:-} && -d $VIS_MOCK_STATE ]]; then
        "$VIS_ROOT/tests/mock-verial/stop.sh" "$VIS_MOCK_STATE" >/dev/null 2>&1
    fi
    if [[ ${VIS_KEEP:-0} == 1 ]]; then
        vis_log "kept $VIS_WORK and database $VIS_DB"
    else
        [[ -n ${VIS_DB:-} ]] && mariadb -uroot -e "DROP DATABASE IF EXISTS \`$VIS_DB\`" >/dev/null 2>&1
        [[ -n ${VIS_WORK:-} && -d $VIS_WORK ]] && rm -rf "$VIS_WORK"
    fi
    return $status
}

vis_setup() {
    vis_php_args
    ensure_mariadb
    # VIS_WORK_PARENT: where the site's directory goes (benches/e2e puts it on a tmpfs).
    VIS_WORK=$(mktemp -d "${VIS_WORK_PARENT:-/tmp}/vis-wp.XXXXXX")
    VIS_DB="vis_test_$$_${RANDOM}"
    VIS_MOCK_STATE=$VIS_WORK/mock
    export VIS_WORK VIS_DB VIS_MOCK_STATE
    trap vis_cleanup EXIT
    trap 'exit 130' INT TERM

    export VIS_WP_DIR=$VIS_WORK/wordpress
    cp -rL "$VIS_WP_SOURCE" "$VIS_WP_DIR"
    # A copy, not a symlink: nothing the tests do can write into the repository.
    cp -r "$VIS_ROOT/wp-plugin" "$VIS_WP_DIR/wp-content/plugins/verial-image-sync"
    mariadb -uroot -e "CREATE DATABASE \`$VIS_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    vis_write_wp_config

    local port
    port=$(free_port)
    # The mock's image cache survives between runs (rendering pictures is its slow part).
    VERIAL_MOCK_CACHE=${VERIAL_MOCK_CACHE:-/tmp/vis-mock-cache} \
        "$VIS_ROOT/tests/mock-verial/start.sh" "$port" "$VIS_MOCK_STATE" \
        --articles "${VIS_ARTICLES:-150}" --seed "${VIS_MOCK_SEED:-1}" >/dev/null
    export VIS_MOCK_URL="http://127.0.0.1:$port"

    php "${VIS_PHP_ARGS[@]}" "$VIS_TESTS_DIR/bin/install.php"
}

vis_write_wp_config() {
    write_wp_config "$VIS_WP_DIR" "$VIS_DB" http://localhost off "$VIS_WORK/debug.log"
}
