/// Protocol lifetimes in seconds (§2.1, §3; `lifetimes_seconds` in `sign-rpc-options.json`).
package enum SignLifetimes {
    /// Session lifetime: 7 days.
    package static let session: Int64 = 604_800
    /// Proposal lifetime and timer: 5 minutes.
    package static let proposal: Int64 = 300
    /// Default `wc_sessionRequest` expiry: 15 minutes.
    package static let sessionRequest: Int64 = 900
    /// Bounds for a dapp-supplied request expiry.
    package static let sessionRequestExpiryBounds: ClosedRange<Int64> = 300...604_800
    /// Minimum lifetime of a `wc_sessionAuthenticate` request.
    package static let authRequestMinimum: Int64 = 3600
    /// Largest dapp-supplied `authenticate()` expiry: 7 days (it is added to the current time).
    package static let authRequestMaximum: Int64 = 604_800
    /// Acknowledgement timeout of update / extend / ping.
    package static let acknowledgementTimeout: Int64 = 300
    /// Lifetime of a pairing after activation (2.23).
    package static let activePairing: Int64 = 300
    /// Capacity of the recently-deleted set.
    package static let recentlyDeletedLimit = 200
}
