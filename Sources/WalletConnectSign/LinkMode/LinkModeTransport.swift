import Foundation
import WalletConnectCore

/// Opens the universal links that carry link-mode messages (sign.md §3.14).
///
/// The app injects it: on iOS it calls `UIApplication.open`, on Linux a test double
/// (`RecordingLinkModeTransport` in `WalletKitTesting`). The engine calls ``open(_:)`` for every request or
/// response it sends through link mode instead of the relay.
public protocol LinkModeTransport: Sendable {
    /// Opens `url`, a link `<peer universal link>?wc_ev=<base64url envelope>&topic=<topic>`.
    /// - Throws: Whatever prevents opening it; the engine's caller receives the error.
    func open(_ url: URL) async throws
}

/// Why a link given to `dispatchEnvelope` was refused.
public enum LinkModeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The link has no `wc_ev` or no `topic` query item, or `wc_ev` is not base64url.
    case malformedLink(String)
    /// The envelope is not a type 0, 1 or 2 envelope, or is too short for its type.
    case malformedEnvelope
    /// The envelope is larger than the engine accepts.
    case tooLarge(bytes: Int)
    /// No key is known for the link's topic (type 0), or no authenticate request of this client awaits an
    /// answer on it (type 1).
    case unknownTopic(String)
    /// The envelope does not decrypt with the topic's key, or its plaintext is not a usable JSON-RPC message.
    case undecryptable(topic: String)
    /// A type-2 (unencrypted) envelope on a topic that already belongs to a session or a pending authentication:
    /// only a new `wc_sessionAuthenticate` request may travel in plaintext.
    case plaintextOnKnownTopic(String)
    /// A type-2 envelope that is not a `wc_sessionAuthenticate` request.
    case plaintextNotAuthenticate
    /// The message could not be handled now (storage failure); dispatching the link again may succeed.
    case notHandled(topic: String)

    /// A short description (never the envelope or its plaintext).
    public var description: String {
        switch self {
        case .malformedLink(let reason): "malformed link-mode URL: \(reason)"
        case .malformedEnvelope: "malformed link-mode envelope"
        case .tooLarge(let bytes): "link-mode envelope too large (\(bytes) bytes)"
        case .unknownTopic(let topic): "no key or pending request for link-mode topic \(topic)"
        case .undecryptable(let topic): "link-mode envelope on topic \(topic) does not decrypt or decode"
        case .plaintextOnKnownTopic(let topic): "type-2 envelope claims the known topic \(topic)"
        case .plaintextNotAuthenticate: "type-2 envelope is not a wc_sessionAuthenticate request"
        case .notHandled(let topic): "link-mode message on topic \(topic) could not be handled now"
        }
    }
}

/// A link-mode URL taken apart or built: `<universal link>?wc_ev=<base64url envelope>&topic=<topic>`.
package struct LinkModeEnvelope: Sendable, Hashable {
    /// The topic the envelope belongs to.
    package var topic: String
    /// The envelope bytes.
    package var bytes: [UInt8]

    /// Creates an envelope for `topic`.
    package init(topic: String, bytes: [UInt8]) {
        self.topic = topic
        self.bytes = bytes
    }

    /// Parses a received link.
    /// - Throws: ``LinkModeError/malformedLink(_:)``.
    package init(url: URL) throws {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw LinkModeError.malformedLink("not a URL")
        }
        let items = components.queryItems ?? []
        guard let envelope = items.last(where: { $0.name == "wc_ev" })?.value, !envelope.isEmpty else {
            throw LinkModeError.malformedLink("no wc_ev")
        }
        guard let topic = items.last(where: { $0.name == "topic" })?.value, !topic.isEmpty else {
            throw LinkModeError.malformedLink("no topic")
        }
        guard Hex.isLowercaseHex(topic, byteCount: 32) else {
            throw LinkModeError.malformedLink("topic is not 32 bytes of lowercase hex")
        }
        do {
            bytes = try Base64Codec.decodeURL(envelope)
        } catch {
            throw LinkModeError.malformedLink("wc_ev is not base64url")
        }
        self.topic = topic
    }

    /// The envelope as relay text (standard base64, padded), the form the engine decodes.
    package var relayText: String { Base64Codec.encode(bytes) }

    /// The link to `universalLink` carrying this envelope (base64url, unpadded).
    /// - Throws: ``LinkModeError/malformedLink(_:)`` when `universalLink` is not a URL.
    package func url(universalLink: String) throws -> URL {
        guard var components = URLComponents(string: universalLink) else {
            throw LinkModeError.malformedLink("universal link is not a URL")
        }
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "wc_ev", value: Base64Codec.encodeURL(bytes)))
        items.append(URLQueryItem(name: "topic", value: topic))
        components.queryItems = items
        guard let url = components.url else { throw LinkModeError.malformedLink("universal link is not a URL") }
        return url
    }
}

/// The link-mode decision rule (sign.md §3.14): links are used only when both apps advertise
/// `redirect.linkMode == true` with a universal link, and the peer's universal link was seen before.
package enum LinkModePolicy {
    /// The peer's universal link when a message to `peer` may go through link mode, else `nil` (use the relay).
    /// - Parameters:
    ///   - selfMetadata: This app's metadata.
    ///   - peer: The peer's metadata.
    ///   - seenLinks: The universal links of peers seen using link mode.
    package static func target(selfMetadata: Metadata, peer: Metadata, seenLinks: Set<String>) -> String? {
        guard advertises(selfMetadata) != nil, let peerLink = advertises(peer), seenLinks.contains(peerLink) else {
            return nil
        }
        return peerLink
    }

    /// The universal link of `metadata` when it advertises link mode, else `nil`.
    package static func advertises(_ metadata: Metadata) -> String? {
        guard let redirect = metadata.redirect, redirect.linkMode == true,
            let universal = redirect.universal, !universal.isEmpty
        else { return nil }
        return universal
    }

    /// The Verify context of a message received through a link (sign.md §3.14): VALID when the sender's universal
    /// link has the origin of its `metadata.url`, INVALID otherwise.
    package static func verifyContext(for metadata: Metadata) -> VerifyContext {
        let linkOrigin = metadata.redirect?.universal.flatMap(origin(of:))
        let urlOrigin = origin(of: metadata.url)
        let valid = linkOrigin != nil && linkOrigin == urlOrigin
        return VerifyContext(
            origin: metadata.url, validation: valid ? .valid : .invalid,
            verifyUrl: metadata.verifyUrl ?? "https://verify.walletconnect.org")
    }

    /// `scheme://host[:port]` of `text`, lowercased scheme and host; `nil` when it has no scheme or host.
    static func origin(of text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        if let port = components.port { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}

/// Link-mode state of one engine: the injected transport and the peers' universal links seen.
struct LinkModeState: Sendable {
    var transport: (any LinkModeTransport)?
    /// The peers' universal links seen (mirrored in the engine's `linkModeAppStore`, loaded at start).
    var seenLinks: Set<String> = []
    /// The envelopes (relay text) being handled from links now, with a count for the same link given twice at once:
    /// their Verify context follows the link rule.
    var dispatching: [String: Int] = [:]
    /// The background relay subscriptions of link-mode session topics, by topic (ended by the session's deletion
    /// and by shutdown).
    var subscriptions: [String: Subscription] = [:]
    /// The id of the last subscription started.
    var lastSubscriptionID: UInt64 = 0

    /// One background subscription of a link-mode session topic.
    struct Subscription: Sendable {
        var id: UInt64
        var task: Task<Void, Never>
    }
}
