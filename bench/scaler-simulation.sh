#!/usr/bin/env bash
# Benchmark of the scaler simulator: 24 h at 1 s steps for 10 queues. Prints wall time, simulated seconds
# per wall second and the ratio against a baseline pass measured in the same run. Not a test: no threshold
# fails the build; the budget line says whether the issue's 1 s target holds on this machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec dotnet run -c Release --project "$ROOT/bench/Serverless.Bench.ScalerSimulation" -- "$@"
