# Shortcuts; every target calls the scripts the README documents.
EXT := target/release/libverial_images.so

.PHONY: test demo bench build stubs fuzz

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

build:
	cargo build --release

bench: build
	php benches/import.php $(EXT)

# Regenerates php-stubs/ from a debug build (cargo-php reads the description that only debug
# builds export).
stubs:
	cargo build
	bash scripts/stubs.sh target/debug/libverial_images.so > php-stubs/verial_images.php

# Bounded fuzzing of the decoder (not part of CI): FUZZ_SECONDS=60 by default.
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run decode -- -max_total_time=$${FUZZ_SECONDS:-60}
