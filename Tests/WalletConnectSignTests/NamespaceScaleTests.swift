import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// `buildApprovedNamespaces` over peer-sized input: it must end quickly (refused by the bound, or linear work),
/// never spend minutes or hours in substring searches while the wallet handles nothing else.
@Suite("Namespaces at scale: approval is bounded and linear", .timeLimit(.minutes(1)))
struct NamespaceScaleTests {
    static let account = "0x3c582121909DE92Dc89A36898633C1aE4790382b"

    static func proposal(chains: Int) -> Proposal {
        let chainList = (1...chains).map { "eip155:\($0)" }
        return Proposal(
            id: 1, expiryTimestamp: .max, proposer: Participant(publicKey: String(repeating: "ab", count: 32),
                metadata: Metadata(name: "d", description: "d", url: "https://d.example", icons: [])),
            requiredNamespaces: [:],
            optionalNamespaces: ["eip155": ProposalNamespace(chains: chainList, methods: ["personal_sign"], events: [])],
            pairingTopic: String(repeating: "0", count: 64))
    }

    static func supported(chains: Int) -> SessionNamespaces {
        let chainList = (1...chains).map { "eip155:\($0)" }
        return [
            "eip155": SessionNamespace(
                chains: chainList, accounts: chainList.map { "\($0):\(account)" }, methods: ["personal_sign"],
                events: [])
        ]
    }

    @Test("50,000 proposed and supported chains: the builder ends within 5 s (refused or built)")
    func fiftyThousandChainsEndQuickly() async throws {
        let proposal = Self.proposal(chains: 50_000)
        let supported = Self.supported(chains: 50_000)
        let outcome = try await BoundedWait.run(within: .seconds(5)) { () -> String in
            do {
                let approved = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
                return "built \(approved["eip155"]?.accounts.count ?? 0)"
            } catch {
                return "refused: \(error)"
            }
        }
        #expect(outcome.hasPrefix("built 50000") || outcome.hasPrefix("refused"), "\(outcome)")
    }

    @Test("with the default limits 50,000 chains are refused with a NamespaceLimitError naming the count and limit")
    func defaultLimitRefuses() throws {
        let error = #expect(throws: NamespaceLimitError.self) {
            try Namespaces.buildApprovedNamespaces(
                proposal: Self.proposal(chains: 50_000), supportedNamespaces: Self.supported(chains: 2))
        }
        #expect(error?.kind == .chains)
        #expect(error?.namespace == "eip155")
        #expect(error?.count == 50_000 && error?.limit == NamespaceLimits.default.chains)
        #expect(error?.description == "namespace eip155: 50000 chains, more than the limit of 1000")
        #expect(error?.sdkError.code == .unsupportedChains)
        #expect(error?.sdkError.message == "Unsupported chains. namespace eip155: 50000 chains, more than the limit of 1000")
    }

    @Test("each bound and its SDK code: namespaces 5104, chains 5100, methods 5101, events 5102, accounts 5103")
    func eachBound() {
        let limits = NamespaceLimits(namespaces: 2, chains: 2, methods: 2, events: 2, accounts: 2)
        func proposalError(_ namespaces: ProposalNamespaces) -> NamespaceLimitError? {
            do {
                try limits.check(required: [:], optional: namespaces)
                return nil
            } catch {
                return error
            }
        }
        func sessionError(_ namespaces: SessionNamespaces) -> NamespaceLimitError? {
            do {
                try limits.check(session: namespaces)
                return nil
            } catch {
                return error
            }
        }
        let fine = ProposalNamespace(chains: ["a:1", "a:2"], methods: ["m1", "m2"], events: ["e1", "e2"])
        #expect(proposalError(["a": fine, "b": fine]) == nil)
        #expect(proposalError(["a": fine, "b": fine, "c": fine])?.sdkError.code == .unsupportedNamespaceKey)
        #expect(
            proposalError(["a": ProposalNamespace(chains: ["a:1", "a:2", "a:3"], methods: [], events: [])])?
                .sdkError.code == .unsupportedChains)
        #expect(
            proposalError(["a": ProposalNamespace(chains: ["a:1"], methods: ["1", "2", "3"], events: [])])?
                .sdkError.code == .unsupportedMethods)
        #expect(
            proposalError(["a": ProposalNamespace(chains: ["a:1"], methods: [], events: ["1", "2", "3"])])?
                .sdkError.code == .unsupportedEvents)
        let accounts = SessionNamespace(chains: ["a:1"], accounts: ["a:1:x", "a:1:y", "a:1:z"], methods: [], events: [])
        #expect(sessionError(["a": accounts])?.sdkError.code == .unsupportedAccounts)
        #expect(sessionError(["a": accounts])?.description == "namespace a: 3 accounts, more than the limit of 2")
    }

    @Test("with limits raised, 50,000 chains and accounts are approved in linear time (well within 5 s)")
    func linearWhenAllowed() async throws {
        let proposal = Self.proposal(chains: 50_000)
        let supported = Self.supported(chains: 50_000)
        let limits = NamespaceLimits(chains: 100_000, accounts: 100_000)
        let approved = try await BoundedWait.run(within: .seconds(5)) {
            try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported, limits: limits)
        }
        #expect(approved["eip155"]?.accounts.count == 50_000)
        #expect(approved["eip155"]?.chains?.first == "eip155:1")
    }

    @Test("accounts go to chains by CAIP-10 prefix: eip155:1 does not take eip155:10's account")
    func exactChainMatch() throws {
        let proposal = Proposal(
            id: 1, expiryTimestamp: .max,
            proposer: Participant(publicKey: String(repeating: "ab", count: 32),
                metadata: Metadata(name: "d", description: "d", url: "https://d.example", icons: [])),
            optionalNamespaces: ["eip155": ProposalNamespace(chains: ["eip155:1", "eip155:10"], methods: [], events: [])],
            pairingTopic: String(repeating: "0", count: 64))
        let supported: SessionNamespaces = [
            "eip155": SessionNamespace(
                chains: ["eip155:1", "eip155:10"], accounts: ["eip155:10:\(Self.account)", "eip155:1:\(Self.account)"],
                methods: [], events: [])
        ]
        let approved = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: supported)
        #expect(approved["eip155"]?.accounts == ["eip155:1:\(Self.account)", "eip155:10:\(Self.account)"])
        // As in JS, eip155:1 passes the account check through eip155:10's account, stays listed, gets no account.
        let onlyTen: SessionNamespaces = [
            "eip155": SessionNamespace(
                chains: ["eip155:1", "eip155:10"], accounts: ["eip155:10:\(Self.account)"], methods: [], events: [])
        ]
        let narrowed = try Namespaces.buildApprovedNamespaces(proposal: proposal, supportedNamespaces: onlyTen)
        #expect(narrowed["eip155"]?.chains == ["eip155:1", "eip155:10"])
        #expect(narrowed["eip155"]?.accounts == ["eip155:10:\(Self.account)"])
    }
}
