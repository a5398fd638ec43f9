import Testing

@Test func WalletConnectRelayServerTestsLinks() { #expect(Bool(true)) }
