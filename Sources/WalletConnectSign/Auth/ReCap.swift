import Foundation

/// An EIP-5573 capability object (`{"att": {resource: {"ability/action": [limits…]}}, …}`) as the JS
/// SDK implements it: encoded as `urn:recap:` + unpadded standard base64 of compact JSON.
///
/// The JSON keeps its key order, so decoding and re-encoding reproduces the JS bytes.
package struct ReCap: Sendable, Hashable {
    /// The `urn:recap:` prefix.
    package static let prefix = "urn:recap:"

    /// The whole object (validated; key order preserved).
    package let json: AuthJSON

    /// Validates `json` (see ``validate(_:)``) and wraps it.
    /// - Throws: ``AuthError`` `.invalidRecap` with the JS SDK's message.
    package init(json: AuthJSON) throws {
        try Self.validate(json)
        self.json = json
    }

    /// `{att: {resource: {"ability/action": [limits]}}}` for each action (sorted like JS).
    /// - Throws: ``AuthError`` `.invalidRecap` when the result is not a valid ReCap (e.g. no actions).
    package static func create(resource: String, ability: String, actions: [String], limits: AuthJSON = .object([]))
        throws -> ReCap
    {
        let abilities = JSCollation.sorted(actions).map { (key: "\(ability)/\($0)", value: AuthJSON.array([limits])) }
        return try ReCap(json: .object([("att", .object([(resource, .object(abilities))]))]))
    }

    /// Decodes a `urn:recap:` resource (base64 of either alphabet, padding optional).
    /// - Throws: ``AuthError`` `.invalidRecap`.
    package init(encoded resource: String) throws {
        guard resource.hasPrefix(Self.prefix) else {
            throw AuthError(.invalidRecap, "Not a ReCap resource (missing \(Self.prefix))")
        }
        var base64 = String(resource.dropFirst(Self.prefix.count))
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while base64.hasSuffix("=") { base64.removeLast() }
        if base64.count % 4 != 0 { base64 += String(repeating: "=", count: 4 - base64.count % 4) }
        guard let data = Data(base64Encoded: base64) else {
            throw AuthError(.invalidRecap, "ReCap is not valid base64")
        }
        try self.init(json: AuthJSON(parsing: data))
    }

    /// `urn:recap:` + standard base64 (no `=` padding) of `JSON.stringify(json)`.
    package var encoded: String {
        var base64 = Data(json.jsonString.utf8).base64EncodedString()
        while base64.hasSuffix("=") { base64.removeLast() }
        return Self.prefix + base64
    }

    /// The attenuations in `att` order: resource → `ability/action` keys → limits.
    package var attenuations: [(resource: String, abilities: [(key: String, limits: [AuthJSON])])] {
        (json["att"]?.members ?? []).map { resource in
            (resource.key, (resource.value.members ?? []).map { ($0.key, $0.value.elements ?? []) })
        }
    }

    /// The actions (part after `/`) of the `eip155` resource, in key order (JS `getMethodsFromRecap`).
    package var methods: [String] {
        guard let abilities = attenuations.first(where: { $0.resource == "eip155" })?.abilities else { return [] }
        return abilities.map { Self.split($0.key).action }
    }

    /// The union, in first-seen order, of `limits[0].chains` over every ability of every resource
    /// (JS `getChainsFromRecap`).
    package var chains: [String] {
        var result: [String] = []
        for resource in attenuations {
            for ability in resource.abilities {
                for chain in ability.limits.first?["chains"]?.elements ?? [] {
                    if let chain = chain.string, !result.contains(chain) { result.append(chain) }
                }
            }
        }
        return result
    }

    /// JS `mergeRecaps`: resources from both (sorted), actions from both (sorted); for an action in
    /// both, `self`'s limits win. Only `att` is kept.
    /// - Throws: ``AuthError`` `.invalidRecap` when the merged object is not a valid ReCap.
    package func merging(_ other: ReCap) throws -> ReCap {
        let left = attenuations
        let right = other.attenuations
        var resourceKeys: [String] = []
        for key in left.map(\.resource) + right.map(\.resource) where !resourceKeys.contains(key) {
            resourceKeys.append(key)
        }
        var merged: [(key: String, value: AuthJSON)] = []
        for resource in JSCollation.sorted(resourceKeys) {
            let first = left.first { $0.resource == resource }?.abilities ?? []
            let second = right.first { $0.resource == resource }?.abilities ?? []
            var actionKeys: [String] = []
            for key in first.map(\.key) + second.map(\.key) where !actionKeys.contains(key) {
                actionKeys.append(key)
            }
            let abilities = JSCollation.sorted(actionKeys).map { key in
                let limits = first.first { $0.key == key }?.limits ?? second.first { $0.key == key }?.limits ?? []
                return (key: key, value: AuthJSON.array(limits))
            }
            merged.append((resource, .object(abilities)))
        }
        return try ReCap(json: .object([("att", .object(merged))]))
    }

    /// A copy without `resource` in `att` (not validated: the result may have an empty `att`).
    func removingResource(_ resource: String) -> AuthJSON {
        let remaining = (json["att"]?.members ?? []).filter { $0.key != resource }
        return .object([("att", .object(remaining))])
    }

    /// Splits `ability/action` at the first `/`.
    static func split(_ key: String) -> (ability: String, action: String) {
        guard let slash = key.firstIndex(of: "/") else { return (key, "") }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }
}

// MARK: - Validation and resource helpers

extension ReCap {
    /// JS `isValidRecap`: an object with `att`; `att` has at least one resource; each resource is a
    /// non-array object with at least one ability; each ability's limits are a non-empty array of
    /// objects. `[]` limits are invalid (reown-swift accepts them; JS throws).
    /// - Throws: ``AuthError`` `.invalidRecap` with the JS message.
    package static func validate(_ json: AuthJSON) throws {
        guard let att = json["att"] else { throw AuthError(.invalidRecap, "No `att` property found") }
        guard let resources = att.members, !resources.isEmpty else {
            throw AuthError(.invalidRecap, "No resources found in `att` property")
        }
        for resource in resources {
            guard let abilities = resource.value.members else {
                throw AuthError(.invalidRecap, "Resource must be an object: \(resource.key)")
            }
            guard !abilities.isEmpty else {
                throw AuthError(.invalidRecap, "Resource object is empty: \(resource.key)")
            }
            for ability in abilities {
                guard let limits = ability.value.elements else {
                    throw AuthError(
                        .invalidRecap,
                        "Ability limits (\(ability.key)) must be an array of objects, found: \(ability.value.jsDescription)"
                    )
                }
                guard !limits.isEmpty else {
                    throw AuthError(
                        .invalidRecap, "Value of \(ability.key) is empty array, must be an array with objects")
                }
                for limit in limits where limit.members == nil {
                    throw AuthError(
                        .invalidRecap,
                        "Ability limits (\(ability.key)) must be an array of objects, found: \(limit.jsDescription)")
                }
            }
        }
    }

    /// Whether `resource` is a `urn:recap:` resource.
    package static func isReCap(_ resource: String) -> Bool {
        resource.hasPrefix(prefix)
    }

    /// JS `getRecapFromResources`: the **last** resource if it is a ReCap, else `nil`.
    package static func encodedReCap(in resources: [String]?) -> String? {
        guard let last = resources?.last, isReCap(last) else { return nil }
        return last
    }

    /// JS `getDecodedRecapFromResources`: the decoded last resource, or `nil` if it is not a ReCap.
    /// - Throws: ``AuthError`` `.invalidRecap` if the last resource is a malformed ReCap.
    package static func decoded(from resources: [String]?) throws -> ReCap? {
        try encodedReCap(in: resources).map { try ReCap(encoded: $0) }
    }

    /// JS `mergeEncodedRecaps`: decode both, merge (first wins), encode.
    /// - Throws: ``AuthError`` `.invalidRecap`.
    package static func mergeEncoded(_ first: String, _ second: String) throws -> String {
        try ReCap(encoded: first).merging(ReCap(encoded: second)).encoded
    }
}
