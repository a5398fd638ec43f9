import Foundation
import Synchronization
import WalletConnectCore

/// One JSON object printed as one line of stdout; keys keep the order they were added in (`event` first).
struct JSONLine: Sendable {
    private(set) var fields: [(key: String, value: JSONValue)]

    /// Starts a line `{"event":"<event>"…}`.
    init(_ event: String) {
        fields = [(key: "event", value: .string(event))]
    }

    /// Appends (or replaces) a field.
    mutating func set(_ key: String, _ value: JSONValue) {
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        } else {
            fields.append((key: key, value: value))
        }
    }

    /// The value of a field.
    subscript(key: String) -> JSONValue? {
        fields.first(where: { $0.key == key })?.value
    }

    /// A copy with one more field.
    func with(_ key: String, _ value: JSONValue) -> JSONLine {
        var copy = self
        copy.set(key, value)
        return copy
    }

    /// Compact JSON text; nested objects have sorted keys, `/` is not escaped.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let parts = fields.map { field -> String in
            let key = (try? encoder.encode(field.key)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
            let value = (try? encoder.encode(field.value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
            return key + ":" + value
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}

/// Writes JSON lines to stdout (one `write` per line, so every line is flushed at once) and plain text to
/// stderr. Lines from concurrent tasks never interleave.
final class OutputWriter: Sendable {
    private let lock = Locked<[String]>([])
    /// Whether lines are also kept in memory (the demo's summary reads them; tests of the writer).
    private let keepsLines: Bool

    init(keepsLines: Bool = false) {
        self.keepsLines = keepsLines
    }

    /// Prints `line` as one JSON line.
    func emit(_ line: JSONLine) {
        let text = line.encoded()
        lock.withLock { kept in
            try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
            if keepsLines { kept.append(text) }
        }
    }

    /// Prints `{"event":"error","message":…}` (plus extra fields).
    func error(_ message: String, _ extra: [(String, JSONValue)] = []) {
        var line = JSONLine("error").with("message", .string(message))
        for (key, value) in extra { line.set(key, value) }
        emit(line)
    }

    /// Prints plain text to stdout (the demo's trace).
    func text(_ text: String) {
        lock.withLock { _ in
            try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        }
    }

    /// Prints plain text to stderr.
    func log(_ text: String) {
        lock.withLock { _ in
            try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
        }
    }
}
