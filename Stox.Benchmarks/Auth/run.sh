#!/usr/bin/env bash
# The auth benchmark, end to end: starts the system in run mode (production password cost), finds auth's URL,
# runs the "auth" suite of Stox.Benchmarks in Release against it, then stops the system. Usage:
#   Stox.Benchmarks/Auth/run.sh [extra AuthBenchmark options, e.g. --logins 100 --concurrency 4]
# Against an auth already running:
#   dotnet run -c Release --project Stox.Benchmarks -- auth --url <auth URL> --servicedefaults <Stox.ServiceDefaults.dll>
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
dotnet build Stox.AppHost -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null

work=$(mktemp -d)
log="$work/apphost.log"
cleanup() {
  if [[ -n "${apphost:-}" ]] && kill -0 "$apphost" 2>/dev/null; then
    kill -TERM "$apphost"; wait "$apphost" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
dotnet build Stox.Benchmarks -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null

NO_COLOR=1 dotnet run -c Release --no-build --project Stox.AppHost -- --AppHost:RandomizePorts=true >"$log" 2>&1 &
apphost=$!
until grep -q "All resources are healthy" "$log"; do
  kill -0 "$apphost" 2>/dev/null || { echo "AppHost exited:"; tail -20 "$log"; exit 1; }
  sleep 0.2
done
url=$(grep -oE '^\s*auth\s+.*http://[^ ]+' "$log" | grep -oE 'http://[^ ]+' | head -1)
[[ -n "$url" ]] || { echo "could not find auth's URL in the AppHost output:"; tail -30 "$log"; exit 1; }
echo "auth at $url"
dotnet "$repo/Stox.Benchmarks/bin/Release/net10.0/Stox.Benchmarks.dll" auth --url "$url" \
  --servicedefaults "$repo/Stox.ServiceDefaults/bin/Release/net10.0/Stox.ServiceDefaults.dll" "$@"
