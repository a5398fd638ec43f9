import Foundation
import HTTPTypes
import WalletConnectCore

/// Who a connecting client is, from its relay-auth JWT (core.md §3.1, §4.2).
struct RelayConnectionAuth: Sendable {
    /// The outcome of checking one upgrade request.
    enum Outcome: Sendable, Equatable {
        /// Accepted; the client id to use.
        case accepted(clientID: String)
        /// Refused under strict auth.
        case rejected(IRN.ErrorTag)
    }

    var strict: Bool
    var leeway: Int64
    var wallClock: WallClock

    /// The JWT of a request: the `auth` query parameter, else `Authorization: Bearer <jwt>`.
    static func token(in request: HTTPRequest) -> String? {
        if let path = request.path, let components = URLComponents(string: path),
            let value = components.queryItems?.first(where: { $0.name == "auth" })?.value, !value.isEmpty
        {
            return value
        }
        if let header = request.headerFields[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// Whether the request asks for errors as a close frame instead of a failed upgrade (`useOnCloseEvent=true`).
    static func wantsCloseEvent(_ request: HTTPRequest) -> Bool {
        guard let path = request.path, let components = URLComponents(string: path) else { return false }
        return components.queryItems?.contains { $0.name == "useOnCloseEvent" && $0.value == "true" } ?? false
    }

    /// The unverified `iss` claim of a JWT, if it has one.
    static func unverifiedIssuer(_ token: String) -> String? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = try? Base64Codec.decodeURL(String(segments[1])) else { return nil }
        struct Claims: Decodable { var iss: String? }
        guard let iss = (try? JSONDecoder().decode(Claims.self, from: Data(payload)))?.iss, !iss.isEmpty else {
            return nil
        }
        return iss
    }

    /// A random client id for connections without a usable JWT (non-strict mode).
    static func anonymousClientID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
        return "anonymous:\(hex)"
    }

    /// Checks one upgrade request.
    func check(_ request: HTTPRequest) -> Outcome {
        let token = Self.token(in: request)
        guard strict else {
            return .accepted(clientID: token.flatMap(Self.unverifiedIssuer) ?? Self.anonymousClientID())
        }
        guard let token else { return .rejected(.missingJwt) }
        do {
            let claims = try RelayJWT.verify(token, nowSeconds: wallClock.nowSeconds, leeway: leeway)
            guard Self.audienceMatches(claims.aud, authority: request.authority) else { return .rejected(.invalidJwt) }
            return .accepted(clientID: claims.iss)
        } catch {
            return .rejected(.invalidJwt)
        }
    }

    /// Whether a JWT's `aud` names this relay (core.md §4.2: the relay URL used for the connection, without query):
    /// a `ws`, `wss`, `http` or `https` URL whose host is the host the request was sent to (its `Host`, without the
    /// port: a client behind a proxy signs the public URL, often without a port). A token signed for another relay
    /// cannot be replayed here.
    static func audienceMatches(_ audience: String, authority: String?) -> Bool {
        guard let authority, let requested = host(of: "ws://\(authority)"), let audienceURL = URLComponents(string: audience),
            let scheme = audienceURL.scheme?.lowercased(), ["ws", "wss", "http", "https"].contains(scheme),
            let audienceHost = host(of: audience)
        else { return false }
        return audienceHost == requested
    }

    /// The lowercased host of a URL, `nil` when it has none.
    private static func host(of url: String) -> String? {
        guard let host = URLComponents(string: url)?.host?.lowercased(), !host.isEmpty else { return nil }
        return host
    }
}
