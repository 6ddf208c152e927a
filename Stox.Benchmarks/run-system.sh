# Sourced by the benchmark scripts that need the whole system in run mode (Release, free ports): builds the
# AppHost and the benchmarks, starts the AppHost, waits until every resource is healthy and then 30 s more
# (STOX_BENCH_SETTLE_SECONDS), and stops it when the script exits. Then `service_url NAME` prints a resource's URL
# from the AppHost's table.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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

NO_COLOR=1 dotnet run -c Release --no-build --project Stox.AppHost -- --DcpPublisher:RandomizePorts=true >"$log" 2>&1 &
apphost=$!
until grep -q "All resources are healthy" "$log"; do
  kill -0 "$apphost" 2>/dev/null || { echo "AppHost exited:"; tail -20 "$log"; exit 1; }
  sleep 0.2
done
# The services' first requests, JIT and migrations keep both cores busy for a while after "healthy": measure after.
sleep "${STOX_BENCH_SETTLE_SECONDS:-30}"

service_url() {
  local url
  url=$(grep -oE "^\s*$1\s+.*http://[^ ]+" "$log" | grep -oE 'http://[^ ]+' | head -1)
  [[ -n "$url" ]] || { echo "could not find $1's URL in the AppHost output:" >&2; tail -30 "$log" >&2; exit 1; }
  echo "$url"
}
