import Testing

@Test func placeholder_WalletConnectSignTests() { #expect(Bool(true)) }
