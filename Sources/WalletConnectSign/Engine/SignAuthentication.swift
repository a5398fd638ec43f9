/// The result of ``SignClient/authenticate(_:rpcCaller:)``: the URI to show the wallet and an awaitable answer.
public struct SignAuthentication: Sendable {
    /// The pairing URI (`wc:…?methods=wc_sessionAuthenticate…`); `nil` when an existing pairing was used.
    public let uri: String?
    /// The pairing topic the request and the fallback proposal were sent on.
    public let pairingTopic: String
    /// The JSON-RPC id of `wc_sessionAuthenticate`.
    public let requestID: Int64
    /// The id of the fallback `wc_sessionPropose`.
    public let fallbackProposalID: Int64
    /// The topic the wallet answers on: `sha256(requesterPublicKey)`.
    public let responseTopic: String
    private let waitForResponse: @Sendable () async throws -> SignAuthenticationResult

    init(
        uri: String?, pairingTopic: String, requestID: Int64, fallbackProposalID: Int64, responseTopic: String,
        wait: @escaping @Sendable () async throws -> SignAuthenticationResult
    ) {
        self.uri = uri
        self.pairingTopic = pairingTopic
        self.requestID = requestID
        self.fallbackProposalID = fallbackProposalID
        self.responseTopic = responseTopic
        self.waitForResponse = wait
    }

    /// Waits for the wallet's answer. Call it once.
    /// - Returns: The verified CACAOs (and the session when methods were approved), or the session settled
    ///   through the fallback proposal when the wallet does not handle `wc_sessionAuthenticate`.
    /// - Throws: ``SignAuthenticationError`` (a CACAO refused — forged, unbound — or the request expired),
    ///   ``SDKError`` with the wallet's rejection (e.g. 5000) or its rejection of the fallback proposal,
    ///   ``SignEngineError/shutDown``, `CancellationError`.
    public func response() async throws -> SignAuthenticationResult { try await waitForResponse() }
}

/// How a dapp's authenticate request ended successfully.
public enum SignAuthenticationResult: Sendable, Hashable {
    /// The wallet answered `wc_sessionAuthenticate` with CACAOs that all verified and are bound to the request.
    /// `session` is `nil` when no method was approved (SIWE only).
    case authenticated(cacaos: [Cacao], session: Session?)
    /// The wallet did not handle `wc_sessionAuthenticate` and settled the fallback proposal instead.
    case fallbackSession(Session)

    /// The session, whichever way it was established.
    public var session: Session? {
        switch self {
        case .authenticated(_, let session): session
        case .fallbackSession(let session): session
        }
    }

    /// The verified CACAOs (empty for a fallback session).
    public var cacaos: [Cacao] {
        if case .authenticated(let cacaos, _) = self { return cacaos }
        return []
    }
}

/// Why a dapp refused the wallet's answer to its authenticate request, or why the request ended without one.
///
/// Match on ``kind``; ``reason`` gives the verifier's ``AuthError`` when a CACAO was refused.
public struct SignAuthenticationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure class.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The kind's name.
        public var description: String { name }

        /// A CACAO did not verify (bad signature) or is not bound to the request (domain, nonce, aud, chain).
        public static let cacaoRefused = Kind("cacaoRefused")
        /// The answer could not be decoded (no CACAO, malformed CACAO or responder).
        public static let malformedResponse = Kind("malformedResponse")
        /// The request expired before the wallet answered.
        public static let expired = Kind("expired")
    }

    /// The failure class.
    public let kind: Kind
    /// A human-readable message (never contains keys or payloads).
    public let message: String
    /// The verifier's error when ``kind`` is ``Kind/cacaoRefused``.
    public let reason: AuthError?

    init(_ kind: Kind, _ message: String, reason: AuthError? = nil) {
        self.kind = kind
        self.message = message
        self.reason = reason
    }

    /// A CACAO (at `index` in the answer) was refused for `reason`.
    public static func cacaoRefused(index: Int, reason: AuthError) -> SignAuthenticationError {
        SignAuthenticationError(.cacaoRefused, "CACAO \(index) refused: \(reason.message)", reason: reason)
    }

    /// The wallet's answer was unusable.
    public static func malformedResponse(_ message: String) -> SignAuthenticationError {
        SignAuthenticationError(.malformedResponse, message)
    }

    /// The request expired unanswered.
    public static let expired = SignAuthenticationError(.expired, "Authenticate request expired")

    /// `SignAuthenticationError.<kind>: <message>`.
    public var description: String { "SignAuthenticationError.\(kind): \(message)" }
}
