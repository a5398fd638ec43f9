import Foundation
import Testing
import WalletKitTesting

/// Typed access to one vector case (helpers for the core crypto/codec vector tests).
struct CoreVector {
    let name: String
    let root: [String: Any]

    init(_ vectorCase: VectorCase) {
        self.root = vectorCase.object
        self.name = vectorCase.name
    }

    var input: [String: Any] { root["input"] as? [String: Any] ?? [:] }
    var expected: [String: Any] { root["expected"] as? [String: Any] ?? [:] }

    func inputString(_ key: String) -> String? { input[key] as? String }
    func expectedString(_ key: String) -> String? { expected[key] as? String }

    func inputInt(_ key: String) -> Int64? { Self.int(input[key]) }
    func expectedInt(_ key: String) -> Int64? { Self.int(expected[key]) }

    /// An integer written as a JSON number or a decimal string.
    static func int(_ value: Any?) -> Int64? {
        if let text = value as? String { return Int64(text) }
        if let number = value as? NSNumber { return number.int64Value }
        return nil
    }

    /// Throws a test failure naming the field when it is missing.
    func require(_ value: String?, _ field: String) throws -> String {
        try #require(value, "case \(name): missing field \(field)")
    }
}
