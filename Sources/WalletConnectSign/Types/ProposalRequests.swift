import WalletConnectCore

/// Extra requests bundled with a session proposal: `{authentication?, walletPay?}`.
///
/// `authentication` entries are `AuthenticateParams` objects (§4.5) kept as JSON so that the
/// auth layer can decode them with its own types.
public struct ProposalRequests: Codable, Sendable, Hashable {
    /// One-click auth requests (`AuthenticateParams` objects).
    public var authentication: [JSONValue]?
    /// Wallet Pay request.
    public var walletPay: WalletPayParams?

    /// Creates proposal requests.
    public init(authentication: [JSONValue]? = nil, walletPay: WalletPayParams? = nil) {
        self.authentication = authentication
        self.walletPay = walletPay
    }
}

/// The wallet's answers to ``ProposalRequests``, sent in `wc_sessionSettle`.
public struct ProposalRequestsResponses: Codable, Sendable, Hashable {
    /// Signed CACAOs answering `authentication`.
    public var authentication: [JSONValue]?
    /// Wallet Pay results.
    public var walletPay: [WalletPayResult]?

    /// Creates proposal request responses.
    public init(authentication: [JSONValue]? = nil, walletPay: [WalletPayResult]? = nil) {
        self.authentication = authentication
        self.walletPay = walletPay
    }
}
