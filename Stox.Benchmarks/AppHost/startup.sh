#!/usr/bin/env bash
# Measures the AppHost's run mode: wall time from launching it (already built) to "All resources are healthy",
# and the AppHost process's own resident memory once everything is up. Usage:
#   Stox.Benchmarks/AppHost/startup.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
dotnet build Stox.AppHost -nologo -clp:ErrorsOnly -v:q >/dev/null
log=$(mktemp)
results=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  NO_COLOR=1 dotnet run --no-build --project Stox.AppHost -- --AppHost:RandomizePorts=true >"$log" 2>&1 &
  pid=$!
  until grep -q "All resources are healthy" "$log"; do
    kill -0 "$pid" 2>/dev/null || { echo "AppHost exited:"; tail -20 "$log"; exit 1; }
    sleep 0.05
  done
  end=$(date +%s.%N)
  apphost=$(pgrep -f "Stox.AppHost.dll|bin/Debug/net10.0/Stox.AppHost" | head -1)
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$apphost/status")
  reported=$(grep -o "healthy after [0-9.]* s" "$log" | grep -o "[0-9.]*")
  wall=$(echo "$end - $start" | bc)
  printf 'run %d: %.1f s wall (dotnet run included), %s s reported by the AppHost, AppHost RSS %d MB\n' "$i" "$wall" "$reported" $((rss_kb / 1024))
  results+=("$wall $reported $((rss_kb / 1024))")
  kill -TERM "$pid"; wait "$pid" || true
done
printf '%s\n' "${results[@]}" | sort -n | awk '{ w[NR] = $1; r[NR] = $2; m[NR] = $3 } END { i = int((NR + 1) / 2); printf "median of %d: %.1f s wall, %.1f s reported, %d MB AppHost RSS\n", NR, w[i], r[i], m[i] }'
rm -f "$log"
