import Testing

@Test func placeholder_WalletKitTests() { #expect(Bool(true)) }
