/// Local failures of the `SignEngine` that are not protocol errors (those are ``SDKError``).
public struct SignEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case notStarted
        case shutDown
        case timedOut(String)
        case malformedPeerMessage(String)
        case alreadyAnswering(topic: String, id: Int64)
        case proposalInProgress(id: Int64, approving: Bool)
        case sessionDeleted(topic: String)
        case deletionInProgress(topic: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// The engine has not started yet (``SignClient/run()`` is not running).
    public static let notStarted = SignEngineError(.notStarted)
    /// The engine was shut down while the call was waiting.
    public static let shutDown = SignEngineError(.shutDown)

    /// No acknowledgement arrived in time; the message says which request.
    public static func timedOut(_ message: String) -> SignEngineError { SignEngineError(.timedOut(message)) }

    /// The peer sent something the engine could not use.
    public static func malformedPeerMessage(_ message: String) -> SignEngineError {
        SignEngineError(.malformedPeerMessage(message))
    }

    /// Another answer of the session request `id` on `topic` is in progress (a concurrent
    /// ``SignClient/respondSessionRequest(topic:response:)``, or its expiry answering 8000): this call sent
    /// nothing, so the dapp gets one answer.
    public static func alreadyAnswering(topic: String, id: Int64) -> SignEngineError {
        SignEngineError(.alreadyAnswering(topic: topic, id: id))
    }

    /// The proposal `id` is being approved (`approving`) or rejected by another call; this call did nothing.
    public static func proposalInProgress(id: Int64, approving: Bool) -> SignEngineError {
        SignEngineError(.proposalInProgress(id: id, approving: approving))
    }

    /// The session `topic` is being deleted or was deleted while this call was in progress; nothing was sent.
    public static func sessionDeleted(topic: String) -> SignEngineError {
        SignEngineError(.sessionDeleted(topic: topic))
    }

    /// A deletion of the session `topic` is already in progress; this call sent nothing.
    public static func deletionInProgress(topic: String) -> SignEngineError {
        SignEngineError(.deletionInProgress(topic: topic))
    }

    /// Whether this refuses a call because a concurrent call holds the same item (an answer, an approval or
    /// rejection, a deletion). Nothing was sent by the refused call.
    public var isConflict: Bool {
        switch kind {
        case .alreadyAnswering, .proposalInProgress, .sessionDeleted, .deletionInProgress: true
        default: false
        }
    }

    /// Whether this is a timeout.
    public var isTimeout: Bool {
        if case .timedOut = kind { return true }
        return false
    }

    /// Describes the failure (never contains keys or payloads).
    public var description: String {
        switch kind {
        case .notStarted: "Not initialized. sign engine"
        case .shutDown: "The sign engine was shut down"
        case .timedOut(let message): message
        case .malformedPeerMessage(let message): "Malformed peer message: \(message)"
        case .alreadyAnswering(let topic, let id):
            "Session request \(id) on topic \(topic) is already being answered"
        case .proposalInProgress(let id, let approving):
            "Proposal \(id) is already being \(approving ? "approved" : "rejected")"
        case .sessionDeleted(let topic): "Session \(topic) was deleted"
        case .deletionInProgress(let topic): "Session \(topic) is already being deleted"
        }
    }
}
