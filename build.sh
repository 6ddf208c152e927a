#!/usr/bin/env bash
# Stox developer entry point. On a fresh Debian/Ubuntu machine with the .NET 10 SDK and git:
#   ./build.sh run    install what is missing, then start the whole system (the AppHost)
#   ./build.sh test   install what is missing, then run the whole test suite
#   ./build.sh install | build
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the AppHost and the tests run: the servers and libvips; Chromium for the browser tests
# (driven by Playwright at /usr/bin/chromium); Node (for the S3 server) if absent.
APT_PACKAGES=(postgresql redis-server rabbitmq-server libvips42 chromium)
command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm)
# Client-only tools the publishing tests check the Compose and Kubernetes files with (no Docker engine, no cluster).
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || APT_PACKAGES+=(docker-compose)
command -v kubectl >/dev/null || APT_PACKAGES+=(kubernetes-client)

log() { printf '\033[1;34m[stox]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*"; exit 1; fi
}

install_packages() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing Debian packages: ${missing[*]}"
  # The AppHost runs its own servers; keep the packages' system services from starting.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created_policy=1
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" -eq 1 ] && as_root rm -f "$policy"
  return 0
}

# npm ci in a folder whose lock file changed since its last install.
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.stox-lock
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then return; fi
  log "installing node packages (npm ci in $dir)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$dir/package-lock.json" "$stamp"
}

install() {
  install_packages
  npm_ci Stox.AppHost/LocalServers/s3-server         # the local S3 server (Node 24 comes with it)
  npm_ci Stox.Tests/Publishing/schema-validator       # Ajv, for the manifest schema test
  dotnet tool restore >/dev/null                      # dotnet-ef (.config/dotnet-tools.json), to add EF migrations
}

build() {
  log "building Stox.Aspire.sln"
  dotnet build Stox.Aspire.sln -nologo -clp:ErrorsOnly
}

run_tests() {
  local output status=0
  output=$(mktemp)
  dotnet test Stox.Aspire.sln --no-build -nologo "$@" 2>&1 | tee "$output" || status=$?
  # One closing line with the totals of every test assembly.
  awk '/(Passed|Failed)! +- +Failed:/ {
         gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
       END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$output"
  rm -f "$output"
  return "$status"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  install) install ;;
  build) install; build ;;
  run) install; build; exec dotnet run --no-build --project Stox.AppHost -- "$@" ;;
  test) install; build; run_tests "$@" ;;
  *) echo "usage: ./build.sh run [--persist] | test [dotnet test options] | install | build" >&2; exit 2 ;;
esac
