#!/usr/bin/env bash
# End-to-end tests of wp-plugin/: real WordPress (Debian's package in a temp dir) on a fresh
# MariaDB database, the plugin activated, the mock Verial API over HTTP, PHPUnit inside it.
#
#   tests/wp/run.sh [phpunit options...]
#
# Env: VIS_PHP_EXTENSION  path of the built libverial_images.so; empty = the PHP polyfill
#      VIS_STATE_DUMP     file that receives the canonical final state (diff it between codecs)
#      VIS_ARTICLES       mock catalog size (default 150), VIS_KEEP=1 keeps the temp dir and DB
#      VIS_LONG=1         long variants of the reliability tests (CrashTest: 25 kills instead of 4)
#      VIS_CRASH_SEED     replays CrashTest's kill points (its failure message prints the seed)
# Ends with PHPUnit's summary line; exits non-zero when a test fails.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vis_setup
vis_log "WordPress in $VIS_WP_DIR, database $VIS_DB, mock at $VIS_MOCK_URL, codec: ${VIS_PHP_EXTENSION:-polyfill}"

status=0
php "${VIS_PHP_ARGS[@]}" /usr/bin/phpunit -c "$VIS_TESTS_DIR/phpunit.xml" "$@" || status=$?
exit $status
