import ArgumentParser
import Foundation
import Logging
import WalletConnectCore
import WalletConnectSign
import WalletKitPostgres

/// Options shared by `walletkit dapp` and `walletkit wallet`: where the relay is, who we are, where state lives.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("relay-url"), help: "Relay URL: ws:// or wss://, with or without a port.")
    var relayURL = SignClientConfiguration.defaultRelayURL

    @Option(
        name: .customLong("project-id"),
        help: "Cloud project id sent to the relay (default: $WALLETCONNECT_PROJECT_ID when set).")
    var projectID: String?

    @Option(
        help: """
            Where this client keeps its state across runs (default: memory only): a SQLite file, or a PostgreSQL \
            database, postgres://user[:password]@host[:port]/database[?sslmode=…&schema=…] (without a password in \
            the URL, $PGPASSWORD is used).
            """)
    var storage: String?

    @Flag(name: .shortAndLong, help: "Log the library's debug output to stderr.")
    var verbose = false

    func validate() throws {
        try Self.validateRelayURL(relayURL)
        _ = try storageConfiguration()
    }

    /// Whether `--storage` names a PostgreSQL database rather than a SQLite file.
    static func isPostgresURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// The storage `--storage` names: memory, a SQLite file, or a PostgreSQL database (the password from
    /// `PGPASSWORD` when the URL has none).
    /// - Throws: `ValidationError` naming what is wrong with a `postgres://` URL (never its password).
    func storageConfiguration() throws -> SignClientConfiguration.Storage {
        guard let storage else { return .inMemory }
        guard Self.isPostgresURL(storage) else { return .sqlite(path: storage) }
        do {
            var configuration = try PostgresStorageConfiguration(url: storage)
            if configuration.password == nil, let password = ProcessInfo.processInfo.environment["PGPASSWORD"] {
                configuration.password = password
            }
            return .server(PostgresStorageProvider(configuration: configuration))
        } catch {
            throw ValidationError("--storage: \(error)")
        }
    }

    /// The project id from the option, else from `WALLETCONNECT_PROJECT_ID`.
    var effectiveProjectID: String? { Self.projectID(option: projectID) }

    /// `option` when given, else `WALLETCONNECT_PROJECT_ID` when set and not empty.
    static func projectID(option: String?) -> String? {
        if let option, !option.isEmpty { return option }
        let environment = ProcessInfo.processInfo.environment["WALLETCONNECT_PROJECT_ID"]
        return environment?.isEmpty == false ? environment : nil
    }

    /// A logger writing to stderr: debug with `--verbose`, warnings otherwise.
    func makeLogger(label: String) -> Logger { Self.makeLogger(label: label, verbose: verbose) }

    /// A logger writing to stderr: debug when `verbose`, warnings otherwise.
    static func makeLogger(label: String, verbose: Bool) -> Logger {
        var logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// The client configuration for these options.
    /// - Throws: `ValidationError` for a `--storage` URL that cannot be used.
    func configuration(metadata: Metadata, label: String) throws -> SignClientConfiguration {
        SignClientConfiguration(
            metadata: metadata, relayURL: relayURL, projectID: effectiveProjectID,
            storage: try storageConfiguration(), logger: makeLogger(label: label))
    }

    /// Accepts `ws://host[:port][/path]` and `wss://…`.
    /// - Throws: `ValidationError` naming what is wrong.
    static func validateRelayURL(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw ValidationError("--relay-url is not a URL: \(text)")
        }
        guard scheme == "ws" || scheme == "wss" else {
            throw ValidationError("--relay-url must start with ws:// or wss:// (got \(scheme)://)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ValidationError("--relay-url has no host: \(text)")
        }
        // From the text, not `components.port`: that is nil for a port beyond Int (`:99999999999999999999`), which
        // then passed unchecked.
        if let port = portText(of: text), !port.isEmpty {
            guard port.allSatisfy(\.isASCII) && port.allSatisfy(\.isNumber), let number = Int(port),
                (1...65_535).contains(number)
            else {
                throw ValidationError("--relay-url port must be between 1 and 65535")
            }
        }
    }

    /// The text after the port colon of a URL's authority (`nil` without one): `ws://[::1]:8080/x` → `8080`.
    static func portText(of url: String) -> Substring? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var authority = url[schemeEnd.upperBound...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            authority = authority[..<end]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            authority = authority[authority.index(after: close)...]
            return authority.hasPrefix(":") ? authority.dropFirst() : nil
        }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return authority[authority.index(after: colon)...]
    }

    /// The largest number of seconds a duration option takes (about 31.7 years).
    static let maximumSeconds: Double = 1_000_000_000

    /// Checks a duration option: a finite number of seconds, at most ``maximumSeconds``, and positive unless
    /// `allowsZero` (`inf`, `nan`, `1e300` and negative values are refused; they used to trap or mean "no limit").
    /// - Throws: `ValidationError` naming the option (exit 64).
    static func validateSeconds(_ seconds: Double, option: String, allowsZero: Bool) throws {
        let limit = String(Int64(maximumSeconds))
        if allowsZero {
            guard seconds.isFinite, seconds >= 0, seconds <= maximumSeconds else {
                throw ValidationError("\(option): must be a finite number of seconds between 0 and \(limit)")
            }
        } else {
            guard seconds.isFinite, seconds > 0, seconds <= maximumSeconds else {
                throw ValidationError(
                    "\(option): must be a finite number of seconds greater than 0 and at most \(limit)")
            }
        }
    }

    /// A validated duration option as a `Duration`; `nil` for none or zero.
    static func duration(seconds: Double?) -> Duration? {
        guard let seconds, seconds.isFinite, seconds > 0 else { return nil }
        return .milliseconds(Int64((min(seconds, maximumSeconds) * 1000).rounded()))
    }
}

extension Metadata {
    /// The metadata `walletkit dapp` sends.
    static let cliDapp = Metadata(
        name: "walletkit dapp", description: "WalletKit for Swift command-line dApp",
        url: "https://walletkit.invalid/dapp", icons: [])

    /// The metadata `walletkit wallet` sends.
    static let cliWallet = Metadata(
        name: "walletkit wallet", description: "WalletKit for Swift command-line wallet",
        url: "https://walletkit.invalid/wallet", icons: [])
}

extension String {
    /// Splits a comma-separated list, trimming blanks and dropping empty items.
    var commaSeparated: [String] {
        split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
