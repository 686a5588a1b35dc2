#!/usr/bin/env bash
# Load benchmark of POST /api/orders: the functions self-host (Temporal in memory) against a bare
# Kestrel endpoint answering 202, driven by wrk in one run. Prints requests/s, p50, p99 and ratios.
# Arguments pass through: --seconds 10 --rounds 3 --connections 32 --threads 2 --warmup 10
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v wrk >/dev/null; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get install -y -qq wrk >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq wrk >/dev/null; }
fi
exec dotnet run --project "$ROOT/bench/Serverless.Functions.Bench" -c Release -- "$@"
