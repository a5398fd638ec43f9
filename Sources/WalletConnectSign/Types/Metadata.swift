/// Describes an app (dapp or wallet) to its peer: `{name, description, url, icons, verifyUrl?, redirect?}`.
///
/// Decoding is tolerant like the JS SDK: missing `name`, `description` or `url` become empty strings and
/// missing `icons` an empty list.
public struct Metadata: Codable, Sendable, Hashable {
    /// Deep-link targets of the app.
    public struct Redirect: Codable, Sendable, Hashable {
        /// Native deep link, e.g. `myapp://`.
        public var native: String?
        /// Universal link (https).
        public var universal: String?
        /// Whether the app supports link mode.
        public var linkMode: Bool?

        /// Creates a redirect description.
        public init(native: String? = nil, universal: String? = nil, linkMode: Bool? = nil) {
            self.native = native
            self.universal = universal
            self.linkMode = linkMode
        }
    }

    /// App name.
    public var name: String
    /// App description.
    public var description: String
    /// App URL (origin used by Verify).
    public var url: String
    /// Icon URLs.
    public var icons: [String]
    /// Verify server URL, if the app uses a custom one.
    public var verifyUrl: String?
    /// Deep-link targets.
    public var redirect: Redirect?

    /// Creates metadata.
    public init(
        name: String, description: String, url: String, icons: [String],
        verifyUrl: String? = nil, redirect: Redirect? = nil
    ) {
        self.name = name
        self.description = description
        self.url = url
        self.icons = icons
        self.verifyUrl = verifyUrl
        self.redirect = redirect
    }

    enum CodingKeys: String, CodingKey { case name, description, url, icons, verifyUrl, redirect }

    /// Decodes tolerantly (missing strings become `""`, missing icons `[]`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? ""
        icons = try container.decodeIfPresent([String].self, forKey: .icons) ?? []
        verifyUrl = try container.decodeIfPresent(String.self, forKey: .verifyUrl)
        redirect = try container.decodeIfPresent(Redirect.self, forKey: .redirect)
    }
}
