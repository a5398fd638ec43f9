/// Client-to-client JSON-RPC methods of Sign and pairing (§2, core §3.7), with their relay options.
package enum SignMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Delete a pairing.
    case pairingDelete = "wc_pairingDelete"
    /// Ping a pairing (deprecated in JS).
    case pairingPing = "wc_pairingPing"
    /// Propose a session (dapp → wallet).
    case sessionPropose = "wc_sessionPropose"
    /// Settle a session (wallet → dapp).
    case sessionSettle = "wc_sessionSettle"
    /// Update session namespaces (controller → peer).
    case sessionUpdate = "wc_sessionUpdate"
    /// Extend a session (controller → peer).
    case sessionExtend = "wc_sessionExtend"
    /// App-level request (dapp → wallet).
    case sessionRequest = "wc_sessionRequest"
    /// App-level event (wallet → dapp).
    case sessionEvent = "wc_sessionEvent"
    /// Delete a session.
    case sessionDelete = "wc_sessionDelete"
    /// Ping a session.
    case sessionPing = "wc_sessionPing"
    /// One-click authentication request.
    case sessionAuthenticate = "wc_sessionAuthenticate"

    /// Whether the method belongs to the pairing layer (core) rather than Sign.
    package var isPairingMethod: Bool { self == .pairingDelete || self == .pairingPing }

    /// Options for publishing a request of this method.
    package var requestOptions: RPCOptions {
        switch self {
        case .pairingDelete: RPCOptions(ttl: 86400, prompt: false, tag: 1000)
        case .pairingPing: RPCOptions(ttl: 30, prompt: false, tag: 1002)
        case .sessionPropose: RPCOptions(ttl: 300, prompt: true, tag: 1100)
        case .sessionSettle: RPCOptions(ttl: 300, prompt: false, tag: 1102)
        case .sessionUpdate: RPCOptions(ttl: 86400, prompt: false, tag: 1104)
        case .sessionExtend: RPCOptions(ttl: 86400, prompt: false, tag: 1106)
        case .sessionRequest: RPCOptions(ttl: 900, prompt: true, tag: 1108)
        case .sessionEvent: RPCOptions(ttl: 300, prompt: true, tag: 1110)
        case .sessionDelete: RPCOptions(ttl: 86400, prompt: false, tag: 1112)
        case .sessionPing: RPCOptions(ttl: 86400, prompt: false, tag: 1114)
        case .sessionAuthenticate: RPCOptions(ttl: 3600, prompt: true, tag: 1116)
        }
    }

    /// Options for publishing a response (success, or error without a dedicated option) to this method.
    package var responseOptions: RPCOptions {
        switch self {
        case .pairingDelete: RPCOptions(ttl: 86400, prompt: false, tag: 1001)
        case .pairingPing: RPCOptions(ttl: 30, prompt: false, tag: 1003)
        case .sessionPropose: RPCOptions(ttl: 300, prompt: false, tag: 1101)
        case .sessionSettle: RPCOptions(ttl: 300, prompt: false, tag: 1103)
        case .sessionUpdate: RPCOptions(ttl: 86400, prompt: false, tag: 1105)
        case .sessionExtend: RPCOptions(ttl: 86400, prompt: false, tag: 1107)
        case .sessionRequest: RPCOptions(ttl: 900, prompt: false, tag: 1109)
        case .sessionEvent: RPCOptions(ttl: 300, prompt: false, tag: 1111)
        case .sessionDelete: RPCOptions(ttl: 86400, prompt: false, tag: 1113)
        case .sessionPing: RPCOptions(ttl: 86400, prompt: false, tag: 1115)
        case .sessionAuthenticate: RPCOptions(ttl: 3600, prompt: false, tag: 1117)
        }
    }

    /// Options for a user rejection: proposal 1120, authenticate 1118, otherwise ``responseOptions``.
    package var rejectOptions: RPCOptions {
        switch self {
        case .sessionPropose: RPCOptions(ttl: 300, prompt: false, tag: 1120)
        case .sessionAuthenticate: RPCOptions(ttl: 300, prompt: false, tag: 1118)
        default: responseOptions
        }
    }

    /// Options for an automatic rejection of an invalid request: proposal 1121, authenticate 1119,
    /// otherwise ``responseOptions``.
    package var autoRejectOptions: RPCOptions {
        switch self {
        case .sessionPropose: RPCOptions(ttl: 300, prompt: false, tag: 1121)
        case .sessionAuthenticate: RPCOptions(ttl: 300, prompt: false, tag: 1119)
        default: responseOptions
        }
    }

    /// Options for the response to `method` (a wire method name); unknown methods get
    /// ``RPCOptions/unregisteredMethod``.
    package static func responseOptions(forMethod method: String) -> RPCOptions {
        SignMethod(rawValue: method)?.responseOptions ?? .unregisteredMethod
    }
}
