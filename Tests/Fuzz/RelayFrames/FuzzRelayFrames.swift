// libFuzzer target: the relay server's frame handling, socket-free (Tests/Fuzz/run-fuzzers.sh builds and runs it).
//
// Not part of the SwiftPM package. The script compiles this file together with the relay server's
// RelayFrameParser.swift, RelayServerState*.swift and RelayServerConfiguration.swift (no Hummingbird), so the
// internal `RelayFrameParser.parse` and `RelayServerState.register/receive` are reachable without sockets.
//
// Input: lines. A line is a frame from connection A, or from connection B when it starts with `B:`; a line
// `@<seconds>` advances the relay's wall clock. Checks: every frame the relay sends is a JSON-RPC 2.0 object;
// every request or invalid frame gets exactly one response (result or error) on its connection, in order,
// carrying its id (or `null` when it had none); deliveries are `irn_subscription` requests.
import Foundation
import Synchronization
import WalletConnectCore

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

/// A settable wall clock for one input.
private final class FuzzClock: Sendable {
    let milliseconds = Locked<Int64>(1_700_000_000_000)
    var wallClock: WallClock { WallClock { [self] in milliseconds.withLock { $0 } } }
}

private struct Connection {
    let id: UInt64
    let frames: AsyncStream<RelayOutbound>
    /// The id each of its request or invalid frames must be answered with (`nil`: a `null` id).
    var expected: [RPCID?] = []
}

private func run(_ lines: [Substring]) async {
    let clock = FuzzClock()
    let state = RelayServerState(wallClock: clock.wallClock)
    let parser = RelayFrameParser(limits: state.limits)
    var connections: [Connection] = []
    var sinks: [AsyncStream<RelayOutbound>.Continuation] = []
    for name in ["A", "B"] {
        let (frames, sink) = AsyncStream<RelayOutbound>.makeStream(bufferingPolicy: .unbounded)
        let id = await state.register(clientID: "did:key:fuzz-\(name)", compressed: false, sink: sink)
        connections.append(Connection(id: id, frames: frames))
        sinks.append(sink)
    }
    for line in lines {
        if line.hasPrefix("@"), let seconds = Int64(line.dropFirst()), (0...1_000_000).contains(seconds) {
            clock.milliseconds.withLock { $0 += seconds * 1000 }
            continue
        }
        let index = line.hasPrefix("B:") ? 1 : 0
        let frame = index == 1 ? line.dropFirst(2) : line
        let inbound = parser.parse(Data(frame.utf8))
        switch inbound {
        case .request(let id, _): connections[index].expected.append(id)
        case .invalid(let id, _): connections[index].expected.append(id)
        case .ack, .clientError: break
        }
        await state.receive(inbound, from: connections[index].id)
    }
    for connection in connections { await state.unregister(connection.id) }
    for sink in sinks { sink.finish() }
    for connection in connections {
        var responses: [RPCID?] = []
        for await frame in connection.frames {
            guard case .text(let text) = frame else { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                fatalError("relay sent a frame that is not a JSON object: \(text)")
            }
            check(object["jsonrpc"] as? String == "2.0", "frame without jsonrpc 2.0: \(text)")
            if let method = object["method"] as? String {
                check(method == IRN.Method.subscription, "relay sent a request other than irn_subscription: \(text)")
                continue
            }
            check((object["result"] != nil) != (object["error"] != nil), "response needs exactly one of result/error")
            guard let message = try? JSONRPCMessage.decode(text), case .response(let response) = message else {
                check(object["id"] is NSNull, "undecodable response with a non-null id: \(text)")
                responses.append(nil)
                continue
            }
            responses.append(response.id)
        }
        check(
            responses == connection.expected,
            "responses \(responses) do not match the frames sent \(connection.expected)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelayFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).prefix(64)
    let done = DispatchSemaphore(value: 0)
    Task {
        await run(Array(lines))
        done.signal()
    }
    done.wait()
    return 0
}
