import Synchronization

/// JSON-RPC id generation (spec §3.3, `core-rpc-id.json`).
///
/// - ``payloadID()``: client-to-client ids, `ms × 1000 + counter % 1000` (16 digits, a safe integer).
/// - ``relayID()``: client-to-relay ids, `ms × 10⁶ + counter % 10⁶` (19 digits).
///
/// Each counter starts at a random value (uint8 / uint16) and grows by one per call. Ids of each kind are
/// strictly increasing within a generator: if the clock stalls or goes back, the next id is the previous + 1.
package final class RPCIDGenerator: Sendable {
    private struct State {
        var payloadCounter: Int64
        var relayCounter: Int64
        var lastPayloadID: Int64 = 0
        var lastRelayID: Int64 = 0
    }

    private let wallClock: WallClock
    private let state: Locked<State>

    /// Creates a generator.
    /// - Parameters:
    ///   - wallClock: the wall-time source.
    ///   - payloadCounter: first counter for ``payloadID()`` (default: a random uint8).
    ///   - relayCounter: first counter for ``relayID()`` (default: a random uint16).
    package init(wallClock: WallClock = .system, payloadCounter: Int64? = nil, relayCounter: Int64? = nil) {
        self.wallClock = wallClock
        self.state = Locked(
            State(
                payloadCounter: payloadCounter ?? Int64(SecureRandom.uniform(256)),
                relayCounter: relayCounter ?? Int64(SecureRandom.uniform(65536))))
    }

    /// `nowMilliseconds × 1000 + extra` (the payload id formula).
    package static func payloadID(nowMilliseconds: Int64, extra: Int64) -> Int64 {
        nowMilliseconds * 1000 + extra
    }

    /// `nowMilliseconds × 1 000 000 + extra` (the 19-digit relay id formula).
    package static func relayID(nowMilliseconds: Int64, extra: Int64) -> Int64 {
        nowMilliseconds * 1_000_000 + extra
    }

    /// A new client-to-client id.
    package func payloadID() -> Int64 {
        let now = wallClock.nowMilliseconds
        return state.withLock { state in
            let candidate = Self.payloadID(nowMilliseconds: now, extra: state.payloadCounter % 1000)
            state.payloadCounter += 1
            let id = max(candidate, state.lastPayloadID + 1)
            state.lastPayloadID = id
            return id
        }
    }

    /// A new client-to-relay id.
    package func relayID() -> Int64 {
        let now = wallClock.nowMilliseconds
        return state.withLock { state in
            let candidate = Self.relayID(nowMilliseconds: now, extra: state.relayCounter % 1_000_000)
            state.relayCounter += 1
            let id = max(candidate, state.lastRelayID + 1)
            state.lastRelayID = id
            return id
        }
    }

    /// A new client-to-relay id as an ``RPCID``.
    package func relayRPCID() -> RPCID { RPCID(relayID()) }

    /// A new client-to-client id as an ``RPCID``.
    package func payloadRPCID() -> RPCID { RPCID(payloadID()) }
}
