import Testing

@Test func WalletKitTestsLinks() { #expect(Bool(true)) }
