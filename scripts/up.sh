#!/usr/bin/env bash
# Runs the order system locally on embedded defaults: a Temporal server (TEMPORAL_ADDRESS, else a
# dev server from the `temporal` CLI), the payment gateway and inventory simulators, and one worker
# process per task queue. Ctrl+C stops everything in reverse order; workers drain in-flight work.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_TAG=up
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/serverless-up.XXXXXX")"
PIDS=()
NAMES=()

cleanup() {
  trap - EXIT INT TERM
  local i
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    if kill -0 "${PIDS[$i]}" 2>/dev/null; then
      log "stopping ${NAMES[$i]}"
      kill -TERM "${PIDS[$i]}" 2>/dev/null || true
      for _ in $(seq 1 400); do kill -0 "${PIDS[$i]}" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "${PIDS[$i]}" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME LOGFILE COMMAND...: runs a process in the background, remembered for cleanup.
start() {
  local name="$1" logfile="$2"; shift 2
  "$@" >"$logfile" 2>&1 &
  PIDS+=("$!"); NAMES+=("$name")
}

require_dotnet

# Resolve Temporal before starting anything, so a missing prerequisite leaves nothing running.
TEMPORAL_CLI="${TEMPORAL_CLI_PATH:-$(command -v temporal || true)}"
if [ -z "${TEMPORAL_ADDRESS:-}" ] && { [ -z "$TEMPORAL_CLI" ] || [ ! -x "$TEMPORAL_CLI" ]; }; then
  die "no Temporal server: set TEMPORAL_ADDRESS=host:port of a running one, or install the Temporal CLI (https://docs.temporal.io/cli) and put 'temporal' on PATH or set TEMPORAL_CLI_PATH"
fi

command -v redis-server >/dev/null || die "redis-server is not on PATH: install Redis 7 or newer (Debian/Ubuntu: sudo apt-get install redis-server)"

log "building (Release)"
dotnet build "$ROOT/Serverless.sln" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null || die "build failed: run 'dotnet build Serverless.sln' to see why"
out() { echo "$ROOT/workers/$1/bin/Release/net10.0/linux-x64/$1.dll"; }

if [ -z "${TEMPORAL_ADDRESS:-}" ]; then
  TEMPORAL_PORT="$(free_port)"
  UI_PORT="$(free_port)"
  start "temporal dev server" "$WORK/temporal.log" "$TEMPORAL_CLI" server start-dev --headless --namespace dev \
    --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" --log-level warn
  wait_for_port "$TEMPORAL_PORT" 60 || die "temporal dev server did not start: $(tail -n5 "$WORK/temporal.log")"
  TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
fi
log "temporal at $TEMPORAL_ADDRESS (namespace dev)"

REDIS_PORT="$(free_port)"
mkdir -p "$WORK/redis"
start "redis" "$WORK/redis.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/redis"
wait_for_port "$REDIS_PORT" 10 || die "redis did not start: $(tail -n5 "$WORK/redis.log")"
log "redis on 127.0.0.1:$REDIS_PORT"

SIM_PORT="$(free_port)"
start "simulators" "$WORK/simulators.log" env Urls="http://127.0.0.1:$SIM_PORT" dotnet "$(out Serverless.Simulators)"
wait_for_port "$SIM_PORT" 30 || die "simulators did not start: $(tail -n5 "$WORK/simulators.log")"
log "payment gateway + inventory simulators on http://127.0.0.1:$SIM_PORT"

for queue in orders payments inventory; do
  port="$(free_port)"
  start "$queue worker" "$WORK/$queue-worker.log" env \
    Urls="http://127.0.0.1:$port" Serverless__Environment=dev Temporal__Address="$TEMPORAL_ADDRESS" Temporal__Namespace=dev \
    Workers__Poll="$queue" Redis__Configuration="127.0.0.1:$REDIS_PORT" \
    Integrations__PaymentGateway__BaseAddress="http://127.0.0.1:$SIM_PORT/payments/" \
    Integrations__Inventory__BaseAddress="http://127.0.0.1:$SIM_PORT/inventory/" \
    dotnet "$(out Serverless.Workers)"
  wait_for_port "$port" 30 || die "$queue worker did not start: $(tail -n5 "$WORK/$queue-worker.log")"
  log "$queue worker: health http://127.0.0.1:$port/health/ready, metrics http://127.0.0.1:$port/metrics"
done

log "running; logs in $WORK; Ctrl+C stops everything"
wait -n "${PIDS[@]}" || true
die "a process exited early; its log is above the cleanup messages: $(for f in "$WORK"/*.log; do echo "== $f"; tail -n3 "$f"; done)"
