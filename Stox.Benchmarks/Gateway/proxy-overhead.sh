#!/usr/bin/env bash
# Proxy overhead of the gateway: the same small GET through the gateway and straight to the service,
# same client (wrk), same run. Rate limiting stays on (one Redis round trip a request) with a limit
# high enough not to refuse anything. Usage:
#   Stox.Benchmarks/Gateway/proxy-overhead.sh [seconds=15] [connections=16] [path=/]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
connections=${2:-16}
path=${3:-/}
threads=$(( connections < 2 ? connections : 2 ))
command -v wrk >/dev/null || { echo "wrk is missing: sudo apt-get install wrk"; exit 1; }
dotnet build Stox.AppHost -nologo -clp:ErrorsOnly -v:q >/dev/null
log=$(mktemp)
Gateway__RateLimits__Anonymous=1000000000 NO_COLOR=1 \
  dotnet run --no-build --project Stox.AppHost -- --AppHost:RandomizePorts=true >"$log" 2>&1 &
apphost=$!
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null || true; rm -f "$log"' EXIT
until grep -q "Press Ctrl+C to stop" "$log"; do
  kill -0 "$apphost" 2>/dev/null || { tail -20 "$log"; exit 1; }
  sleep 0.2
done
gateway=$(grep -oP 'apphost +\| gateway +Project +Healthy +\K\S+' "$log")
frontend=$(grep -oP 'apphost +\| frontend +Project +Healthy +\K\S+' "$log")
run() {
  wrk -t"$threads" -c"$connections" -d"$((seconds / 3))s" "$1$path" >/dev/null  # warm-up
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$1$path" | awk -v name="$2" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { errors = $NF }
    END { printf "%-9s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", name, rps, p50, p99, errors + 0 }'
}
echo "GET $path, $connections connections, ${seconds}s each, on $(nproc) cores"
run "$frontend" direct
run "$gateway" gateway
run "$frontend" direct
run "$gateway" gateway
