import Testing

@Test func WalletConnectSignTestsLinks() { #expect(Bool(true)) }
