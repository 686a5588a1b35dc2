#!/usr/bin/env bash
# The system's main job on embedded defaults: builds the solution (Release) and runs `serverless up`:
# Redis, PostgreSQL and a Temporal dev server (TEMPORAL_ADDRESS, else the `temporal` CLI, else the
# SDK's download), the HTTP API, and workers and consumers scaled from zero by keda/scalers.yaml.
# The deployables it starts are the projects directly under workers/ and functions/ (libraries are in
# workers/libraries and tools/libraries). The worker and consumer replicas run the hosts' publish output as the images ship it
# (scripts/publish-hosts.sh: self-contained composite ReadyToRun; the first run compiles it for a few
# minutes): each scale-out from zero is a cold start.
# Arguments are passed to `serverless up` (see: scripts/up.sh --help).
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_TAG=up
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
require_dotnet
command -v redis-server >/dev/null || die "redis-server is not on PATH: install Redis 7 or newer (Debian/Ubuntu: sudo apt-get install redis-server)"
cd "$ROOT"
log "building (Release)"
dotnet build Serverless.sln -c Release -nologo -v q -clp:ErrorsOnly >/dev/null || die "build failed: run 'dotnet build Serverless.sln -c Release' to see why"
"$ROOT/scripts/publish-hosts.sh"
exec dotnet "tools/Serverless.Cli/bin/Release/net10.0/serverless.dll" up --hosts "$ROOT/artifacts/hosts" "$@"
