#!/usr/bin/env bash
# The web app benchmark, end to end: starts the system in run mode, finds the gateway's URL, runs the "frontend"
# suite of Stox.Benchmarks (headless Chromium) against it, then stops the system. Usage:
#   Stox.Benchmarks/Frontend/run.sh [--uploads 10] [--gallery 50]
# Against a system already running:
#   dotnet run -c Release --project Stox.Benchmarks -- frontend --url http://localhost:5180 [--uploads 10 --gallery 50]
source "$(dirname "$0")/../run-system.sh"
url=$(service_url gateway)
echo "gateway at $url"
dotnet "$repo/Stox.Benchmarks/bin/Release/net10.0/Stox.Benchmarks.dll" frontend --url "$url" "$@"
