#!/usr/bin/env bash
# The auth benchmark, end to end: starts the system in run mode (production password cost), finds auth's URL,
# runs Stox.Benchmarks/Auth/AuthBenchmark.cs in Release against it, then stops the system. Usage:
#   Stox.Benchmarks/Auth/run.sh [extra AuthBenchmark options, e.g. --logins 100 --concurrency 4]
# Once Stox.Benchmarks/Program.cs dispatches "auth", the same suite also runs as
#   dotnet run -c Release --project Stox.Benchmarks -- auth --url <auth URL> --servicedefaults <Stox.ServiceDefaults.dll>
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
dotnet build Stox.AppHost -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null

# A throw-away console project that compiles the suite's one file (the Stox.Benchmarks dispatch is not needed).
work=$(mktemp -d)
log="$work/apphost.log"
cleanup() {
  if [[ -n "${apphost:-}" ]] && kill -0 "$apphost" 2>/dev/null; then
    kill -TERM "$apphost"; wait "$apphost" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/AuthBench.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><Compile Include="$repo/Stox.Benchmarks/Auth/AuthBenchmark.cs" /></ItemGroup>
</Project>
XML
echo 'return await Stox.Benchmarks.Auth.AuthBenchmark.RunAsync(args);' >"$work/Program.cs"
dotnet build "$work/AuthBench.csproj" -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null

NO_COLOR=1 dotnet run -c Release --no-build --project Stox.AppHost -- --AppHost:RandomizePorts=true >"$log" 2>&1 &
apphost=$!
until grep -q "All resources are healthy" "$log"; do
  kill -0 "$apphost" 2>/dev/null || { echo "AppHost exited:"; tail -20 "$log"; exit 1; }
  sleep 0.2
done
url=$(grep -oE '^\s*auth\s+.*http://[^ ]+' "$log" | grep -oE 'http://[^ ]+' | head -1)
[[ -n "$url" ]] || { echo "could not find auth's URL in the AppHost output:"; tail -30 "$log"; exit 1; }
echo "auth at $url"
dotnet "$work/bin/Release/net10.0/AuthBench.dll" --url "$url" \
  --servicedefaults "$repo/Stox.ServiceDefaults/bin/Release/net10.0/Stox.ServiceDefaults.dll" "$@"
