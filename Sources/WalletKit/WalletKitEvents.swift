import WalletConnectCore
import WalletConnectSign

/// A session proposal for the wallet to approve or reject (`session_proposal`).
public struct SessionProposalEvent: Sendable, Hashable {
    /// The proposal (its `id` is the proposal id to approve or reject).
    public var proposal: Proposal
    /// The Verify result for the proposing dapp.
    public var verifyContext: VerifyContext?
    /// The proposal id.
    public var id: Int64 { proposal.id }

    /// Creates the event.
    public init(proposal: Proposal, verifyContext: VerifyContext?) {
        self.proposal = proposal
        self.verifyContext = verifyContext
    }
}

/// A session deleted by the peer (`id` = its request id) or cleaned up locally (`id` = 0) (`session_delete`).
/// Not announced for the wallet's own ``WalletKit/disconnectSession(topic:reason:)``.
public struct SessionDeleteEvent: Sendable, Hashable {
    /// The peer's `wc_sessionDelete` id, or 0.
    public var id: Int64
    /// The session topic.
    public var topic: String

    /// Creates the event.
    public init(id: Int64, topic: String) {
        self.id = id
        self.topic = topic
    }
}

/// A proposal that expired before it was answered (`proposal_expire`).
public struct ProposalExpirationEvent: Sendable, Hashable {
    /// The proposal id.
    public var id: Int64

    /// Creates the event.
    public init(id: Int64) { self.id = id }
}

/// A session request that expired before it was answered (`session_request_expire`); the dapp was told 8000.
public struct SessionRequestExpirationEvent: Sendable, Hashable {
    /// The request id.
    public var id: Int64
    /// The session topic.
    public var topic: String

    /// Creates the event.
    public init(id: Int64, topic: String) {
        self.id = id
        self.topic = topic
    }
}

/// The answer to a session request: a result, or a JSON-RPC error.
public enum SessionRequestResponse: Sendable, Hashable {
    /// A successful result.
    case result(JSONValue)
    /// An error (its code reaches the dapp).
    case error(JSONRPCError)

    /// An error answer from an SDK error, e.g. `.sdkError(.sdk(.userRejected))` (5000 `User rejected.`).
    public static func sdkError(_ error: SDKError) -> SessionRequestResponse { .error(error.jsonRPCError) }

    /// The JSON-RPC response for request `id`.
    public func jsonRPCResponse(id: Int64) -> JSONRPCResponse {
        switch self {
        case .result(let value): JSONRPCResponse(id: RPCID(id), result: value)
        case .error(let error): JSONRPCResponse(id: RPCID(id), error: error)
        }
    }
}

/// A stream of one kind of WalletKit event. Each ``WalletKit`` event property returns a new one (one per
/// consumer, unbounded buffer: a consumer that falls behind gets every event late, none is dropped); it finishes
/// when the instance shuts down.
public struct WalletKitEventStream<Element: Sendable>: AsyncSequence, Sendable {
    /// Never fails.
    public typealias Failure = Never

    private let base: AsyncStream<SignEvent>
    private let transform: @Sendable (SignEvent) -> Element?

    init(base: AsyncStream<SignEvent>, transform: @escaping @Sendable (SignEvent) -> Element?) {
        self.base = base
        self.transform = transform
    }

    /// Iterates the events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncStream<SignEvent>.AsyncIterator
        private let transform: @Sendable (SignEvent) -> Element?

        init(base: AsyncStream<SignEvent>.AsyncIterator, transform: @escaping @Sendable (SignEvent) -> Element?) {
            self.base = base
            self.transform = transform
        }

        /// The next event, or `nil` once the instance shut down (or the iterating task was cancelled).
        public mutating func next() async -> Element? {
            while let event = await base.next() {
                if let element = transform(event) { return element }
            }
            return nil
        }
    }

    /// Makes the iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), transform: transform)
    }
}
