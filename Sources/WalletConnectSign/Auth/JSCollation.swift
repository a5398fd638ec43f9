/// The ordering JS's `a.localeCompare(b)` gives (ICU root collation), used where the JS SDK sorts
/// ReCap resources and abilities.
///
/// Exact for ASCII: primary level ignores case and orders whitespace < punctuation/symbols (in
/// the CLDR root order `_ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % ` ^ + < = > | ~ $`) < digits <
/// letters; ties on the primary level put lowercase before uppercase. Non-ASCII scalars sort after
/// ASCII letters by code point (an approximation; ReCap keys are ASCII in practice).
enum JSCollation {
    private static let punctuationOrder = Array("_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".unicodeScalars)

    /// Primary weight of one scalar (case-insensitive).
    private static func primary(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        switch value {
        case 0x09...0x0D, 0x20: return 100 + value
        case 0x30...0x39: return 1_000 + value
        case 0x41...0x5A: return 2_000 + value + 0x20
        case 0x61...0x7A: return 2_000 + value
        default:
            if let position = punctuationOrder.firstIndex(of: scalar) { return 200 + UInt32(position) }
            if value < 0x80 { return 300 + value }
            let folded = Character(scalar).lowercased().unicodeScalars.first?.value ?? value
            return 10_000 + folded
        }
    }

    /// Tertiary weight: lowercase (and caseless) before uppercase.
    private static func tertiary(_ scalar: Unicode.Scalar) -> UInt32 {
        scalar.properties.isUppercase ? 1 : 0
    }

    /// Whether `lhs` sorts before `rhs`.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 like `localeCompare`.
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs.unicodeScalars)
        let right = Array(rhs.unicodeScalars)
        for (a, b) in zip(left, right) where primary(a) != primary(b) {
            return primary(a) < primary(b) ? -1 : 1
        }
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        for (a, b) in zip(left, right) where tertiary(a) != tertiary(b) {
            return tertiary(a) < tertiary(b) ? -1 : 1
        }
        return 0
    }

    /// A stable sort by `localeCompare` (JS `Array.prototype.sort` is stable).
    static func sorted(_ values: [String]) -> [String] {
        sorted(values, by: { $0 })
    }

    /// A stable sort of `values` by the collation of `key(value)`.
    static func sorted<T>(_ values: [T], by key: (T) -> String) -> [T] {
        values.enumerated().sorted { a, b in
            let order = compare(key(a.element), key(b.element))
            return order == 0 ? a.offset < b.offset : order < 0
        }.map(\.element)
    }
}
