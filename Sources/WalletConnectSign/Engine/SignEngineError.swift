/// Local failures of the ``SignEngine`` that are not protocol errors (those are ``SDKError``).
public struct SignEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case notStarted
        case shutDown
        case timedOut(String)
        case malformedPeerMessage(String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// ``SignEngine/start()`` has not completed.
    public static let notStarted = SignEngineError(.notStarted)
    /// The engine was shut down while the call was waiting.
    public static let shutDown = SignEngineError(.shutDown)

    /// No acknowledgement arrived in time; the message says which request.
    public static func timedOut(_ message: String) -> SignEngineError { SignEngineError(.timedOut(message)) }

    /// The peer sent something the engine could not use.
    public static func malformedPeerMessage(_ message: String) -> SignEngineError {
        SignEngineError(.malformedPeerMessage(message))
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
        }
    }
}
