#!/usr/bin/env bash
# Stops the mock started by start.sh with this state dir (its process group only).
#   stop.sh <state_dir>
set -uo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 <state_dir>" >&2; exit 2; }
pidfile=$1/server.pid
[[ -f $pidfile ]] || { echo "not running (no $pidfile)" >&2; exit 0; }
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
fi
rm -f "$pidfile"
