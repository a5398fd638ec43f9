import Foundation

extension ReCap {
    /// The sentence every ReCap statement starts with.
    package static let statementPrefix =
        "I further authorize the stated URI to perform the following actions on my behalf: "

    /// The human-readable ReCap statement, byte-identical to JS `formatStatementFromRecap`.
    ///
    /// For each resource in `att` order: abilities sorted by action name, grouped by ability prefix
    /// in order of first appearance, each rendered `(<n>) '<ability>': '<a1>', '<a2>' for '<resource>'.`
    /// with one counter across resources; a resource's groups are joined by `", "` and only the
    /// first `".,"` is then replaced by `"."` (the JS quirk: a third group keeps `"., "`);
    /// resources are joined by a space.
    package var statement: String {
        var counter = 0
        var parts: [String] = []
        for resource in attenuations {
            let sorted = JSCollation.sorted(resource.abilities.map { Self.split($0.key) }, by: \.action)
            var groups: [(ability: String, actions: [String])] = []
            for entry in sorted {
                if let index = groups.firstIndex(where: { $0.ability == entry.ability }) {
                    groups[index].actions.append(entry.action)
                } else {
                    groups.append((entry.ability, [entry.action]))
                }
            }
            let rendered = groups.map { group -> String in
                counter += 1
                let actions = group.actions.map { "'\($0)'" }.joined(separator: ", ")
                return "(\(counter)) '\(group.ability)': \(actions) for '\(resource.resource)'."
            }
            parts.append(Self.replacingFirst(".,", with: ".", in: rendered.joined(separator: ", ")))
        }
        return Self.statementPrefix + parts.joined(separator: " ")
    }

    /// JS `buildRecapStatement(statement, recap)`: `statement` unchanged if it already contains the
    /// ReCap sentence, else `"<statement> <recap statement>"` (or the ReCap statement alone when
    /// `statement` is empty).
    /// - Throws: ``AuthError`` `.invalidRecap` if `encodedReCap` is malformed.
    package static func buildStatement(_ statement: String?, encodedReCap: String) throws -> String {
        let statement = statement ?? ""
        if statement.contains(statementPrefix.trimmingSuffixSpace) { return statement }
        let recapStatement = try ReCap(encoded: encodedReCap).statement
        return statement.isEmpty ? recapStatement : "\(statement) \(recapStatement)"
    }

    private static func replacingFirst(_ target: String, with replacement: String, in text: String) -> String {
        guard let range = text.range(of: target) else { return text }
        return text.replacingCharacters(in: range, with: replacement)
    }
}

extension String {
    fileprivate var trimmingSuffixSpace: String {
        hasSuffix(" ") ? String(dropLast()) : self
    }
}
