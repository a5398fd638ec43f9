import WalletConnectCore

/// Everything a `SignEngine` announces, on ``SignClient/events()``.
public enum SignEvent: Sendable, Hashable {
    /// A session proposal arrived (wallet): `session_proposal`.
    case sessionProposal(Proposal, VerifyContext?)
    /// A session request is ready for the app (wallet, through the request queue): `session_request`.
    case sessionRequest(PendingRequest)
    /// A session was settled: on the dapp when `wc_sessionSettle` arrived, on the wallet when it approved.
    case sessionSettle(Session)
    /// The dapp acknowledged `wc_sessionSettle` (wallet): the session is now `acknowledged`.
    case sessionAcknowledged(topic: String)
    /// The wallet rejected the proposal, or the settle was refused (dapp side of `approval()`).
    case sessionRejected(proposalID: Int64, error: SDKError)
    /// The peer updated the namespaces: `session_update`.
    case sessionUpdate(id: Int64, topic: String, namespaces: SessionNamespaces)
    /// The peer extended the session: `session_extend`.
    case sessionExtend(id: Int64, topic: String, expiry: Int64)
    /// The peer emitted an event: `session_event`.
    ///
    /// `outsideSession` is `true` when `chainID` is not among the session's chains or the event name is not listed
    /// for it. Such an event is delivered all the same, as JS dapps deliver it (a wallet may announce a
    /// `chainChanged` to a chain it is about to add); the app decides what to make of it.
    case sessionEvent(
        id: Int64, topic: String, event: SessionEventParams.Event, chainID: String, outsideSession: Bool = false)
    /// The peer pinged the session: `session_ping`.
    case sessionPing(id: Int64, topic: String)
    /// A session was deleted by the peer (`id` = its request id) or cleaned up locally (`id` = 0).
    case sessionDelete(id: Int64, topic: String)
    /// A session expired: `session_expire`.
    case sessionExpire(topic: String)
    /// A proposal expired: `proposal_expire`.
    case proposalExpire(id: Int64)
    /// A pending session request expired before it was answered: `session_request_expire`.
    case sessionRequestExpire(id: Int64, topic: String)
    /// A response to one of this client's session requests arrived (dapp).
    case sessionResponse(id: Int64, topic: String, response: JSONRPCResponse)
    /// A one-click-auth request arrived (wallet): `session_authenticate`. It carries the id, the pairing topic,
    /// the requester, the auth payload, the expiry and the verify context.
    case sessionAuthenticate(PendingAuthRequest)
}
