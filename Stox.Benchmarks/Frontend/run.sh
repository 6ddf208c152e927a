#!/usr/bin/env bash
# The web app benchmark, end to end: starts the system in run mode, finds the gateway's URL, runs the "frontend"
# suite of Stox.Benchmarks (headless Chromium) against it, then stops the system. Usage:
#   Stox.Benchmarks/Frontend/run.sh [--uploads 10] [--gallery 50]
# Against a system already running:
#   dotnet run -c Release --project Stox.Benchmarks -- frontend --url http://localhost:5180 [--uploads 10 --gallery 50]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
dotnet build Stox.AppHost -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null
dotnet build Stox.Benchmarks -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null

work=$(mktemp -d)
log="$work/apphost.log"
cleanup() {
  if [[ -n "${apphost:-}" ]] && kill -0 "$apphost" 2>/dev/null; then
    kill -TERM "$apphost"; wait "$apphost" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

NO_COLOR=1 dotnet run -c Release --no-build --project Stox.AppHost -- --AppHost:RandomizePorts=true >"$log" 2>&1 &
apphost=$!
until grep -q "All resources are healthy" "$log"; do
  kill -0 "$apphost" 2>/dev/null || { echo "AppHost exited:"; tail -20 "$log"; exit 1; }
  sleep 0.2
done
url=$(grep -oE '^\s*gateway\s+.*http://[^ ]+' "$log" | grep -oE 'http://[^ ]+' | head -1)
[[ -n "$url" ]] || { echo "could not find the gateway's URL in the AppHost output:"; tail -30 "$log"; exit 1; }
echo "gateway at $url"
dotnet "$repo/Stox.Benchmarks/bin/Release/net10.0/Stox.Benchmarks.dll" frontend --url "$url" "$@"
