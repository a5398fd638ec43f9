import Foundation

extension IRN {
    /// Params of `irn_publish` with the transaction-verification fields flattened in.
    ///
    /// Wire order: `topic, message, attestation?, ttl, tag, prompt?`, then the TVF fields
    /// (`correlationId, chainId, rpcMethods, txHashes, contractAddresses, approvedChains, approvedMethods,
    /// approvedEvents, approvedAccounts, sessionProperties, scopedProperties`), then ``additionalFields``
    /// in sorted key order. Absent optionals are omitted.
    package struct PublishParams: Codable, Sendable, Hashable {
        /// The topic (64 hex).
        package var topic: String
        /// The envelope text.
        package var message: String
        /// Seconds the relay keeps the message for offline subscribers.
        package var ttl: UInt32
        /// Message class; always sent.
        package var tag: Int
        /// Whether the message is relevant for push notifications (omitted when `nil`).
        package var prompt: Bool?
        /// Verify attestation JWT.
        package var attestation: String?
        /// TVF: the client-to-client JSON-RPC id this message belongs to.
        package var correlationID: Int64?
        /// TVF: CAIP-2 chain id.
        package var chainID: String?
        /// TVF: RPC methods.
        package var rpcMethods: [String]?
        /// TVF: transaction hashes.
        package var txHashes: [String]?
        /// TVF: contract addresses.
        package var contractAddresses: [String]?
        /// TVF (session approval): approved chains.
        package var approvedChains: [String]?
        /// TVF (session approval): approved methods.
        package var approvedMethods: [String]?
        /// TVF (session approval): approved events.
        package var approvedEvents: [String]?
        /// TVF (session approval): approved accounts.
        package var approvedAccounts: [String]?
        /// TVF (session approval): session properties (any JSON).
        package var sessionProperties: JSONValue?
        /// TVF (session approval): scoped properties (any JSON).
        package var scopedProperties: JSONValue?
        /// Any further flattened fields, encoded after the known ones in sorted key order.
        package var additionalFields: [String: JSONValue]

        /// Creates publish params.
        package init(
            topic: String, message: String, ttl: UInt32, tag: Int, prompt: Bool? = nil, attestation: String? = nil,
            correlationID: Int64? = nil, chainID: String? = nil, rpcMethods: [String]? = nil,
            txHashes: [String]? = nil, contractAddresses: [String]? = nil, approvedChains: [String]? = nil,
            approvedMethods: [String]? = nil, approvedEvents: [String]? = nil, approvedAccounts: [String]? = nil,
            sessionProperties: JSONValue? = nil, scopedProperties: JSONValue? = nil,
            additionalFields: [String: JSONValue] = [:]
        ) {
            self.topic = topic
            self.message = message
            self.ttl = ttl
            self.tag = tag
            self.prompt = prompt
            self.attestation = attestation
            self.correlationID = correlationID
            self.chainID = chainID
            self.rpcMethods = rpcMethods
            self.txHashes = txHashes
            self.contractAddresses = contractAddresses
            self.approvedChains = approvedChains
            self.approvedMethods = approvedMethods
            self.approvedEvents = approvedEvents
            self.approvedAccounts = approvedAccounts
            self.sessionProperties = sessionProperties
            self.scopedProperties = scopedProperties
            self.additionalFields = additionalFields
        }

        /// Creates publish params from ``PublishOptions`` (prompt always sent, known TVF keys mapped to fields).
        package init(topic: String, message: String, options: PublishOptions) {
            var extra = options.tvf
            func take(_ key: String) -> JSONValue? { extra.removeValue(forKey: key) }
            func strings(_ key: String) -> [String]? {
                guard let value = take(key) else { return nil }
                return value.arrayValue?.compactMap(\.stringValue)
            }
            let tvfCorrelation = take("correlationId")?.int64Value
            let correlation = options.correlationID ?? tvfCorrelation
            self.init(
                topic: topic, message: message, ttl: options.ttl, tag: options.tag, prompt: options.prompt,
                attestation: options.attestation, correlationID: correlation, chainID: take("chainId")?.stringValue,
                rpcMethods: strings("rpcMethods"), txHashes: strings("txHashes"),
                contractAddresses: strings("contractAddresses"), approvedChains: strings("approvedChains"),
                approvedMethods: strings("approvedMethods"), approvedEvents: strings("approvedEvents"),
                approvedAccounts: strings("approvedAccounts"), sessionProperties: take("sessionProperties"),
                scopedProperties: take("scopedProperties"), additionalFields: [:])
            self.additionalFields = extra
        }

        enum Key: String, CodingKey, CaseIterable {
            case topic, message, attestation, ttl, tag, prompt, correlationID = "correlationId", chainID = "chainId"
            case rpcMethods, txHashes
            case contractAddresses, approvedChains, approvedMethods, approvedEvents, approvedAccounts
            case sessionProperties, scopedProperties
        }

        struct DynamicKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// Decodes the params; unknown members land in ``additionalFields``.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            topic = try c.decode(String.self, forKey: .topic)
            message = try c.decode(String.self, forKey: .message)
            ttl = try c.decode(UInt32.self, forKey: .ttl)
            tag = try c.decodeIfPresent(Int.self, forKey: .tag) ?? 0
            prompt = try c.decodeIfPresent(Bool.self, forKey: .prompt)
            attestation = try c.decodeIfPresent(String.self, forKey: .attestation)
            correlationID = try c.decodeIfPresent(RPCID.self, forKey: .correlationID)?.rawValue
            chainID = try c.decodeIfPresent(String.self, forKey: .chainID)
            rpcMethods = try c.decodeIfPresent([String].self, forKey: .rpcMethods)
            txHashes = try c.decodeIfPresent([String].self, forKey: .txHashes)
            contractAddresses = try c.decodeIfPresent([String].self, forKey: .contractAddresses)
            approvedChains = try c.decodeIfPresent([String].self, forKey: .approvedChains)
            approvedMethods = try c.decodeIfPresent([String].self, forKey: .approvedMethods)
            approvedEvents = try c.decodeIfPresent([String].self, forKey: .approvedEvents)
            approvedAccounts = try c.decodeIfPresent([String].self, forKey: .approvedAccounts)
            sessionProperties = try c.decodeIfPresent(JSONValue.self, forKey: .sessionProperties)
            scopedProperties = try c.decodeIfPresent(JSONValue.self, forKey: .scopedProperties)
            let known = Set(Key.allCases.map(\.rawValue))
            let dynamic = try decoder.container(keyedBy: DynamicKey.self)
            var extra: [String: JSONValue] = [:]
            for key in dynamic.allKeys where !known.contains(key.stringValue) {
                extra[key.stringValue] = try dynamic.decode(JSONValue.self, forKey: key)
            }
            additionalFields = extra
        }

        /// Encodes the params in wire order.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(topic, forKey: .topic)
            try c.encode(message, forKey: .message)
            try c.encodeIfPresent(attestation, forKey: .attestation)
            try c.encode(ttl, forKey: .ttl)
            try c.encode(tag, forKey: .tag)
            try c.encodeIfPresent(prompt, forKey: .prompt)
            try c.encodeIfPresent(correlationID, forKey: .correlationID)
            try c.encodeIfPresent(chainID, forKey: .chainID)
            try c.encodeIfPresent(rpcMethods, forKey: .rpcMethods)
            try c.encodeIfPresent(txHashes, forKey: .txHashes)
            try c.encodeIfPresent(contractAddresses, forKey: .contractAddresses)
            try c.encodeIfPresent(approvedChains, forKey: .approvedChains)
            try c.encodeIfPresent(approvedMethods, forKey: .approvedMethods)
            try c.encodeIfPresent(approvedEvents, forKey: .approvedEvents)
            try c.encodeIfPresent(approvedAccounts, forKey: .approvedAccounts)
            try c.encodeIfPresent(sessionProperties, forKey: .sessionProperties)
            try c.encodeIfPresent(scopedProperties, forKey: .scopedProperties)
            if !additionalFields.isEmpty {
                var dynamic = encoder.container(keyedBy: DynamicKey.self)
                for key in additionalFields.keys.sorted() {
                    try dynamic.encode(additionalFields[key], forKey: DynamicKey(stringValue: key))
                }
            }
        }
    }

    /// Params of `irn_subscription` (relay → client): `{id, data}`.
    ///
    /// `data` is encoded in wire order `topic, message, attestation?, publishedAt, tag?` (`tag` omitted when `nil`).
    package struct SubscriptionParams: Codable, Sendable, Hashable {
        /// The subscription id.
        package var id: String
        /// The delivered message.
        package var data: RelayMessage

        /// Creates the params.
        package init(id: String, data: RelayMessage) {
            self.id = id
            self.data = data
        }

        enum Key: String, CodingKey { case id, data }
        enum DataKey: String, CodingKey { case topic, message, attestation, publishedAt, tag }

        /// Decodes the params.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            id = try c.decode(String.self, forKey: .id)
            data = try c.decode(RelayMessage.self, forKey: .data)
        }

        /// Encodes the params in wire order.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: .id)
            var d = c.nestedContainer(keyedBy: DataKey.self, forKey: .data)
            try d.encode(data.topic, forKey: .topic)
            try d.encode(data.message, forKey: .message)
            try d.encodeIfPresent(data.attestation, forKey: .attestation)
            try d.encode(data.publishedAt, forKey: .publishedAt)
            try d.encodeIfPresent(data.tag, forKey: .tag)
        }
    }
}
