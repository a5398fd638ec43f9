import Foundation

/// Where a ``PostgresStorage`` connects and how: parsed from a `postgres://` URL or built field by field.
///
/// Its ``description`` (and every error about it) shows the password as `***`.
public struct PostgresStorageConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// TLS, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS always, without checking the certificate: a server without TLS is refused.
        case require
        /// TLS always, with the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port (default 5432).
    public var port: Int
    /// The user name.
    public var username: String
    /// The password (`nil`: none is sent). Never shown in a description, an error or a log.
    public var password: String?
    /// The database.
    public var database: String
    /// TLS (default ``TLSMode/prefer``; use ``TLSMode/verifyFull`` for a server reached over a network).
    public var tls: TLSMode
    /// The PostgreSQL schema that holds the tables (default `public`); created if needed. Several wallets, or
    /// several test runs, can share a database in different schemas.
    public var schema: String
    /// The most connections the pool opens at once (default 10).
    public var maximumConnections: Int
    /// How long a connection attempt may take (default 10 s).
    public var connectTimeout: Duration
    /// How many times a write is tried when the server aborts it as a serialization failure or a deadlock
    /// (SQLSTATE 40001 / 40P01); default 5.
    public var maximumWriteAttempts: Int

    /// The parameters a URL may carry after `?`.
    public static let urlParameters = ["sslmode", "schema", "pool_size", "connect_timeout"]

    /// Creates a configuration field by field.
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The server's port.
    ///   - username: The user name.
    ///   - password: The password, or `nil`.
    ///   - database: The database.
    ///   - tls: TLS, as libpq's `sslmode`.
    ///   - schema: The schema of the tables.
    ///   - maximumConnections: The pool's size.
    ///   - connectTimeout: How long a connection attempt may take.
    ///   - maximumWriteAttempts: Tries of a write aborted as a serialization failure or deadlock.
    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        tls: TLSMode = .prefer, schema: String = "public", maximumConnections: Int = 10,
        connectTimeout: Duration = .seconds(10), maximumWriteAttempts: Int = 5
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.schema = schema
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.maximumWriteAttempts = maximumWriteAttempts
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=…&schema=…&pool_size=…&connect_timeout=…`
    /// (`postgresql://` too). The user and password may be percent-encoded; the port defaults to 5432; the
    /// database is required.
    /// - Throws: ``PostgresURLError`` naming what is wrong (never the password).
    public init(url: String) throws {
        // From the text, not `components.port`, which is nil for a port beyond Int (and then 5432 would be used).
        var port = 5432
        if let text = Self.portText(of: url), !text.isEmpty {
            guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let number = Int(text),
                (1...65535).contains(number)
            else { throw PostgresURLError.port }
            port = number
        }
        guard let components = URLComponents(string: url) else { throw PostgresURLError.malformed }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresURLError.scheme(components.scheme ?? "")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresURLError.missingHost }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw PostgresURLError.missingUser
        }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if components.percentEncodedPassword != nil, password == nil { throw PostgresURLError.malformed }
        var database = components.percentEncodedPath
        if database.hasPrefix("/") { database.removeFirst() }
        guard let decodedDatabase = database.removingPercentEncoding, !decodedDatabase.isEmpty,
            !decodedDatabase.contains("/")
        else { throw PostgresURLError.missingDatabase }
        self.init(host: host, port: port, username: user, password: password, database: decodedDatabase)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else { throw PostgresURLError.sslMode(value) }
                tls = mode
            case "schema":
                guard Self.isValidIdentifier(value) else { throw PostgresURLError.schema(value) }
                schema = value
            case "pool_size":
                guard let size = Int(value), (1...1000).contains(size) else { throw PostgresURLError.poolSize(value) }
                maximumConnections = size
            case "connect_timeout":
                guard let seconds = Int(value), (1...3600).contains(seconds) else {
                    throw PostgresURLError.connectTimeout(value)
                }
                connectTimeout = .seconds(seconds)
            default:
                throw PostgresURLError.unknownParameter(item.name)
            }
        }
    }

    /// The text after the port colon of the URL's authority, `nil` without one.
    static func portText(of url: String) -> Substring? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var authority = url[schemeEnd.upperBound...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            authority = authority[..<end]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if let bracket = authority.lastIndex(of: "]") { authority = authority[authority.index(after: bracket)...] }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return authority[authority.index(after: colon)...]
    }

    /// Whether `name` can be a schema name without quoting problems: a letter or `_`, then letters, digits or
    /// `_`, at most 63 bytes (PostgreSQL's limit).
    public static func isValidIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        return isLetter(first)
            && name.utf8.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Where the server is, for errors: `host:port`.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL with the password shown as `***`.
    public var description: String {
        var text = "postgres://\(username)\(password == nil ? "" : ":***")@\(endpoint)/\(database)"
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if schema != "public" { parameters.append("schema=\(schema)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }
}

extension PostgresStorageConfiguration: CustomReflectable {
    /// The fields, with the password shown as `***` (so `dump(_:)` and debuggers do not show it either).
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "username": username, "password": password == nil ? "nil" : "***",
            "database": database, "tls": tls, "schema": schema, "maximumConnections": maximumConnections,
            "connectTimeout": connectTimeout, "maximumWriteAttempts": maximumWriteAttempts,
        ])
    }
}

/// Why a `postgres://` URL was refused. The description never contains the password.
public enum PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a URL at all (or a user or password that does not percent-decode).
    case malformed
    /// Not `postgres://` or `postgresql://`.
    case scheme(String)
    /// No host.
    case missingHost
    /// No user name.
    case missingUser
    /// A port outside 1...65535.
    case port
    /// No database (the path).
    case missingDatabase
    /// `sslmode` is not one of ``PostgresStorageConfiguration/TLSMode``.
    case sslMode(String)
    /// `schema` is not a plain identifier.
    case schema(String)
    /// `pool_size` is not a number in 1...1000.
    case poolSize(String)
    /// `connect_timeout` is not a number of seconds in 1...3600.
    case connectTimeout(String)
    /// A parameter this library does not know.
    case unknownParameter(String)

    /// What is wrong, and the expected form.
    public var description: String {
        let form = "expected postgres://user:password@host:port/database"
        switch self {
        case .malformed: return "not a valid URL; \(form)"
        case .scheme(let scheme): return "the scheme must be postgres:// or postgresql://, not '\(scheme)'; \(form)"
        case .missingHost: return "no host; \(form)"
        case .missingUser: return "no user name; \(form)"
        case .port: return "the port must be between 1 and 65535"
        case .missingDatabase: return "no database name (the path); \(form)"
        case .sslMode(let value):
            let modes = PostgresStorageConfiguration.TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
            return "sslmode '\(value)' is not one of \(modes)"
        case .schema(let value):
            return "schema '\(value)' must be a letter or _ followed by letters, digits or _ (at most 63)"
        case .poolSize(let value): return "pool_size '\(value)' must be a number between 1 and 1000"
        case .connectTimeout(let value): return "connect_timeout '\(value)' must be a number of seconds between 1 and 3600"
        case .unknownParameter(let name):
            return "unknown parameter '\(name)' (known: \(PostgresStorageConfiguration.urlParameters.joined(separator: ", ")))"
        }
    }
}
