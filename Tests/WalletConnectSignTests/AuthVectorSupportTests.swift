import Foundation
import Synchronization
import WalletConnectCore
import WalletConnectSign
import Testing
import WalletKitTesting

/// One case of an `auth-*.json` group, as a Sendable test argument named after the case.
struct AuthVector: Sendable, CustomTestStringConvertible {
    let file: String
    let group: String
    let index: Int
    let name: String
    /// The case as JSON text (order preserved: the raw slice is re-serialised by JSONSerialization,
    /// so use ``object`` for lookups and the ordered parser for order-sensitive checks).
    let jsonText: String

    var testDescription: String { "\(group)[\(index)] \(name)" }

    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(jsonText.utf8))) as? [String: Any] ?? [:]
    }

    subscript(key: String) -> Any? { object[key] }

    func string(_ key: String) -> String? { object[key] as? String }

    /// Loads the cases of `group` (an array of objects at the top level of `file`).
    static func load(_ file: String, group: String, where include: ([String: Any]) -> Bool = { _ in true })
        -> [AuthVector]
    {
        guard SharedVectors.isAvailable,
            let root = try? SharedVectors.json(file) as? [String: Any],
            let list = root[group] as? [[String: Any]]
        else { return [] }
        return list.enumerated().compactMap { index, raw in
            guard include(raw) else { return nil }
            let data = (try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys])) ?? Data("{}".utf8)
            let name =
                (raw["test"] as? String) ?? (raw["description"] as? String) ?? (raw["fn"] as? String) ?? "case"
            return AuthVector(
                file: file, group: group, index: index, name: name, jsonText: String(decoding: data, as: UTF8.self))
        }
    }

    /// The top-level object of a vector file.
    static func root(_ file: String) throws -> [String: Any] {
        try #require(try SharedVectors.json(file) as? [String: Any])
    }
}

@Suite("Auth vector files")
struct AuthVectorSupportTests {
    /// Guards against silently losing cases: every group of every auth file is counted.
    @Test(.enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
    func vectorGroupsHaveTheExpectedSizes() throws {
        let expected: [(String, String, Int)] = [
            ("auth-siwe-messages.json", "cases", 16),
            ("auth-siwe-messages.json", "computed_cases", 7),
            ("auth-recaps.json", "cases", 42),
            ("auth-recaps.json", "statement_divergence", 2),
            ("auth-recaps.json", "computed_cases", 18),
            ("auth-signatures.json", "eip191", 10),
            ("auth-signatures.json", "eip1271", 4),
            ("auth-cacao.json", "cases", 14),
        ]
        for (file, group, count) in expected {
            #expect(AuthVector.load(file, group: group).count == count, "\(file) \(group)")
        }
    }
}

/// A fake `eth_call` endpoint that records calls. It answers `result` (or `0x` + zeros when
/// `acceptOnly` is set and the call data differs); a `nil` result makes every call throw.
final class FakeRPCCaller: EthereumRPCCaller {
    struct Call: Sendable, Equatable {
        let chainID: String
        let to: String
        let data: String
    }

    struct Unreachable: Error {}

    private let result: String?
    private let acceptOnly: String?
    private let recorded = Locked<[Call]>([])

    init(result: String?, acceptOnly: String? = nil) {
        self.result = result
        self.acceptOnly = acceptOnly
    }

    var calls: [Call] { recorded.withLock { $0 } }

    func call(chainID: String, to: String, data: String) async throws -> String {
        recorded.withLock { $0.append(Call(chainID: chainID, to: to, data: data)) }
        guard let result else { throw Unreachable() }
        if let acceptOnly, acceptOnly != data { return "0x" + String(repeating: "0", count: 64) }
        return result
    }
}

extension AuthVector {
    /// The case re-read from the file with key order preserved.
    func ordered() throws -> AuthJSON {
        let root = try AuthJSON(parsing: SharedVectors.data(file))
        return try #require(root[group]?.elements?[index])
    }

    /// An ordered top-level member of a vector file.
    static func orderedRoot(_ file: String, _ key: String) throws -> AuthJSON {
        try #require(try AuthJSON(parsing: SharedVectors.data(file))[key])
    }
}

/// Decodes a `Decodable` from an ordered JSON value.
func authDecode<T: Decodable>(_ type: T.Type, from json: AuthJSON) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.jsonString.utf8))
}

/// Encodes an `Encodable` with Foundation (no `\/` escaping) and parses it back. Foundation's key
/// order is not stable on Linux: compare with `isEquivalent(to:)`.
func authOrderedJSON<T: Encodable>(_ value: T) throws -> AuthJSON {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    return try AuthJSON(parsing: encoder.encode(value))
}

extension AuthJSON {
    /// The strings of an array value.
    var stringArray: [String]? { elements?.compactMap(\.string) }
}
