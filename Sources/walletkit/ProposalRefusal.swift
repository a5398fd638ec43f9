import WalletConnectSign

/// A proposal or authenticate request the wallet cannot approve, with the SDK error its dapp is answered with
/// (5100 chains, 5101 methods, 5102 events, 5104 namespace key). The wallet rejects it and goes on.
struct ProposalRefusal: Error, Sendable, CustomStringConvertible {
    /// What the dapp is told.
    var reason: SDKError

    init(_ code: SDKErrorCode, _ context: String) {
        reason = .sdk(code, context: context)
    }

    init(reason: SDKError) {
        self.reason = reason
    }

    var description: String { reason.message }

    /// `list` for a message: the first `limit` items, then how many more.
    static func abbreviated(_ list: [String], limit: Int = 5) -> String {
        guard list.count > limit else { return list.joined(separator: ",") }
        return list.prefix(limit).joined(separator: ",") + " and \(list.count - limit) more"
    }
}
