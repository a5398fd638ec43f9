/// The URL of one relay connection (spec §3.1), built with ``RelayURLBuilder``: the configured relay URL plus
/// `auth` (a fresh JWT), `projectId`, `ua`, `useOnCloseEvent=true` and the configuration's extra query items,
/// sorted by name and percent-encoded.
enum RelayConnectionURL {
    /// The connection URL for `configuration` with `jwt` as `auth`.
    static func make(configuration: RelayerConfiguration, jwt: String) -> String {
        var relayURL = configuration.relayURL
        if !configuration.additionalQueryItems.isEmpty {
            let extra = configuration.additionalQueryItems.keys.sorted().map { name in
                FormEncoding.encodeComponent(name) + "="
                    + FormEncoding.encodeComponent(configuration.additionalQueryItems[name] ?? "")
            }
            relayURL += (relayURL.contains("?") ? "&" : "?") + extra.joined(separator: "&")
        }
        return RelayURLBuilder(
            relayURL: relayURL, auth: jwt, projectID: configuration.projectID, userAgent: configuration.userAgent,
            useOnCloseEvent: true
        ).urlString
    }
}
