import Foundation
import Logging

extension Relayer {
    /// One inbound text frame: responses resolve their waiter; `*_subscription` requests are recorded, acknowledged,
    /// then handed to ``messages()`` subscribers; anything else is ignored.
    ///
    /// The acknowledgement comes before any decryption or handling (core §3.5) and does not depend on them; it does
    /// depend on the message being durably recorded: when the record cannot be written (a read-only or full disk),
    /// the message is neither acknowledged nor handed on, so the relay keeps it and delivers it again (after a
    /// reconnect or restart) instead of it being lost with the process.
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
            switch await record(params.data) {
            case .deliver(let message):
                await acknowledge(id, on: connection)
                await deliver(message)
            case .drop:
                await acknowledge(id, on: connection)
            case .notRecorded:
                logger.debug("left a message unacknowledged: it could not be recorded", metadata: ["wk.rpc.id": "\(id)"])
            }
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

    /// The shared delivery path for fetched messages: ``record(_:)`` then ``deliver(_:)``.
    func ingest(_ message: RelayMessage) async {
        if case .deliver(let message) = await record(message) { deliver(message) }
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
            guard let recorded = try tracker.recordInbound(message) else {
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
