import Foundation
import WalletConnectCore
import WalletConnectSign
import WalletKit

/// The parsed options of `walletkit wallet`.
struct WalletSettings: Sendable {
    var uri: String?
    var approval: WalletApproval
    var reject: Bool
    var respond: RespondMode
    var respondDelay: Duration?
    var untilDelete: Bool
}

/// The wallet's event loop over a ``WalletKit`` instance: approve/reject proposals and authenticate requests, answer
/// session requests (each in its own task, so a `--respond-delay` does not hold up other events), print every event
/// as a JSON line.
struct WalletFlow: Sendable {
    let settings: WalletSettings
    let output: OutputWriter

    private enum Input: Sendable {
        case event(SignEvent)
        case eventsEnded
        case responded(JSONLine)
        case failed(String)
    }

    /// Runs until the flow completes (see ``WalletCommand``) or is cancelled.
    /// - Throws: ``CLIError`` or the client's error when something fails; `CancellationError` when stopped.
    func run(kit: WalletKit, events: WalletKitEventStream<SignEvent>) async throws -> FlowStatus {
        let sessions = await kit.activeSessions
        let pending = await kit.pendingSessionRequests
        var ready = JSONLine("ready").with("sessions", .array(sessions.keys.sorted().map(JSONValue.string)))
        ready.set("pendingRequests", .int(Int64(pending.count)))
        if let address = settings.approval.address { ready.set("address", .string(address.checksummed)) }
        output.emit(ready)

        let (inputs, sink) = AsyncStream<Input>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self, returning: FlowStatus.self) { group in
            group.addTask {
                for await event in events { sink.yield(.event(event)) }
                sink.yield(.eventsEnded)
            }
            if let uri = settings.uri {
                try await kit.pair(uri: uri)
                output.emit(JSONLine("paired"))
            }
            var handled = Set<String>()
            // Answers still being published: the flow completes only once each has reported its outcome, so a
            // session_delete racing an answer's publish acknowledgement never hides the `responded` line.
            var answering = 0
            var completion: FlowStatus?
            for await input in inputs {
                switch input {
                case .event(let event):
                    guard completion == nil else { continue }
                    // A proposal, request or authenticate request is handled once, even if announced again.
                    if let key = Self.handledKey(of: event), !handled.insert(key).inserted { continue }
                    output.emit(EventLines.line(for: event))
                    if case .sessionRequest(let request) = event {
                        answering += 1
                        group.addTask { await answer(request, kit: kit, sink: sink) }
                    } else if let status = try await handle(event, kit: kit) {
                        completion = status
                    }
                case .eventsEnded:
                    throw CLIError("the sign client stopped")
                case .responded(let line):
                    answering -= 1
                    output.emit(line)
                case .failed(let message):
                    throw CLIError(message)
                }
                if let completion, answering == 0 {
                    group.cancelAll()
                    return completion
                }
            }
            throw CancellationError()
        }
    }

    /// Handles one event other than a session request; returns a status when the flow is complete.
    private func handle(_ event: SignEvent, kit: WalletKit) async throws -> FlowStatus? {
        switch event {
        case .sessionProposal(let proposal, _):
            if settings.reject {
                try await kit.rejectSession(proposalID: proposal.id)
                output.emit(Self.refusalLine("proposal_rejected", id: proposal.id, reason: .sdk(.userRejected)))
                return settings.untilDelete ? nil : .completed
            }
            try await approve(proposal, kit: kit)
        case .sessionAuthenticate(let request):
            if settings.reject {
                try await kit.signClient.engine.rejectSessionAuthenticate(requestID: request.id)
                output.emit(Self.refusalLine("auth_rejected", id: request.id, reason: .sdk(.userRejected)))
                return settings.untilDelete ? nil : .completed
            }
            try await approve(request, kit: kit)
        case .sessionDelete:
            if settings.untilDelete { return .completed }
        default:
            break
        }
        return nil
    }

    /// Approves `proposal`, or rejects it to its dapp when the wallet cannot (a `proposal_rejected` line with the
    /// code and message sent). Never ends the flow: anyone who sees a pairing URI may propose, and one proposal
    /// must not stop the wallet serving its other pairings and sessions.
    /// - Throws: `CancellationError` only.
    private func approve(_ proposal: Proposal, kit: WalletKit) async throws {
        try await approveOrRefuse(
            "proposal_rejected", id: proposal.id,
            approve: {
                let namespaces = try settings.approval.namespaces(for: proposal)
                let session = try await kit.approveSession(
                    proposalID: proposal.id, namespaces: namespaces, waitsForAcknowledgement: false)
                return EventLines.approvedLine(session)
            },
            reject: { try await kit.rejectSession(proposalID: proposal.id, reason: $0) })
    }

    /// Signs and sends CACAOs for `request`, or rejects it to its dapp when the wallet cannot (an `auth_rejected`
    /// line). Never ends the flow, like the approval of a proposal.
    /// - Throws: `CancellationError` only.
    private func approve(_ request: PendingAuthRequest, kit: WalletKit) async throws {
        try await approveOrRefuse(
            "auth_rejected", id: request.id,
            approve: {
                let requested = (try? ReCap.decoded(from: request.authPayload.resources))?.methods ?? []
                let methods = settings.respond == .sign ? requested.filter(Self.signingMethods.contains) : requested
                let signed = try settings.approval.cacaos(for: request, methods: methods)
                let session = try await kit.signClient.engine.approveSessionAuthenticate(
                    requestID: request.id, auths: signed.cacaos)
                var line = JSONLine("auth_approved").with("id", .int(request.id)).with("address", .string(signed.address))
                line.set("cacaos", .int(Int64(signed.cacaos.count)))
                if let session { line.set("topic", .string(session.topic)) }
                return line
            },
            reject: { try await kit.signClient.engine.rejectSessionAuthenticate(requestID: request.id, reason: $0) })
    }

    /// Runs `approve` and prints its line; when it fails, sends the refusal with `reject` (the refusal's own
    /// reason, else 5000 with the failure on the line) and prints the `event` line. Only cancellation ends it.
    /// - Throws: `CancellationError` only.
    private func approveOrRefuse(
        _ event: String, id: Int64, approve: () async throws -> JSONLine, reject: (SDKError) async throws -> Void
    ) async throws {
        let reason: SDKError
        var failure: String?
        do {
            output.emit(try await approve())
            return
        } catch let error as CancellationError {
            throw error
        } catch let refusal as ProposalRefusal {
            reason = refusal.reason
        } catch {
            reason = .sdk(.userRejected)
            failure = CLIRunner.describe(error)
        }
        var line = Self.refusalLine(event, id: id, reason: reason)
        if let failure { line.set("failure", .string(failure)) }
        do {
            try await reject(reason)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            line.set("rejectFailed", .string(CLIRunner.describe(error)))
        }
        output.emit(line)
    }

    /// `proposal_rejected` / `auth_rejected`: the id, and the code and message the dapp was sent.
    static func refusalLine(_ event: String, id: Int64, reason: SDKError) -> JSONLine {
        JSONLine(event).with("id", .int(id)).with("code", .int(Int64(reason.code.rawValue)))
            .with("message", .string(reason.message))
    }

    /// What identifies an event the wallet answers (proposal, session request, authenticate request): the kind, and the id with the topic it arrived on (ids are unique
    /// per sender only; two dapps can use the same one).
    static func handledKey(of event: SignEvent) -> String? {
        switch event {
        case .sessionProposal(let proposal, _): "proposal \(proposal.pairingTopic) \(proposal.id)"
        case .sessionRequest(let request): "request \(request.topic) \(request.id)"
        case .sessionAuthenticate(let request): "authenticate \(request.pairingTopic) \(request.id)"
        default: nil
        }
    }

    /// The methods `--respond sign` answers with a signature.
    static let signingMethods = ["personal_sign", "eth_sign"]

    /// Answers one session request (after `--respond-delay`) and reports the outcome through `sink`.
    private func answer(_ request: PendingRequest, kit: WalletKit, sink: AsyncStream<Input>.Continuation) async {
        do {
            if let delay = settings.respondDelay { try await ContinuousClock().sleep(for: delay) }
            let response = responseFor(request)
            try await kit.respondSessionRequest(topic: request.topic, requestID: request.id, response: response)
            var line = JSONLine("responded").with("id", .int(request.id)).with("topic", .string(request.topic))
            switch response {
            case .result: line.set("outcome", "result")
            case .error(let error):
                line.set("outcome", "error")
                line.set("code", .int(Int64(error.code)))
            }
            sink.yield(.responded(line))
        } catch is CancellationError {
            return
        } catch {
            sink.yield(.failed("answering request \(request.id) failed: \(CLIRunner.describe(error))"))
        }
    }

    /// The response `--respond` gives to `request`.
    func responseFor(_ request: PendingRequest) -> SessionRequestResponse {
        let method = request.params.request.method
        let params = request.params.request.params
        switch settings.respond {
        case .echo:
            return .result(params)
        case .reject:
            return .sdkError(.sdk(.userRejected))
        case .sign:
            guard let key = settings.approval.privateKey, let address = settings.approval.address,
                let (message, requestedAddress) = PersonalSign.messageAndAddress(method: method, params: params)
            else {
                return .sdkError(.sdk(.unsupportedMethods, context: method))
            }
            if let requestedAddress, requestedAddress.lowercased() != address.lowercased {
                return .sdkError(.sdk(.unsupportedAccounts, context: requestedAddress))
            }
            guard let signature = try? PersonalSign.sign(message: message, privateKey: key) else {
                return .sdkError(.sdk(.userRejected))
            }
            return .result(.string(signature))
        }
    }
}
