import Foundation
import Logging

extension Relayer {
    /// One inbound text frame: responses resolve their waiter; `*_subscription` requests are acknowledged first,
    /// then go through ``ingest(_:)``; anything else is ignored.
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
            await acknowledge(id, on: connection)
            guard let params else {
                logger.debug("malformed subscription params", metadata: ["wk.rpc.id": "\(id)"])
                return
            }
            await ingest(params.data)
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

    /// The shared delivery path (live pushes and fetched messages): drop empty messages and unknown topics,
    /// dedupe by (topic, sha256(message)), persist as unhandled, then yield to ``messages()`` subscribers.
    func ingest(_ message: RelayMessage) async {
        guard !message.message.isEmpty else { return }
        guard topics.contains(message.topic) else {
            logger.trace("dropped message for an unknown topic", metadata: ["wk.topic": "\(message.topic)"])
            return
        }
        let changes: [StorageChange]
        do {
            guard let recorded = try tracker.recordInbound(message) else {
                counters.bump(.duplicatesDropped)
                return
            }
            changes = recorded
        } catch {
            logger.debug("could not encode message record", metadata: ["wk.topic": "\(message.topic)"])
            return
        }
        do {
            try await persist(changes)
        } catch {
            logger.debug("could not persist message record", metadata: ["wk.topic": "\(message.topic)"])
        }
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
