#!/usr/bin/env bash
# Measures one phase 1 run of N articles (default 300) against the mock, in the same throw-away
# WordPress as run.sh: images/s, attachments created, duplicates avoided, errors, peak memory.
#
#   tests/wp/bench.sh [articles]
#   VIS_PHP_EXTENSION=target/release/libverial_images.so tests/wp/bench.sh 300
set -euo pipefail
export VIS_ARTICLES=${1:-300}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vis_setup
php "${VIS_PHP_ARGS[@]}" "$VIS_TESTS_DIR/bin/bench.php"
