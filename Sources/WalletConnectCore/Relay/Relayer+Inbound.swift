import Foundation
import Logging

/// A message handed to ``Relayer/messages()`` and not finished yet, known by its topic and text.
struct InFlightKey: Hashable, Sendable {
    var topic: String
    var message: String

    init(_ message: RelayMessage) {
        self.topic = message.topic
        self.message = message.message
    }
}

extension Relayer {
    /// One inbound text frame: responses resolve their waiter; `*_subscription` requests go to ``intake(_:acknowledgement:)``;
    /// anything else is ignored.
    ///
    /// The acknowledgement comes before any decryption or handling (core §3.5) and does not depend on them; it
    /// does depend on the message being durably recorded and handed on: a message waits in the read-ahead,
    /// unacknowledged, while ``RelayerConfiguration/maxInboundBacklog`` messages are out, and when the record
    /// cannot be written (a read-only or full disk) it is neither acknowledged nor handed on, so the relay keeps it
    /// and delivers it again (after a reconnect or restart) instead of it being lost with the process. While the
    /// read-ahead is full this returns only once there is room: the transport reads the next frame after it, so
    /// the socket is not read faster than the consumer handles messages.
    nonisolated func handleFrame(_ text: String, on connection: any RelayConnection) async {
        let frame: RelayInboundFrame
        do {
            frame = try JSONDecoder().decode(RelayInboundFrame.self, from: Data(text.utf8))
        } catch {
            logger.debug("ignored a frame that is not JSON-RPC", metadata: ["wk.error": "\(error)"])
            return
        }
        switch frame {
        case .response(let response):
            if !pending.deliver(response) {
                logger.trace("response without a waiter", metadata: ["wk.rpc.id": "\(response.id)"])
            }
        case .request(let method):
            logger.debug("ignored relay request", metadata: ["wk.method": "\(method)"])
        case .subscription(let id, let params):
            guard let params else {
                await acknowledge(id, on: connection)
                logger.debug("malformed subscription params", metadata: ["wk.rpc.id": "\(id)"])
                return
            }
            await intake(params.data, acknowledgement: .init(id: id, connection: connection))
        }
    }

    /// Sends `{"id":<same>,"jsonrpc":"2.0","result":true}` before anything else happens to the message.
    private nonisolated func acknowledge(_ id: RPCID, on connection: any RelayConnection) async {
        do {
            // Built by hand: fixed member order, no encoder round trip on the hot path.
            try await connection.send(#"{"id":\#(id.rawValue),"jsonrpc":"2.0","result":true}"#)
            counters.bump(.acknowledgementsSent)
        } catch {
            logger.debug("could not acknowledge", metadata: ["wk.rpc.id": "\(id)"])
        }
    }

    /// What ``record(_:)`` decided about an inbound message.
    enum Intake: Sendable {
        /// New and recorded as unhandled: hand it on.
        case deliver(RelayMessage)
        /// Empty, for an unknown topic, or a duplicate: dropped (and acknowledged).
        case drop
        /// New, but its record could not be written: not acknowledged, not handed on.
        case notRecorded
    }

    /// The shared path of delivered and fetched messages. What can be dropped at once (empty, unknown topic,
    /// already seen) is dropped and acknowledged; the rest joins the read-ahead and is taken by ``pump()`` as the
    /// backlog allows. Returns once the read-ahead has room (or the relayer stopped, or the task was cancelled).
    func intake(_ message: RelayMessage, acknowledgement: InboundQueue.Acknowledgement?) async {
        guard !isStopped else { return }
        if message.message.isEmpty || !topics.contains(message.topic)
            || tracker.hasSeen(topic: message.topic, hash: MessageTracker.hash(message.message))
        {
            if !message.message.isEmpty, topics.contains(message.topic) { counters.bump(.duplicatesDropped) }
            if let acknowledgement { await acknowledge(acknowledgement.id, on: acknowledgement.connection) }
            return
        }
        inboundQueue.append(message, acknowledgement: acknowledgement)
        await pump()
        while isReadAheadFull, !isStopped, !Task.isCancelled {
            // Decided on the actor; a wake-up between this read and the wait is not missed (the epoch moved).
            let seen = readAheadGate.epoch
            await readAheadGate.wait(after: seen)
        }
    }

    /// Fetched messages (no acknowledgement) take the same path as delivered ones.
    func ingest(_ message: RelayMessage) async {
        await intake(message, acknowledgement: nil)
    }

    /// Whether the read-ahead holds as many messages or bytes as it may.
    var isReadAheadFull: Bool {
        inboundQueue.count >= max(1, configuration.maxInboundReadAhead)
            || inboundQueue.bytes >= max(1, configuration.maxInboundReadAheadBytes)
    }

    /// Takes waiting messages (topics in turn) while fewer than ``RelayerConfiguration/maxInboundBacklog`` are out:
    /// records each, acknowledges it, hands it on. One pump at a time, so each topic's messages are recorded,
    /// acknowledged and handed on in the order they came; a call while one runs returns at once (the running one
    /// sees the room it made).
    func pump() async {
        guard !isPumping else { return }
        isPumping = true
        defer { isPumping = false }
        while !isStopped, inFlight.count < max(1, configuration.maxInboundBacklog), let item = inboundQueue.popNext() {
            readAheadGate.wake()
            // The slot is taken before the first await.
            let key = InFlightKey(item.message)
            let inserted = inFlight.insert(key).inserted
            switch await record(item.message) {
            case .deliver(let message):
                if let acknowledgement = item.acknowledgement {
                    await acknowledge(acknowledgement.id, on: acknowledgement.connection)
                }
                deliver(message)
            case .drop:
                if inserted { inFlight.remove(key) }
                if let acknowledgement = item.acknowledgement {
                    await acknowledge(acknowledgement.id, on: acknowledgement.connection)
                }
            case .notRecorded:
                if inserted { inFlight.remove(key) }
                logger.debug(
                    "left a message unacknowledged: it could not be recorded",
                    metadata: ["wk.rpc.id": "\(item.acknowledgement.map { "\($0.id)" } ?? "fetched")"])
            }
        }
    }

    /// Drops empty messages and unknown topics, dedupes by (topic, sha256(message)) and persists a new message as
    /// unhandled. A message whose record cannot be written is forgotten again, so its next delivery is taken.
    func record(_ message: RelayMessage) async -> Intake {
        guard !message.message.isEmpty else { return .drop }
        guard topics.contains(message.topic) else {
            logger.trace("dropped message for an unknown topic", metadata: ["wk.topic": "\(message.topic)"])
            return .drop
        }
        let changes: [StorageChange]
        do {
            guard let recorded = try tracker.recordInbound(message, now: wallClock.nowSeconds) else {
                counters.bump(.duplicatesDropped)
                return .drop
            }
            changes = recorded
        } catch {
            logger.debug("could not encode message record", metadata: ["wk.topic": "\(message.topic)"])
            return .drop
        }
        do {
            try await persist(changes)
        } catch {
            tracker.forgetInbound(message)
            logger.debug("could not persist message record", metadata: ["wk.topic": "\(message.topic)"])
            return .notRecorded
        }
        return .deliver(message)
    }

    /// Yields a recorded message to ``messages()`` subscribers.
    func deliver(_ message: RelayMessage) {
        counters.bump(.messagesDelivered)
        inbound.yield(message)
    }

    /// Counts of the inbound path (tests and diagnostics): messages out, waiting in the read-ahead, and hashes
    /// remembered by the duplicate filter.
    var inboundCounts: (backlog: Int, readAhead: Int, remembered: Int) {
        (inFlight.count, inboundQueue.count, tracker.seenCount)
    }
}

/// One relay frame decoded in a single pass: the subscription params go straight into their type (no
/// `JSONValue` tree re-encoded and decoded again). Same checks as ``JSONRPCMessage/decode(_:)``.
enum RelayInboundFrame: Decodable {
    case response(JSONRPCResponse)
    /// An `*_subscription` request; `params` is `nil` when they are malformed (the request is still acknowledged).
    case subscription(id: RPCID, params: IRN.SubscriptionParams?)
    /// Any other request (ignored).
    case request(method: String)

    private enum Key: String, CodingKey { case id, method, params }

    init(from decoder: any Decoder) throws {
        let (_, kind) = try JSONRPCMessage.classify(decoder)
        do {
            switch kind {
            case .response:
                self = .response(try JSONRPCResponse(from: decoder))
            case .request:
                let container = try decoder.container(keyedBy: Key.self)
                let id = try container.decode(RPCID.self, forKey: .id)
                let method = try container.decode(String.self, forKey: .method)
                guard IRN.Method.isSubscription(method) else {
                    self = .request(method: method)
                    return
                }
                self = .subscription(id: id, params: try? container.decode(IRN.SubscriptionParams.self, forKey: .params))
            }
        } catch {
            throw JSONRPCDecodingError.invalidShape
        }
    }
}
