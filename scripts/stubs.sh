#!/usr/bin/env bash
# Prints the PHP stubs of the extension built at $1 (a debug build: cargo-php reads the
# descriptions only debug builds export). cargo-php 0.2 gives nullable readonly properties a
# default (`= null`), which PHP refuses ("Readonly property ... cannot have default value"):
# the stubs would not parse in an IDE or in PHPStan, so the default is dropped here.
set -euo pipefail
cargo php stubs "${1:?usage: stubs.sh <path to libverial_images.so>}" --stdout |
    sed -E 's/^([[:space:]]*public readonly [^=;]+) = null;$/\1;/'
