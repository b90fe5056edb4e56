#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh Debian 12 machine:
#   bash scripts/test.sh
# Installs what is missing, then runs, in order: Rust format/lint, Rust unit + property tests,
# the stub check, the PHP API suite against the extension and against the polyfill, the
# native/polyfill parity check, the mock Verial API self-test, the WordPress end-to-end suite
# with both codecs (their final database rows and files must be identical), and the admin page
# in a real browser.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VIS_ROOT"

passed=0
failed=0
failures=()
step() {
    local name=$1
    shift
    say "$name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$name")
    fi
}

ensure_packages
ensure_mariadb

step "rustfmt" cargo fmt --check
step "clippy (extension)" cargo clippy --release --all-targets --quiet -- -D warnings
step "clippy (plain core)" cargo clippy --no-default-features --all-targets --quiet -- -D warnings
step "Rust unit and property tests" cargo test --no-default-features --release
build_extension

check_stubs() {
    ensure_cargo_php || return 1
    cargo build --quiet || return 1
    local fresh
    fresh=$(mktemp)
    bash scripts/stubs.sh "$VIS_EXT_DEBUG" >"$fresh"
    if ! diff -u php-stubs/verial_images.php "$fresh"; then
        echo "php-stubs/verial_images.php is stale: regenerate it (make stubs)" >&2
        rm -f "$fresh"
        return 1
    fi
    rm -f "$fresh"
    php -l php-stubs/verial_images.php >/dev/null
}
step "stubs match the built extension" check_stubs

# Output is captured before grep reads it: with pipefail, `php ... | grep -q` fails at random
# when grep exits on its match and php is killed by SIGPIPE while still writing.
module_facts() {
    local modules info
    modules=$(php -d "extension=$VIS_EXT_RELEASE" -m) || return 1
    info=$(php -d "extension=$VIS_EXT_RELEASE" --ri verial_images) || return 1
    grep -qx verial_images <<<"$modules" || { echo "php -m does not list verial_images" >&2; return 1; }
    grep -q 'git_revision' <<<"$info" || { echo "php --ri verial_images has no git_revision" >&2; return 1; }
    echo "$info"
}
step "php -m / php --ri" module_facts
step "PHP API suite (native)" env VIS_EXPECT_CODEC=native \
    php -d "extension=$VIS_EXT_RELEASE" /usr/bin/phpunit -c tests/php/phpunit.xml --testsuite native-api,native-only
step "PHP API suite (polyfill)" env VIS_EXPECT_CODEC=polyfill php /usr/bin/phpunit -c tests/php/phpunit.xml

parity() {
    local native polyfill
    native=$(php -d "extension=$VIS_EXT_RELEASE" tests/php/parity.php 2>/dev/null)
    polyfill=$(php tests/php/parity.php 2>/dev/null)
    diff <(echo "$native") <(echo "$polyfill") && echo "native and polyfill agree on $(echo "$native" | wc -l) lines"
}
step "native/polyfill parity" parity

mock_selftest() {
    local state port
    state=$(mktemp -d)
    port=$(free_port)
    tests/mock-verial/start.sh "$port" "$state" --articles 40 >/dev/null || return 1
    local status=0
    php tests/mock-verial/selftest.php "http://127.0.0.1:$port" || status=$?
    tests/mock-verial/stop.sh "$state" >/dev/null
    rm -rf "$state"
    return $status
}
step "mock Verial API self-test" mock_selftest

dumps=$(mktemp -d)
step "WordPress end-to-end (native)" env VIS_PHP_EXTENSION="$VIS_EXT_RELEASE" \
    VIS_STATE_DUMP="$dumps/native.txt" bash tests/wp/run.sh
step "WordPress end-to-end (polyfill)" env VIS_PHP_EXTENSION= \
    VIS_STATE_DUMP="$dumps/polyfill.txt" bash tests/wp/run.sh
same_state() {
    [[ -s $dumps/native.txt ]] && diff -u "$dumps/native.txt" "$dumps/polyfill.txt" &&
        echo "identical final state: $(wc -l <"$dumps/native.txt") rows"
}
step "both codecs leave identical rows and files" same_state
rm -rf "$dumps"

step "browser: admin page in headless Chromium" env VIS_PHP_EXTENSION="$VIS_EXT_RELEASE" \
    bash tests/browser/run.sh

say "summary"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "test.sh: $passed passed, $failed failed"
((failed == 0))
