/// Formats the CAIP-122 / SIWE text a wallet signs, byte-identical to JS `formatMessage`
/// (2.23.9) with the 2.23.10 line-break rule (sign.md §9.3).
package enum SIWEMessage {
    /// Builds the message for `request` signed by `iss` (`did:pkh:…` or bare CAIP-10).
    ///
    /// Lines joined by `\n`, no trailing newline:
    /// `<domain> wants you to sign in with your <Chain> account:`, the address, an empty line, the
    /// statement (omitted when empty), an empty line, `URI:`, `Version:`, `Chain ID:`, `Nonce:`,
    /// `Issued At:`, then `Expiration Time:`, `Not Before:`, `Request ID:` when present, and
    /// `Resources:` with `- <resource>` lines when `resources` is present (even empty).
    /// If the last resource is a ReCap, its statement sentence is appended to the statement.
    ///
    /// - Throws: ``AuthError``: `.missingAudience` (JS text), `.statementContainsLineBreak` (JS
    ///   2.23.10 text), `.fieldContainsLineBreak` (hardening: any other field with CR/LF),
    ///   `.invalidIssuer`, `.invalidRecap` (malformed ReCap, JS texts).
    package static func format(request: AuthPayload, iss: String) throws -> String {
        let issuer = try DIDPKH(iss)
        guard let audience = request.audience else {
            throw AuthError(.missingAudience, "Either `aud` or `uri` is required to construct the message")
        }
        var statement = request.statement.flatMap { $0.isEmpty ? nil : $0 }
        if let recap = ReCap.encodedReCap(in: request.resources) {
            statement = try ReCap.buildStatement(statement, encodedReCap: recap)
        }
        if let statement, statement.containsLineBreak {
            throw AuthError(.statementContainsLineBreak, "Statement must not contain line breaks (`\\r` or `\\n`)")
        }
        var singleLine: [(String, String)] = [
            ("domain", request.domain), ("address", issuer.address), ("aud", audience),
            ("version", request.version), ("nonce", request.nonce), ("iat", request.iat),
        ]
        singleLine += [("exp", request.exp), ("nbf", request.nbf), ("requestId", request.requestID)]
            .compactMap { name, value in value.map { (name, $0) } }
        singleLine += (request.resources ?? []).map { ("resources", $0) }
        for (name, value) in singleLine where value.containsLineBreak {
            throw AuthError(.fieldContainsLineBreak, "`\(name)` must not contain line breaks (`\\r` or `\\n`)")
        }

        var lines = [
            "\(request.domain) wants you to sign in with your \(chainName(issuer.namespace)) account:",
            issuer.address,
            "",
        ]
        if let statement { lines.append(statement) }
        lines += [
            "",
            "URI: \(audience)",
            "Version: \(request.version)",
            "Chain ID: \(issuer.reference)",
            "Nonce: \(request.nonce)",
            "Issued At: \(request.iat)",
        ]
        if let exp = request.exp { lines.append("Expiration Time: \(exp)") }
        if let nbf = request.nbf { lines.append("Not Before: \(nbf)") }
        if let requestID = request.requestID { lines.append("Request ID: \(requestID)") }
        if let resources = request.resources {
            lines.append("Resources:")
            lines += resources.map { "- \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// The account-type word of the header: `eip155` → `Ethereum`, `solana` → `Solana`,
    /// `bip122` → `Bitcoin`, anything else unchanged (JS; reown-swift capitalises, which breaks
    /// signatures checked by JS dapps).
    package static func chainName(_ namespace: String) -> String {
        switch namespace {
        case "eip155": return "Ethereum"
        case "solana": return "Solana"
        case "bip122": return "Bitcoin"
        default: return namespace
        }
    }
}

extension String {
    /// Whether the string contains a CR or LF scalar.
    fileprivate var containsLineBreak: Bool {
        unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
    }
}
