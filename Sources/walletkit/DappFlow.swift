import Foundation
import WalletConnectCore
import WalletConnectSign

/// The parsed options of `walletkit dapp`.
struct DappSettings: Sendable {
    var chains: [String]
    var methods: [String]
    var events: [String]
    var request: String?
    var params: JSONValue?
    var repeatCount: Int
    var ping: Bool
    var disconnect: Bool
    var authenticate: Bool
    var topic: String?
    var newSession: Bool
    /// With `--link-mode`: the wallet's universal link, where the authenticate request goes as a link.
    var walletLink: String? = nil
}

/// The dapp's flow: session (proposed, authenticated or resumed), requests, ping, disconnect. Every engine event is
/// printed by a monitor task; responses are counted in a ``DappTally``.
struct DappFlow: Sendable {
    let settings: DappSettings
    let output: OutputWriter

    /// Runs the flow.
    /// - Returns: ``FlowStatus/completed``, or ``FlowStatus/refused(_:)`` when the wallet said no.
    /// - Throws: ``CLIError`` or the client's error.
    func run(client: SignClient, events: AsyncStream<SignEvent>) async throws -> FlowStatus {
        let tally = DappTally()
        return try await withThrowingTaskGroup(of: Void.self, returning: FlowStatus.self) { group in
            group.addTask { await monitor(events, tally: tally) }
            defer { group.cancelAll() }
            let session: Session
            switch try await establishSession(client: client) {
            case .session(let established): session = established
            case .refused: return .refused("the wallet refused the session")
            case .signedInOnly:
                if settings.request != nil || settings.ping || settings.disconnect {
                    throw CLIError("authenticated, but the wallet approved no method: there is no session")
                }
                return .completed
            }
            var status = FlowStatus.completed
            if let method = settings.request {
                status = try await sendRequests(method: method, session: session, client: client, tally: tally)
            }
            if settings.ping {
                let start = ContinuousClock.now
                try await client.ping(topic: session.topic)
                output.emit(JSONLine("pong").with("topic", .string(session.topic)).with("ms", .int(start.elapsedMS)))
            }
            if settings.disconnect {
                try await client.disconnect(topic: session.topic)
                output.emit(JSONLine("session_delete").with("topic", .string(session.topic)).with("by", "self"))
            }
            return status
        }
    }

    /// Prints every event except the ones the flow prints itself; counts responses.
    private func monitor(_ events: AsyncStream<SignEvent>, tally: DappTally) async {
        for await event in events {
            switch event {
            case .sessionResponse(let id, let topic, let response):
                output.emit(tally.record(id: id, topic: topic, response: response))
            case .sessionSettle, .sessionRejected:
                continue
            default:
                output.emit(EventLines.line(for: event))
            }
        }
        tally.finish()
    }

    /// How establishing the session ended.
    private enum SessionOutcome {
        case session(Session)
        case refused
        /// Authenticated without a session (the wallet approved no method).
        case signedInOnly
    }

    /// A stored session to resume, a new approved one, or the wallet's refusal.
    private func establishSession(client: SignClient) async throws -> SessionOutcome {
        if !settings.newSession, let stored = await storedSession(client: client) {
            output.emit(
                JSONLine("session_resumed").with("topic", .string(stored.topic))
                    .with("accounts", .array(EventLines.accounts(of: stored.namespaces).map(JSONValue.string))))
            return .session(stored)
        }
        if settings.topic != nil { throw CLIError("no active session with topic \(settings.topic ?? "")") }
        if settings.authenticate { return try await authenticate(client: client) }
        let connection = try await client.connect(optionalNamespaces: proposalNamespaces())
        guard let uri = connection.uri else { throw CLIError("the engine returned no pairing URI") }
        output.emit(JSONLine("uri").with("uri", .string(uri)))
        do {
            let session = try await connection.approval()
            output.emit(EventLines.approvedLine(session))
            return .session(session)
        } catch let error as SDKError where error != SignEngine.proposalExpiredError {
            output.emit(
                JSONLine("session_rejected").with("code", .int(Int64(error.code.rawValue)))
                    .with("message", .string(error.message)))
            return .refused
        }
    }

    /// The session named by `--topic`, else the newest active session this dapp does not control.
    private func storedSession(client: SignClient) async -> Session? {
        let sessions = await client.activeSessions()
        if let topic = settings.topic { return sessions[topic] }
        return sessions.values.filter { !$0.isSelfController }.max { $0.expiry < $1.expiry }
    }

    /// `--chains` grouped by namespace, each with `--methods` and `--events`.
    private func proposalNamespaces() -> ProposalNamespaces {
        var namespaces: ProposalNamespaces = [:]
        for chain in settings.chains {
            let key = String(chain.split(separator: ":").first ?? "")
            var entry = namespaces[key] ?? ProposalNamespace(chains: [], methods: settings.methods, events: settings.events)
            entry.chains = (entry.chains ?? []) + [chain]
            namespaces[key] = entry
        }
        return namespaces
    }

    /// One-click auth: prints `uri`, then `authenticated` (the verified CACAOs' address) or `auth_refused`.
    private func authenticate(client: SignClient) async throws -> SessionOutcome {
        let nonce = Hex.encode((0..<16).map { _ in UInt8.random(in: .min ... .max) })
        let params = AuthRequestParams(
            chains: settings.chains, domain: "walletkit.invalid", nonce: nonce, uri: "https://walletkit.invalid/login",
            statement: "Sign in with walletkit", methods: settings.methods)
        let authentication: SignAuthentication
        if let walletLink = settings.walletLink {
            // Link mode: the request goes out as an `open_url` line (no URI) when link mode is usable.
            await client.registerLinkModeApp(walletLink)
            authentication = try await client.authenticate(params, walletUniversalLink: walletLink)
            if let uri = authentication.uri { output.emit(JSONLine("uri").with("uri", .string(uri))) }
        } else {
            authentication = try await client.engine.authenticate(params)
            guard let uri = authentication.uri else { throw CLIError("the engine returned no pairing URI") }
            output.emit(JSONLine("uri").with("uri", .string(uri)))
        }
        let result: SignAuthenticationResult
        do {
            result = try await authentication.response()
        } catch let error as SDKError {
            output.emit(
                JSONLine("auth_refused").with("code", .int(Int64(error.code.rawValue)))
                    .with("message", .string(error.message)))
            return .refused
        } catch let error as SignAuthenticationError where error.kind != .expired {
            output.emit(JSONLine("auth_refused").with("reason", .string(error.kind.description))
                .with("message", .string(error.message)))
            return .refused
        }
        switch result {
        case .authenticated(let cacaos, let session):
            let issuers = try cacaos.map { try DIDPKH($0.payload.iss) }
            var line = JSONLine("authenticated").with("address", .string(issuers.first?.address ?? ""))
            line.set("chains", .array(issuers.map { .string($0.chainID) }))
            if let session { line.set("topic", .string(session.topic)) }
            output.emit(line)
            guard let session else { return .signedInOnly }
            output.emit(EventLines.approvedLine(session))
            return .session(session)
        case .fallbackSession(let session):
            output.emit(EventLines.approvedLine(session).with("fallback", true))
            return .session(session)
        }
    }
}

extension ContinuousClock.Instant {
    /// Milliseconds since this instant.
    var elapsedMS: Int64 {
        let elapsed = ContinuousClock.now - self
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
