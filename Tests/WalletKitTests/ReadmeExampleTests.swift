import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// The README's wallet example compiles (it is this test target's source) and works: a dapp connects through
/// the loopback relay, the example pairs, approves and echoes two requests.
@Suite("README example", .timeLimit(.minutes(1)))
struct ReadmeExampleTests {
    @Test("README shows the example verbatim")
    func readmeMatchesSource() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent("ReadmeExample.swift"), encoding: .utf8)
        let begin = try #require(source.range(of: "// README-EXAMPLE-BEGIN\n"))
        let end = try #require(source.range(of: "// README-EXAMPLE-END"))
        let example = String(source[begin.upperBound..<end.lowerBound])
        #expect(readme.contains("```swift\n" + example + "```"))
        #expect(example.split(separator: "\n").count <= 30)
    }

    @Test("the example pairs, approves and echoes requests from a dapp")
    func exampleRuns() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfiguration = WKFixture.signConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp.sqlite"))
            try await SignClient.withSignClient(dappConfiguration) { dapp in
                let connection = try await dapp.connect(
                    optionalNamespaces: ["eip155": ProposalNamespace(chains: ["eip155:1"], methods: ["personal_sign"], events: [])])
                let uri = try #require(connection.uri)
                let wallet = Task {
                    try await runWallet(
                        relayURL: url, uri: uri, account: WKFixture.account, database: directory.path("wallet.sqlite"),
                        requests: 2)
                }
                let session = try await BoundedWait.run(within: .seconds(20)) { try await connection.approval() }
                #expect(session.namespaces["eip155"]?.accounts == ["eip155:1:\(WKFixture.account)"])
                for text in ["0x01", "0x02"] {
                    let result = try await BoundedWait.run(within: .seconds(20)) {
                        try await dapp.request(
                            topic: session.topic, chainID: "eip155:1", method: "personal_sign",
                            params: [.string(text), .string(WKFixture.account)])
                    }
                    #expect(result == [.string(text), .string(WKFixture.account)])
                }
                try await BoundedWait.run(within: .seconds(20)) { try await wallet.boundedValue() }
            }
        }
    }
}
