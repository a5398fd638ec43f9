import WalletConnectCore

/// A CACAO (Chain Agnostic CApability Object): the signed answer to a one-click-auth request.
///
/// Wire shape `{"h": {"t"}, "p": {iss, domain, aud, version, nonce, iat, …}, "s": {"t", "s", "m"?}}`
/// (sign.md §4.5).
public struct Cacao: Codable, Sendable, Hashable {
    /// Header (`h`).
    public var header: CacaoHeader
    /// Signed payload (`p`).
    public var payload: CacaoPayload
    /// Signature (`s`).
    public var signature: CacaoSignature

    /// Creates a CACAO.
    public init(header: CacaoHeader = CacaoHeader(), payload: CacaoPayload, signature: CacaoSignature) {
        self.header = header
        self.payload = payload
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case header = "h"
        case payload = "p"
        case signature = "s"
    }

    /// Decodes a CACAO kept as JSON (e.g. `SessionAuthenticateResponse.cacaos`).
    /// - Throws: `DecodingError`.
    public init(json: JSONValue) throws {
        self = try json.decode(as: Cacao.self)
    }

    /// The CACAO as JSON.
    /// - Throws: `EncodingError` (not expected for this type).
    public func jsonValue() throws -> JSONValue {
        try JSONValue(encoding: self)
    }
}

/// CACAO header: `{"t": "caip122"}` (reown-swift writes `"eip4361"`; both are accepted, never checked).
public struct CacaoHeader: Codable, Sendable, Hashable {
    /// The header type (`t`).
    public var type: String

    /// Creates a header; the default is `"caip122"`, the value to emit.
    public init(type: String = "caip122") {
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case type = "t"
    }
}

/// CACAO payload (`p`), the signed CAIP-122 fields plus the issuer.
public struct CacaoPayload: Codable, Sendable, Hashable {
    /// Issuer, `did:pkh:<namespace>:<reference>:<address>`.
    public var iss: String
    /// Requesting domain.
    public var domain: String
    /// Audience URI.
    public var aud: String
    /// CAIP-122 version.
    public var version: String
    /// The dapp's nonce.
    public var nonce: String
    /// Issued-at, ISO-8601.
    public var iat: String
    /// Statement as signed (including the ReCap sentence).
    public var statement: String?
    /// Request id.
    public var requestID: String?
    /// Resources.
    public var resources: [String]?
    /// Not-before.
    public var nbf: String?
    /// Expiration.
    public var exp: String?

    /// Creates a payload.
    public init(
        iss: String, domain: String, aud: String, version: String, nonce: String, iat: String,
        statement: String? = nil, requestID: String? = nil, resources: [String]? = nil, nbf: String? = nil,
        exp: String? = nil
    ) {
        self.iss = iss
        self.domain = domain
        self.aud = aud
        self.version = version
        self.nonce = nonce
        self.iat = iat
        self.statement = statement
        self.requestID = requestID
        self.resources = resources
        self.nbf = nbf
        self.exp = exp
    }

    enum CodingKeys: String, CodingKey {
        case iss, domain, aud, version, nonce, iat, statement
        case requestID = "requestId"
        case resources, nbf, exp
    }

    /// The payload as the ``AuthPayload`` that was signed (for message reconstruction); `chains` is
    /// the issuer's chain.
    public var authPayload: AuthPayload {
        AuthPayload(
            type: nil, chains: (try? DIDPKH(iss)).map { [$0.chainID] } ?? [], statement: statement, aud: aud,
            domain: domain, version: version, nonce: nonce, iat: iat, nbf: nbf, exp: exp, requestID: requestID,
            resources: resources)
    }
}

/// CACAO signature (`s`): `{"t": "eip191" | "eip1271" | …, "s": "0x…", "m"?}`.
public struct CacaoSignature: Codable, Sendable, Hashable {
    /// Signature type (`t`), see ``CacaoSignatureType``.
    public var type: String
    /// The signature, `0x`-hex (`s`).
    public var signature: String
    /// Optional extra data (`m`).
    public var metadata: String?

    /// Creates a signature.
    public init(type: String, signature: String, metadata: String? = nil) {
        self.type = type
        self.signature = signature
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case type = "t"
        case signature = "s"
        case metadata = "m"
    }
}

/// Known CACAO signature types.
public enum CacaoSignatureType {
    /// EIP-191 `personal_sign` by an externally owned account.
    public static let eip191 = "eip191"
    /// EIP-1271 contract-account signature (checked with `eth_call`).
    public static let eip1271 = "eip1271"
    /// EIP-6492 (advertised by reown-swift; not verified by JS or by this SDK).
    public static let eip6492 = "eip6492"
}

extension Cacao {
    /// The CACAO in the JS key order (`h`, `p`: iss, domain, aud, version, nonce, iat, statement,
    /// requestId, resources, nbf, exp; `s`: t, s, m), absent fields omitted.
    ///
    /// Foundation's `JSONEncoder` on Linux does not keep key order; use this (`.jsonString`) when
    /// exact bytes matter.
    package var authJSON: AuthJSON {
        var p: [(key: String, value: AuthJSON)] = [
            ("iss", .string(payload.iss)), ("domain", .string(payload.domain)), ("aud", .string(payload.aud)),
            ("version", .string(payload.version)), ("nonce", .string(payload.nonce)), ("iat", .string(payload.iat)),
        ]
        if let statement = payload.statement { p.append(("statement", .string(statement))) }
        if let requestID = payload.requestID { p.append(("requestId", .string(requestID))) }
        if let resources = payload.resources { p.append(("resources", .array(resources.map(AuthJSON.string)))) }
        if let nbf = payload.nbf { p.append(("nbf", .string(nbf))) }
        if let exp = payload.exp { p.append(("exp", .string(exp))) }
        var s: [(key: String, value: AuthJSON)] = [("t", .string(signature.type)), ("s", .string(signature.signature))]
        if let metadata = signature.metadata { s.append(("m", .string(metadata))) }
        return .object([("h", .object([("t", .string(header.type))])), ("p", .object(p)), ("s", .object(s))])
    }
}
