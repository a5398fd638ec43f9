import Foundation

/// The URL of one relay connection (spec §3.1): the configured relay URL plus the query parameters
/// `auth` (a fresh JWT), `projectId`, `ua`, `useOnCloseEvent=true` and any extra items, sorted by name,
/// values percent-encoded. Query items already in the configured URL are kept (and sorted in).
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
