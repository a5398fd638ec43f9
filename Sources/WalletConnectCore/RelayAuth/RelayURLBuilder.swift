/// Builds the relay WebSocket URL (spec §3.1): `<relay url>?auth=…&projectId=…&ua=…&useOnCloseEvent=true`.
///
/// Query keys (including any already present in the relay URL) are sorted alphabetically, absent values are
/// omitted, and values are encoded like the JS `query-string` package (RFC 3986 unreserved kept, so `/`
/// becomes `%2F`).
package struct RelayURLBuilder: Sendable, Hashable {
    /// The relay URL, e.g. `wss://relay.walletconnect.org` (may carry its own query).
    package var relayURL: String
    /// The relay-auth JWT (`auth`).
    package var auth: String?
    /// The cloud project id (`projectId`).
    package var projectID: String?
    /// The user agent (`ua`).
    package var userAgent: String?
    /// `useOnCloseEvent` (relay reports errors as close frames).
    package var useOnCloseEvent: Bool?
    /// Android package name (`packageName`).
    package var packageName: String?
    /// iOS bundle id (`bundleId`).
    package var bundleID: String?

    /// Creates a builder; `nil` values are omitted from the query.
    package init(
        relayURL: String, auth: String? = nil, projectID: String? = nil, userAgent: String? = nil,
        useOnCloseEvent: Bool? = true, packageName: String? = nil, bundleID: String? = nil
    ) {
        self.relayURL = relayURL
        self.auth = auth
        self.projectID = projectID
        self.userAgent = userAgent
        self.useOnCloseEvent = useOnCloseEvent
        self.packageName = packageName
        self.bundleID = bundleID
    }

    /// The full URL text.
    package var urlString: String {
        let base: Substring
        var items: [String: String] = [:]
        if let mark = relayURL.firstIndex(of: "?") {
            base = relayURL[..<mark]
            for item in relayURL[relayURL.index(after: mark)...].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                items[FormEncoding.percentDecode(String(pair[0]))] =
                    pair.count > 1 ? FormEncoding.percentDecode(String(pair[1])) : ""
            }
        } else {
            base = Substring(relayURL)
        }
        if let auth { items["auth"] = auth }
        if let projectID { items["projectId"] = projectID }
        if let userAgent { items["ua"] = userAgent }
        if let useOnCloseEvent { items["useOnCloseEvent"] = useOnCloseEvent ? "true" : "false" }
        if let packageName { items["packageName"] = packageName }
        if let bundleID { items["bundleId"] = bundleID }
        let query = items.keys.sorted().map { key in
            FormEncoding.encodeComponent(key) + "=" + FormEncoding.encodeComponent(items[key] ?? "")
        }.joined(separator: "&")
        return query.isEmpty ? String(base) : base + "?" + query
    }

    /// The relay URL without query: the JWT audience (`aud`).
    package var audience: String {
        relayURL.firstIndex(of: "?").map { String(relayURL[..<$0]) } ?? relayURL
    }
}
