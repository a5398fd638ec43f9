import Foundation
import WalletConnectCore
import WalletConnectSign

/// A `LinkModeTransport` that opens nothing: it records every URL and announces it on ``links()``.
///
/// Two clients in one process exchange links by feeding one side's ``links()`` to the other side's
/// `dispatchEnvelope(_:)`. ``failNextOpen(with:)`` injects a failure.
public final class RecordingLinkModeTransport: LinkModeTransport {
    private let opened = Locked<[URL]>([])
    private let failure = Locked<(any Error)?>(nil)
    private let broadcaster = EventBroadcaster<URL>()

    /// Creates an empty transport.
    public init() {}

    /// Records `url` and announces it, or throws the injected failure (recording nothing).
    /// - Throws: The error given to ``failNextOpen(with:)``.
    public func open(_ url: URL) async throws {
        if let error = failure.withLock({ pending -> (any Error)? in
            defer { pending = nil }
            return pending
        }) {
            throw error
        }
        opened.withLock { $0.append(url) }
        broadcaster.yield(url)
    }

    /// Every URL opened so far, oldest first.
    public var openedURLs: [URL] { opened.withLock { $0 } }

    /// A new stream of the URLs opened from now on.
    public func links() -> AsyncStream<URL> { broadcaster.subscribe() }

    /// Makes the next ``open(_:)`` throw `error`.
    public func failNextOpen(with error: any Error) {
        failure.withLock { $0 = error }
    }

    /// Ends every stream of ``links()``.
    public func finish() { broadcaster.finish() }
}
