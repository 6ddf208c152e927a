#!/usr/bin/env bash
# Proxy overhead of the gateway: the same small GET through the gateway and straight to the service (the frontend),
# same client (wrk), same run, under DCP (Release, see ../run-system.sh). Rate limiting stays on (one Redis round trip
# a request) with a limit high enough not to refuse anything. Usage:
#   Stox.Benchmarks/Gateway/proxy-overhead.sh [seconds=15] [connections=16, or a list: 1,16] [path=/]
set -euo pipefail
seconds=${1:-15}
connections_list=${2:-16}
path=${3:-/}
command -v wrk >/dev/null || { echo "wrk is missing: sudo apt-get install wrk"; exit 1; }
export Gateway__RateLimits__Anonymous=1000000000
source "$(dirname "$0")/../run-system.sh"
gateway=$(service_url gateway)
frontend=$(service_url frontend)
run() {
  wrk -t"$threads" -c"$connections" -d"$((seconds / 3))s" "$1$path" >/dev/null  # warm-up
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$1$path" | awk -v name="$2" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { errors = $NF }
    END { printf "%-9s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", name, rps, p50, p99, errors + 0 }'
}
for connections in ${connections_list//,/ }; do
  threads=$(( connections < 2 ? connections : 2 ))
  echo "GET $path, $connections connections, ${seconds}s each, on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  run "$frontend" direct
  run "$gateway" gateway
  run "$frontend" direct
  run "$gateway" gateway
done
if [[ -n "${STOX_BENCH_AUTH:-}" ]]; then
  # The auth suite against the same running system (see ../Auth/run.sh).
  dotnet "$repo/Stox.Benchmarks/bin/Release/net10.0/Stox.Benchmarks.dll" auth --url "$(service_url auth)" \
    --auth "$repo/Stox.Auth/bin/Release/net10.0/Stox.Auth.dll" ${STOX_BENCH_AUTH_ARGS:-}
fi
