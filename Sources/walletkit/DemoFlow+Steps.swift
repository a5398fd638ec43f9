import Foundation
import WalletConnectCore
import WalletConnectSign
import WalletKit

/// The demo's steps, each timed by ``DemoTrace``.
extension DemoFlow {
    static let mainnet = "eip155:1"
    static let polygon = "eip155:137"
    static let message = "Sign in to the walletkit demo"
    /// Seven days: what an extend sets the expiry to (from now).
    static let sessionLifetime: Int64 = 604_800

    func steps(_ parties: Parties, trace: DemoTrace) async throws -> DemoSummary {
        let dapp = parties.dapp, wallet = parties.wallet
        let dappInbox = parties.dappInbox, walletInbox = parties.walletInbox
        let address = parties.address.checksummed
        let limit = trace.limit

        try await trace.step("start") {
            try await dapp.untilRunning()
            try await wallet.untilRunning()
            return ((), "dApp and wallet clients connected to the relay")
        }

        let connection = try await trace.step("connect") {
            let connection = try await dapp.connect(optionalNamespaces: [
                "eip155": ProposalNamespace(
                    chains: [Self.mainnet, Self.polygon], methods: ["personal_sign", "eth_sendTransaction"],
                    events: ["chainChanged", "accountsChanged"])
            ])
            let uri = connection.uri ?? ""
            return (connection, "dApp proposed a session: \(uri.prefix(30))…")
        }

        let proposal = try await trace.step("pair") {
            try await wallet.pair(uri: connection.uri ?? "")
            let proposal = try await walletInbox.next("session_proposal", within: limit) { event -> Proposal? in
                if case .sessionProposal(let proposal, _) = event { return proposal }
                return nil
            }
            let requested = Namespaces.normalize(proposal.optionalNamespaces)["eip155"]
            let chains = (requested?.chains ?? []).joined(separator: ", ")
            let methods = (requested?.methods ?? []).joined(separator: ", ")
            return (proposal, "wallet paired; proposal from \"\(proposal.proposer.metadata.name)\": \(chains); \(methods)")
        }

        let session = try await trace.step("approve") {
            let supported: SessionNamespaces = [
                "eip155": SessionNamespace(
                    chains: [Self.mainnet], accounts: ["\(Self.mainnet):\(address)"],
                    methods: ["personal_sign", "eth_sendTransaction"], events: ["chainChanged", "accountsChanged"])
            ]
            let namespaces = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
            // WalletKit returns once the dApp acknowledged the settlement.
            _ = try await wallet.approveSession(proposalID: proposal.id, namespaces: namespaces)
            let session = try await connection.approval()
            _ = try await walletInbox.next("session_acknowledged", within: limit) { event -> Bool? in
                if case .sessionAcknowledged(let topic) = event, topic == session.topic { return true }
                return nil
            }
            return (session, "wallet approved \(Self.mainnet):\(address); session \(session.topic.prefix(8))… settled")
        }
        let topic = session.topic

        try await trace.step("personal_sign") {
            try await personalSign(parties, topic: topic, limit: limit)
        }

        try await trace.step("update") {
            let namespaces: SessionNamespaces = [
                "eip155": SessionNamespace(
                    chains: [Self.mainnet, Self.polygon],
                    accounts: ["\(Self.mainnet):\(address)", "\(Self.polygon):\(address)"],
                    methods: session.namespaces["eip155"]?.methods ?? [],
                    events: session.namespaces["eip155"]?.events ?? [])
            ]
            try await wallet.updateSession(topic: topic, namespaces: namespaces).acknowledged()
            let seen = try await dappInbox.next("session_update", within: limit) { event -> SessionNamespaces? in
                if case .sessionUpdate(_, let updated, let namespaces) = event, updated == topic { return namespaces }
                return nil
            }
            let chains = EventLines.chains(of: seen).joined(separator: ", ")
            return ((), "wallet added \(Self.polygon); the dApp now sees \(chains)")
        }

        try await trace.step("extend") {
            // A new expiry must be later than the current one (whole seconds): wait for the next second if needed.
            let current = await wallet.activeSessions[topic]?.expiry ?? 0
            let waitStart = ContinuousClock.now
            while WallClock.system.nowSeconds + Self.sessionLifetime <= current {
                let intoSecond = WallClock.system.nowMilliseconds % 1000
                try await ContinuousClock().sleep(for: .milliseconds(1005 - intoSecond))
            }
            try await wallet.extendSession(topic: topic).acknowledged()
            let expiry = try await dappInbox.next("session_extend", within: limit) { event -> Int64? in
                if case .sessionExtend(_, let extended, let expiry) = event, extended == topic { return expiry }
                return nil
            }
            let days = Double(expiry - WallClock.system.nowSeconds) / 86_400
            let waited = waitStart.elapsedMS
            let note = waited > 0 ? " (after \(waited) ms for the next whole second)" : ""
            return ((), "wallet extended the session\(note); it now expires in \(String(format: "%.1f", days)) days")
        }

        try await trace.step("emit") {
            try await wallet.emitSessionEvent(
                topic: topic, event: .init(name: "chainChanged", data: 137), chainID: Self.polygon)
            let name = try await dappInbox.next("session_event", within: limit) { event -> String? in
                if case .sessionEvent(_, let received, let event, let chain, _) = event, received == topic,
                    chain == Self.polygon
                {
                    return event.name
                }
                return nil
            }
            return ((), "wallet emitted \(name)(137) on \(Self.polygon); the dApp received it")
        }

        try await trace.step("ping") {
            let start = ContinuousClock.now
            try await dapp.ping(topic: topic)
            let roundTrip = start.elapsedMS
            _ = try await walletInbox.next("session_ping", within: limit) { event -> Bool? in
                if case .sessionPing(_, let pinged) = event, pinged == topic { return true }
                return nil
            }
            return ((), "dApp pinged the wallet: answered in \(roundTrip) ms")
        }

        try await trace.step("disconnect") {
            try await dapp.disconnect(topic: topic)
            _ = try await walletInbox.next("session_delete", within: limit) { event -> Bool? in
                if case .sessionDelete(_, let deleted) = event, deleted == topic { return true }
                return nil
            }
            let left = await dapp.activeSessions().count + wallet.activeSessions.count
            guard left == 0 else { throw CLIError("\(left) sessions still active after the disconnect") }
            return ((), "dApp disconnected (6000 User disconnected.); the wallet deleted the session")
        }
        return DemoSummary(topic: topic, account: "\(Self.mainnet):\(address)")
    }

    /// The dApp asks for a `personal_sign`; the wallet signs it with its demo key; the dApp recovers the signer.
    private func personalSign(_ parties: Parties, topic: String, limit: Duration) async throws -> ((), String) {
        let dapp = parties.dapp, wallet = parties.wallet
        let address = parties.address.checksummed
        let hexMessage = PersonalSign.hexMessage(Self.message)
        async let requested = dapp.request(
            topic: topic, chainID: Self.mainnet, method: "personal_sign",
            params: [.string(hexMessage), .string(address)])
        let request = try await parties.walletInbox.next("session_request", within: limit) { event -> PendingRequest? in
            if case .sessionRequest(let request) = event, request.topic == topic { return request }
            return nil
        }
        guard let (message, _) = PersonalSign.messageAndAddress(method: "personal_sign", params: request.params.request.params)
        else { throw CLIError("the wallet received malformed personal_sign params") }
        let signature = try PersonalSign.sign(message: message, privateKey: parties.privateKey)
        try await wallet.respondSessionRequest(topic: topic, requestID: request.id, response: .result(.string(signature)))
        guard let result = try await requested.stringValue else { throw CLIError("the result is not a string") }
        let signer = try PersonalSign.recover(message: hexMessage, signature: result)
        guard signer == parties.address else {
            throw CLIError("the signature recovers to \(signer.checksummed), not the session account \(address)")
        }
        return ((), "wallet signed \"\(Self.message)\" (\(result.prefix(10))…); dApp recovered \(signer.checksummed) = session account")
    }
}
