// The README's wallet example, verbatim between the markers; ReadmeExampleTests checks the README still
// shows exactly this code and runs it against a dapp through the loopback relay.
// README-EXAMPLE-BEGIN
import WalletConnectSign
import WalletKit

/// A wallet daemon: pairs with `uri`, approves with one account, answers every request with an echo.
func runWallet(relayURL: String, uri: String, account: String, database: String, requests limit: Int) async throws {
    let configuration = WalletKitConfiguration(
        metadata: Metadata(name: "My Wallet", description: "A server wallet", url: "https://wallet.example", icons: []),
        relayURL: relayURL, storage: .sqlite(path: database))
    try await WalletKit.withWalletKit(configuration) { kit in
        let proposals = kit.sessionProposals, requests = kit.sessionRequests
        try await kit.pair(uri: uri)
        for await event in proposals {
            let supported = ["eip155": SessionNamespace(
                chains: ["eip155:1"], accounts: ["eip155:1:\(account)"], methods: ["personal_sign"], events: [])]
            let namespaces = try WalletKit.buildApprovedNamespaces(proposal: event.proposal, supportedNamespaces: supported)
            _ = try await kit.approveSession(proposalID: event.id, namespaces: namespaces)
            break
        }
        for await request in requests.prefix(limit) {
            let echo = SessionRequestResponse.result(request.params.request.params)
            try await kit.respondSessionRequest(topic: request.topic, requestID: request.id, response: echo)
        }
    }
}
// README-EXAMPLE-END
