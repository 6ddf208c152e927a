#!/usr/bin/env bash
# Measures the AppHost's run mode under DCP (already built, nothing built during a run):
#   - start: from launching the AppHost to "All resources are healthy" (its own report, and wall time);
#   - memory: resident memory of the AppHost, DCP's processes and the dashboard once everything is up;
#   - stop: from SIGTERM to the AppHost until every process of the run (servers, services, DCP) has exited.
# Usage: Stox.Benchmarks/AppHost/startup.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
dotnet build Stox.AppHost -nologo -clp:ErrorsOnly -v:q >/dev/null
log=$(mktemp)
results=()

# Every process of one run: those whose environment carries the run's marker (DCP passes the AppHost's environment
# on), and their descendants (redis-server and PostgreSQL rewrite their environment with their process title).
run_pids() {
  local marker=$1 marked=() pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    { tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qx "STOX_BENCH_RUN=$marker" && marked+=("$pid")
  done
  [ ${#marked[@]} -eq 0 ] && return 0
  ps -eo pid=,ppid= | awk -v roots="${marked[*]}" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q > 1) { if (q in keep) { print p; break } q = parent[q] } } }'
}

for i in $(seq 1 "$runs"); do
  marker="$$-$i"
  start=$(date +%s.%N)
  STOX_BENCH_RUN=$marker NO_COLOR=1 dotnet run --no-build --project Stox.AppHost >"$log" 2>&1 &
  pid=$!
  until grep -q "All resources are healthy" "$log"; do
    kill -0 "$pid" 2>/dev/null || { echo "AppHost exited:"; tail -20 "$log"; exit 1; }
    sleep 0.05
  done
  end=$(date +%s.%N)
  reported=$(grep -o "healthy after [0-9.]* s" "$log" | grep -o "[0-9.]*")
  apphost=$(pgrep -f "bin/Debug/net10.0/Stox.AppHost" | head -1)
  host_kb=0
  for p in $apphost $(pgrep -f "tools/dcp" || true) $(pgrep -f "Aspire.Dashboard" || true); do
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "STOX_BENCH_RUN=$marker" || [ "$p" = "$apphost" ]; then
      host_kb=$((host_kb + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    fi
  done
  apphost_kb=$(awk '/VmRSS/ {print $2}' "/proc/$apphost/status")
  stop_start=$(date +%s.%N)
  kill -TERM "$apphost"
  while [ -n "$(run_pids "$marker")" ]; do sleep 0.05; done
  stop_end=$(date +%s.%N)
  wait "$pid" 2>/dev/null || true
  wall=$(echo "$end - $start" | bc)
  stop=$(echo "$stop_end - $stop_start" | bc)
  printf 'run %d: healthy after %s s (AppHost) / %.1f s wall with dotnet run; AppHost %d MB, with DCP and dashboard %d MB; SIGTERM to all stopped %.1f s\n' \
    "$i" "$reported" "$wall" $((apphost_kb / 1024)) $((host_kb / 1024)) "$stop"
  # The AppHost's report: when each resource became healthy, the critical path of the start.
  sed -n '/All resources are healthy/,/^[^ ]/p' "$log" | grep '^  ' || true
  results+=("$reported $wall $((apphost_kb / 1024)) $((host_kb / 1024)) $stop")
done
rm -f "$log"
printf '%s\n' "${results[@]}" | sort -n | awk '{ r[NR] = $1; w[NR] = $2; a[NR] = $3; h[NR] = $4; s[NR] = $5 } END {
  i = int((NR + 1) / 2)
  printf "median of %d: healthy after %.1f s (%.1f s wall), AppHost %d MB (%d MB with DCP and dashboard), stop %.1f s\n", NR, r[i], w[i], a[i], h[i], s[i] }'
rm -f "$log"
