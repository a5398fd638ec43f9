import Foundation
import WalletConnectSign

/// Link mode (sign.md §3.14): requests and responses as universal links instead of the relay.
///
/// Advertise it in ``WalletKitConfiguration`` metadata (`redirect: .init(universal: …, linkMode: true)`), inject a
/// `LinkModeTransport` that opens URLs (`UIApplication.open` on iOS), and pass every link the app receives to
/// ``dispatchEnvelope(_:)``. Messages to a peer go through links only when both apps advertise link mode and the
/// peer's link was seen; otherwise the relay is used.
extension WalletKit {
    /// Sets the transport that opens link-mode URLs; `nil` turns link mode off.
    public func setLinkModeTransport(_ transport: (any LinkModeTransport)?) async {
        await signClient.setLinkModeTransport(transport)
    }

    /// Records a peer's universal link as supporting link mode (JS `linkModeSupportedApps`). The links seen are
    /// kept in this instance's storage namespace across restarts; ``cleanup()`` wipes them.
    public func registerLinkModeApp(_ universalLink: String) async {
        await signClient.registerLinkModeApp(universalLink)
    }

    /// Handles a link `<this app's universal link>?wc_ev=<envelope>&topic=<topic>` the app received: a dapp's
    /// `wc_sessionAuthenticate` (type 2, accepted only from links), or a request or response of a link-mode session.
    /// - Throws: `LinkModeError` for a refused link (malformed, unknown topic, wrong key, plaintext claiming a
    ///   known topic); ``WalletKitError/shuttingDown``.
    public func dispatchEnvelope(_ url: URL) async throws {
        try await tracked(startsSomethingNew: false) {
            try await signClient.dispatchEnvelope(url)
        }
    }
}
