#!/usr/bin/env bash
# Starts the Verial API mock in the background and prints its PID.
#   start.sh <port> <state_dir> [--articles N] [--seed S] [--latency-ms M]
# Env: VERIAL_MOCK_CACHE (image cache dir, default <state_dir>/cache), PHP (php binary),
#      VERIAL_MOCK_WORKERS (server processes, default 4: how many calls it answers at once).
# A start resets config, stats and mutations in the state dir; the image cache is kept.
set -euo pipefail

usage() { echo "usage: $0 <port> <state_dir> [--articles N] [--seed S] [--latency-ms M]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
port=$1 state=$2
shift 2
articles=300 seed=1 latency=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --articles) articles=${2:?}; shift 2 ;;
        --seed) seed=${2:?}; shift 2 ;;
        --latency-ms) latency=${2:?}; shift 2 ;;
        *) usage ;;
    esac
done
for n in "$port" "$articles" "$seed" "$latency"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "not a number: $n" >&2; exit 2; }
done
(( articles >= 1 )) || { echo "--articles must be at least 1" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
php=${PHP:-php}
mkdir -p "$state"
state=$(cd "$state" && pwd)
if [[ -n ${VERIAL_MOCK_CACHE:-} ]]; then
    mkdir -p "$VERIAL_MOCK_CACHE"
    export VERIAL_MOCK_CACHE=$(cd "$VERIAL_MOCK_CACHE" && pwd)
fi

if [[ -f $state/server.pid ]] && kill -0 "$(cat "$state/server.pid")" 2>/dev/null; then
    echo "already running with PID $(cat "$state/server.pid") (stop.sh $state)" >&2
    exit 1
fi

# Without this check the health poll below could be answered by whatever already listens there.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use" >&2
    exit 1
fi

rm -f "$state/stats.json" "$state/mutations.json"
printf '{"seed":%d,"articles":%d,"session":18,"latency_ms":%d,"slow_ms":3000,"timezone":"UTC","faults":{}}\n' \
    "$seed" "$articles" "$latency" > "$state/config.json"

# setsid: the server and its worker processes get their own process group, so stop.sh can
# end exactly them.
VERIAL_MOCK_STATE=$state PHP_CLI_SERVER_WORKERS=${VERIAL_MOCK_WORKERS:-4} setsid "$php" \
    -d memory_limit=2G -d display_errors=0 -d log_errors=1 -d error_log="$state/php-error.log" \
    -d output_buffering=0 -d max_execution_time=0 -d opcache.enable_cli=1 \
    -S "127.0.0.1:$port" "$here/router.php" >>"$state/server.log" 2>&1 </dev/null &
pid=$!
echo "$pid" > "$state/server.pid"
echo "$port" > "$state/server.port"

for _ in $(seq 1 100); do
    if curl -fsS -m 2 "http://127.0.0.1:$port/__mock/health" >/dev/null 2>&1 && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
echo "mock did not come up on port $port; last log lines:" >&2
tail -n 20 "$state/server.log" >&2 || true
kill -- "-$pid" 2>/dev/null || true
rm -f "$state/server.pid"
exit 1
