import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKitTesting

/// `authenticate(expiry:)` adds the expiry to the current time: a huge one is refused with a typed error instead
/// of trapping on the sum.
@Suite("authenticate(): expiry bound", .timeLimit(.minutes(1)))
struct AuthenticateExpiryBoundTests {
    @Test("an expiry above 7 days (e.g. Int64.max) is refused with Missing or invalid; 7 days is accepted")
    func hugeExpiryRefused() async throws {
        try await HostileWorld.run(settled: false) { world, _ in
            for expiry in [Int64.max, Int64.max - 3600, 604_801] {
                let error = await #expect(throws: SDKError.self) {
                    try await world.dapp.engine.authenticate(AuthFixture.params(expiry: expiry))
                }
                #expect(error?.code == .missingOrInvalid)
                #expect(error?.message == "Missing or invalid. authenticate() expiry: \(expiry). Must be at most 604800 seconds")
            }
            _ = try await world.dapp.engine.authenticate(AuthFixture.params(expiry: 604_800))
        }
    }
}
