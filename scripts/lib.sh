# Shared by the scripts in this folder: logging, free ports, waiting for a port.
# shellcheck shell=bash

log() { printf '[%s] %s\n' "${LOG_TAG:-serverless}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${LOG_TAG:-serverless}" "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! port_open "$port"; then echo "$port"; return 0; fi
  done
  die "no free loopback port found"
}

# wait_for_port PORT SECONDS WHAT
wait_for_port() {
  local deadline=$(( SECONDS + $2 ))
  until port_open "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

require_dotnet() {
  command -v dotnet >/dev/null || die "the .NET SDK 10 is required (https://dot.net); 'dotnet' is not on PATH"
}
