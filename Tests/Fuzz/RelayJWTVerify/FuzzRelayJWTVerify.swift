// libFuzzer target: relay-auth JWT verification and the relay server's check of an upgrade request
// (Tests/Fuzz/run-fuzzers.sh builds and runs it).
//
// Not part of the SwiftPM package. The script compiles this file together with the relay server's
// RelayConnectionAuth.swift (it needs only HTTPTypes, which the script builds from .build/checkouts), so the
// internal `RelayConnectionAuth.token(in:)`, `check(_:)` and `audienceMatches` are reachable without sockets.
//
// What an unauthenticated client controls is the token (the `auth` query parameter or an `Authorization: Bearer`
// header) and the `Host` it connects to. The first input byte picks the mode:
//
// - `0x00`: a structured, self-signed did:key JWT built from the input: an Ed25519 seed (32 bytes), then choices
//   of header, `iss` (the seed's did:key, another key's, the X25519 multicodec, junk, missing), `sub`, `aud` (a
//   table of relay URLs with the expected host match, or junk), `iat` and `exp` (integers near the clock's edges,
//   `0`, `-1`, the year-9999 bound and beyond, `Int64` extremes, floats, exponents, huge, strings, `null`,
//   missing), extra and duplicate keys, signature damage (bit flips, truncation, another message, zeros) and
//   part encodings (padding, the standard alphabet, a fourth part, whitespace). The outcome is checked against an
//   independent oracle (Int128 arithmetic) whenever the claims are unambiguous.
// - `0x01`: an Ed25519 seed (32 bytes), then a claims JSON text taken verbatim, `%ISS%` replaced by the seed's
//   did:key, signed properly.
// - `{`: the input is a claims JSON text, signed with the seed of the core-relay-auth vectors (`%ISS%` replaced).
// - anything else: the input is the token itself.
//
// Every mode also runs the token through `RelayConnectionAuth` in a request (query or bearer form, chosen hosts),
// strict and not. Invariants: no trap; an accepted token has `iat` and `exp` in `0 ... maxTimestamp`, is not
// expired and not issued in the future (each with the leeway), its signature verifies against its `iss`, and its
// `iss` is the canonical did:key of that key; the relay accepts a request under strict auth exactly when its token
// verifies and its `aud` names the requested host, with the token's `iss` as client id.
import Foundation
import HTTPTypes
@testable import WalletConnectCore

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

/// Choices drawn from the input; zeros once it is used up.
private struct Reader {
    var bytes: ArraySlice<UInt8>

    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    mutating func take(_ count: Int) -> [UInt8] {
        var out = Array(bytes.prefix(count))
        bytes = bytes.dropFirst(count)
        if out.count < count { out += [UInt8](repeating: 0, count: count - out.count) }
        return out
    }

    mutating func int64() -> Int64 {
        take(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    mutating func int16() -> Int64 {
        Int64(Int16(bitPattern: UInt16(byte()) << 8 | UInt16(byte())))
    }

    /// A length byte (capped at 64), then that many bytes as UTF-8 (invalid bytes repaired).
    mutating func text() -> String {
        String(decoding: take(Int(byte() % 65)), as: UTF8.self)
    }
}

// MARK: fixed tables

/// The seed of the core-relay-auth vectors (`jwt_sign_js_reference`).
private let vectorSeed: [UInt8] = try! Hex.decode("58e0254c211b858ef7896b00e3f36beeb13d568d47c6031c4218b87718061295")
private let otherSeed = [UInt8](repeating: 7, count: 32)
private let relayHost = "relay.walletconnect.org"

/// Clocks (Unix seconds): the vectors' validity window, a present-day time, the edges.
private let clocks: [Int64] = [1_700_000_000, 1_656_950_000, 0, RelayJWT.maxTimestamp, .max, .min, -1]
private let leeways: [Int64] = [120, 0, .max, .min, -120]

/// Audiences, and whether each names `relayHost` (what `RelayConnectionAuth.audienceMatches` must say).
private let audiences: [(String, Bool)] = [
    ("wss://relay.walletconnect.org", true), ("wss://relay.walletconnect.org/", true),
    ("wss://relay.walletconnect.org:443", true), ("https://RELAY.WalletConnect.org/path", true),
    ("ws://relay.walletconnect.org", true), ("http://relay.walletconnect.org:8080/x", true),
    ("wss://evil.example@relay.walletconnect.org", true),
    ("wss://relay.walletconnect.org.evil.example", false), ("wss://evil.example/relay.walletconnect.org", false),
    ("wss://relay.walletconnect.org@evil.example", false), ("ftp://relay.walletconnect.org", false),
    ("relay.walletconnect.org", false), ("", false), ("wss://", false), ("wss://relay.walletconnect.com", false),
    ("//relay.walletconnect.org", false), ("wss:relay.walletconnect.org", false),
]

/// Hosts the request may be sent to, and whether each is `relayHost` (the rest match no audience of the table).
private let authorities: [(String?, Bool)] = [
    ("relay.walletconnect.org", true), ("relay.walletconnect.org:443", true), ("RELAY.walletconnect.ORG", true),
    ("127.0.0.1:8080", false), (nil, false), ("", false),
]

private let headers: [(String, Bool)] = [
    (RelayJWT.headerJSON, true), (#"{"alg":"EdDSA"}"#, true), (#"{"typ":"JWT","alg":"EdDSA","kid":"x"}"#, true),
    (#"{"alg":"none","typ":"JWT"}"#, false), (#"{"alg":"ES256","typ":"JWT"}"#, false),
    (#"{"alg":"eddsa","typ":"JWT"}"#, false), ("{}", false), (#"{"alg":1}"#, false), ("[]", false), ("", false),
]

// MARK: helpers

private func did(_ seed: [UInt8]) -> String {
    DIDKey.encode(ed25519PublicKey: try! Ed25519.publicKey(seed: seed))
}

private func padded(_ part: String) -> String {
    part + String(repeating: "=", count: (4 - part.utf8.count % 4) % 4)
}

/// `a + b` without overflow (what the verifier's saturating sums must agree with).
private func wide(_ value: Int64) -> Int128 { Int128(value) }

/// Whether claims that decoded to `iat` / `exp` pass the time checks at `now` with `leeway` (the oracle).
private func timesPass(iat: Int64, exp: Int64, now: Int64, leeway: Int64) -> Bool {
    let range: ClosedRange<Int64> = 0...RelayJWT.maxTimestamp
    guard range.contains(iat), range.contains(exp) else { return false }
    return wide(now) <= wide(exp) + wide(leeway) && wide(iat) <= wide(now) + wide(leeway)
}

/// The invariants of every token `RelayJWT.verify` accepted.
private func checkAccepted(_ claims: RelayAuthClaims, token: String, now: Int64, leeway: Int64) {
    check(timesPass(iat: claims.iat, exp: claims.exp, now: now, leeway: leeway),
        "accepted iat \(claims.iat) exp \(claims.exp) at now \(now) leeway \(leeway)")
    guard let key = try? DIDKey.decode(claims.iss) else { fatalError("invariant violated: accepted iss is not a did:key") }
    check(DIDKey.encode(ed25519PublicKey: key) == claims.iss, "accepted a non-canonical did:key \(claims.iss)")
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    check(parts.count == 3, "accepted a token of \(parts.count) parts")
    guard let signature = try? Base64Codec.decodeURL(String(parts[2])) else {
        fatalError("invariant violated: accepted a token whose signature is not base64url")
    }
    check(Ed25519.verify(signature: signature, message: Array("\(parts[0]).\(parts[1])".utf8), publicKey: key),
        "accepted a token whose signature does not verify")
}

/// `RelayJWT.verify`, with the invariants of an accepted token checked.
private func verify(_ token: String, now: Int64, leeway: Int64) -> Result<RelayAuthClaims, RelayAuthError> {
    do {
        let claims = try RelayJWT.verify(token, nowSeconds: now, leeway: leeway)
        checkAccepted(claims, token: token, now: now, leeway: leeway)
        return .success(claims)
    } catch let error as RelayAuthError {
        return .failure(error)
    } catch {
        fatalError("invariant violated: verify threw \(type(of: error)), not a RelayAuthError")
    }
}

/// A fixed wall clock at `seconds` (milliseconds saturate).
private func clock(seconds: Int64) -> WallClock {
    let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
    let value = overflow ? (seconds < 0 ? Int64.min : Int64.max) : milliseconds
    return WallClock { value }
}

/// Sends `token` to the relay's auth check in a request (`form` 0: `auth` query, 1: bearer header, 2: the raw
/// text as query and header), strict and not; checks the outcome against `RelayJWT.verify` and the audience.
/// `audienceOracle`: the expected host match for `authority`, when known independently.
private func checkRelay(token: String, form: UInt8, authority: (String?, Bool), now: Int64, leeway: Int64,
                        audienceOracle: Bool?)
{
    var fields = HTTPFields()
    let path: String
    // What token(in:) must find, when known independently (`.some(nil)`: no token).
    var expectedToken: String??
    switch form % 3 {
    case 0:
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let encoded = token.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        path = "/?projectId=fuzz&auth=\(encoded)&useOnCloseEvent=true"
        expectedToken = .some(token.isEmpty ? nil : token)
    case 1:
        path = "/"
        fields[.authorization] = "Bearer " + token
        // Printable ASCII survives the header field as is; other bytes become spaces.
        if token.unicodeScalars.allSatisfy({ (0x20...0x7e).contains($0.value) }) {
            let trimmed = token.trimmingCharacters(in: .whitespaces)
            expectedToken = .some(trimmed.isEmpty ? nil : trimmed)
        }
    default:
        path = "/?" + token
        fields[.authorization] = token
    }
    let request = HTTPRequest(method: .get, scheme: "https", authority: authority.0, path: path, headerFields: fields)
    let extracted = RelayConnectionAuth.token(in: request)
    if let expectedToken {
        check(extracted == expectedToken, "token(in:) gave \(String(describing: extracted)), sent \(token)")
    }
    if let extracted { check(!extracted.isEmpty, "token(in:) gave an empty token") }
    _ = RelayConnectionAuth.wantsCloseEvent(request)

    let strict = RelayConnectionAuth(strict: true, leeway: leeway, wallClock: clock(seconds: now))
    let outcome = strict.check(request)
    let nowSeconds = strict.wallClock.nowSeconds
    guard let extracted else {
        check(outcome == .rejected(.missingJwt), "no token, but \(outcome)")
        return
    }
    switch verify(extracted, now: nowSeconds, leeway: leeway) {
    case .failure:
        check(outcome == .rejected(.invalidJwt), "a token that does not verify gave \(outcome)")
    case .success(let claims):
        let matches = RelayConnectionAuth.audienceMatches(claims.aud, authority: request.authority)
        if let audienceOracle {
            check(matches == (audienceOracle && authority.1),
                "aud \(claims.aud) for host \(authority.0 ?? "nil"): audienceMatches says \(matches)")
        }
        check(outcome == (matches ? .accepted(clientID: claims.iss) : .rejected(.invalidJwt)),
            "verified token, audience match \(matches), outcome \(outcome)")
    }
    let lenient = RelayConnectionAuth(strict: false, leeway: leeway, wallClock: clock(seconds: now))
    guard case .accepted(let clientID) = lenient.check(request) else {
        fatalError("invariant violated: non-strict auth refused a request")
    }
    let issuer = RelayConnectionAuth.unverifiedIssuer(extracted)
    check(issuer.map { $0 == clientID } ?? clientID.hasPrefix("anonymous:"), "non-strict client id \(clientID)")
}

// MARK: structured tokens

/// An `iat` / `exp` member: its JSON text (`nil`: absent) and the Int64 it must decode to when it is unambiguous
/// (`exact`), else the value it may only decode to if at all (`loose`), else none.
private enum Claim {
    case exact(String?, Int64?)
    case loose(String, Int64?)
}

private func claimValue(_ reader: inout Reader, now: Int64, leeway: Int64) -> Claim {
    let base: Int64
    switch reader.byte() % 9 {
    case 0, 1: base = Int64(clamping: wide(now) + wide(reader.int16()))
    case 2: base = Int64(clamping: wide(now) + wide(leeway) + wide(Int64(reader.byte() % 3)) - 1)
    case 3: base = Int64(clamping: wide(now) - wide(leeway) + wide(Int64(reader.byte() % 3)) - 1)
    case 4: base = [0, -1, 1][Int(reader.byte() % 3)]
    case 5: base = RelayJWT.maxTimestamp + Int64(reader.byte() % 3) - 1
    case 6: base = reader.int64()
    case 7: base = [Int64.max, Int64.min, Int64.max - 1, Int64.min + 1][Int(reader.byte() % 4)]
    default: base = 1_700_000_000 + reader.int16() * 1000
    }
    switch reader.byte() % 14 {
    case 0...5: return .exact("\(base)", base)
    case 6: return .loose("\(base).0", base)
    case 7: return .loose("\(base)e0", base)
    case 8: return .loose("\(base).5", nil)
    case 9: return .exact("\(base)000000000000000000000", nil)
    case 10: return .exact("\"\(base)\"", nil)
    case 11: return .exact("null", nil)
    case 12: return .exact(nil, nil)
    default: return .loose(["-0", "1e3", "1E400", "-1e400", "0.0", "1.7e9", "1e-7"][Int(reader.byte() % 7)], nil)
    }
}

private func structured(_ reader: inout Reader) {
    let seed = reader.take(32)
    let now = clocks[Int(reader.byte()) % clocks.count]
    let leeway = leeways[Int(reader.byte()) % leeways.count]
    let (header, headerOK) = headers[Int(reader.byte()) % headers.count]

    let signerDID = did(seed)
    var issOK = false
    var issJSON: String?
    switch reader.byte() % 10 {
    case 0...4: (issJSON, issOK) = (JSONText.quoted(signerDID), true)
    case 5: issJSON = JSONText.quoted(did(otherSeed))
    case 6: issJSON = JSONText.quoted(DIDKey.encode(publicKey: try! Ed25519.publicKey(seed: seed), multicodecHeader: [0xec, 0x01]))
    case 7: issJSON = JSONText.quoted(reader.text())
    case 8: issJSON = nil
    default: issJSON = ["1", "null", "[]", JSONText.quoted(signerDID.uppercased()), JSONText.quoted(signerDID + " ")][Int(reader.byte() % 5)]
    }
    let sub = reader.text()
    let audienceChoice = reader.byte()
    let aud: String
    var audienceOracle: Bool?
    if audienceChoice < 0xc0 {
        let entry = audiences[Int(audienceChoice) % audiences.count]
        (aud, audienceOracle) = (entry.0, entry.1)
    } else {
        aud = reader.text()
    }
    let iat = claimValue(&reader, now: now, leeway: leeway)
    let exp = claimValue(&reader, now: now, leeway: leeway)

    var members: [(String, String?)] = [
        ("iss", issJSON), ("sub", JSONText.quoted(sub)), ("aud", JSONText.quoted(aud)),
    ]
    for (name, claim) in [("iat", iat), ("exp", exp)] {
        switch claim {
        case .exact(let text, _): members.append((name, text))
        case .loose(let text, _): members.append((name, text))
        }
    }
    let layout = reader.byte()
    if layout & 1 != 0 { members.reverse() }
    var ambiguous = false
    if layout & 2 != 0 { members.append(("x", JSONText.quoted(reader.text()))) }
    if layout & 4 != 0 {
        members.append(("iss", JSONText.quoted(did(otherSeed))))
        ambiguous = true  // duplicate keys: the decoder picks one
    }
    let payload = "{" + members.compactMap { name, value in value.map { "\"\(name)\":\($0)" } }.joined(separator: ",") + "}"

    var headerPart = Base64Codec.encodeURL(Array(header.utf8))
    var payloadPart = Base64Codec.encodeURL(Array(payload.utf8))
    var formOK = true
    var prefix = ""
    var suffix = ""
    switch reader.byte() % 8 {
    case 1: headerPart = padded(headerPart)
    case 2: payloadPart = padded(payloadPart)
    case 3:
        formOK = !payloadPart.contains("-") && !payloadPart.contains("_")
        payloadPart = payloadPart.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    case 4: (suffix, formOK) = (".e30", false)
    case 5: (prefix, formOK) = (" ", false)
    case 6: (suffix, formOK) = ("\n", false)
    default: break
    }
    let signingInput = "\(headerPart).\(payloadPart)"
    let valid = try! Ed25519.sign(Array(signingInput.utf8), seed: seed)
    var signature = valid
    switch reader.byte() % 10 {
    case 0...4: break
    case 5: signature[Int(reader.byte() % 64)] ^= 1 << (reader.byte() % 8)
    case 6: signature.removeLast()
    case 7: signature.append(0)
    case 8: signature = try! Ed25519.sign(Array((signingInput + "x").utf8), seed: seed)
    default: signature = [UInt8](repeating: 0, count: 64)
    }
    let sigOK = signature == valid
    let token = prefix + signingInput + "." + Base64Codec.encodeURL(signature) + suffix

    let result = verify(token, now: now, leeway: leeway)
    if case .success(let claims) = result {
        check(claims.iss == signerDID, "accepted iss \(claims.iss), signed by \(signerDID)")
        check(claims.sub == sub && (ambiguous || claims.aud == aud), "accepted claims differ from those signed")
        for (claim, value) in [(iat, claims.iat), (exp, claims.exp)] {
            let expected: Int64?
            switch claim {
            case .exact(_, let value), .loose(_, let value): expected = value
            }
            if let expected { check(expected == value, "decoded \(value), signed \(expected)") }
        }
    }
    // The oracle, when every input is unambiguous.
    if !ambiguous, case .exact(_, let iatValue) = iat, case .exact(_, let expValue) = exp {
        let shouldAccept =
            formOK && headerOK && issOK && sigOK
            && iatValue.flatMap { i in expValue.map { e in timesPass(iat: i, exp: e, now: now, leeway: leeway) } } == true
        let accepted = (try? result.get()) != nil
        check(accepted == shouldAccept,
            "verify \(accepted ? "accepted" : "refused (\(result))") header \(headerOK) iss \(issOK) sig \(sigOK) form \(formOK) "
                + "iat \(String(describing: iatValue)) exp \(String(describing: expValue)) now \(now) leeway \(leeway)")
        if !shouldAccept, formOK, headerOK, issOK, sigOK, iatValue != nil, expValue != nil, case .failure(let error) = result {
            check([.timestampOutOfRange, .expired, .issuedInFuture].contains(error), "time refusal reported as \(error)")
        }
    }
    let form = reader.byte()
    checkRelay(token: token, form: form % 2, authority: authorities[Int(reader.byte()) % authorities.count], now: now,
        leeway: leeway, audienceOracle: audienceOracle)
}

// MARK: entry

private func signedPayload(_ text: String, seed: [UInt8]) -> String {
    let payload = text.replacingOccurrences(of: "%ISS%", with: did(seed))
    let input = RelayJWT.signingInput(payloadJSON: payload)
    return input + "." + Base64Codec.encodeURL(try! Ed25519.sign(Array(input.utf8), seed: seed))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelayJWTVerify(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var reader = Reader(bytes: bytes[...])
    switch bytes.first {
    case 0x00?:
        _ = reader.byte()
        structured(&reader)
    case 0x01?, UInt8(ascii: "{")?:
        let seed: [UInt8]
        if bytes.first == 0x01 {
            _ = reader.byte()
            seed = reader.take(32)
        } else {
            seed = vectorSeed
        }
        let token = signedPayload(String(decoding: reader.bytes, as: UTF8.self), seed: seed)
        for now in clocks.prefix(2) {
            if case .success(let claims) = verify(token, now: now, leeway: 120) {
                check(claims.iss == did(seed), "accepted iss \(claims.iss) for a token signed by \(did(seed))")
            }
        }
        checkRelay(token: token, form: UInt8(size % 2), authority: authorities[size % 3], now: clocks[1], leeway: 120,
            audienceOracle: nil)
    default:
        let token = String(decoding: bytes, as: UTF8.self)
        for now in clocks.prefix(2) { _ = verify(token, now: now, leeway: 120) }
        _ = RelayConnectionAuth.unverifiedIssuer(token)
        for form in UInt8(0)..<3 {
            checkRelay(token: token, form: form, authority: authorities[0], now: clocks[1], leeway: 120, audienceOracle: nil)
        }
    }
    return 0
}
