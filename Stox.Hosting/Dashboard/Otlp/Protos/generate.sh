#!/usr/bin/env bash
# Regenerates the committed C# for our OTLP .proto files. Run by hand after changing a .proto:
# needs `protoc` (Debian: apt-get install protobuf-compiler; 3.21 generates code for Google.Protobuf 3.25).
set -euo pipefail
cd "$(dirname "$0")"
out=../Generated
rm -rf "$out" && mkdir -p "$out"
protoc --proto_path=. --csharp_out="$out" --csharp_opt=file_extension=.g.cs,internal_access common.proto resource.proto trace.proto logs.proto metrics.proto status.proto
