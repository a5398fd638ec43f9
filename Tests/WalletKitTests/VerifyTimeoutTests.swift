import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectSign
import WalletKit
import WalletKitTesting

@Suite("VerifyClient bounds", .timeLimit(.minutes(1)))
struct VerifyTimeoutTests {
    static let unknown = VerifyContext(
        origin: VerifyClientTests.appURL, validation: .unknown, verifyUrl: VerifyDecision.defaultVerifyURL
    )

    @Test("an unreachable Verify server (closed port) yields UNKNOWN within the timeout")
    func unreachableServer() async throws {
        let url = try await HTTPLoopbackServer.closedPortURL()
        let fixture = VerifyServerFixture()
        let token = try fixture.token(payload: VerifyClientTests.payload())
        try await AsyncHTTPClientTransport.withTransport { transport in
            // AsyncHTTPClient keeps retrying a refused connection until the deadline: the bound is what ends it.
            let client = VerifyClientTests.client(transport, url: url, timeout: .seconds(1))
            for attestation in [token, nil] {
                let start = ContinuousClock.now
                let context = await client.resolve(VerifyClientTests.request(attestation: attestation))
                #expect(context == Self.unknown)
                // Far below what an unbounded retry would take; generous for a loaded machine.
                #expect(ContinuousClock.now - start < .seconds(15))
            }
        }
    }

    @Test("a server that never answers is cut off by the injected clock's timeout")
    func slowServerManualClock() async throws {
        let fixture = VerifyServerFixture()
        fixture.state.withLock { $0.slowLookups = true }
        fixture.serveAttestation(id: CryptoHash.hashMessage(VerifyClientTests.plaintext), json: #"{"origin":"https://app.example.com"}"#)
        let clock = ManualClock()
        let start = ContinuousClock.now
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                // A timeout the real clock never reaches during the test: only the manual clock can end the wait.
                let client = VerifyClientTests.client(transport, url: url, timeout: .seconds(600), clock: clock)
                let resolved = Task { await client.resolve(VerifyClientTests.request(attestation: nil)) }
                try await fixture.server.waitForRequests(1) { $0.path.hasPrefix("/attestation/") }
                try await clock.waitForSleepers(count: 1)
                clock.advance(by: .seconds(600))
                return try await BoundedWait.run { await resolved.value }
            }
        }
        #expect(context == Self.unknown)
        // The manual clock, not the (real) HTTP deadline of 600 s, ended the wait.
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test("a server that never answers yields UNKNOWN within a short real timeout")
    func slowServerRealClock() async throws {
        let fixture = VerifyServerFixture()
        fixture.state.withLock { $0.slowLookups = true }
        let start = ContinuousClock.now
        // The server never answers: only the 300 ms bound can end the resolution (the bounded wait fails otherwise).
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                try await BoundedWait.run {
                    await VerifyClientTests.client(transport, url: url, timeout: .milliseconds(300))
                        .resolve(VerifyClientTests.request(attestation: nil))
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(context == Self.unknown)
        #expect(elapsed >= .milliseconds(300))
    }

    @Test("a stuck resolution does not block other resolutions on the same client")
    func stuckResolutionDoesNotBlock() async throws {
        let fixture = VerifyServerFixture()
        fixture.state.withLock { $0.slowLookups = true }
        let clock = ManualClock()
        let token = try fixture.token(payload: VerifyClientTests.payload())
        let (stuck, quick) = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                // The timeout also bounds the HTTP exchange in real time: far beyond the test, so only the manual
                // clock can end the stuck resolution (a short one raced the test on a loaded machine: the real
                // deadline ended the lookup first and took the sleeper the test then waited for).
                let client = VerifyClientTests.client(transport, url: url, timeout: .seconds(600), clock: clock)
                let stuck = Task { await client.resolve(VerifyClientTests.request(attestation: nil)) }
                try await fixture.server.waitForRequests(1) { $0.path.hasPrefix("/attestation/") }
                // The stuck resolution is parked on the clock before the quick one runs beside it.
                try await clock.waitForSleepers(count: 1)
                let quick = try await BoundedWait.run(within: .seconds(10)) {
                    await client.resolve(VerifyClientTests.request(attestation: token))
                }
                try await clock.waitForSleepers(count: 1)
                clock.advance(by: .seconds(600))
                return (try await BoundedWait.run(within: .seconds(10)) { await stuck.value }, quick)
            }
        }
        #expect(stuck == Self.unknown)
        #expect(quick.verified.validation == .valid)
    }

    @Test("a cancelled resolution returns UNKNOWN instead of throwing")
    func cancelledResolution() async throws {
        let fixture = VerifyServerFixture()
        fixture.state.withLock { $0.slowLookups = true }
        let context = try await AsyncHTTPClientTransport.withTransport { transport in
            try await fixture.run { url in
                let client = VerifyClientTests.client(transport, url: url, timeout: .seconds(30))
                let task = Task { await client.resolve(VerifyClientTests.request(attestation: nil)) }
                try await fixture.server.waitForRequests(1) { $0.path.hasPrefix("/attestation/") }
                task.cancel()
                return try await BoundedWait.run(within: .seconds(10)) { await task.value }
            }
        }
        #expect(context == Self.unknown)
    }
}
