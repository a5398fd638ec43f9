/// Local failures of the ``WalletKit`` face. Protocol failures are `SDKError` of `WalletConnectSign` (with the
/// protocol code) and pass through unchanged, as do relay, storage and engine errors.
public struct WalletKitError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case unsupported(String)
        case notConfigured(String)
        case shuttingDown
        case stopped
        case alreadyRunning
        case sessionNotAcknowledged(String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// The feature is not available in this build (the text says which).
    public static func unsupported(_ feature: String) -> WalletKitError { WalletKitError(.unsupported(feature)) }

    /// A service is missing a setting (the text says which, e.g. a project id for Echo).
    public static func notConfigured(_ setting: String) -> WalletKitError { WalletKitError(.notConfigured(setting)) }

    /// The call starts something new (pairing, approval) while a graceful shutdown is draining.
    public static let shuttingDown = WalletKitError(.shuttingDown)
    /// The instance was shut down.
    public static let stopped = WalletKitError(.stopped)
    /// ``WalletKit/run()`` was called twice.
    public static let alreadyRunning = WalletKitError(.alreadyRunning)

    /// The session was deleted or expired before the dapp acknowledged the settlement (the text names the topic).
    public static func sessionNotAcknowledged(_ topic: String) -> WalletKitError {
        WalletKitError(.sessionNotAcknowledged(topic))
    }

    /// Whether this is an ``unsupported(_:)`` error.
    public var isUnsupported: Bool {
        if case .unsupported = kind { return true }
        return false
    }

    /// Whether this is a ``notConfigured(_:)`` error.
    public var isNotConfigured: Bool {
        if case .notConfigured = kind { return true }
        return false
    }

    /// Describes the failure (never contains keys or payloads).
    public var description: String {
        switch kind {
        case .unsupported(let feature): "Not supported: \(feature)"
        case .notConfigured(let setting): "Not configured: \(setting)"
        case .shuttingDown: "WalletKit is shutting down and takes no new proposals"
        case .stopped: "WalletKit was shut down"
        case .alreadyRunning: "WalletKit is already running"
        case .sessionNotAcknowledged(let topic): "Session \(topic) ended before the dapp acknowledged it"
        }
    }

    /// Matches a caught error against a ``WalletKitError`` value (`catch WalletKitError.shuttingDown`).
    public static func ~= (pattern: WalletKitError, value: any Error) -> Bool {
        (value as? WalletKitError) == pattern
    }
}
