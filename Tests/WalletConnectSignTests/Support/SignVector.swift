import Foundation
import Testing
import WalletKitTesting

/// One case of a sign-*.json vector group, with key order preserved.
struct SignVector: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    var name: String
    var json: OrderedJSON

    var description: String { name }
    var testDescription: String { name }

    /// The whole file, key order preserved.
    static func file(_ file: String) throws -> OrderedJSON {
        try OrderedJSON.parse(SharedVectors.data(file))
    }

    /// The array at `path` (object keys) of `file`, one vector per element; `[]` when vectors are absent.
    static func load(_ file: String, _ path: String..., name: (OrderedJSON, Int) -> String? = { _, _ in nil }) -> [SignVector] {
        guard SharedVectors.isAvailable, var node = try? Self.file(file) else { return [] }
        for key in path {
            guard let next = node[key] else { return [] }
            node = next
        }
        return node.items.enumerated().map { index, item in
            var label: String = "case \(index)"
            if let custom = name(item, index) {
                label = custom
            } else if let text = item["name"]?.string {
                label = text
            } else if let text = item["test"]?.string {
                label = text
            } else if let text = item["description"]?.string {
                label = text
            }
            return SignVector(name: "#\(index) \(label)", json: item)
        }
    }

    /// Members of the object at `path` as vectors named by key.
    static func members(_ file: String, _ path: String...) -> [SignVector] {
        guard SharedVectors.isAvailable, var node = try? Self.file(file) else { return [] }
        for key in path {
            guard let next = node[key] else { return [] }
            node = next
        }
        return node.members.map { SignVector(name: $0.key, json: $0.value) }
    }
}
