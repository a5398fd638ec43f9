import Synchronization
import WalletConnectCore

/// An ``HTTPTransport`` whose real transport is installed while ``WalletKit/run()`` runs (an owned AsyncHTTPClient
/// must be shut down on every path, so it only exists inside `run()`); outside that window calls fail with
/// ``WalletKitError/notConfigured(_:)``.
final class DeferredHTTPTransport: HTTPTransport {
    private let current: Locked<(any HTTPTransport)?>

    init(_ transport: (any HTTPTransport)? = nil) {
        current = Locked(transport)
    }

    /// Installs (or, with `nil`, removes) the transport.
    func install(_ transport: (any HTTPTransport)?) {
        current.withLock { $0 = transport }
    }

    func send(
        method: HTTPRequestMethod, url: String, headers: [String: String], body: [UInt8]?, timeout: Duration
    ) async throws -> HTTPTransportResponse {
        guard let transport = current.withLock({ $0 }) else {
            throw WalletKitError.notConfigured("HTTP is available only while WalletKit is running")
        }
        return try await transport.send(method: method, url: url, headers: headers, body: body, timeout: timeout)
    }
}

/// Whether new proposals are announced; closed when a graceful shutdown begins. Read by event streams without
/// hopping to the actor.
final class ProposalGate: Sendable {
    private let open = Locked(true)

    var isOpen: Bool { open.withLock { $0 } }

    func close() { open.withLock { $0 = false } }
}
