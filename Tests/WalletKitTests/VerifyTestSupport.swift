import Crypto
import Foundation
import Synchronization
import WalletConnectCore
import WalletKit

/// A Verify server double: serves `/v3/public-key` and `/attestation/<id>` from mutable state, and signs JWTs.
final class VerifyServerFixture: Sendable {
    struct State: Sendable {
        var publicKeyJSON: String?
        var attestations: [String: String] = [:]
        var slowLookups = false
    }

    let server = HTTPLoopbackServer()
    let gate = Gate()
    let state: Locked<State>
    let signer: P256.Signing.PrivateKey

    init(keyExpiresAt: Int64 = 4_000_000_000) {
        let signer = P256.Signing.PrivateKey()
        self.signer = signer
        self.state = Locked(State())
        serveKey(Self.jwk(of: signer), expiresAt: keyExpiresAt)
    }

    static func jwk(of key: P256.Signing.PrivateKey) -> VerifyPublicKey.JWK {
        let point = Array(key.publicKey.x963Representation)
        return VerifyPublicKey.JWK(x: Base64Codec.encodeURL(point[1..<33]), y: Base64Codec.encodeURL(point[33..<65]))
    }

    var jwk: VerifyPublicKey.JWK { Self.jwk(of: signer) }

    /// A fresh signing key (for rotation and foreign-signature cases).
    static func makeSigner() -> P256.Signing.PrivateKey { P256.Signing.PrivateKey() }

    func serveKey(_ jwk: VerifyPublicKey.JWK, expiresAt: Int64) {
        let record = VerifyPublicKey(publicKey: jwk, expiresAt: expiresAt)
        let json = String(decoding: (try? JSONEncoder().encode(record)) ?? Data(), as: UTF8.self)
        state.withLock { $0.publicKeyJSON = json }
    }

    func serveAttestation(id: String, json: String) {
        state.withLock { $0.attestations[id] = json }
    }

    /// An ES256 JWT over `payload` (a JSON object), signed with `key` (default: the served key).
    func token(payload: [String: Any], key: P256.Signing.PrivateKey? = nil) throws -> String {
        let header = Base64Codec.encodeURL(Array(#"{"alg":"ES256","typ":"JWT"}"#.utf8))
        let body = Base64Codec.encodeURL(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        let input = "\(header).\(body)"
        let signature = try (key ?? signer).signature(for: Data(input.utf8))
        return "\(input).\(Base64Codec.encodeURL(signature.rawRepresentation))"
    }

    var publicKeyRequests: Int { server.requests.filter { $0.path == "/v3/public-key" }.count }
    var lookupRequests: [RecordedRequest] { server.requests.filter { $0.path.hasPrefix("/attestation/") } }

    /// Runs the server around `body` with its base URL; releases slow handlers before stopping.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let gate = self.gate
        return try await server.run(handler: { [self] request in
            if request.path == "/v3/public-key" {
                guard let json = state.withLock({ $0.publicKeyJSON }) else { return .notFound }
                return .json(json)
            }
            if request.path.hasPrefix("/attestation/") {
                if state.withLock({ $0.slowLookups }) { await gate.wait() }
                let id = String(request.path.dropFirst("/attestation/".count))
                guard request.query == "v2Supported=true", let json = state.withLock({ $0.attestations[id] })
                else { return .notFound }
                return .json(json)
            }
            return .notFound
        }) { url in
            defer { gate.open() }
            return try await body(url)
        }
    }
}
