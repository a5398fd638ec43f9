#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Tests/Fuzz (by hand, not in CI).
#
#   Tests/Fuzz/run-fuzzers.sh [--runs N] [--max-time SECONDS] [--build-only] [target ...]
#
# Targets (default: all, one after the other):
#   EnvelopeDecode   envelope decoding and decryption (type 0/1/2)
#   PairingURIParse  `wc:` pairing URI parsing and pair() validation
#   JSONRPCDecode    JSON-RPC frames and the Sign params decoders and receipt validators
#   RelayFrames      the relay server's frame parser and state, two connections, a settable clock
#   RelayJWTVerify   relay-auth JWT verification (raw tokens, signed claims JSON, structured self-signed did:key
#                    tokens checked against an oracle) and the relay's upgrade-request auth check (query, bearer)
#   ProposalApproval wc_sessionPropose params -> receipt validation -> stored proposal -> buildApprovedNamespaces
#                    (fuzzed, fixed and mirror wallets) -> approve() validation
# Defaults: 1,000,000 runs each, 3,600 s guard per target. Run it with `nice -n 10` on a shared machine.
#
# How: the library sources the targets need are compiled with swiftc into fuzz-instrumented modules under
# .build-fuzz/ (gitignored): swift-log's Logging, swift-nio's NIOLock, swift-http-types' HTTPTypes,
# WalletConnectCore without its socket and SQLite files, WalletConnectSign without its client composition. The
# relay targets compile the relay server's files they need into the harness itself (no Hummingbird). Seeds come
# from the shared vectors at run time (every string and object of the relevant files becomes one corpus file, plus
# a few structured seeds per target); nothing is copied into the repository. Crashes are written to
# .build-fuzz/<target>/crashes/; Docs/Security.md lists what the targets found.
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
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) TARGETS+=("$1"); shift ;;
    esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(EnvelopeDecode PairingURIParse JSONRPCDecode RelayFrames RelayJWTVerify ProposalApproval)

CHECKOUTS="$ROOT/.build/checkouts"
if [ ! -d "$CHECKOUTS/swift-log" ]; then
    echo "run-fuzzers: $CHECKOUTS/swift-log is missing; run 'swift package resolve' first" >&2
    exit 1
fi

SWIFT_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g -enable-testing)
# The project's language settings (Package.swift); third-party modules get their own (MODULE_FLAGS).
PROJECT_FLAGS=(-swift-version 6 -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility)
MODULES="$OUT/modules"
mkdir -p "$MODULES"

# Compiles one module (whole-module) into $MODULES/<name>.o and <name>.swiftmodule, unless up to date.
# MODULE_FLAGS (an array), when set, replaces PROJECT_FLAGS for this module.
MODULE_FLAGS=()
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
    swiftc "${SWIFT_FLAGS[@]}" ${MODULE_FLAGS[@]+"${MODULE_FLAGS[@]}"} \
        $([ ${#MODULE_FLAGS[@]} -gt 0 ] || echo "${PROJECT_FLAGS[@]}") -package-name "$package" -module-name "$name" -wmo \
        -I "$MODULES" -I "$ROOT/Sources/CSodium" -I "$ROOT/Sources/CSecp256k1" \
        -emit-module -emit-module-path "$MODULES/$name.swiftmodule" -c "$@" -o "$object"
    touch "$object"  # swiftc leaves an unchanged object's time alone
}

build_libraries() {
    build_module Logging swift_log $(find "$CHECKOUTS/swift-log/Sources/Logging" -name '*.swift' | sort)
    # swift-nio's NIOLock (Locked<Value> is built on it): only its lock files, which need no CNIOAtomics.
    MODULE_FLAGS=(-swift-version 5)
    build_module NIOConcurrencyHelpers swift_nio "$CHECKOUTS/swift-nio/Sources/NIOConcurrencyHelpers/NIOLock.swift" \
        "$CHECKOUTS/swift-nio/Sources/NIOConcurrencyHelpers/NIOLockedValueBox.swift" \
        "$CHECKOUTS/swift-nio/Sources/NIOConcurrencyHelpers/lock.swift"
    # swift-http-types' HTTPTypes (RelayConnectionAuth needs it), with the settings of its Package.swift.
    MODULE_FLAGS=(-swift-version 6 -enable-upcoming-feature MemberImportVisibility
        -enable-upcoming-feature InternalImportsByDefault -D FoundationURL)
    local version
    for version in 1.0 1.1 1.2 1.3 1.6 1.7; do
        MODULE_FLAGS+=(-enable-experimental-feature "AvailabilityMacro=HTTPTypes $version: macOS 10.0")
    done
    build_module HTTPTypes swift_http_types $(find "$CHECKOUTS/swift-http-types/Sources/HTTPTypes" -name '*.swift' | sort)
    MODULE_FLAGS=()
    # Core minus the files that need NIO, swift-websocket or GRDB (sockets, the relayer, SQLite).
    build_module WalletConnectCore walletkit_swift $(find "$ROOT/Sources/WalletConnectCore" -name '*.swift' | sort |
        grep -v -E '/(SQLiteStorage|WebSocketRelayTransport|RelayWebSocketChannel|Relayer[^/]*|RelayConnectionURL|RelayConnectionFailure)\.swift$')
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
    swiftc "${SWIFT_FLAGS[@]}" "${PROJECT_FLAGS[@]}" -package-name walletkit_swift -module-name "Fuzz$name" \
        -I "$MODULES" -I "$ROOT/Sources/CSodium" -I "$ROOT/Sources/CSecp256k1" \
        "$dir"/*.swift "$@" \
        "$MODULES/Logging.o" "$MODULES/NIOConcurrencyHelpers.o" "$MODULES/HTTPTypes.o" "$MODULES/WalletConnectCore.o" "$MODULES/WalletConnectSign.o" \
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
        document = json.load(f)
    # Most files keep their data under "cases"; the namespace vectors keep it under one key per helper.
    walk(document["cases"] if "cases" in document else document)
print(f"{len(seen)} seeds")
PY
}

seed_files() {
    case "$1" in
        EnvelopeDecode) echo core-envelopes.json core-crypto.json ;;
        PairingURIParse) echo core-uri.json ;;
        JSONRPCDecode) echo sign-wire-payloads.json core-relay-rpc.json sign-engine-validation.json sign-namespaces.json sign-errors.json core-envelopes.json ;;
        RelayFrames) echo core-relay-rpc.json ;;
        RelayJWTVerify) echo core-relay-auth.json core-verify-jwt.json ;;
        ProposalApproval) echo sign-namespaces.json sign-engine-validation.json sign-wire-payloads.json ;;
    esac
}

# Structured seeds a target's input format needs besides the vectors' strings and objects.
extra_seeds() {
    local target="$1" corpus="$2"
    case "$target" in
        RelayJWTVerify)
            # Mode 0x00 (a structured self-signed token) with a few choice patterns; mode 0x01 (seed + claims JSON).
            python3 - "$corpus" <<'PY'
import os, sys
corpus = sys.argv[1]
claims = b'{"iss":"%ISS%","sub":"fuzz","aud":"wss://relay.walletconnect.org","iat":1700000000,"exp":1700086400}'
seeds = [bytes([0]) + bytes(range(i, i + 32)) + bytes([i % 7, i % 5, 0, 0, 10, 0, 0, 0, 0, 3, i, 1, 0, 0, 0, 0, 0])
         for i in range(8)]
seeds += [bytes([1]) + bytes(32) + claims, bytes([1]) + bytes(range(32)) + claims.replace(b"1700000000", b"1.7e9")]
for index, data in enumerate(seeds):
    with open(os.path.join(corpus, f"structured-{index}"), "wb") as f:
        f.write(data)
PY
            ;;
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
        RelayJWTVerify)
            build_target RelayJWTVerify "$ROOT/Sources/WalletConnectRelayServer/RelayConnectionAuth.swift" ;;
        EnvelopeDecode|PairingURIParse|JSONRPCDecode|ProposalApproval) build_target "$target" ;;
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
    extra_seeds "$target" "$work/seeds"
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
