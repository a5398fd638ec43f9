import Foundation
import Testing

/// Locates the shared known-answer vectors (`../shared/vectors` beside the package) at run time.
///
/// Set `WALLETKIT_VECTORS` to point elsewhere. When the folder is absent (a user's own clone),
/// ``isAvailable`` is `false` and vector tests are skipped with a visible note.
public enum SharedVectors {
    /// The vectors folder, if found.
    public static let directory: URL? = {
        let fileManager = FileManager.default
        if let override = ProcessInfo.processInfo.environment["WALLETKIT_VECTORS"], !override.isEmpty {
            let url = URL(fileURLWithPath: override, isDirectory: true)
            return fileManager.fileExists(atPath: url.path) ? url : nil
        }
        // Sources/WalletKitTesting/SharedVectors.swift -> package root -> ../shared/vectors
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let candidates = [
            root.deletingLastPathComponent().appendingPathComponent("shared/vectors", isDirectory: true),
            URL(fileURLWithPath: fileManager.currentDirectoryPath).deletingLastPathComponent()
                .appendingPathComponent("shared/vectors", isDirectory: true),
        ]
        return candidates.first { fileManager.fileExists(atPath: $0.appendingPathComponent("README.md").path) }
    }()

    /// Whether the vectors folder was found.
    public static var isAvailable: Bool { directory != nil }

    /// The note shown when vector tests are skipped.
    public static let skipNote: Comment = "shared vectors folder (../shared/vectors) not found: vector tests skipped"

    /// The raw bytes of one vector file, e.g. `core-crypto.json`.
    /// - Throws: ``VectorError/folderMissing`` when the folder is absent; the file system error when the file
    ///   cannot be read.
    public static func data(_ file: String) throws -> Data {
        guard let directory else { throw VectorError.folderMissing }
        return try Data(contentsOf: directory.appendingPathComponent(file))
    }

    /// One vector file parsed as loose JSON.
    /// - Throws: What ``data(_:)`` throws; the `JSONSerialization` error when the file is not JSON.
    public static func json(_ file: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(file), options: [.fragmentsAllowed])
    }

    /// The `cases` array of a vector file, or `[]` when the folder is absent.
    ///
    /// Use as `@Test(arguments: SharedVectors.cases("core-crypto.json"))`, so each case is a test argument.
    public static func cases(_ file: String, key: String = "cases") -> [VectorCase] {
        guard isAvailable, let object = try? json(file) as? [String: Any],
            let list = object[key] as? [[String: Any]]
        else { return [] }
        return list.enumerated().map { VectorCase(index: $0.offset, raw: $0.element) }
    }

    /// Errors reading vectors.
    public enum VectorError: Error {
        /// The vectors folder was not found (see ``SharedVectors/isAvailable``).
        case folderMissing
    }
}

/// One case of a vector file. Its `description` is the case name, so test output names each case.
public struct VectorCase: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    /// Position in the file.
    public let index: Int
    /// The case as JSON text (Sendable form).
    public let jsonText: String

    init(index: Int, raw: [String: Any]) {
        self.index = index
        let data = (try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys])) ?? Data("{}".utf8)
        self.jsonText = String(decoding: data, as: UTF8.self)
    }

    /// The case as a dictionary.
    public var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(jsonText.utf8))) as? [String: Any] ?? [:]
    }

    /// The case name.
    public var name: String { object["name"] as? String ?? "case\(index)" }

    /// The case name, as ``name``.
    public var description: String { name }
    /// The case name, as ``name``: Swift Testing shows it for the argument.
    public var testDescription: String { name }
}
