# Shared by scripts/test.sh, scripts/demo.sh and scripts/bench.sh: install what is missing on
# a fresh Debian 12 machine, start MariaDB, build the extension.
# shellcheck shell=bash

VIS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VIS_EXT_RELEASE="$VIS_ROOT/target/release/libverial_images.so"
VIS_EXT_DEBUG="$VIS_ROOT/target/debug/libverial_images.so"
VIS_APT_PACKAGES=(php8.2-cli php8.2-dev php8.2-mysql php8.2-gd php8.2-curl php8.2-mbstring
    php8.2-xml php8.2-zip php8.2-intl php-imagick clang libclang-dev mariadb-server mariadb-client
    wordpress phpunit git ca-certificates cmake nasm)

say() { printf '\n==> %s\n' "$*" >&2; }

# Debian packages the project uses, installed only when one is missing.
ensure_packages() {
    local missing=()
    for p in "${VIS_APT_PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *'install ok installed'* ]] || missing+=("$p")
    done
    if ((${#missing[@]})); then
        say "installing Debian packages: ${missing[*]}"
        local sudo=""
        [[ $(id -u) -ne 0 ]] && sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        [[ -x $HOME/.cargo/bin/cargo ]] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        say "Rust is missing: install it with rustup (https://rustup.rs) or apt-get install cargo, then rerun"
        return 1
    fi
}

# cargo-php generates the committed stubs; the stub check regenerates them to compare.
ensure_cargo_php() {
    if ! command -v cargo-php >/dev/null 2>&1; then
        say "installing cargo-php (stub generator)"
        cargo install cargo-php --locked --version 0.2.2 --quiet
    fi
}

ensure_mariadb() {
    if mariadb -uroot -e 'select 1' >/dev/null 2>&1; then
        return 0
    fi
    say "starting MariaDB"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    [[ -d /var/lib/mysql/mysql ]] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    start-stop-daemon --start --oknodo --background --chuid mysql --exec /usr/sbin/mariadbd
    for _ in $(seq 1 150); do
        mariadb -uroot -e 'select 1' >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    say "MariaDB did not start"
    return 1
}

# A plain wp-config.php for a local site on the local MariaDB (root, no password).
# write_wp_config <wordpress dir> <database> <home url> <wp-cron: on|off> [debug log file]
write_wp_config() {
    local dir=$1 db=$2 home=$3 cron=$4 log=${5:-}
    local salt debug=""
    salt=$(php -r 'echo bin2hex(random_bytes(32));')
    [[ -n $log ]] && debug="define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', '$log' );"
    cat >"$dir/wp-config.php" <<PHP
<?php
// Written by scripts/lib.sh (write_wp_config).
define( 'DB_NAME', '$db' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as \$vis_key ) {
	define( \$vis_key, '$salt' . \$vis_key );
}
\$table_prefix = 'wp_';
define( 'WP_HOME', '$home' );
define( 'WP_SITEURL', '$home' );
$debug
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost' );
define( 'DISABLE_WP_CRON', $([[ $cron == on ]] && echo false || echo true) );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'FS_METHOD', 'direct' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP
}

free_port() {
    php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'
}

build_extension() {
    say "building the extension (release)"
    (cd "$VIS_ROOT" && cargo build --release --quiet)
    php -d "extension=$VIS_EXT_RELEASE" -r 'exit(extension_loaded("verial_images") ? 0 : 1);' || {
        say "the built extension does not load into PHP"
        return 1
    }
}
