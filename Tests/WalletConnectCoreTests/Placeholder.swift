import Testing

@Test func placeholder_WalletConnectCoreTests() { #expect(Bool(true)) }
