import Foundation
import WalletConnectSign

/// What the Verify server said about a message: from a verified JWT or from the attestation lookup.
public struct VerifyResult: Codable, Sendable, Hashable {
    /// The attested origin.
    public var origin: String
    /// Whether the origin is a known scam.
    public var isScam: Bool?
    /// Whether the origin is verified (JWT attestations only).
    public var isVerified: Bool?

    /// Creates a result.
    public init(origin: String, isScam: Bool? = nil, isVerified: Bool? = nil) {
        self.origin = origin
        self.isScam = isScam
        self.isVerified = isVerified
    }
}

/// The verify-context decision table of sign.md §10 as pure functions.
public enum VerifyDecision {
    /// The default Verify server, reported when the dApp metadata has no `verifyUrl`.
    public static let defaultVerifyURL = "https://verify.walletconnect.org"
    /// The Verify servers whose URL from dApp metadata may be queried.
    public static let trustedVerifyURLs = ["https://verify.walletconnect.com", "https://verify.walletconnect.org"]

    /// The starting context: `{origin: metadata.url || "", validation: UNKNOWN, verifyUrl: metadata.verifyUrl || default}`.
    public static func initialContext(metadataURL: String?, metadataVerifyURL: String?) -> VerifyContext {
        let verifyURL = metadataVerifyURL.flatMap { $0.isEmpty ? nil : $0 } ?? defaultVerifyURL
        return VerifyContext(origin: metadataURL ?? "", validation: .unknown, verifyUrl: verifyURL)
    }

    /// Applies a resolve result (step 4): origin and isScam from the result, VALID iff the result origin equals the
    /// origin (scheme, host, port) of the metadata URL, else INVALID. With no result the context stays UNKNOWN.
    public static func context(
        metadataURL: String?, metadataVerifyURL: String?, result: VerifyResult?
    ) -> VerifyContext {
        var context = initialContext(metadataURL: metadataURL, metadataVerifyURL: metadataVerifyURL)
        guard let result else { return context }
        context.verified.origin = result.origin
        context.verified.isScam = result.isScam
        // An unparsable metadata URL leaves the validation UNKNOWN (the reference SDK fails there too).
        guard let metadataURL, let metadataOrigin = origin(of: metadataURL) else { return context }
        context.verified.validation = result.origin == metadataOrigin ? .valid : .invalid
        return context
    }

    /// Link mode (sign.md §3.14): VALID iff the peer's universal link has the metadata URL's origin, else INVALID.
    public static func linkModeContext(
        metadataURL: String?, metadataVerifyURL: String?, universalLink: String?
    ) -> VerifyContext {
        var context = initialContext(metadataURL: metadataURL, metadataVerifyURL: metadataVerifyURL)
        let linkOrigin = universalLink.flatMap(origin(of:))
        let appOrigin = metadataURL.flatMap(origin(of:))
        context.verified.validation = linkOrigin != nil && linkOrigin == appOrigin ? .valid : .invalid
        return context
    }

    /// The URL to query for the attestation lookup: `metadataVerifyURL` when it is trusted, else `fallback`.
    public static func lookupServer(metadataVerifyURL: String?, fallback: String) -> String {
        guard let url = metadataVerifyURL, trustedVerifyURLs.contains(url) else { return fallback }
        return url
    }

    /// The web origin of `url`: `scheme://host[:port]`, lowercase, default ports (80/443) left out.
    /// Returns `"null"` for non-http(s) schemes (opaque origin), `nil` when `url` is not absolute.
    public static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            return nil
        }
        guard ["http", "https", "ws", "wss"].contains(scheme) else { return "null" }
        guard var host = components.host?.lowercased(), !host.isEmpty else { return nil }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        let defaultPort = (scheme == "http" || scheme == "ws") ? 80 : 443
        if let port = components.port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}
