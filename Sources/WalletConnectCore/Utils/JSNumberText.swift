/// Numbers written the way JavaScript writes them (`Number.prototype.toString`, which `JSON.stringify` uses).
///
/// Swift's shortest round-trip digits are kept; only the layout differs from `Double.description`: integral values
/// below 10²¹ are written out in full (`10000000000000000000`, not `1e+19`), fractions down to 10⁻⁶ in positional form
/// (`0.000001`), and exponents without padding (`1e-7`, `1.5e+300`). Non-finite values are `null`, as in JSON.
package enum JSNumberText {
    /// `value` as JavaScript's `String(value)` (or `null` when it is not finite).
    package static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        let (negative, digits, pointPosition) = decompose(value)
        let k = digits.count
        let n = pointPosition
        var out = negative ? "-" : ""
        if k <= n && n <= 21 {
            out += digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits.prefix(n) + "." + digits.dropFirst(n)
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + digits
        } else {
            let exponent = n - 1
            out += String(digits.prefix(1))
            if k > 1 { out += "." + digits.dropFirst() }
            out += "e" + (exponent < 0 ? "-" : "+") + String(abs(exponent))
        }
        return out
    }

    /// The sign, the shortest significant digits (no leading or trailing zeros) and the position `n` of the decimal
    /// point, such that |value| = 0.d₁d₂…dₖ × 10ⁿ — ECMA-262's `k` and `n`.
    private static func decompose(_ value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        var text = Substring(abs(value).description)  // shortest round-trip: "1e+19", "0.001", "123.45"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        let integerPart: Substring
        let fractionPart: Substring
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fractionPart = text[text.index(after: dot)...]
        } else {
            integerPart = text
            fractionPart = ""
        }
        var digits = String(integerPart) + fractionPart
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (value < 0, digits, point)
    }
}
