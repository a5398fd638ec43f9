/// Hand-written JSON text for byte-exact output (signed or hashed JSON).
enum JSONText {
    /// `text` as a JSON string literal, escaped like JavaScript's `JSON.stringify` (the one quoting routine,
    /// ``OrderedJSONEncoder/appendQuoted(_:to:)``).
    static func quoted(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 2)
        OrderedJSONEncoder.appendQuoted(text, to: &out)
        return out
    }
}
