#!/usr/bin/env bash
# Re-sync and scale benchmark (native extension): what a repeat sync costs against a full run,
# what 100 ms of API latency costs with requests in flight one at a time or several at once, and
# what several workers draining one run give. Each case runs on a fresh WordPress + MariaDB
# database (tests/wp/lib.sh vis_setup) against the same mock catalog.
#
#   bash benches/scale/run.sh [--articles N] [--workers "2 4"] [--cases "resync-0 wide-100"] [--write] [--keep]
#
# Cases (about 10 minutes for 500 articles on 2 cores):
#   resync-0     latency 0: full run, unchanged re-sync, 5 % of the articles changed, re-sync
#   resync-100   latency 100 ms: full run (8 requests in flight, the default), unchanged re-sync
#   narrow-100   latency 100 ms: full run with 4 requests in flight
#   wide-100     latency 100 ms: full run with 16 requests in flight (the setting's maximum)
#   serial-100   latency 100 ms: full run with one request in flight
#   workers-W    latency 0: full run drained by W worker processes
# --write puts the table into docs/benchmarks.md (between the benches/scale markers).
# The mock runs 16 server processes here (VERIAL_MOCK_WORKERS), so that it is not what limits
# 16 requests in flight; its latency is a sleep per call, as a remote server's would be.
set -euo pipefail

SCALE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCALE_DIR/../.." && pwd)
articles=500 workers="2 4" write=0 keep=0 only=
while [[ $# -gt 0 ]]; do
    case $1 in
        --articles) articles=${2:?}; shift 2 ;;
        --workers) workers=${2:?}; shift 2 ;;
        --cases) only=${2:?}; shift 2 ;;
        --write) write=1; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

extension=$ROOT/target/release/libverial_images.so
[[ -f $extension ]] || { echo "no extension at $extension (cargo build --release)" >&2; exit 1; }
results=$(mktemp -d /tmp/vis-scale.XXXXXX)
if ((keep)); then
    echo "[scale] results kept in $results" >&2
else
    trap 'rm -rf "$results"' EXIT
fi
# Frozen copies, so a build or an edit during the run cannot change what is measured.
cp "$extension" "$results/libverial_images.so"
mkdir -p "$results/root"
ln -s "$ROOT/tests" "$results/root/tests"
ln -s "$ROOT/scripts" "$results/root/scripts"
cp -r "$ROOT/wp-plugin" "$results/root/wp-plugin"

# One case in a subshell (vis_setup's cleanup runs when it ends). Arguments: name, latency, then
# steps: "full:P" (full run, P requests in flight), "default:P" (the default, incremental run),
# "mutate:PCT", "workers:W".
run_case() {
    local name=$1 latency=$2
    shift 2
    # --cases: only those named (the ratios need resync-0, the zero-latency full run).
    [[ -z $only || " $only " == *" $name "* ]] || return 0
    local out=$results/$name
    mkdir -p "$out"
    printf '[scale] %s (%s articles, latency %s ms) ...' "$name" "$articles" "$latency" >&2
    local t0=$SECONDS
    (
        set -euo pipefail
        export VIS_ARTICLES=$articles VIS_PHP_EXTENSION=$results/libverial_images.so VERIAL_MOCK_WORKERS=16
        # shellcheck source=../../tests/wp/lib.sh
        source "$results/root/tests/wp/lib.sh"
        vis_setup >"$out/setup.log" 2>&1 || { tail -n 20 "$out/setup.log" >&2; exit 1; }
        php "$ROOT/benches/e2e/mock.php" warm >/dev/null
        php "$ROOT/benches/e2e/mock.php" latency "$latency"
        local i=0 step
        for step in "$@"; do
            i=$((i + 1))
            IFS=: read -r kind arg <<<"$step"
            case $kind in
                full|default) php "${VIS_PHP_ARGS[@]}" "$SCALE_DIR/scale.php" run "$kind" "$arg" >"$out/$i-$kind.json" ;;
                mutate) php "$SCALE_DIR/scale.php" mutate "$arg" >"$out/$i-mutate.json" ;;
                workers) php "${VIS_PHP_ARGS[@]}" "$SCALE_DIR/workers.php" "$arg" >"$out/$i-workers.json" ;;
            esac
        done
    )
    printf ' %ds\n' $((SECONDS - t0)) >&2
}

run_case resync-0 0 full:8 default:8 mutate:5 default:8
run_case resync-100 100 full:8 default:8
run_case narrow-100 100 full:4
run_case wide-100 100 full:16
run_case serial-100 100 full:1
for w in $workers; do
    run_case "workers-$w" 0 "workers:$w"
done

report_args=("$results" "$articles")
((write)) && report_args+=(--write "$ROOT/docs/benchmarks.md")
php "$SCALE_DIR/report.php" "${report_args[@]}"
