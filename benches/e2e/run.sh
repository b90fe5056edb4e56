#!/usr/bin/env bash
# End-to-end benchmark: the seed's pure-PHP phase 1 (benches/e2e/lib/SeedBaseline.php) against
# this plugin with the PHP fallback codec and with the native extension, each on a fresh
# WordPress + MariaDB database (tests/wp/lib.sh vis_setup) and the same mock catalog (same seed,
# warm image cache). Prints one markdown table with the ratios and the machine facts.
#
#   bash benches/e2e/run.sh [--quick | --full | --cases "..."] [--write] [options]
#
# Cases are articles:latency_ms:thumbnails. The default set takes about 30 minutes on 2 busy cores:
#   500:0:off 500:100:off 500:0:on 2000:0:off
#   --quick               500:0:off only (a fast check, about 3 minutes)
#   --full                the whole matrix, {500,2000} x {0,100} ms x {off,on}: about 75 minutes
#                         (2000:100:* alone waits 2 x 3 x 2,000 x 100 ms = 20 minutes on the API)
#   --cases "A:L:T ..."   any list of cases
#   --write               put the table into docs/benchmarks.md (replaces this section)
#   --contenders "seed polyfill native"
#   --extension PATH      the native extension (default target/release/libverial_images.so,
#                         copied once at start so a concurrent cargo build cannot change it mid-run)
#   --mock-seed N         mock catalog seed (default 1)
#   --lookups N           phase-2 lookup repetitions, each in a fresh process (default 3; median)
#   --plugin-ref REF      benchmark wp-plugin/ as committed in REF (read with `git archive`)
#                         instead of the working tree (which others may be editing)
#   --plugin-dir DIR      benchmark the plugin in DIR (a copy of wp-plugin/, e.g. REF plus one
#                         changed file) instead of the working tree
#   --keep                keep the results directory (JSON of every run)
#   --storage tmpfs|disk  where each contender's WordPress (uploads included) and PHP's temp dir
#                         live: a fresh directory on /dev/shm (default) or under /tmp. This
#                         machine's root ext4 has no journal, and there every file creation skips
#                         the inodes deleted in the last minutes one by one (ext4's
#                         recently_deleted()): right after the previous contender's site is
#                         removed, creating a file costs up to 1 ms instead of 40 us
#                         (docs/benchmarks.md), which bills each run for its predecessor's cleanup.
#                         MariaDB's data stays where it is for every contender.
#
# The plugin is copied once at start (working tree, or REF), so every contender of the session
# runs the same code even while wp-plugin/ changes.
#
# Phase 2 (the images of 500 products) is measured on the rows with latency 0 and thumbnails off.
# Needs what tests/wp/run.sh needs (php8.2 with mysqli, gd, curl; MariaDB; Debian's wordpress).
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)

quick=0 write=0 keep=0 plugin_ref= plugin_dir=
cases_spec="500:0:off 500:100:off 500:0:on 2000:0:off"
contenders="seed polyfill native" mock_seed=1 lookups=3 storage=tmpfs
extension=$ROOT/target/release/libverial_images.so
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) quick=1; cases_spec="500:0:off"; shift ;;
        --full) cases_spec="500:0:off 500:100:off 500:0:on 500:100:on 2000:0:off 2000:100:off 2000:0:on 2000:100:on"; shift ;;
        --cases) cases_spec=${2:?}; shift 2 ;;
        --write) write=1; shift ;;
        --keep) keep=1; shift ;;
        --contenders) contenders=${2:?}; shift 2 ;;
        --extension) extension=${2:?}; shift 2 ;;
        --mock-seed) mock_seed=${2:?}; shift 2 ;;
        --lookups) lookups=${2:?}; shift 2 ;;
        --plugin-ref) plugin_ref=${2:?}; shift 2 ;;
        --plugin-dir) plugin_dir=${2:?}; shift 2 ;;
        --storage) storage=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

results=$(mktemp -d /tmp/vis-e2e.XXXXXX)
case $storage in
    tmpfs) sites=$(mktemp -d /dev/shm/vis-e2e-sites.XXXXXX) ;;
    disk) sites=$(mktemp -d /tmp/vis-e2e-sites.XXXXXX) ;;
    *) echo "--storage is tmpfs or disk, not \"$storage\"" >&2; exit 2 ;;
esac
if ((keep)); then
    echo "[e2e] results kept in $results" >&2
    trap 'rm -rf "$sites"' EXIT
else
    trap 'rm -rf "$results" "$sites"' EXIT
fi
echo "$storage" >"$results/storage"

if [[ $contenders == *native* ]]; then
    [[ -f $extension ]] || { echo "no extension at $extension (cargo build --release)" >&2; exit 1; }
    cp "$extension" "$results/libverial_images.so"
    php -d "extension=$results/libverial_images.so" -r 'exit(extension_loaded("verial_images") ? 0 : 1);' ||
        { echo "$extension does not load into PHP" >&2; exit 1; }
fi

# A frozen root for tests/wp/lib.sh: its VIS_ROOT is computed from where it is sourced, so
# sourcing it through this tree makes vis_setup copy the snapshot of wp-plugin/.
snap=$results/root
mkdir -p "$snap"
ln -s "$ROOT/tests" "$snap/tests"
ln -s "$ROOT/scripts" "$snap/scripts"
if [[ -n $plugin_dir ]]; then
    [[ -f $plugin_dir/verial-image-sync.php ]] || { echo "no plugin in $plugin_dir" >&2; exit 2; }
    cp -r "$plugin_dir" "$snap/wp-plugin"
    plugin_label="the plugin copy in $plugin_dir"
elif [[ -n $plugin_ref ]]; then
    git -C "$ROOT" archive "$plugin_ref" wp-plugin | tar -x -C "$snap"
    plugin_label="wp-plugin/ at $(git -C "$ROOT" rev-parse --short "$plugin_ref")"
else
    cp -r "$ROOT/wp-plugin" "$snap/wp-plugin"
    plugin_label="wp-plugin/ of the working tree (HEAD $(git -C "$ROOT" rev-parse --short HEAD) + local changes)"
fi
echo "$plugin_label" >"$results/plugin"

# The cases: "articles latency thumbnails(0|1)".
cases=()
for spec in $cases_spec; do
    IFS=: read -r n l mode <<<"$spec"
    [[ $n =~ ^[0-9]+$ && $l =~ ^[0-9]+$ && $mode =~ ^(on|off)$ ]] ||
        { echo "bad case \"$spec\": articles:latency_ms:on|off" >&2; exit 2; }
    t=0
    [[ $mode == on ]] && t=1
    cases+=("$n $l $t")
done
runs=$(( ${#cases[@]} * $(wc -w <<<"$contenders") ))
echo "[e2e] $runs runs: ${#cases[@]} cases x ($contenders); results in $results" >&2

# One contender on one case, in a subshell: vis_setup's cleanup (mock, temp dir, database)
# runs when the subshell ends.
run_one() {
    local contender=$1 n=$2 latency=$3 thumbs=$4
    local out=$results/cases/$n-$latency-$thumbs/$contender
    mkdir -p "$out"
    (
        set -euo pipefail
        # 16 server processes, as in benches/scale: with 100 ms of latency per call, the mock's
        # default 4 would cap the plugin's 8 requests in flight at 40 calls/s.
        export VIS_ARTICLES=$n VIS_MOCK_SEED=$mock_seed VERIAL_MOCK_WORKERS=16
        # The site and PHP's temp files (the seed's tempnam()) on the chosen storage.
        export VIS_WORK_PARENT=$sites TMPDIR=$sites
        if [[ $contender == native ]]; then
            export VIS_PHP_EXTENSION=$results/libverial_images.so
        else
            export VIS_PHP_EXTENSION=
        fi
        # shellcheck source=../../tests/wp/lib.sh
        source "$snap/tests/wp/lib.sh"
        [[ $VIS_ROOT == "$snap" ]] || { echo "[e2e] tests/wp/lib.sh did not take the snapshot root" >&2; exit 1; }
        if ! vis_setup >"$out/setup.log" 2>&1; then
            echo "[e2e] vis_setup failed (setup.log, then WordPress's debug.log):" >&2
            tail -n 20 "$out/setup.log" >&2
            grep -v 'PHP Deprecated' "$VIS_WORK/debug.log" 2>/dev/null | tail -n 12 >&2
            exit 1
        fi
        php "$E2E_DIR/mock.php" warm >"$out/truth_images"
        mode=ours
        if [[ $contender == seed ]]; then
            mode=seed
            php "${VIS_PHP_ARGS[@]}" "$E2E_DIR/seed-prepare.php"
        fi
        php "$E2E_DIR/mock.php" latency "$latency"
        php "$E2E_DIR/mock.php" reset
        cut -d' ' -f1-3 /proc/loadavg >"$out/load_before"
        if ! php "${VIS_PHP_ARGS[@]}" "$E2E_DIR/import.php" "$mode" "$thumbs" >"$out/import.json" 2>"$out/import.err"; then
            echo "[e2e] $contender import failed:" >&2
            tail -n 20 "$out/import.err" >&2
            exit 1
        fi
        cut -d' ' -f1-3 /proc/loadavg >"$out/load_after"
        php "$E2E_DIR/mock.php" stats >"$out/stats.json"
        php "$E2E_DIR/mock.php" latency 0
        if [[ $contender == seed && $latency == 0 && $thumbs == 0 ]]; then
            php "$E2E_DIR/mock.php" floor >"$out/floor.json"
        fi
        php "${VIS_PHP_ARGS[@]}" "$E2E_DIR/verify.php" >"$out/verify.json" 2>"$out/verify.err"
        if [[ $latency == 0 && $thumbs == 0 ]]; then
            php "$E2E_DIR/mock.php" ids 500 >"$out/ids"
            for i in $(seq 1 "$lookups"); do
                php "${VIS_PHP_ARGS[@]}" "$E2E_DIR/lookup.php" "$mode" "$out/ids" >"$out/lookup-$mode-$i.json"
                # On our data too, with the seed's lookup: the same attachments both ways.
                if [[ $contender == native ]]; then
                    php "${VIS_PHP_ARGS[@]}" "$E2E_DIR/lookup.php" seed "$out/ids" >"$out/lookup-seed-$i.json"
                fi
            done
        fi
    )
}

started=$SECONDS
cut -d' ' -f1-3 /proc/loadavg >"$results/load_start"
i=0
for c in "${cases[@]}"; do
    read -r n latency thumbs <<<"$c"
    for contender in $contenders; do
        i=$((i + 1))
        t0=$SECONDS
        printf '[e2e] %d/%d  %s articles, latency %s ms, thumbnails %s: %s ... ' "$i" "$runs" "$n" "$latency" \
            "$( ((thumbs)) && echo on || echo off)" "$contender" >&2
        run_one "$contender" "$n" "$latency" "$thumbs"
        printf '%ds\n' $((SECONDS - t0)) >&2
    done
done
cut -d' ' -f1-3 /proc/loadavg >"$results/load_end"
echo "$((SECONDS - started))" >"$results/elapsed"

report_args=("$results")
((write)) && report_args+=(--write "$ROOT/docs/benchmarks.md")
((quick)) && report_args+=(--quick)
VIS_E2E_MOCK_SEED=$mock_seed php "$E2E_DIR/report.php" "${report_args[@]}"
