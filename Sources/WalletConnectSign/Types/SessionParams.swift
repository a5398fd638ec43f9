import WalletConnectCore

/// Params of `wc_sessionUpdate`: `{namespaces}`.
package struct SessionUpdateParams: Codable, Sendable, Hashable {
    /// The new namespaces.
    package var namespaces: SessionNamespaces

    /// Creates update params.
    package init(namespaces: SessionNamespaces) {
        self.namespaces = namespaces
    }
}

/// Params of `wc_sessionExtend`: `{expiry?}`.
///
/// JS sends `{}`; the written spec and reown-swift require `expiry`. Send it; accept its absence.
package struct SessionExtendParams: Codable, Sendable, Hashable {
    /// New absolute expiry (Unix seconds).
    package var expiry: Int64?

    /// Creates extend params.
    package init(expiry: Int64?) {
        self.expiry = expiry
    }
}

/// Params of `wc_sessionRequest`: `{request {method, params, expiryTimestamp?}, chainId}`.
public struct SessionRequestParams: Codable, Sendable, Hashable {
    /// The wrapped app-level request.
    public struct Request: Codable, Sendable, Hashable {
        /// Method name, e.g. `personal_sign`.
        public var method: String
        /// Method params (any JSON).
        public var params: JSONValue
        /// Absolute expiry (Unix seconds); optional on the wire.
        public var expiryTimestamp: Int64?

        /// Creates a request.
        public init(method: String, params: JSONValue, expiryTimestamp: Int64? = nil) {
            self.method = method
            self.params = params
            self.expiryTimestamp = expiryTimestamp
        }

        enum CodingKeys: String, CodingKey { case method, params, expiryTimestamp, expiry }

        /// Decodes `expiryTimestamp`, falling back to the spec's `expiry`; missing `params` become `null`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            method = try container.decode(String.self, forKey: .method)
            params = try container.decodeIfPresent(JSONValue.self, forKey: .params) ?? .null
            expiryTimestamp =
                try container.decodeIfPresent(Int64.self, forKey: .expiryTimestamp)
                ?? container.decodeIfPresent(Int64.self, forKey: .expiry)
        }

        /// Encodes `{method, params, expiryTimestamp?}`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(method, forKey: .method)
            try container.encode(params, forKey: .params)
            try container.encodeIfPresent(expiryTimestamp, forKey: .expiryTimestamp)
        }
    }

    /// The app-level request.
    public var request: Request
    /// CAIP-2 chain id.
    public var chainID: String

    /// Creates request params.
    public init(request: Request, chainID: String) {
        self.request = request
        self.chainID = chainID
    }

    enum CodingKeys: String, CodingKey {
        case request
        case chainID = "chainId"
    }
}

/// Params of `wc_sessionEvent`: `{event {name, data}, chainId}`.
public struct SessionEventParams: Codable, Sendable, Hashable {
    /// The event.
    public struct Event: Codable, Sendable, Hashable {
        /// Event name, e.g. `accountsChanged`.
        public var name: String
        /// Event data (any JSON).
        public var data: JSONValue

        /// Creates an event.
        public init(name: String, data: JSONValue) {
            self.name = name
            self.data = data
        }

        enum CodingKeys: String, CodingKey { case name, data }

        /// Decodes tolerantly: missing `data` becomes `null`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            data = try container.decodeIfPresent(JSONValue.self, forKey: .data) ?? .null
        }
    }

    /// The event.
    public var event: Event
    /// CAIP-2 chain id.
    public var chainID: String

    /// Creates event params.
    public init(event: Event, chainID: String) {
        self.event = event
        self.chainID = chainID
    }

    enum CodingKeys: String, CodingKey {
        case event
        case chainID = "chainId"
    }
}

/// Params of `wc_sessionDelete` and `wc_pairingDelete`: a reason `{code, message}`.
package struct SessionDeleteParams: Codable, Sendable, Hashable {
    /// Reason code (normally 6000).
    package var code: Int
    /// Reason message.
    package var message: String

    /// Creates a delete reason.
    package init(code: Int, message: String) {
        self.code = code
        self.message = message
    }
}

/// Params of `wc_sessionPing` and `wc_pairingPing`: the empty object `{}`.
package struct SessionPingParams: Codable, Sendable, Hashable {
    /// Creates empty ping params.
    package init() {}
}
