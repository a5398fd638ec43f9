import Foundation
import Logging
import WalletConnectCore

/// A frame queued for one connection's writer.
enum RelayOutbound: Sendable {
    case text(String)
    case close(code: UInt16, reason: String)
}

/// Bytes queued for one connection's writer: the state adds what it queues, the writer subtracts what it wrote.
final class OutboundMeter: Sendable {
    private let bytes = Locked(0)

    /// Adds `count` queued bytes; returns the new total.
    func add(_ count: Int) -> Int { bytes.withLock { $0 += count; return $0 } }
    /// Subtracts `count` written bytes.
    func subtract(_ count: Int) { bytes.withLock { $0 -= count } }
    /// The bytes queued now.
    var queued: Int { bytes.withLock { $0 } }
}

/// One connection's bounds (see ``RelayServerConfiguration``).
struct RelayConnectionLimits: Sendable {
    /// Frames its outbound queue holds; deliveries awaiting their ack are limited to half of it.
    var queueFrames = 65_536
    /// Bytes its outbound queue may hold before the connection is ended (1013).
    var queueBytes = Int.max
    /// Deliveries that may await their ack (at most half of `queueFrames`).
    var inFlightDeliveries = Int.max
    /// Bytes of deliveries that may await their ack.
    var inFlightBytes = Int.max
    /// Topics it may subscribe to.
    var subscriptions = Int.max
    /// Connections its client id may hold open at once.
    var perClient = Int.max
}

/// The relay's broker: connections, subscriptions, the mailbox and acknowledgements.
///
/// The state outlives any one ``RelayServer``: stop a server and start another with the same state and
/// the mailbox (messages within ttl, who acknowledged what) carries over. Time comes from the injected
/// `WallClock` (message `publishedAt` and ttl expiry), so tests can expire messages without waiting.
///
/// Delivery rules: a published message goes live to every socket subscribed to its topic except the
/// publisher's socket. Each delivery waits for the client's ack (`result: true`, same id); the ack retires
/// the message for that client id. When a client (re)subscribes, stored messages of the topic that this
/// client id has not acknowledged and did not publish are delivered. `irn_fetchMessages` returns the same
/// set in pages and retires what it returns for that connection only: the result has no ack, so a result lost
/// with its connection must leave the messages owed to the client's next connection.
public actor RelayServerState {
    struct StoredMessage {
        var seq: UInt64
        var topic: String
        var message: String
        /// The message's UTF-8 size, counted against the mailbox byte limits.
        var bytes: Int
        var messageID: String
        var publishedAt: Int64
        var expiresAt: Int64
        var tag: Int
        var attestation: String?
        var publisherClientID: String
        var publisherConnection: UInt64
        var ackedBy: Set<String> = []

        var relayMessage: RelayMessage {
            RelayMessage(
                topic: topic, message: message, publishedAt: publishedAt, tag: tag == 0 ? nil : tag,
                attestation: attestation)
        }
    }

    struct Connection {
        var clientID: String
        var sink: AsyncStream<RelayOutbound>.Continuation
        var limits: RelayConnectionLimits
        /// Bytes queued for the writer (shared with it).
        var meter: OutboundMeter
        var topics: Set<String> = []
        /// Messages received since the last idle check (see ``checkIdle(_:)``).
        var activity = 0
        /// relay id → message seq, for deliveries awaiting the ack.
        var pending: [Int64: UInt64] = [:]
        /// relay id → bytes of the delivery awaiting the ack.
        var pendingBytes: [Int64: Int] = [:]
        /// Bytes of deliveries awaiting their ack.
        var inFlightBytes = 0
        /// message seq → relay id of its delivery in flight.
        var inFlight: [UInt64: Int64] = [:]
        /// Deliveries that may await their ack at once (half the outbound queue): flow control, so a burst never
        /// overflows the queue; what does not fit stays owed.
        var window: Int
        /// Some owed message was held back by the window: delivered as acks free it.
        var backlog = false
        /// The topic that started the last backlog round (the next round starts after it).
        var backlogCursor = ""
        /// The outbound queue overflowed: the connection is being ended (see ``overflowed(_:)``).
        var overflowed = false
        /// Messages returned by `irn_fetchMessages` on this connection: not owed again here, but owed again to the
        /// client's next connection (a fetch result lost with its connection must not lose the messages).
        var fetched: Set<UInt64> = []
    }

    /// The wall clock used for `publishedAt`, ttl expiry and JWT checks.
    public nonisolated let wallClock: WallClock
    /// The store limits.
    public nonisolated let limits: RelayStoreLimits
    let logger: Logger
    var messages: [UInt64: StoredMessage] = [:]
    var topicMessages: [String: [UInt64]] = [:]
    /// The message ids held per topic: the duplicate check of a publish without reading every held message.
    var topicMessageIDs: [String: Set<String>] = [:]
    /// The earliest expiry held per topic, so ``purge(topic:)`` returns at once while nothing has expired.
    var topicEarliestExpiry: [String: Int64] = [:]
    var connections: [UInt64: Connection] = [:]
    /// Upgrades answered so far: each upgrade takes a ticket before its 101 response goes out.
    nonisolated let upgradeTickets = Locked<UInt64>(0)
    /// The last ``closeAllConnections(code:reason:)``: connections with a ticket up to `mark` that register after
    /// it are closed with its code at once.
    var pendingClose: (mark: UInt64, code: UInt16, reason: String)?
    /// Open connections per client id (for ``RelayConnectionLimits/perClient``).
    var clientConnections: [String: Int] = [:]
    /// Bytes of the held messages, in all and per topic.
    var heldBytes = 0
    var topicBytes: [String: Int] = [:]
    var subscribers: [String: Set<UInt64>] = [:]
    var nextSeq: UInt64 = 1
    var nextConnectionID: UInt64 = 1
    var lastRelayID: Int64 = 0
    var stats = RelayServerCounters()
    var drainWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var nextWaiterID: UInt64 = 1

    /// Creates an empty state.
    /// - Parameters:
    ///   - wallClock: Source of wall time (milliseconds).
    ///   - limits: TTL bounds and mailbox limits.
    ///   - logger: Debug logging; silent by default.
    public init(
        wallClock: WallClock = .system, limits: RelayStoreLimits = RelayStoreLimits(),
        logger: Logger = Logger(label: "walletkit.relay", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.wallClock = wallClock
        self.limits = limits
        self.logger = logger
    }

    // MARK: Public inspection and fault injection

    /// A snapshot of the counters (expired messages are purged first).
    public func counters() -> RelayServerCounters {
        purgeAll()
        var snapshot = stats
        snapshot.mailboxSize = messages.count
        snapshot.mailboxBytes = heldBytes
        snapshot.connections = connections.count
        snapshot.subscriptions = connections.values.reduce(0) { $0 + $1.topics.count }
        return snapshot
    }

    /// The messages held for `topic` (within ttl), oldest first.
    package func storedMessages(topic: String) -> [RelayMessage] {
        purge(topic: topic)
        return (topicMessages[topic] ?? []).compactMap { messages[$0]?.relayMessage }
    }

    /// Sends a close frame with `code` and `reason` to every open connection (e.g. 4010, 3000), including those
    /// whose upgrade was answered but whose handler has not registered yet (a client may already count itself
    /// connected): they are closed as they register.
    public func closeAllConnections(code: UInt16, reason: String) {
        pendingClose = (upgradeTickets.withLock { $0 }, code, reason)
        for connection in connections.values {
            connection.sink.yield(.close(code: code, reason: reason))
            connection.sink.finish()
        }
    }

    /// Sends a close frame to the open connections among `ids` (one server's connections when servers share
    /// the state).
    func closeConnections(_ ids: Set<UInt64>, code: UInt16, reason: String) {
        for id in ids {
            guard let connection = connections[id] else { continue }
            connection.sink.yield(.close(code: code, reason: reason))
            connection.sink.finish()
        }
    }

    /// Takes the ticket of an upgrade about to be answered (see ``closeAllConnections(code:reason:)``).
    nonisolated func takeUpgradeTicket() -> UInt64 {
        upgradeTickets.withLock { $0 += 1; return $0 }
    }

    /// The number of open connections.
    public var openConnectionCount: Int { connections.count }

    // MARK: Connections

    func register(
        clientID: String, compressed: Bool, sink: AsyncStream<RelayOutbound>.Continuation, queueSize: Int = 65_536
    ) -> UInt64 {
        // Without a per-client limit the registration cannot be refused.
        register(
            clientID: clientID, compressed: compressed, sink: sink,
            limits: RelayConnectionLimits(queueFrames: queueSize), meter: OutboundMeter())!
    }

    /// Registers a connection of `clientID`, or returns `nil` when that client id already holds
    /// `limits.perClient` open connections (the caller closes it with 1013).
    func register(
        clientID: String, compressed: Bool, sink: AsyncStream<RelayOutbound>.Continuation,
        limits: RelayConnectionLimits, meter: OutboundMeter, ticket: UInt64? = nil
    ) -> UInt64? {
        guard clientConnections[clientID, default: 0] < limits.perClient else {
            stats.refusedConnections += 1
            return nil
        }
        clientConnections[clientID, default: 0] += 1
        let id = nextConnectionID
        nextConnectionID += 1
        connections[id] = Connection(
            clientID: clientID, sink: sink, limits: limits, meter: meter,
            window: max(1, min(limits.queueFrames / 2, limits.inFlightDeliveries)))
        stats.totalConnections += 1
        if compressed { stats.compressedConnections += 1 }
        if let ticket, let pendingClose, ticket <= pendingClose.mark {
            // Upgraded before a close-all that could not see it yet.
            sink.yield(.close(code: pendingClose.code, reason: pendingClose.reason))
            sink.finish()
        }
        logger.debug("relay connection opened", metadata: ["wk.relay.connection": "\(id)"])
        return id
    }

    func unregister(_ id: UInt64) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        let remaining = clientConnections[connection.clientID, default: 1] - 1
        clientConnections[connection.clientID] = remaining > 0 ? remaining : nil
        for topic in connection.topics {
            subscribers[topic]?.remove(id)
            if subscribers[topic]?.isEmpty == true { subscribers[topic] = nil }
        }
        connection.sink.finish()
        logger.debug("relay connection closed", metadata: ["wk.relay.connection": "\(id)"])
        if connections.isEmpty {
            let waiters = drainWaiters
            drainWaiters = [:]
            for waiter in waiters.values { waiter.resume() }
        }
    }

    /// Returns once no connection is open (or when the calling task is cancelled).
    public func waitUntilNoConnections() async {
        guard !connections.isEmpty else { return }
        let waiterID = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if connections.isEmpty || Task.isCancelled {
                    continuation.resume()
                } else {
                    drainWaiters[waiterID] = continuation
                }
            }
        } onCancel: {
            Task { await self.releaseDrainWaiter(waiterID) }
        }
    }

    func releaseDrainWaiter(_ waiterID: UInt64) {
        drainWaiters.removeValue(forKey: waiterID)?.resume()
    }

    func noteRejectedAuth() {
        stats.rejectedAuth += 1
    }

    func noteRefusedConnection() {
        stats.refusedConnections += 1
    }

    func noteTimedOutConnection() {
        stats.timedOutConnections += 1
    }

    /// One idle check of connection `id` (called once per idle period): whether it has held no subscription and
    /// sent no message since the previous check. An idle connection is counted; its handler closes it.
    func checkIdle(_ id: UInt64) -> Bool {
        guard let connection = connections[id] else { return false }
        connections[id]?.activity = 0
        guard connection.topics.isEmpty, connection.activity == 0 else { return false }
        stats.timedOutConnections += 1
        return true
    }

    /// Handles one classified inbound frame of connection `id`.
    func receive(_ inbound: RelayInbound, from id: UInt64) {
        guard connections[id] != nil else { return }
        connections[id]?.activity += 1
        switch inbound {
        case .ack(let rpcID):
            acknowledge(rpcID, from: id)
        case .clientError:
            break
        case .invalid(let rpcID, let tag):
            sendError(rpcID, tag, to: id)
        case .request(let rpcID, let command):
            execute(command, id: rpcID, from: id)
        }
    }

    func acknowledge(_ rpcID: RPCID, from id: UInt64) {
        guard let seq = connections[id]?.pending.removeValue(forKey: rpcID.rawValue) else { return }
        connections[id]?.inFlight[seq] = nil
        let bytes = connections[id]?.pendingBytes.removeValue(forKey: rpcID.rawValue) ?? 0
        connections[id]?.inFlightBytes -= bytes
        stats.acked += 1
        if let clientID = connections[id]?.clientID {
            messages[seq]?.ackedBy.insert(clientID)
        }
        // Refill once the window has half drained, not on every ack: a refill scans the connection's owed
        // messages, so refilling per ack made a full window cost a scan of the mailbox per delivery.
        if let connection = connections[id], connection.backlog,
            connection.inFlight.count <= connection.window / 2,
            connection.inFlightBytes <= connection.limits.inFlightBytes / 2
        {
            deliverBacklog(to: id)
        }
    }

    /// Delivers what the window held back from connection `id`, as far as it fits now: oldest first per topic,
    /// the topics taking turns (one message each per round, starting after the topic served first last time), so
    /// a flood on one topic does not hold back another topic's messages until it is drained.
    func deliverBacklog(to id: UInt64) {
        guard let connection = connections[id] else { return }
        connections[id]?.backlog = false
        var queues: [(topic: String, seqs: ArraySlice<UInt64>)] = []
        for topic in connection.topics.sorted() {
            purge(topic: topic)
            let owed = (topicMessages[topic] ?? []).filter { seq in
                messages[seq].map { isOwed($0, to: connection) } ?? false
            }
            if !owed.isEmpty { queues.append((topic, owed[...])) }
        }
        guard !queues.isEmpty else { return }
        // Rotate: the round starts with the first topic after the one that started the previous round.
        let start = queues.firstIndex { $0.topic > connection.backlogCursor } ?? 0
        queues = Array(queues[start...] + queues[..<start])
        connections[id]?.backlogCursor = queues[0].topic
        while !queues.isEmpty {
            var next: [(topic: String, seqs: ArraySlice<UInt64>)] = []
            for var queue in queues {
                guard let seq = queue.seqs.popFirst() else { continue }
                deliver(seq, to: id)
                // The window is full again: the rest waits for the next acks.
                if connections[id]?.backlog != false { return }
                if !queue.seqs.isEmpty { next.append(queue) }
            }
            queues = next
        }
    }

    // MARK: Sending

    func send(_ text: String, to id: UInt64) {
        guard let connection = connections[id], !connection.overflowed else { return }
        let bytes = text.utf8.count
        if connection.meter.add(bytes) > connection.limits.queueBytes {
            connection.meter.subtract(bytes)
            overflowed(id)
            return
        }
        if case .dropped = connection.sink.yield(.text(text)) {
            connection.meter.subtract(bytes)
            overflowed(id)
        }
    }

    /// Whether connection `id` is being ended because its queue overflowed (its writer then closes it with 1013).
    func hasOverflowed(_ id: UInt64) -> Bool { connections[id]?.overflowed ?? false }

    /// Connection `id`'s queue is full (deliveries are windowed, so this is a client sending requests faster than
    /// it reads their answers). The frame that did not fit is dropped and the connection is ended (its writer
    /// sends 1013 after the queued frames), so the client reconnects and resubscribes; nothing waits unseen for a
    /// reconnect that might never come.
    func overflowed(_ id: UInt64) {
        stats.dropped += 1
        guard let connection = connections[id] else { return }
        connections[id]?.overflowed = true
        logger.debug("relay connection overflowed, ending it", metadata: ["wk.relay.connection": "\(id)"])
        connection.sink.finish()
    }

    func sendResult<R: Codable & Sendable>(_ result: R, id rpcID: RPCID, to id: UInt64) {
        guard let text = try? IRN.wireString(IRN.ResultResponse(id: rpcID, result: result)) else { return }
        send(text, to: id)
    }

    func sendError(_ rpcID: RPCID?, _ tag: IRN.ErrorTag, to id: UInt64) {
        stats.errors += 1
        let text: String?
        if let rpcID {
            text = try? IRN.wireString(JSONRPCResponse(id: rpcID, error: IRN.error(tag)))
        } else {
            text = try? IRN.wireString(NullIDErrorResponse(error: IRN.error(tag)))
        }
        if let text { send(text, to: id) }
        logger.debug("relay request failed", metadata: ["wk.relay.error": "\(tag.rawValue)"])
    }

    func nextRelayID() -> Int64 {
        let (scaled, overflow) = wallClock.nowMilliseconds.multipliedReportingOverflow(by: 1_000_000)
        let candidate = overflow ? lastRelayID + 1 : scaled
        lastRelayID = max(lastRelayID + 1, candidate, IRN.minRequestID)
        return lastRelayID
    }

    /// Sends `irn_subscription` for message `seq` to connection `id` and records it as awaiting an ack. When the
    /// connection's window (frames or bytes) is full, the message stays owed and the connection is marked as
    /// having a backlog.
    func deliver(_ seq: UInt64, to id: UInt64) {
        guard let stored = messages[seq], let connection = connections[id] else { return }
        guard connection.inFlight.count < connection.window,
            connection.inFlight.isEmpty || connection.inFlightBytes + stored.bytes <= connection.limits.inFlightBytes
        else {
            connections[id]?.backlog = true
            return
        }
        let relayID = nextRelayID()
        let params = IRN.SubscriptionParams(
            id: IRN.subscriptionID(topic: stored.topic, clientID: connection.clientID), data: stored.relayMessage)
        let request = IRN.Request(id: RPCID(relayID), method: IRN.Method.subscription, params: params)
        guard let text = try? IRN.wireString(request) else { return }
        let frameBytes = text.utf8.count
        if connection.meter.add(frameBytes) > connection.limits.queueBytes {
            connection.meter.subtract(frameBytes)
            overflowed(id)
            return
        }
        switch connection.sink.yield(.text(text)) {
        case .enqueued:
            break
        case .dropped:
            connection.meter.subtract(frameBytes)
            overflowed(id)
            return
        case .terminated:
            connection.meter.subtract(frameBytes)
            // Ending (overflowed or closing): not sent, so still owed at the next subscribe.
            return
        @unknown default:
            return
        }
        connections[id]?.pending[relayID] = seq
        connections[id]?.pendingBytes[relayID] = stored.bytes
        connections[id]?.inFlightBytes += stored.bytes
        connections[id]?.inFlight[seq] = relayID
        stats.delivered += 1
    }

    // MARK: Mailbox

    func purge(topic: String) {
        guard let seqs = topicMessages[topic] else { return }
        let now = wallClock.nowMilliseconds
        if let earliest = topicEarliestExpiry[topic], earliest > now { return }
        var kept: [UInt64] = []
        kept.reserveCapacity(seqs.count)
        var earliest = Int64.max
        for seq in seqs {
            guard let expiresAt = messages[seq]?.expiresAt else { continue }
            if expiresAt > now {
                kept.append(seq)
                earliest = min(earliest, expiresAt)
            } else if let removed = messages.removeValue(forKey: seq) {
                topicMessageIDs[topic]?.remove(removed.messageID)
                heldBytes -= removed.bytes
                topicBytes[topic, default: 0] -= removed.bytes
            }
        }
        if kept.isEmpty {
            topicBytes[topic] = nil
            topicMessages[topic] = nil
            topicMessageIDs[topic] = nil
            topicEarliestExpiry[topic] = nil
        } else {
            topicMessages[topic] = kept
            topicEarliestExpiry[topic] = earliest
        }
    }

    func purgeAll() {
        for topic in Array(topicMessages.keys) { purge(topic: topic) }
    }
}

/// An error response to a frame without a usable id: `{"id":null,"jsonrpc":"2.0","error":{…}}`.
struct NullIDErrorResponse: Encodable {
    var error: JSONRPCError

    enum CodingKeys: String, CodingKey { case id, jsonrpc, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNil(forKey: .id)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encode(error, forKey: .error)
    }
}
