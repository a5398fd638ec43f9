import Foundation
import WalletConnectCore

/// A validated relay command from a client.
enum RelayOperation: Sendable {
    case publish(IRN.PublishParams)
    case batchPublish([IRN.PublishParams])
    case subscribe(topic: String, blocking: Bool)
    case batchSubscribe(topics: [String], blocking: Bool)
    case unsubscribe(topics: [String])
    case fetch(topics: [String])
    case proposeSession(ProposeSessionParams)
    case approveSession(ApproveSessionParams)
    case createTopic(String)
}

/// One classified inbound frame.
enum RelayInbound: Sendable {
    /// A client's success reply to an `irn_subscription` (the ack).
    case ack(RPCID)
    /// A client's error reply (ignored; the delivery stays unacked).
    case clientError(RPCID)
    /// A valid request.
    case request(RPCID, RelayOperation)
    /// An invalid frame; answer with this error (id `null` when it had none).
    case invalid(RPCID?, IRN.ErrorTag)
}

/// Parses and validates inbound relay frames (pure; no state).
struct RelayFrameParser: Sendable {
    var limits: RelayStoreLimits

    private struct Envelope: Decodable {
        var id: RPCID?
        var jsonrpc: String?
        var method: String?
        var hasResult: Bool
        var hasError: Bool

        enum CodingKeys: String, CodingKey { case id, jsonrpc, method, result, error }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try? c.decodeIfPresent(RPCID.self, forKey: .id)
            jsonrpc = try? c.decodeIfPresent(String.self, forKey: .jsonrpc)
            method = try? c.decodeIfPresent(String.self, forKey: .method)
            hasError = c.contains(.error) && !((try? c.decodeNil(forKey: .error)) ?? true)
            hasResult = c.contains(.result)
        }
    }

    private struct TTLProbe: Decodable {
        struct Params: Decodable { var ttl: Int64? }
        var params: Params
    }

    private struct Failure: Error {
        var tag: IRN.ErrorTag
    }

    /// Classifies one frame (text or binary carrying JSON text).
    func parse(_ data: Data) -> RelayInbound {
        let decoder = JSONDecoder()
        guard let envelope = try? decoder.decode(Envelope.self, from: data) else {
            return .invalid(nil, .serialization)
        }
        guard let id = envelope.id else { return .invalid(nil, .serialization) }
        if let version = envelope.jsonrpc, version != "2.0" { return .invalid(id, .invalidJsonRpcVersion) }
        guard envelope.jsonrpc != nil else { return .invalid(id, .invalidJsonRpcVersion) }
        guard let method = envelope.method else {
            if envelope.hasError { return .clientError(id) }
            if envelope.hasResult { return .ack(id) }
            return .invalid(id, .serialization)
        }
        guard IRN.isValidRequestID(id) else { return .invalid(id, .invalidRequestID) }
        do {
            return .request(id, try command(method: method, data: data))
        } catch let failure as Failure {
            return .invalid(id, failure.tag)
        } catch {
            return .invalid(id, .invalidParams)
        }
    }

    private func params<P: Codable & Sendable>(_: P.Type, _ data: Data) throws -> P {
        do {
            return try JSONDecoder().decode(IRN.Request<P>.self, from: data).params
        } catch {
            throw Failure(tag: .invalidParams)
        }
    }

    private func command(method: String, data: Data) throws -> RelayOperation {
        switch method {
        case IRN.Method.publish:
            return .publish(try publishParams(data))
        case IRN.Method.batchPublish:
            let batch = try params(IRN.BatchPublishParams.self, data)
            try checkBatch(batch.messages.count)
            for item in batch.messages { try validate(item) }
            return .batchPublish(batch.messages)
        case IRN.Method.subscribe, IRN.Method.subscribeBlocking:
            let topic = try params(IRN.SubscribeParams.self, data).topic
            try checkTopic(topic)
            return .subscribe(topic: topic, blocking: method == IRN.Method.subscribeBlocking)
        case IRN.Method.batchSubscribe, IRN.Method.batchSubscribeBlocking:
            let topics = try params(IRN.BatchSubscribeParams.self, data).topics
            try checkBatch(topics.count)
            try topics.forEach(checkTopic)
            return .batchSubscribe(topics: topics, blocking: method == IRN.Method.batchSubscribeBlocking)
        case IRN.Method.unsubscribe:
            let topic = try params(IRN.UnsubscribeParams.self, data).topic
            try checkTopic(topic)
            return .unsubscribe(topics: [topic])
        case IRN.Method.batchUnsubscribe:
            let topics = try params(IRN.BatchUnsubscribeParams.self, data).subscriptions.map(\.topic)
            try checkBatch(topics.count)
            try topics.forEach(checkTopic)
            return .unsubscribe(topics: topics)
        case IRN.Method.fetchMessages:
            let topic = try params(IRN.FetchMessagesParams.self, data).topic
            try checkTopic(topic)
            return .fetch(topics: [topic])
        case IRN.Method.batchFetchMessages:
            let topics = try params(IRN.BatchFetchMessagesParams.self, data).topics
            try checkBatch(topics.count)
            try topics.forEach(checkTopic)
            return .fetch(topics: topics)
        case IRN.Method.proposeSession:
            let value = try params(ProposeSessionParams.self, data)
            try checkTopic(value.pairingTopic)
            return .proposeSession(value)
        case IRN.Method.approveSession:
            let value = try params(ApproveSessionParams.self, data)
            try checkTopic(value.pairingTopic)
            try checkTopic(value.sessionTopic)
            return .approveSession(value)
        case IRN.Method.createTopic:
            let topic = try params(IRN.CreateTopicParams.self, data).topic
            try checkTopic(topic)
            return .createTopic(topic)
        default:
            throw Failure(tag: .invalidMethod)
        }
    }

    private func publishParams(_ data: Data) throws -> IRN.PublishParams {
        do {
            let value = try params(IRN.PublishParams.self, data)
            try validate(value)
            return value
        } catch let failure as Failure where failure.tag == .invalidParams {
            // A numeric ttl outside UInt32 still deserves the ttl error.
            if let ttl = try? JSONDecoder().decode(TTLProbe.self, from: data).params.ttl {
                try checkTTL(ttl)
            }
            throw failure
        }
    }

    private func validate(_ params: IRN.PublishParams) throws {
        try checkTopic(params.topic)
        try checkTTL(Int64(params.ttl))
    }

    private func checkTTL(_ ttl: Int64) throws {
        if ttl < limits.minTTL { throw Failure(tag: .ttlTooShort) }
        if ttl > limits.maxTTL { throw Failure(tag: .ttlTooLong) }
    }

    private func checkTopic(_ topic: String) throws {
        guard IRN.isValidTopic(topic) else { throw Failure(tag: .invalidTopic) }
    }

    private func checkBatch(_ count: Int) throws {
        if count == 0 { throw Failure(tag: .batchEmpty) }
        if count > IRN.batchLimit { throw Failure(tag: .batchLimitExceeded) }
    }
}
