#!/usr/bin/env bash
# Regenerates Sources/VsockBenchAgent/Generated/agent.pb.swift from proto/agent.proto.
#
# The generated file is committed: building the package needs neither protoc nor
# swift-protobuf's build plugin (whose first build takes minutes). Run this only
# after editing proto/agent.proto, then commit both files.
#
# Needs: protoc (Debian: apt-get install protobuf-compiler) and git. It builds
# protoc-gen-swift from swift-protobuf at the version Package.swift names, in a
# scratch folder outside the repository (override with PROTOGEN_DIR).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
version=1.39.0
work=${PROTOGEN_DIR:-/tmp/vsockbench-protogen}
plugin="$work/swift-protobuf/.build/release/protoc-gen-swift"

command -v protoc >/dev/null || { echo "gen-proto: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

if [ ! -x "$plugin" ]; then
    mkdir -p "$work"
    if [ ! -d "$work/swift-protobuf" ]; then
        git clone --quiet --depth 1 --branch "$version" \
            https://github.com/apple/swift-protobuf "$work/swift-protobuf"
    fi
    swift build --package-path "$work/swift-protobuf" -c release --product protoc-gen-swift
fi

protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$repo/proto" \
    --swift_opt=Visibility=Internal \
    --swift_out="$repo/Sources/VsockBenchAgent/Generated" \
    "$repo/proto/agent.proto"

echo "gen-proto: wrote Sources/VsockBenchAgent/Generated/agent.pb.swift ($(protoc --version), swift-protobuf $version)"
