import WalletConnectCore

/// The CAIP-122 payload a dapp asks the wallet to sign: `authPayload` of `wc_sessionAuthenticate`
/// (`PayloadParams`) and, with ``signatureTypes``, an entry of a proposal's
/// `requests.authentication` (`AuthenticateParams`), sign.md §4.5.
///
/// Decoding is tolerant (missing `chains` → `[]`); encoding omits absent optional fields.
/// `authJSON` gives the JS key order (`type, chains, statement, aud, domain, version, nonce, iat,
/// nbf, exp, requestId, resources`) for exact bytes.
public struct AuthPayload: Codable, Sendable, Hashable {
    /// `"caip122"` (reown-swift sends `"eip4361"`; both accepted).
    public var type: String?
    /// Requested CAIP-2 chains.
    public var chains: [String]
    /// Human-readable statement (the wallet may append the ReCap sentence).
    public var statement: String?
    /// The URI the signature is for (`URI:` line).
    public var aud: String?
    /// Alternative to `aud` used by some callers (JS `authenticate({uri})`); `aud` wins.
    public var uri: String?
    /// The requesting domain (first line of the message).
    public var domain: String
    /// CAIP-122 version, `"1"`.
    public var version: String
    /// The dapp's nonce.
    public var nonce: String
    /// Issued-at, ISO-8601.
    public var iat: String
    /// Not-before, ISO-8601.
    public var nbf: String?
    /// Expiration, ISO-8601.
    public var exp: String?
    /// Optional request id.
    public var requestID: String?
    /// Resources; the last one may be a `urn:recap:` ReCap.
    public var resources: [String]?
    /// Signature types the dapp accepts per namespace (`AuthenticateParams` only), e.g.
    /// `{"eip155": ["eip191", "eip1271"]}`.
    public var signatureTypes: [String: [String]]?

    /// Creates a payload.
    public init(
        type: String? = "caip122", chains: [String], statement: String? = nil, aud: String? = nil,
        uri: String? = nil, domain: String, version: String = "1", nonce: String, iat: String,
        nbf: String? = nil, exp: String? = nil, requestID: String? = nil, resources: [String]? = nil,
        signatureTypes: [String: [String]]? = nil
    ) {
        self.type = type
        self.chains = chains
        self.statement = statement
        self.aud = aud
        self.uri = uri
        self.domain = domain
        self.version = version
        self.nonce = nonce
        self.iat = iat
        self.nbf = nbf
        self.exp = exp
        self.requestID = requestID
        self.resources = resources
        self.signatureTypes = signatureTypes
    }

    /// The audience: `aud`, else `uri`.
    public var audience: String? { aud ?? uri }

    enum CodingKeys: String, CodingKey {
        case type, chains, statement, aud, uri, domain, version, nonce, iat, nbf, exp, resources, signatureTypes
        case requestID = "requestId"
    }

    /// Decodes tolerantly (missing `chains` → `[]`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        chains = try container.decodeIfPresent([String].self, forKey: .chains) ?? []
        statement = try container.decodeIfPresent(String.self, forKey: .statement)
        aud = try container.decodeIfPresent(String.self, forKey: .aud)
        uri = try container.decodeIfPresent(String.self, forKey: .uri)
        domain = try container.decode(String.self, forKey: .domain)
        version = try container.decode(String.self, forKey: .version)
        nonce = try container.decode(String.self, forKey: .nonce)
        iat = try container.decode(String.self, forKey: .iat)
        nbf = try container.decodeIfPresent(String.self, forKey: .nbf)
        exp = try container.decodeIfPresent(String.self, forKey: .exp)
        requestID = try container.decodeIfPresent(String.self, forKey: .requestID)
        resources = try container.decodeIfPresent([String].self, forKey: .resources)
        signatureTypes = try container.decodeIfPresent([String: [String]].self, forKey: .signatureTypes)
    }

    /// Encodes, omitting absent optional fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encode(chains, forKey: .chains)
        try container.encodeIfPresent(statement, forKey: .statement)
        try container.encodeIfPresent(aud, forKey: .aud)
        try container.encodeIfPresent(uri, forKey: .uri)
        try container.encode(domain, forKey: .domain)
        try container.encode(version, forKey: .version)
        try container.encode(nonce, forKey: .nonce)
        try container.encode(iat, forKey: .iat)
        try container.encodeIfPresent(nbf, forKey: .nbf)
        try container.encodeIfPresent(exp, forKey: .exp)
        try container.encodeIfPresent(requestID, forKey: .requestID)
        try container.encodeIfPresent(resources, forKey: .resources)
        try container.encodeIfPresent(signatureTypes, forKey: .signatureTypes)
    }
}

extension AuthPayload {
    /// Decodes a payload kept as JSON (e.g. `SessionAuthenticateParams.authPayload`).
    /// - Throws: `DecodingError` if required fields are missing.
    public init(json: JSONValue) throws {
        self = try json.decode(as: AuthPayload.self)
    }

    /// The payload as JSON (for `SessionAuthenticateParams.authPayload`).
    /// - Throws: `EncodingError` (not expected for this type).
    public func jsonValue() throws -> JSONValue {
        try JSONValue(encoding: self)
    }
}

extension AuthPayload {
    /// The payload in the JS key order, absent fields omitted (Foundation's `JSONEncoder` on Linux
    /// does not keep key order).
    package var authJSON: AuthJSON {
        var members: [(key: String, value: AuthJSON)] = []
        func add(_ key: String, _ value: String?) {
            if let value { members.append((key, .string(value))) }
        }
        add("type", type)
        members.append(("chains", .array(chains.map(AuthJSON.string))))
        add("statement", statement)
        add("aud", aud)
        add("uri", uri)
        add("domain", domain)
        add("version", version)
        add("nonce", nonce)
        add("iat", iat)
        add("nbf", nbf)
        add("exp", exp)
        add("requestId", requestID)
        if let resources { members.append(("resources", .array(resources.map(AuthJSON.string)))) }
        if let signatureTypes {
            let entries = signatureTypes.keys.sorted().map { key in
                (key: key, value: AuthJSON.array((signatureTypes[key] ?? []).map(AuthJSON.string)))
            }
            members.append(("signatureTypes", .object(entries)))
        }
        return .object(members)
    }
}
