import Foundation
import Synchronization

// TEMPORARY (helper H3): stand-ins until helper H1's `RPCIDGenerator` and relay URL builder land; then this
// file is deleted and the relayer calls theirs.

/// 19-digit relay request ids: milliseconds × 10⁶ + a counter.
final class RelayRequestIDs: Sendable {
    private let wallClock: WallClock
    private let state = Mutex<(millis: Int64, counter: Int64)>((0, 0))

    init(wallClock: WallClock) { self.wallClock = wallClock }

    func next() -> RPCID {
        let now = wallClock.nowMilliseconds
        return state.withLock { state in
            if now > state.millis {
                state = (now, 0)
            } else {
                state.counter += 1
                if state.counter >= 1_000_000 { state = (state.millis + 1, 0) }
            }
            return RPCID(state.millis * 1_000_000 + state.counter)
        }
    }
}

enum RelayConnectionURL {
    /// `relayURL` with `auth`, `projectId`, `ua`, `useOnCloseEvent` and extra items, sorted by name.
    static func make(
        relayURL: String, auth: String, projectID: String?, userAgent: String?, extra: [String: String]
    ) throws -> String {
        guard var components = URLComponents(string: relayURL) else { throw RelayerError.invalidURL }
        var items: [String: String] = [:]
        for item in components.queryItems ?? [] { items[item.name] = item.value ?? "" }
        for (name, value) in extra { items[name] = value }
        items["auth"] = auth
        if let projectID { items["projectId"] = projectID }
        if let userAgent { items["ua"] = userAgent }
        items["useOnCloseEvent"] = "true"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        components.percentEncodedQuery = items.keys.sorted().map { name in
            let value = items[name] ?? ""
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
        guard let url = components.string else { throw RelayerError.invalidURL }
        return url
    }
}
