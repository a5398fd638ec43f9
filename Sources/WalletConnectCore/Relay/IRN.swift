import CSodium
import Foundation

/// The relay JSON-RPC protocol (IRN) shared by the relay client and the project's relay server (core.md §3).
///
/// Method names, param/result types with the wire field order, limits, id rules and error helpers.
package enum IRN {
    /// Relay method names (core.md §3.4).
    package enum Method {
        /// `irn_publish`: client → relay, publish one envelope.
        package static let publish = "irn_publish"
        /// `irn_batchPublish`: in the method table, unused by SDKs.
        package static let batchPublish = "irn_batchPublish"
        /// `irn_subscribe`: subscribe to one topic.
        package static let subscribe = "irn_subscribe"
        /// `irn_batchSubscribe`: subscribe to 1…500 topics.
        package static let batchSubscribe = "irn_batchSubscribe"
        /// `irn_unsubscribe`: unsubscribe from one topic.
        package static let unsubscribe = "irn_unsubscribe"
        /// `irn_batchUnsubscribe`: unsubscribe from 1…500 topics.
        package static let batchUnsubscribe = "irn_batchUnsubscribe"
        /// `irn_subscription`: relay → client delivery.
        package static let subscription = "irn_subscription"
        /// `iridium_subscription`: legacy alias of ``subscription``.
        package static let legacySubscription = "iridium_subscription"
        /// `irn_fetchMessages`: fetch mailbox messages of one topic.
        package static let fetchMessages = "irn_fetchMessages"
        /// `irn_batchFetchMessages`: fetch mailbox messages of 1…500 topics.
        package static let batchFetchMessages = "irn_batchFetchMessages"
        /// `wc_proposeSession`: subscribe to the pairing topic and publish the proposal (tag 1100).
        package static let proposeSession = "wc_proposeSession"
        /// `wc_approveSession`: subscribe to the session topic, publish response (1101) and settlement (1102).
        package static let approveSession = "wc_approveSession"
        /// `irn_batchReceive`: service/webhook receipts.
        package static let batchReceive = "irn_batchReceive"
        /// `irn_watchRegister`: service/webhook registration.
        package static let watchRegister = "irn_watchRegister"
        /// `irn_watchUnregister`: service/webhook unregistration.
        package static let watchUnregister = "irn_watchUnregister"
        /// `irn_subscribeBlocking` (Rust only).
        package static let subscribeBlocking = "irn_subscribeBlocking"
        /// `irn_batchSubscribeBlocking` (Rust only).
        package static let batchSubscribeBlocking = "irn_batchSubscribeBlocking"
        /// `wc_createTopic` (Rust only).
        package static let createTopic = "wc_createTopic"

        /// Every method name this module knows.
        package static let all: Set<String> = [
            publish, batchPublish, subscribe, batchSubscribe, unsubscribe, batchUnsubscribe, subscription,
            legacySubscription, fetchMessages, batchFetchMessages, proposeSession, approveSession, batchReceive,
            watchRegister, watchUnregister, subscribeBlocking, batchSubscribeBlocking, createTopic,
        ]

        /// Whether `method` is a relay → client delivery (`*_subscription`, as JS filters it).
        package static func isSubscription(_ method: String) -> Bool {
            method.hasSuffix("_subscription")
        }
    }

    /// Tags the relay uses for the messages of the composite session calls (core.md §3.4, §3.7).
    package enum Tag {
        /// `wc_sessionPropose` request (published by `wc_proposeSession`).
        package static let sessionPropose = 1100
        /// `wc_sessionPropose` response (published by `wc_approveSession` on the pairing topic).
        package static let sessionProposeResponse = 1101
        /// `wc_sessionSettle` request (published by `wc_approveSession` on the session topic).
        package static let sessionSettle = 1102
    }

    /// The smallest request id the relay accepts from clients.
    package static let minRequestID: Int64 = 1_000_000_000
    /// Largest number of items in a batch call.
    package static let batchLimit = 500
    /// Smallest accepted publish ttl, in seconds.
    package static let minTTL: Int64 = 10
    /// Largest accepted publish ttl, in seconds (30 days).
    package static let maxTTL: Int64 = 2_592_000
    /// The ttl the relay uses for the messages of `wc_proposeSession` / `wc_approveSession`.
    package static let compositeTTL: UInt32 = 300

    /// Encodes a relay frame as compact JSON in the field order of its `encode(to:)` (byte-exact wire form).
    ///
    /// Use this instead of `JSONEncoder`, which does not keep key order on Linux.
    /// - Throws: `EncodingError.invalidValue` for non-finite numbers.
    package static func wireString<T: Encodable>(_ value: T) throws -> String {
        try OrderedJSONEncoder().string(value)
    }

    /// Whether the relay accepts `id` as a client request id (≥ 10⁹).
    package static func isValidRequestID(_ id: RPCID) -> Bool {
        id.rawValue >= minRequestID
    }

    /// Whether `topic` is 64 hex characters.
    package static func isValidTopic(_ topic: String) -> Bool {
        topic.utf8.count == 64 && topic.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (97...102).contains(byte) || (65...70).contains(byte)
        }
    }

    /// The subscription id `sha256(topic + clientID)` as lowercase hex (JS `getSubscriptionId`).
    package static func subscriptionID(topic: String, clientID: String) -> String {
        sha256Hex(Array((topic + clientID).utf8))
    }

    /// The relay message id: `sha256(utf8(message))` as lowercase hex.
    package static func messageID(_ message: String) -> String {
        sha256Hex(Array(message.utf8))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
        let hexDigits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digest.count * 2)
        for byte in digest {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension IRN {
    /// A typed JSON-RPC request that keeps the field order `id, jsonrpc, method, params` and the params' own order.
    package struct Request<Params: Codable & Sendable>: Codable, Sendable {
        /// The request id.
        package var id: RPCID
        /// Always `"2.0"`.
        package var jsonrpc: String
        /// The method name.
        package var method: String
        /// The params object.
        package var params: Params

        /// Creates a request.
        package init(id: RPCID, method: String, params: Params) {
            self.id = id
            self.jsonrpc = "2.0"
            self.method = method
            self.params = params
        }
    }

    /// A typed JSON-RPC success response (`id, jsonrpc, result`).
    package struct ResultResponse<Result: Codable & Sendable>: Codable, Sendable {
        /// The id of the answered request.
        package var id: RPCID
        /// Always `"2.0"`.
        package var jsonrpc: String
        /// The result value.
        package var result: Result

        /// Creates a response.
        package init(id: RPCID, result: Result) {
            self.id = id
            self.jsonrpc = "2.0"
            self.result = result
        }
    }

    /// Params of `irn_subscribe`, `irn_fetchMessages` and `wc_createTopic`: `{topic}`.
    package struct SubscribeParams: Codable, Sendable, Hashable {
        /// The topic (64 hex).
        package var topic: String
        /// Creates the params.
        package init(topic: String) { self.topic = topic }
    }

    /// Params of `irn_fetchMessages`: `{topic}`.
    package typealias FetchMessagesParams = SubscribeParams
    /// Params of `wc_createTopic`: `{topic}`.
    package typealias CreateTopicParams = SubscribeParams

    /// Params of `irn_batchSubscribe` and `irn_batchFetchMessages`: `{topics}`.
    package struct BatchSubscribeParams: Codable, Sendable, Hashable {
        /// The topics (1…500).
        package var topics: [String]
        /// Creates the params.
        package init(topics: [String]) { self.topics = topics }
    }

    /// Params of `irn_batchFetchMessages`: `{topics}`.
    package typealias BatchFetchMessagesParams = BatchSubscribeParams

    /// Params of `irn_unsubscribe`: `{topic, id?}` (the relay does not check `id`).
    package struct UnsubscribeParams: Codable, Sendable, Hashable {
        /// The topic.
        package var topic: String
        /// The subscription id the client knows (JS sends it; Swift and Rust do not).
        package var id: String?
        /// Creates the params.
        package init(topic: String, id: String? = nil) {
            self.topic = topic
            self.id = id
        }
    }

    /// Params of `irn_batchUnsubscribe`: `{subscriptions: [{topic, id?}]}`.
    package struct BatchUnsubscribeParams: Codable, Sendable, Hashable {
        /// The subscriptions to drop (1…500).
        package var subscriptions: [UnsubscribeParams]
        /// Creates the params.
        package init(subscriptions: [UnsubscribeParams]) { self.subscriptions = subscriptions }
    }

    /// Params of `irn_batchPublish`: `{messages}` (unused by SDKs).
    package struct BatchPublishParams: Codable, Sendable, Hashable {
        /// The messages to publish.
        package var messages: [PublishParams]
        /// Creates the params.
        package init(messages: [PublishParams]) { self.messages = messages }
    }

    /// Result of `irn_fetchMessages` / `irn_batchFetchMessages`.
    package struct FetchMessagesResult: Codable, Sendable, Hashable {
        /// Mailbox messages in the `irn_subscription` data shape.
        package var messages: [RelayMessage]
        /// Whether another fetch returns more.
        package var hasMore: Bool
        /// Creates the result.
        package init(messages: [RelayMessage], hasMore: Bool) {
            self.messages = messages
            self.hasMore = hasMore
        }
    }

    /// One receipt of `irn_batchReceive`.
    package struct Receipt: Codable, Sendable, Hashable {
        /// The topic.
        package var topic: String
        /// The relay message id.
        package var messageID: UInt64
        /// Creates a receipt.
        package init(topic: String, messageID: UInt64) {
            self.topic = topic
            self.messageID = messageID
        }
        enum CodingKeys: String, CodingKey {
            case topic
            case messageID = "message_id"
        }
    }

    /// Params of `irn_batchReceive` (service use).
    package struct BatchReceiveParams: Codable, Sendable, Hashable {
        /// The receipts.
        package var receipts: [Receipt]
        /// Creates the params.
        package init(receipts: [Receipt]) { self.receipts = receipts }
    }

    /// Params of `irn_watchRegister` (service use).
    package struct WatchRegisterParams: Codable, Sendable, Hashable {
        /// The registration JWT.
        package var registerAuth: String
        /// Creates the params.
        package init(registerAuth: String) { self.registerAuth = registerAuth }
    }

    /// Params of `irn_watchUnregister` (service use).
    package struct WatchUnregisterParams: Codable, Sendable, Hashable {
        /// The unregistration JWT.
        package var unregisterAuth: String
        /// Creates the params.
        package init(unregisterAuth: String) { self.unregisterAuth = unregisterAuth }
    }

    /// One item of an `irn_batchSubscribeBlocking` result: a subscription id or an error.
    package enum BlockingSubscribeResult: Codable, Sendable, Hashable {
        /// Subscribed; the subscription id.
        case id(String)
        /// Failed for this topic.
        case error(JSONRPCError)

        enum CodingKeys: String, CodingKey { case id, error }

        /// Decodes `{"id": …}` or `{"error": {…}}`.
        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let id = try container.decodeIfPresent(String.self, forKey: .id) {
                self = .id(id)
            } else {
                self = .error(try container.decode(JSONRPCError.self, forKey: .error))
            }
        }

        /// Encodes `{"id": …}` or `{"error": {…}}`.
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .id(let id): try container.encode(id, forKey: .id)
            case .error(let error): try container.encode(error, forKey: .error)
            }
        }
    }
}
