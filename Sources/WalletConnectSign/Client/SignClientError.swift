/// Failures of the ``SignClient`` composition itself (the engine's and relay's errors pass through unchanged).
public struct SignClientError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case keyChainLocationRequired
        case namespaceInUse(String)
        case alreadyStarted
        case stopped
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// A custom storage that is not a `SQLiteStorage` needs an explicit key chain location (file or memory).
    public static let keyChainLocationRequired = SignClientError(.keyChainLocationRequired)
    /// ``SignClient/run()`` was called a second time.
    public static let alreadyStarted = SignClientError(.alreadyStarted)
    /// The client was shut down (or failed) before it was running.
    public static let stopped = SignClientError(.stopped)

    /// Another client (in this or another process) holds the storage namespace; the text names its lock file.
    public static func namespaceInUse(_ lockPath: String) -> SignClientError { SignClientError(.namespaceInUse(lockPath)) }

    /// Whether this is ``namespaceInUse(_:)``.
    public var isNamespaceInUse: Bool {
        if case .namespaceInUse = kind { return true }
        return false
    }

    /// Describes the failure (never contains keys or payloads).
    public var description: String {
        switch kind {
        case .keyChainLocationRequired:
            "A custom storage that is not a SQLiteStorage needs an explicit key chain location (.file or .inMemory)"
        case .namespaceInUse(let path): "The storage namespace is in use by another client (lock \(path))"
        case .alreadyStarted: "The sign client was already started"
        case .stopped: "The sign client was shut down"
        }
    }

    /// Matches a caught error against a ``SignClientError`` value (`catch SignClientError.stopped`).
    public static func ~= (pattern: SignClientError, value: any Error) -> Bool {
        (value as? SignClientError) == pattern
    }
}
