#!/usr/bin/env bash
# Runs the whole test suite: installs Redis if missing, starts Redis and a throwaway PostgreSQL on
# free loopback ports in a temporary directory, runs every test project, stops what it started
# (also on failure or Ctrl+C) and ends with the line "N passed, N failed, N skipped".
# Test projects mirror the source projects (tests/README.md); tests that need Temporal or Dapr carry
# the trait Engine=<name> and are counted apart. Arguments go to dotnet test, e.g.
# --filter-trait Engine=temporal, --filter-class '*Projection*'.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/serverless-test.XXXXXX")"
RESULTS="$WORK/results"
REDIS_PID_FILE="$WORK/redis/redis.pid"
PGDATA_DIR="$WORK/pg/data"
PG_STARTED=""

LOG_TAG=test
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -f "$REDIS_PID_FILE" ]; then
    kill "$(cat "$REDIS_PID_FILE")" 2>/dev/null || true
  fi
  if [ -n "$PG_STARTED" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

apt_install() {
  command -v apt-get >/dev/null || return 1
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then command -v sudo >/dev/null || return 1; sudo="sudo"; fi
  log "installing $* with apt-get"
  $sudo apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server || die "redis-server is missing and could not be installed: install Redis >= 7 (Debian/Ubuntu: apt-get install redis-server)"
    # The Debian package starts a system service on 6379; we use our own instance only.
    { command -v systemctl >/dev/null && systemctl disable --now redis-server >/dev/null 2>&1; } || true
  fi
}

find_pg_bin() {
  local initdb
  initdb="$(command -v initdb || true)"
  if [ -z "$initdb" ]; then initdb="$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1 || true)"; fi
  [ -n "$initdb" ] && dirname "$(readlink -f "$initdb")"
}

ensure_postgres() {
  PG_BIN="$(find_pg_bin || true)"
  if [ -z "$PG_BIN" ]; then
    apt_install postgresql || die "PostgreSQL is missing and could not be installed (Debian/Ubuntu: apt-get install postgresql)"
    PG_BIN="$(find_pg_bin)" || die "PostgreSQL installed but initdb not found"
  fi
}

# The manifest tests validate Kubernetes and KEDA documents with the npm packages pinned in
# tests/Serverless.Testing/Manifests/validator (package-lock.json), under Node.js.
VALIDATOR_DIR="$ROOT/tests/Serverless.Testing/Manifests/validator"

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm || die "Node.js and npm are missing and could not be installed (Debian/Ubuntu: apt-get install nodejs npm)"
  fi
}

install_manifest_validator() {
  log "npm ci in ${VALIDATOR_DIR#"$ROOT"/} (node $(node --version))"
  (cd "$VALIDATOR_DIR" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || die "npm ci of the manifest validator's packages failed (kubernetes-models, @kubernetes-models/keda)"
}

start_redis() {
  REDIS_PORT="$(free_port)"
  mkdir -p "$WORK/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/redis" \
    --daemonize yes --pidfile "$REDIS_PID_FILE" --logfile "$WORK/redis/redis.log" >/dev/null
  wait_for_port "$REDIS_PORT" 10 || die "redis did not start: $(tail -n5 "$WORK/redis/redis.log" 2>/dev/null)"
  log "redis $(redis-server --version | grep -o 'v=[0-9.]*') on 127.0.0.1:$REDIS_PORT"
}

start_postgres() {
  PG_PORT="$(free_port)"
  mkdir -p "$WORK/pg/sock"
  chmod 755 "$WORK"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$WORK/pg"; fi
  as_postgres "$PG_BIN/initdb" -D "$PGDATA_DIR" -U serverless --auth=trust -E UTF8 --no-sync >/dev/null \
    || die "initdb failed"
  as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/pg/postgres.log" -w -t 30 \
    -o "-p $PG_PORT -k $WORK/pg/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || die "postgres did not start: $(tail -n5 "$WORK/pg/postgres.log" 2>/dev/null)"
  PG_STARTED=1
  log "postgres $("$PG_BIN/postgres" --version | grep -o '[0-9][0-9.]*' | head -n1) on 127.0.0.1:$PG_PORT"
}

require_dotnet
ensure_redis
ensure_postgres
ensure_node
install_manifest_validator
start_redis
start_postgres

export SERVERLESS_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export SERVERLESS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=serverless;Database=postgres"
# Redis, PostgreSQL and Node.js are provided here: a test that cannot reach them must fail, not skip.
export SERVERLESS_REQUIRE_ENGINES="redis,postgres,node"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cd "$ROOT"
log "building"
set +e
dotnet build Serverless.sln -c Release -nologo -v q -clp:ErrorsOnly
BUILD_STATUS=$?
TEST_STATUS=1
if [ "$BUILD_STATUS" -eq 0 ]; then
  log "running tests"
  dotnet test --solution Serverless.sln -c Release --no-build --results-directory "$RESULTS" "$@"
  TEST_STATUS=$?
fi
set -e

count() { { cat "$RESULTS"/*.xml 2>/dev/null || true; } | { grep -o "result=\"$1\"" || true; } | wc -l | tr -d ' '; }
PASSED="$(count Pass)"
FAILED="$(count Fail)"
SKIPPED="$(count Skip)"
ENGINE_SKIPS="$({ cat "$RESULTS"/*.xml 2>/dev/null || true; } | { grep -o 'engine missing: [^(<]*' || true; } | sed 's/ *$//')"
ENGINE_SKIPPED="$(printf '%s' "$ENGINE_SKIPS" | { grep -c . || true; })"

TEST_PROJECTS="$(find "$ROOT/tests" -mindepth 2 -maxdepth 2 -name '*.Tests.csproj' | wc -l | tr -d ' ')"
RESULT_FILES="$(find "$RESULTS" -name '*.xml' 2>/dev/null | wc -l | tr -d ' ')"

if [ "$BUILD_STATUS" -ne 0 ]; then
  log "build failed"
  FAILED=$(( FAILED + 1 ))
elif [ "$TEST_STATUS" -ne 0 ] && [ "$FAILED" -eq 0 ]; then
  log "dotnet test exited with $TEST_STATUS without a failed test in the results (crash or no tests ran)"
  FAILED=$(( FAILED + 1 ))
elif [ "$RESULT_FILES" -ne "$TEST_PROJECTS" ]; then
  log "$RESULT_FILES results files for $TEST_PROJECTS test projects: the counts below miss some results"
  FAILED=$(( FAILED + 1 ))
fi

# Tests marked [RequiresEngine] (trait Engine=<name>) need an engine this machine may lack: per
# engine, how many ran and how many were skipped. Run only them with --filter-trait Engine=temporal.
engine_tests() {
  { cat "$RESULTS"/*.xml 2>/dev/null || true; } | perl -0777 -ne '
    # One chunk per <test> element (a passed test may be self-closing): its result and its traits.
    for my $test (split /(?=<test )/) {
      next unless $test =~ /^<test [^>]*?result="(\w+)"/;
      my $result = $1;
      $count{$1}{$result}++ while $test =~ /<trait name="Engine" value="([^"]+)"/g;
    }
    END { printf "  %s: %d ran (%d passed, %d failed), %d skipped\n", $_, ($count{$_}{Pass} // 0) + ($count{$_}{Fail} // 0),
            $count{$_}{Pass} // 0, $count{$_}{Fail} // 0, $count{$_}{Skip} // 0 for sort keys %count }'
}
ENGINE_TESTS="$(engine_tests)"
if [ -n "$ENGINE_TESTS" ]; then
  echo "tests that need an engine this machine may lack (trait Engine):"
  printf '%s\n' "$ENGINE_TESTS"
fi
if [ "$ENGINE_SKIPPED" -gt 0 ]; then
  echo "$ENGINE_SKIPPED skipped because an engine is missing (not passes):"
  printf '%s\n' "$ENGINE_SKIPS" | sort | uniq -c | sed 's/^/  /'
else
  echo "0 skipped because an engine is missing"
fi
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
if [ "$BUILD_STATUS" -ne 0 ]; then exit "$BUILD_STATUS"; fi
if [ "$FAILED" -gt 0 ] && [ "$TEST_STATUS" -eq 0 ]; then exit 1; fi
exit "$TEST_STATUS"
