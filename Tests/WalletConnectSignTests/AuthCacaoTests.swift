import Foundation
import Testing
import WalletConnectSign
import WalletKitTesting

/// `auth-cacao.json`: buildAuthObject and did:pkh cases, then every pure step of the end-to-end
/// `authenticate()` flow.
@Suite("CACAO (auth-cacao.json)")
struct AuthCacaoTests {
    @Test(
        .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: AuthVector.load("auth-cacao.json", group: "cases"))
    func function(vector: AuthVector) throws {
        let json = try vector.ordered()
        let fn = try #require(json["fn"]?.string)
        let args = try #require(json["args"]?.elements)
        let expected = try #require(json["expected"])
        switch fn {
        case "buildAuthObject":
            let payload = try authDecode(AuthPayload.self, from: args[0])
            let signature = try authDecode(CacaoSignature.self, from: args[1])
            let cacao = try OneClickAuth.buildAuthObject(
                requestPayload: payload, signature: signature, iss: #require(args[2].string))
            // Exact JS key order (authJSON), and the Codable form carries the same members.
            #expect(cacao.authJSON == expected, "\(cacao.authJSON.jsonString)")
            #expect(try authOrderedJSON(cacao).isEquivalent(to: expected))
            #expect(try authDecode(Cacao.self, from: expected) == cacao)
        case "getDidAddress":
            #expect(try DIDPKH(#require(args[0].string)).address == expected.string)
        case "getDidChainId":
            #expect(try DIDPKH(#require(args[0].string)).reference == expected.string)
        case "getDidAddressNamespace":
            #expect(try DIDPKH(#require(args[0].string)).namespace == expected.string)
        case "getNamespacedDidChainId":
            let iss = try #require(args[0].string)
            let did = try DIDPKH(iss)
            if iss.hasPrefix(DIDPKH.prefix) {
                #expect(did.chainID == expected.string)
            } else {
                // JS returns "<address>:undefined" for a bare CAIP-10 issuer (it indexes the did:pkh
                // segments). We return the real chain; sign.md §6 defines chain = namespace:reference.
                #expect(expected.string == "\(did.address):undefined")
                #expect(did.chainID == "eip155:1")
            }
        default:
            Issue.record("unknown fn \(fn)")
        }
    }

    @Test(.enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote))
    func endToEndAuthenticateFlow() async throws {
        let flow = try AuthVector.orderedRoot("auth-cacao.json", "end_to_end_authenticate")
        let dapp = try #require(flow["dapp_authenticate_params"])
        let methods = try #require(dapp["methods"]?.stringArray)

        // Steps 1–3 (dapp side): ReCap from methods, merged into the last resource.
        let step1 = try ReCap.create(resource: "eip155", ability: "request", actions: methods).encoded
        #expect(step1 == flow["step1_recap_from_methods"]?.string)
        let resources = try OneClickAuth.authenticateResources(
            resources: dapp["resources"]?.stringArray, methods: methods)
        #expect(resources == [try #require(flow["step2_merged_recap_replaces_last_resource"]?.string)])
        let sent = try authDecode(AuthPayload.self, from: #require(flow["step3_authPayload_sent"]))
        #expect(sent.resources == resources)
        #expect(sent.aud == dapp["uri"]?.string && sent.domain == dapp["domain"]?.string)

        // Step 4 (wallet): narrow to what the wallet supports.
        let step4 = try #require(flow["step4_wallet_populateAuthPayload"])
        let populated = try OneClickAuth.populateAuthPayload(
            authPayload: sent, chains: #require(step4["chains"]?.stringArray),
            methods: #require(step4["methods"]?.stringArray))
        #expect(populated == (try authDecode(AuthPayload.self, from: #require(step4["result"]))))

        // Steps 5–7: issuer, message, EIP-191 signature with the deterministic key.
        let keyHex = try #require(flow["step7_signing_key"]?.string)
        let key = try #require(Data(authHex: keyHex))
        let address = try EthereumAddress(privateKey: key)
        let iss = "did:pkh:eip155:1:\(address.checksummed)"
        #expect(iss == flow["step5_iss"]?.string)
        let message = try OneClickAuth.formatAuthMessage(request: populated, iss: iss)
        #expect(message == flow["step6_message"]?.string)
        let signature = try EIP191.sign(message: message, privateKey: key)
        #expect(signature == flow["step7_signature_eip191"]?.string)

        // Step 8: the CACAO, byte-exact key order.
        let cacao = try OneClickAuth.buildAuthObject(
            requestPayload: populated, signature: CacaoSignature(type: "eip191", signature: signature), iss: iss)
        #expect(cacao.authJSON == flow["step8_cacao"])
        #expect(try authOrderedJSON(cacao).isEquivalent(to: #require(flow["step8_cacao"])))
        // The auth payload as the dapp sent it, byte for byte.
        #expect(sent.authJSON == flow["step3_authPayload_sent"])

        // Step 9: the signature verifies, and the CACAO is bound to the request the dapp sent.
        #expect(flow["step9_validateSignedCacao"] == .bool(true))
        try await CacaoVerifier.verifySignature(cacao: cacao, rpcCaller: nil)
        try await CacaoVerifier.verify(cacao: cacao, request: sent, rpcCaller: nil)

        // Step 10: approved methods, chains, accounts.
        let approval = try OneClickAuth.approval(for: [cacao])
        #expect(approval.methods == flow["step10_approved_methods"]?.stringArray)
        #expect(try ReCap.decoded(from: cacao.payload.resources)?.chains
            == flow["step10_approved_chains_from_recap"]?.stringArray)
        #expect(approval.accounts == flow["step10_accounts"]?.stringArray)
        #expect(approval.chains == ["eip155:1", "eip155:2"])

        // Step 11: session namespaces.
        let namespaces = OneClickAuth.buildNamespacesFromAuth(methods: approval.methods, accounts: approval.accounts)
        let expected = try authDecode(
            [String: SessionNamespace].self, from: #require(flow["step11_session_namespaces_both_sides"]))
        #expect(namespaces == expected)
    }
}

extension Data {
    /// Hex (optional 0x) to bytes, for tests.
    init?(authHex hexString: String) {
        let digits = hexString.hasPrefix("0x") ? String(hexString.dropFirst(2)) : hexString
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
