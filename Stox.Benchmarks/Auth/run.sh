#!/usr/bin/env bash
# The auth benchmark, end to end: starts the system in run mode (production password cost), finds auth's URL,
# runs the "auth" suite of Stox.Benchmarks in Release against it, then stops the system. Usage:
#   Stox.Benchmarks/Auth/run.sh [extra AuthBenchmark options, e.g. --logins 100 --concurrency 4]
# Against an auth already running:
#   dotnet run -c Release --project Stox.Benchmarks -- auth --url <auth URL> --auth <Stox.Auth.dll>
source "$(dirname "$0")/../run-system.sh"
url=$(service_url auth)
echo "auth at $url"
dotnet "$repo/Stox.Benchmarks/bin/Release/net10.0/Stox.Benchmarks.dll" auth --url "$url" \
  --auth "$repo/Stox.Auth/bin/Release/net10.0/Stox.Auth.dll" "$@"
