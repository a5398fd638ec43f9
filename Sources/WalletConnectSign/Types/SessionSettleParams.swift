import WalletConnectCore

/// Per-session configuration sent in `wc_sessionSettle`: `{disableDeepLink?}`.
public struct SessionConfig: Codable, Sendable, Hashable {
    /// Ask the peer not to deep-link into the wallet.
    public var disableDeepLink: Bool?

    /// Creates a session config.
    public init(disableDeepLink: Bool? = nil) {
        self.disableDeepLink = disableDeepLink
    }
}

/// Params of `wc_sessionSettle` (wallet → dapp, session topic).
package struct SessionSettleParams: Codable, Sendable, Hashable {
    /// Relay options.
    package var relay: RelayProtocolOptions
    /// Approved namespaces.
    package var namespaces: SessionNamespaces
    /// The controller (wallet): its session public key and metadata.
    package var controller: Participant
    /// Session expiry (Unix seconds).
    package var expiry: Int64
    /// Session properties.
    package var sessionProperties: [String: JSONValue]?
    /// Scoped properties.
    package var scopedProperties: [String: JSONValue]?
    /// Session configuration.
    package var sessionConfig: SessionConfig?
    /// Answers to the proposal's bundled requests.
    package var proposalRequestsResponses: ProposalRequestsResponses?

    /// Creates settle params.
    package init(
        relay: RelayProtocolOptions = RelayProtocolOptions(), namespaces: SessionNamespaces, controller: Participant,
        expiry: Int64, sessionProperties: [String: JSONValue]? = nil, scopedProperties: [String: JSONValue]? = nil,
        sessionConfig: SessionConfig? = nil, proposalRequestsResponses: ProposalRequestsResponses? = nil
    ) {
        self.relay = relay
        self.namespaces = namespaces
        self.controller = controller
        self.expiry = expiry
        self.sessionProperties = sessionProperties
        self.scopedProperties = scopedProperties
        self.sessionConfig = sessionConfig
        self.proposalRequestsResponses = proposalRequestsResponses
    }
}
