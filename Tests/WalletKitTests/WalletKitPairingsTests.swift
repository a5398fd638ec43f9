import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// The pairing surface of the facade (issue 13 §3): the stored pairings, their URI, pairing events and
/// disconnecting a pairing, without reaching into `kit.signClient`.
@Suite("WalletKit: pairings on the facade", .timeLimit(.minutes(1)))
struct WalletKitPairingsTests {
    /// A dapp (`SignClient`) and a wallet (`WalletKit`) on SQLite files, through a loopback relay.
    static func withDappAndKit(_ body: (SignClient, WalletKit) async throws -> Void) async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            let walletConfiguration = WKFixture.walletConfiguration(
                relayURL: url, databasePath: directory.path("wallet.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in try await body(dapp, kit) }
            }
        }
    }

    @Test("pairings(), formatURI(pairing:), pairingEvents (ping, delete) and disconnectPairing(topic:)")
    func pairingSurface() async throws {
        try await Self.withDappAndKit { dapp, kit in
            let events = kit.pairingEvents
            let (session, _) = try await WKFixture.settle(dapp: dapp, kit: kit)
            let pairingTopic = session.pairingTopic
            #expect(await kit.pairings().map(\.topic) == [pairingTopic])

            // The URI carries the pairing's topic and the same key as the dapp's copy of the pairing.
            let uri = try PairingURI.parse(try await kit.formatURI(pairing: pairingTopic))
            let dappURI = try PairingURI.parse(try await dapp.pairing.uri(topic: pairingTopic))
            #expect(uri.topic == pairingTopic)
            #expect(uri.symKey == dappURI.symKey)
            #expect(uri.relayProtocol == "irn")
            await #expect(throws: PairingError.self) { try await kit.formatURI(pairing: String(repeating: "0", count: 64)) }

            // A ping from the dapp, then a disconnect from the wallet: both are pairing events.
            try await BoundedWait.run { try await dapp.pairing.ping(topic: pairingTopic) }
            let ping = try await BoundedWait.first(in: events) { if case .ping = $0 { true } else { false } }
            guard case .ping(let pingedTopic, _) = ping else { return }
            #expect(pingedTopic == pairingTopic)
            try await kit.disconnectPairing(topic: pairingTopic)
            let deleted = try await BoundedWait.first(in: events) { if case .deleted = $0 { true } else { false } }
            #expect(deleted == .deleted(topic: pairingTopic, byPeer: false))
            #expect(await kit.pairings().isEmpty)
            // The peer heard of it: the dapp's pairing goes too.
            try await BoundedWait.until(within: .seconds(10)) { await dapp.pairing.pairings().isEmpty }
        }
    }

    @Test("approveSession(proposalRequestsResponses:) on the facade: the answers to the proposal's bundled requests reach the dapp's session")
    func approveWithProposalResponses() async throws {
        try await Self.withDappAndKit { dapp, kit in
            let proposals = kit.sessionProposals
            let connection = try await dapp.connect(optionalNamespaces: WKFixture.optionalNamespaces)
            try await kit.pair(uri: try #require(connection.uri))
            let proposal = try await WKFixture.first(proposals) { $0.id == connection.proposalID }
            let namespaces = try WalletKit.buildApprovedNamespaces(
                proposal: proposal.proposal, supportedNamespaces: WKFixture.supportedNamespaces)
            let cacao: JSONValue = ["h": ["t": "caip122"], "p": ["iss": .string("did:pkh:\(WKFixture.account)")]]
            let walletSession = try await kit.approveSession(
                proposalID: proposal.id, namespaces: namespaces, relayProtocol: "irn",
                proposalRequestsResponses: ProposalRequestsResponses(authentication: [cacao]))
            let dappSession = try await BoundedWait.run(within: .seconds(20)) { try await connection.approval() }
            #expect(walletSession.authentication == [cacao])
            #expect(dappSession.authentication == [cacao])
            #expect(dappSession.relay.protocol == "irn")
        }
    }

    @Test("cleanup() wipes the instance's storage namespace and key chain, leaves other prefixes, and refuses while running")
    func cleanupWipesOneNamespace() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            let walletConfiguration = WKFixture.walletConfiguration(
                relayURL: url, databasePath: directory.path("wallet.sqlite"))
            let storage = try SQLiteStorage(path: directory.path("wallet.sqlite"))
            let foreign = "wc@2:client:0.3:another-wallet//session/kept"
            try await storage.write([.set(key: foreign, value: Data("{}".utf8))])
            let kit = try await SignClient.withSignClient(dappConfiguration) { dapp in
                try await WalletKit.withWalletKit(walletConfiguration) { kit in
                    _ = try await WKFixture.settle(dapp: dapp, kit: kit)
                    await kit.registerLinkModeApp("https://dapp.example/wc")
                    await #expect(throws: WalletKitError.alreadyRunning) { try await kit.cleanup() }
                    return kit
                }
            }
            let before = try await storage.values(withPrefix: "wc@2:").map(\.key)
            #expect(before.contains { $0.hasPrefix("wc@2:client:0.3//session") })
            #expect(before.contains { $0.hasPrefix(StorageKey.linkModeApps().rawValue) })
            let keyChainPath = try #require(try walletConfiguration.sign.resolvedKeyChainPath())
            #expect(!(try KeyChain(fileURL: URL(fileURLWithPath: keyChainPath)).tags.isEmpty))

            try await kit.cleanup()
            #expect(try await storage.values(withPrefix: "wc@2:").map(\.key) == [foreign])
            #expect(try KeyChain(fileURL: URL(fileURLWithPath: keyChainPath)).tags.isEmpty)
        }
    }
}
