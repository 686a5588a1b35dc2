#!/usr/bin/env bash
# Publishes the worker and consumer hosts as the images ship them (self-contained composite
# ReadyToRun, linux-x64; settings in workers/Hosts.props) into artifacts/hosts/<project>/:
# `serverless up` runs its replicas from there (scripts/up.sh), and bench/Serverless.Bench.ColdStart
# measures them. They build in a tree of their own (artifacts/image-build/): the first publish
# compiles the framework into the composite image (a few minutes), later ones are incremental.
# Arguments are passed to `dotnet publish`.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_TAG=publish-hosts
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
require_dotnet
cd "$ROOT"
for project in Serverless.Workers Serverless.Consumers; do
  log "publishing $project (self-contained composite ReadyToRun) to artifacts/hosts/$project"
  dotnet publish "workers/$project/$project.csproj" -c Release -nologo -v q -clp:ErrorsOnly -p:HostImage=true -o "artifacts/hosts/$project" "$@" >/dev/null \
    || die "publishing $project failed: run 'dotnet publish workers/$project -c Release -p:HostImage=true' to see why"
done
