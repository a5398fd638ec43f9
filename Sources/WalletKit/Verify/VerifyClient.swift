import Foundation
import Logging
import WalletConnectCore
import WalletConnectSign

/// Resolves the verify context of proposals, requests and auth requests (sign.md §10, core §5.11).
///
/// ``resolve(_:)`` never throws and always returns within ``Configuration/timeout`` of the injected clock:
/// an unreachable, slow or misbehaving Verify server yields `UNKNOWN`.
public actor VerifyClient {
    /// Settings of a ``VerifyClient``.
    public struct Configuration: Sendable {
        /// Server for the public key and for lookups when the dApp's `verifyUrl` is not trusted.
        public var serverURL: String
        /// Bound on one whole resolution (and the deadline of each HTTP request). Spec: 5 s.
        public var timeout: Duration
        /// Path of the public-key endpoint (`/v3/public-key`; reown-swift used `/v2/public-key`).
        public var publicKeyPath: String

        /// Creates a configuration.
        public init(
            serverURL: String = VerifyDecision.defaultVerifyURL, timeout: Duration = .seconds(5),
            publicKeyPath: String = "/v3/public-key"
        ) {
            self.serverURL = serverURL
            self.timeout = timeout
            self.publicKeyPath = publicKeyPath
        }
    }

    private let transport: any HTTPTransport
    private let configuration: Configuration
    private let clock: any Clock<Duration>
    private let wallClock: WallClock
    private let storage: (any KeyValueStorage)?
    private let storageKey: StorageKey
    private let logger: Logger
    private var cachedKey: VerifyPublicKey?
    private var loadedPersistedKey = false

    /// Creates a Verify client.
    /// - Parameters:
    ///   - transport: HTTP transport.
    ///   - configuration: Server URL, timeout, key path.
    ///   - clock: Clock bounding each resolution.
    ///   - wallClock: Wall time for JWT and key expiry.
    ///   - storage: Where the public key is cached (`wc@2:core:2//verify:public:key`); `nil` keeps it in memory.
    ///   - storagePrefix: Custom storage prefix.
    ///   - logger: Logger (no-op by default).
    public init(
        transport: any HTTPTransport, configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(), wallClock: WallClock = .system,
        storage: (any KeyValueStorage)? = nil, storagePrefix: String = "",
        logger: Logger = Logger(label: "walletkit.verify", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.transport = transport
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.storage = storage
        self.storageKey = .verifyPublicKey(prefix: storagePrefix)
        self.logger = logger
    }

    /// The verify context of one message. Never throws; `UNKNOWN` on any failure or after the timeout.
    public func resolve(_ request: VerifyRequest) async -> VerifyContext {
        let result = await boundedLookup(request)
        return VerifyDecision.context(
            metadataURL: request.metadataURL, metadataVerifyURL: request.metadataVerifyURL, result: result
        )
    }

    /// The verify context of one message from its texts and the dApp metadata (see ``VerifyRequest``).
    public func resolve(
        attestation: String?, encryptedMessage: String, decryptedMessage: String?, metadata: Metadata?
    ) async -> VerifyContext {
        await resolve(
            VerifyRequest(
                attestation: attestation, encryptedMessage: encryptedMessage,
                decryptedMessage: decryptedMessage, metadata: metadata
            )
        )
    }

    /// The verify context from an attestation only (no attestation lookup), for a dApp at `metadataURL`.
    public func resolve(attestation: String?, encryptedMessage: String, metadataURL: String) async -> VerifyContext {
        await resolve(
            VerifyRequest(
                attestation: attestation, encryptedID: CryptoHash.hashMessage(encryptedMessage), decryptedID: nil,
                metadataURL: metadataURL
            )
        )
    }

    private enum Outcome: Sendable {
        case finished(VerifyResult?)
        case timedOut
    }

    private func boundedLookup(_ request: VerifyRequest) async -> VerifyResult? {
        let timeout = configuration.timeout
        let clock = self.clock
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .finished(await self.lookup(request)) }
            group.addTask {
                try? await clock.sleep(for: timeout)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        switch outcome {
        case .finished(let result): return result
        case .timedOut:
            logger.debug("verify resolution timed out")
            return nil
        }
    }

    /// Steps 1–3 of sign.md §10; `nil` means UNKNOWN.
    private func lookup(_ request: VerifyRequest) async -> VerifyResult? {
        if request.attestation == "" {
            logger.trace("verify: empty attestation, skipped")
            return nil
        }
        if let attestation = request.attestation {
            guard let payload = try? AttestationJWT.decodePayload(attestation) else {
                logger.debug("verify: malformed attestation")
                return nil
            }
            guard payload.id != nil, payload.id == request.encryptedID else {
                logger.debug("verify: attestation id does not match the message")
                return nil
            }
            if let verified = await validatedPayload(attestation) {
                guard verified.isVerified == true, let origin = verified.origin else {
                    logger.debug("verify: attestation origin not verified")
                    return nil
                }
                return VerifyResult(origin: origin, isScam: verified.isScam, isVerified: true)
            }
        }
        guard let decryptedID = request.decryptedID, !Task.isCancelled else { return nil }
        return await fetchAttestation(id: decryptedID, metadataVerifyURL: request.metadataVerifyURL)
    }

    /// Verifies the JWT with the cached key, refetching the key once when the signature does not verify.
    private func validatedPayload(_ token: String) async -> AttestationPayload? {
        let now = wallClock.nowMilliseconds
        if let key = await currentKey() {
            do {
                return try AttestationJWT.verify(token, key: key.publicKey, nowMilliseconds: now)
            } catch let error as AttestationError where error == .expired {
                logger.debug("verify: attestation expired")
                return nil
            } catch {
                logger.debug("verify: attestation signature failed with the cached key")
            }
        }
        guard let fresh = await fetchPublicKey() else { return nil }
        return try? AttestationJWT.verify(token, key: fresh.publicKey, nowMilliseconds: now)
    }

    /// The cached key if still valid, else a freshly fetched one.
    private func currentKey() async -> VerifyPublicKey? {
        if !loadedPersistedKey {
            loadedPersistedKey = true
            if cachedKey == nil, let storage,
                let data = try? await storage.value(forKey: storageKey.rawValue),
                let stored = try? JSONDecoder().decode(VerifyPublicKey.self, from: data)
            {
                cachedKey = stored
            }
        }
        if let key = cachedKey, key.isValid(nowMilliseconds: wallClock.nowMilliseconds) { return key }
        return await fetchPublicKey()
    }

    private func fetchPublicKey() async -> VerifyPublicKey? {
        let url = Self.join(configuration.serverURL, configuration.publicKeyPath)
        guard let response = await get(url), response.status == 200,
            let key = try? JSONDecoder().decode(VerifyPublicKey.self, from: Data(response.body))
        else {
            logger.debug("verify: public key fetch failed")
            return nil
        }
        cachedKey = key
        if let storage, let data = try? JSONEncoder().encode(key) {
            do {
                try await storage.setValue(data, forKey: storageKey.rawValue)
            } catch {
                logger.debug("verify: public key not persisted", metadata: ["wk.error": "\(error)"])
            }
        }
        return key
    }

    private func fetchAttestation(id: String, metadataVerifyURL: String?) async -> VerifyResult? {
        let server = VerifyDecision.lookupServer(metadataVerifyURL: metadataVerifyURL, fallback: configuration.serverURL)
        let url = Self.join(server, "/attestation/\(id)?v2Supported=true")
        guard let response = await get(url), response.status == 200 else { return nil }
        return try? JSONDecoder().decode(VerifyResult.self, from: Data(response.body))
    }

    private func get(_ url: String) async -> HTTPTransportResponse? {
        do {
            return try await transport.send(
                method: .get, url: url, headers: ["Accept": "application/json"], body: nil,
                timeout: configuration.timeout
            )
        } catch {
            logger.debug("verify: request failed", metadata: ["wk.error": "\(error)"])
            return nil
        }
    }

    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
