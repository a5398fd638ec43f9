#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Tests/Fuzz (by hand, not in CI).
#
#   Tests/Fuzz/run-fuzzers.sh [--runs N] [--max-time SECONDS] [--build-only] [target ...]
#
# Targets: EnvelopeDecode PairingURIParse JSONRPCDecode RelayFrames (default: all, one after the other).
# Defaults: 1,000,000 runs each, 3,600 s guard per target.
#
# How: the library sources the targets need are compiled with swiftc into fuzz-instrumented modules under
# .build-fuzz/ (gitignored): swift-log's Logging, WalletConnectCore without its socket and SQLite files,
# WalletConnectSign without its client composition. The relay target compiles the relay server's parser and
# state files into the harness itself (they need no Hummingbird). Seeds come from the shared vectors at run
# time (every string and object of the relevant files becomes one corpus file); nothing is copied into the
# repository. Crashes are written to .build-fuzz/<target>/crashes/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/.build-fuzz"
VECTORS="${WALLETKIT_VECTORS:-}"
if [ -z "$VECTORS" ]; then
    for candidate in "$ROOT/../shared/vectors" /work/shared/vectors; do
        if [ -f "$candidate/README.md" ]; then VECTORS="$candidate"; break; fi
    done
fi
RUNS=1000000
MAX_TIME=3600
BUILD_ONLY=0
TARGETS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --max-time) MAX_TIME="$2"; shift 2 ;;
        --build-only) BUILD_ONLY=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) TARGETS+=("$1"); shift ;;
    esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(EnvelopeDecode PairingURIParse JSONRPCDecode RelayFrames)

CHECKOUTS="$ROOT/.build/checkouts"
if [ ! -d "$CHECKOUTS/swift-log" ]; then
    echo "run-fuzzers: $CHECKOUTS/swift-log is missing; run 'swift package resolve' first" >&2
    exit 1
fi

SWIFT_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g -enable-testing -swift-version 6
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility)
MODULES="$OUT/modules"
mkdir -p "$MODULES"

# Compiles one module (whole-module) into $MODULES/<name>.o and <name>.swiftmodule, unless up to date.
build_module() {
    local name="$1" package="$2"
    shift 2
    local object="$MODULES/$name.o"
    local stale=1 source
    if [ -f "$object" ] && [ "$object" -nt "$0" ]; then
        stale=0
        for source in "$@"; do
            if [ "$source" -nt "$object" ]; then stale=1; break; fi
        done
    fi
    [ $stale = 1 ] || return 0
    echo "== module $name ($# files)"
    swiftc "${SWIFT_FLAGS[@]}" -package-name "$package" -module-name "$name" -wmo \
        -I "$MODULES" -I "$ROOT/Sources/CSodium" -I "$ROOT/Sources/CSecp256k1" \
        -emit-module -emit-module-path "$MODULES/$name.swiftmodule" -c "$@" -o "$object"
}

build_libraries() {
    build_module Logging swift_log $(find "$CHECKOUTS/swift-log/Sources/Logging" -name '*.swift' | sort)
    # Core minus the files that need NIO, swift-websocket or GRDB (sockets, the relayer, SQLite).
    build_module WalletConnectCore walletkit_swift $(find "$ROOT/Sources/WalletConnectCore" -name '*.swift' | sort |
        grep -v -E '/(SQLiteStorage|WebSocketRelayTransport|RelayWebSocketChannel|Relayer[^/]*|RelayConnectionURL)\.swift$')
    # Sign minus the client composition (it builds a Relayer and SQLite storage).
    build_module WalletConnectSign walletkit_swift $(find "$ROOT/Sources/WalletConnectSign" -name '*.swift' | sort |
        grep -v '/Client/')
}

# Links one harness; extra arguments are additional sources compiled into the harness module.
build_target() {
    local name="$1"
    shift
    local dir="$ROOT/Tests/Fuzz/$name"
    local binary="$OUT/$name/fuzz-$name"
    mkdir -p "$OUT/$name"
    echo "== target $name"
    swiftc "${SWIFT_FLAGS[@]}" -package-name walletkit_swift -module-name "Fuzz$name" \
        -I "$MODULES" -I "$ROOT/Sources/CSodium" -I "$ROOT/Sources/CSecp256k1" \
        "$dir"/*.swift "$@" \
        "$MODULES/Logging.o" "$MODULES/WalletConnectCore.o" "$MODULES/WalletConnectSign.o" \
        -lsodium -lsecp256k1 -use-ld=lld -o "$binary"
}

# Writes every string value (and every object/array, as compact JSON) of the given vector files into $1.
extract_seeds() {
    local corpus="$1"
    shift
    mkdir -p "$corpus"
    python3 - "$corpus" "$@" <<'PY'
import hashlib, json, os, sys
corpus, files = sys.argv[1], sys.argv[2:]
seen = set()
def emit(text):
    data = text.encode("utf-8")
    if not data or len(data) > 65536 or data in seen:
        return
    seen.add(data)
    with open(os.path.join(corpus, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
def walk(value):
    if isinstance(value, str):
        emit(value)
    elif isinstance(value, dict):
        emit(json.dumps(value, separators=(",", ":")))
        for item in value.values():
            walk(item)
    elif isinstance(value, list):
        emit(json.dumps(value, separators=(",", ":")))
        for item in value:
            walk(item)
for path in files:
    with open(path) as f:
        walk(json.load(f).get("cases", []))
print(f"{len(seen)} seeds")
PY
}

seed_files() {
    case "$1" in
        EnvelopeDecode) echo core-envelopes.json core-crypto.json ;;
        PairingURIParse) echo core-uri.json ;;
        JSONRPCDecode) echo sign-wire-payloads.json core-relay-rpc.json sign-engine-validation.json sign-namespaces.json sign-errors.json core-envelopes.json ;;
        RelayFrames) echo core-relay-rpc.json ;;
    esac
}

build_libraries
for target in "${TARGETS[@]}"; do
    case "$target" in
        RelayFrames)
            build_target RelayFrames \
                "$ROOT/Sources/WalletConnectRelayServer/RelayFrameParser.swift" \
                "$ROOT/Sources/WalletConnectRelayServer/RelayServerState.swift" \
                "$ROOT/Sources/WalletConnectRelayServer/RelayServerState+Commands.swift" \
                "$ROOT/Sources/WalletConnectRelayServer/RelayServerConfiguration.swift" ;;
        EnvelopeDecode|PairingURIParse|JSONRPCDecode) build_target "$target" ;;
        *) echo "run-fuzzers: unknown target $target" >&2; exit 2 ;;
    esac
done
[ "$BUILD_ONLY" = 1 ] && exit 0

for target in "${TARGETS[@]}"; do
    work="$OUT/$target"
    corpus="$work/corpus"
    rm -rf "$corpus" "$work/seeds"
    mkdir -p "$corpus" "$work/crashes"
    if [ -n "$VECTORS" ]; then
        files=()
        for file in $(seed_files "$target"); do files+=("$VECTORS/$file"); done
        echo "== seeds for $target: $(extract_seeds "$work/seeds" "${files[@]}")"
    else
        echo "== no vectors found (set WALLETKIT_VECTORS); $target starts from an empty corpus"
        mkdir -p "$work/seeds"
    fi
    echo "== fuzz $target: $RUNS runs (guard ${MAX_TIME}s)"
    log="$work/fuzz.log"
    set +e
    SWIFT_BACKTRACE=enable=no "$work/fuzz-$target" -runs="$RUNS" -max_total_time="$MAX_TIME" -max_len=8192 -timeout=30 \
        -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/crashes/" \
        "$corpus" "$work/seeds" >"$log" 2>&1
    status=$?
    set -e
    grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|Fatal error|SUMMARY)" "$log" || true
    grep -E "invariant violated|Fatal error:" "$log" | head -5 || true
    if [ $status -ne 0 ]; then
        echo "run-fuzzers: $target stopped with status $status; artifacts in $work/crashes/ (log: $log)" >&2
        exit $status
    fi
done
