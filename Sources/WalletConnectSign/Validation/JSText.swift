import WalletConnectCore

/// Renders JSON values the way JS error messages show them.
enum JSText {
    /// `JSON.stringify(value)` (compact; object keys sorted, which matches JS insertion order for
    /// every message in the vectors); `undefined` for a missing value.
    static func stringify(_ value: JSONValue?) -> String {
        guard let value else { return "undefined" }
        var out = ""
        write(value, into: &out)
        return out
    }

    /// `${value}` in a JS template literal: strings raw, `undefined` for missing, arrays joined by `,`.
    static func template(_ value: JSONValue?) -> String {
        guard let value else { return "undefined" }
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int, .uint, .double: return number(value)
        case .string(let text): return text
        case .array(let items): return items.map { $0 == .null ? "" : template($0) }.joined(separator: ",")
        case .object: return "[object Object]"
        }
    }

    private static func number(_ value: JSONValue) -> String {
        switch value {
        case .int(let number): return String(number)
        case .uint(let number): return String(number)
        case .double(let number): return JSNumberText.format(number)
        default: return ""
        }
    }

    private static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int, .uint, .double: out += number(value)
        case .string(let text): quote(text, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                quote(key, into: &out)
                out += ":"
                write(members[key] ?? .null, into: &out)
            }
            out += "}"
        }
    }

    static func quote(_ text: String, into out: inout String) {
        OrderedJSONEncoder.appendQuoted(text, to: &out)
    }

    /// `JSON.stringify` of a list of strings.
    static func stringify(_ strings: [String]) -> String {
        stringify(.array(strings.map(JSONValue.string)))
    }
}

extension JSONValue {
    /// JS `isValidString(value, false)`: a string that is not blank.
    var isNonBlankString: Bool {
        if case .string(let text) = self { return !text.isBlank }
        return false
    }

    /// JS `isValidObject`: a plain object with at least one key.
    var isObjectWithData: Bool {
        if case .object(let members) = self { return !members.isEmpty }
        return false
    }

    /// JS number check (any JSON number).
    var isNumber: Bool {
        switch self {
        case .int, .uint, .double: true
        default: false
        }
    }

    /// JS `isValidNumber(value, false)`: a non-zero number.
    var isNonZeroNumber: Bool {
        switch self {
        case .int(let value): value != 0
        case .uint(let value): value != 0
        case .double(let value): value != 0 && !value.isNaN
        default: false
        }
    }

    /// An array whose items are all non-blank strings (an empty array qualifies).
    var isArrayOfNonBlankStrings: Bool {
        guard case .array(let items) = self else { return false }
        return items.allSatisfy(\.isNonBlankString)
    }

    /// The strings of an array value (non-strings skipped).
    var stringArray: [String] {
        arrayValue?.compactMap(\.stringValue) ?? []
    }
}
