import Testing

@Test func placeholder_WalletConnectRelayServerTests() { #expect(Bool(true)) }
