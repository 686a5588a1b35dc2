#!/usr/bin/env bash
# Publishes the worker and consumer hosts as the images ship them (ReadyToRun, linux-x64; settings
# in workers/Hosts.props) into artifacts/hosts/<project>/: `serverless up` runs its replicas from
# there (scripts/up.sh), and bench/Serverless.Bench.ColdStart measures them. Arguments are passed
# to `dotnet publish` (scripts/up.sh passes --no-build after building the solution).
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_TAG=publish-hosts
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
require_dotnet
cd "$ROOT"
for project in Serverless.Workers Serverless.Consumers; do
  log "publishing $project (ReadyToRun) to artifacts/hosts/$project"
  dotnet publish "workers/$project/$project.csproj" -c Release -nologo -v q -clp:ErrorsOnly -o "artifacts/hosts/$project" "$@" >/dev/null \
    || die "publishing $project failed: run 'dotnet publish workers/$project -c Release' to see why"
done
