import WalletConnectCore
import WalletConnectSign

/// The JSON line printed for each engine event (the names follow the JS event names).
enum EventLines {
    /// The line for `event`.
    static func line(for event: SignEvent) -> JSONLine {
        switch event {
        case .sessionProposal(let proposal, let verify):
            var line = proposalLine(proposal)
            if let verify { line.set("verified", .string(verify.verified.validation.rawValue)) }
            return line
        case .sessionRequest(let request):
            return JSONLine("session_request").with("id", .int(request.id)).with("topic", .string(request.topic))
                .with("method", .string(request.params.request.method)).with("chainId", .string(request.params.chainID))
                .with("params", request.params.request.params)
        case .sessionSettle(let session):
            return JSONLine("session_settle").with("topic", .string(session.topic))
                .with("accounts", .array(accounts(of: session.namespaces).map(JSONValue.string)))
        case .sessionAcknowledged(let topic):
            return JSONLine("session_acknowledged").with("topic", .string(topic))
        case .sessionRejected(let proposalID, let error):
            return JSONLine("session_rejected").with("id", .int(proposalID))
                .with("code", .int(Int64(error.code.rawValue))).with("message", .string(error.message))
        case .sessionUpdate(let id, let topic, let namespaces):
            return JSONLine("session_update").with("id", .int(id)).with("topic", .string(topic))
                .with("accounts", .array(accounts(of: namespaces).map(JSONValue.string)))
                .with("chains", .array(chains(of: namespaces).map(JSONValue.string)))
        case .sessionExtend(let id, let topic, let expiry):
            return JSONLine("session_extend").with("id", .int(id)).with("topic", .string(topic))
                .with("expiry", .int(expiry))
        case .sessionEvent(let id, let topic, let event, let chainID, let outsideSession):
            let line = JSONLine("session_event").with("id", .int(id)).with("topic", .string(topic))
                .with("name", .string(event.name)).with("data", event.data).with("chainId", .string(chainID))
            return outsideSession ? line.with("outsideSession", .bool(true)) : line
        case .sessionPing(let id, let topic):
            return JSONLine("session_ping").with("id", .int(id)).with("topic", .string(topic))
        case .sessionDelete(let id, let topic):
            return JSONLine("session_delete").with("id", .int(id)).with("topic", .string(topic))
                .with("by", .string(id == 0 ? "self" : "peer"))
        case .sessionExpire(let topic):
            return JSONLine("session_expire").with("topic", .string(topic))
        case .proposalExpire(let id):
            return JSONLine("proposal_expire").with("id", .int(id))
        case .sessionRequestExpire(let id, let topic):
            return JSONLine("session_request_expire").with("id", .int(id)).with("topic", .string(topic))
        case .sessionResponse(let id, let topic, let response):
            var line = JSONLine("response").with("id", .int(id)).with("topic", .string(topic))
            switch response.outcome {
            case .result(let result): line.set("result", result)
            case .error(let error):
                line.set("error", ["code": .int(Int64(error.code)), "message": .string(error.message)])
            }
            return line
        case .sessionAuthenticate(let request):
            return JSONLine("session_authenticate").with("id", .int(request.id))
                .with("topic", .string(request.pairingTopic))
                .with("requester", .string(request.requester.metadata.name))
                .with("domain", .string(request.authPayload.domain))
                .with("chains", .array(request.authPayload.chains.map(JSONValue.string)))
        }
    }

    /// `session_proposal` with the proposer and the requested namespaces.
    static func proposalLine(_ proposal: Proposal) -> JSONLine {
        JSONLine("session_proposal").with("id", .int(proposal.id))
            .with("proposer", .string(proposal.proposer.metadata.name))
            .with("url", .string(proposal.proposer.metadata.url))
            .with("requiredNamespaces", (try? JSONValue(encoding: proposal.requiredNamespaces)) ?? .null)
            .with("optionalNamespaces", (try? JSONValue(encoding: proposal.optionalNamespaces)) ?? .null)
    }

    /// `session_approved` for a settled session.
    static func approvedLine(_ session: Session) -> JSONLine {
        JSONLine("session_approved").with("topic", .string(session.topic))
            .with("accounts", .array(accounts(of: session.namespaces).map(JSONValue.string)))
            .with("peer", .string(session.peer.metadata.name))
    }

    /// Every account of `namespaces`, namespaces sorted by key.
    static func accounts(of namespaces: SessionNamespaces) -> [String] {
        namespaces.keys.sorted().flatMap { namespaces[$0]?.accounts ?? [] }
    }

    /// Every chain of `namespaces` (explicit, else from the accounts), namespaces sorted by key.
    static func chains(of namespaces: SessionNamespaces) -> [String] {
        var result: [String] = []
        for key in namespaces.keys.sorted() {
            guard let namespace = namespaces[key] else { continue }
            let chains = namespace.chains ?? namespace.accounts.map(PersonalSign.chain(ofAccount:))
            for chain in chains where !result.contains(chain) { result.append(chain) }
        }
        return result
    }
}
