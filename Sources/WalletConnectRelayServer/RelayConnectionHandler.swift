import Foundation
import HummingbirdWebSocket
import Synchronization
import Logging
import NIOCore
import NIOWebSocket
import WalletConnectCore

/// The ids of the connections one ``RelayServer`` serves (its state may be shared with other servers).
final class RelayServerConnections: Sendable {
    private let ids = Locked<Set<UInt64>>([])

    func insert(_ id: UInt64) { _ = ids.withLock { $0.insert(id) } }
    func remove(_ id: UInt64) { _ = ids.withLock { $0.remove(id) } }
    var current: Set<UInt64> { ids.withLock { $0 } }
}

/// Serves one upgraded WebSocket: reads frames into the state and writes the state's frames out.
struct RelayConnectionHandler: Sendable {
    struct Configuration: Sendable {
        var maxMessageBytes: Int
        var limits: RelayConnectionLimits
        var refusalGrace: Duration
        /// A connection without subscriptions silent for this long is closed (1001).
        var idleTimeout: Duration
    }

    let state: RelayServerState
    let configuration: Configuration
    let clientID: String
    let compressed: Bool
    /// The upgrade's ticket (``RelayServerState/takeUpgradeTicket()``), taken before its 101 response.
    let ticket: UInt64
    /// Set when auth failed and the client asked for a close event: close with 3000 at once.
    let refusal: IRN.ErrorTag?
    let logger: Logger
    let clock: any Clock<Duration>
    /// The serving server's connections.
    let owned: RelayServerConnections

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        if let refusal {
            logger.debug("relay connection refused with a close frame", metadata: ["wk.relay.error": "\(refusal.rawValue)"])
            let error = IRN.error(refusal)
            await closeRightAfterUpgrade(inbound: inbound, outbound: outbound, code: error.code, reason: error.message)
            return
        }
        var limits = configuration.limits
        limits.queueFrames = max(1, limits.queueFrames)
        let (frames, sink) = AsyncStream<RelayOutbound>.makeStream(bufferingPolicy: .bufferingOldest(limits.queueFrames))
        let meter = OutboundMeter()
        guard
            let id = await state.register(
                clientID: clientID, compressed: compressed, sink: sink, limits: limits, meter: meter,
                ticket: ticket)
        else {
            logger.debug("relay connection refused: too many connections for its client id")
            await closeRightAfterUpgrade(inbound: inbound, outbound: outbound, code: 1013, reason: "Too many connections")
            return
        }
        owned.insert(id)
        let parser = RelayFrameParser(limits: state.limits)
        let clock = self.clock
        let idleTimeout = configuration.idleTimeout
        let heard = Latch()
        let graceEnd = Self.deadline(after: configuration.refusalGrace, on: clock)
        // Idle check, once per period: an idle connection gets a close frame after its queued frames.
        let idleCheck = Task {
            while (try? await clock.sleep(for: idleTimeout)) != nil {
                if await state.checkIdle(id) {
                    sink.yield(.close(code: 1001, reason: "Idle timeout"))
                    sink.finish()
                    return
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    switch frame {
                    case .text(let text):
                        do { try await outbound.write(.text(text)) } catch { return }
                        meter.subtract(text.utf8.count)
                    case .close(let code, let reason):
                        // Not in the first moments of a connection that has sent nothing yet: such a close can
                        // be lost by a client still finishing its upgrade (see closeRightAfterUpgrade).
                        await Self.firstFrameOrGrace(heard, graceEnd: graceEnd)
                        try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                        return
                    }
                }
                // The queue ended without a close frame. Only an overflowed connection is closed here (1013, try
                // again later: the client reconnects); otherwise the connection is ending already, and a second
                // close on it lost deliveries under a 4010 storm.
                if await state.hasOverflowed(id) {
                    try? await outbound.close(WebSocketErrorCode(codeNumber: 1013), reason: "Slow consumer")
                }
            }
            do {
                for try await message in inbound.messages(maxSize: configuration.maxMessageBytes) {
                    let data: Data
                    switch message {
                    case .text(let text): data = Data(text.utf8)
                    case .binary(let buffer): data = Data(buffer.readableBytesView)
                    }
                    heard.open()
                    await state.receive(parser.parse(data), from: id)
                }
            } catch {
                // Protocol errors and oversized messages end the connection; the state forgets it below.
            }
            await state.unregister(id)
            owned.remove(id)
            idleCheck.cancel()
            await group.waitForAll()
        }
    }

    /// A wait that ends `duration` from now on `clock` (at once once that has passed).
    private static func deadline<C: Clock<Duration>>(after duration: Duration, on clock: C) -> @Sendable () async -> Void {
        let end = clock.now.advanced(by: duration)
        return {
            guard clock.now < end else { return }
            try? await clock.sleep(until: end, tolerance: nil)
        }
    }

    /// Returns once `latch` is open (the client has sent a frame) or when `graceEnd` returns, whichever is first.
    private static func firstFrameOrGrace(_ latch: Latch, graceEnd: @escaping @Sendable () async -> Void) async {
        guard !latch.isOpen else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await latch.wait() }
            group.addTask { await graceEnd() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Closes a connection that was just upgraded. A close frame that arrives in the same read as the 101 response
    /// can be lost by a client still finishing its upgrade (seen with swift-websocket's client), so this waits for
    /// the client's first frame or a short grace period before closing.
    private func closeRightAfterUpgrade(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, code: Int, reason: String
    ) async {
        let clock = self.clock
        let grace = configuration.refusalGrace
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = inbound.makeAsyncIterator()
                _ = try? await iterator.next()
            }
            group.addTask { try? await clock.sleep(for: grace) }
            await group.next()
            group.cancelAll()
        }
        try? await outbound.close(WebSocketErrorCode(codeNumber: code), reason: reason)
    }
}

/// A one-way latch: ``wait()`` returns once ``open()`` has been called (or its task is cancelled).
final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Locked(State())

    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Opens the latch and releases every waiter (resumed outside the lock).
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isOpen else { return [] }
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the latch is open, or at once when the task is cancelled.
    func wait() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
