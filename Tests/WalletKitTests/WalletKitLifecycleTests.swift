import Foundation
import Logging
import ServiceLifecycle
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKitTesting

@testable import WalletKit

/// Lifecycle: scoped helpers, swift-service-lifecycle graceful shutdown, draining, and restarts on the same storage.
@Suite("WalletKit: lifecycle and shutdown", .timeLimit(.minutes(1)))
struct WalletKitLifecycleTests {
    struct Boom: Error {}

    @Test("withWalletKit shuts down when the body throws: streams finish, calls refused, namespace released")
    func scopedHelperShutsDownOnThrow() async throws {
        try await withRelay { relay, directory in
            let configuration = WKFixture.walletConfiguration(
                relayURL: await relay.url, databasePath: directory.path("wallet.sqlite"))
            let handed = WKBox<WalletKit>()
            await #expect(throws: Boom.self) {
                try await WalletKit.withWalletKit(configuration) { kit in
                    handed.set(kit)
                    #expect(kit.state == .running)
                    throw Boom()
                }
            }
            let kit = try #require(handed.value)
            #expect(kit.state == .stopped)
            #expect(try await WKFixture.finishes(kit.sessionRequests))
            #expect(try await WKFixture.finishes(kit.connectionStates))
            await #expect(throws: WalletKitError.stopped) { try await kit.pair(uri: "wc:x") }
            // The storage namespace is free again: a new instance on it can be built and run.
            try await WalletKit.withWalletKit(configuration) { again in
                #expect(again.state == .running)
            }
        }
    }

    @Test("SignClient: a second run() is refused; withSignClient shuts down on throw; shutdown before run()")
    func signClientLifecycle() async throws {
        try await withRelay { relay, _ in
            let configuration = SignClientConfiguration(
                metadata: WKFixture.dappMetadata, relayURL: await relay.url, storage: .inMemory, relayer: WKFixture.relayer())
            let handed = WKBox<SignClient>()
            await #expect(throws: Boom.self) {
                try await SignClient.withSignClient(configuration) { client in
                    handed.set(client)
                    #expect(await client.isRunning)
                    await #expect(throws: SignClientError.alreadyStarted) { try await client.run() }
                    throw Boom()
                }
            }
            let client = try #require(handed.value)
            #expect(await !client.isRunning)
            await #expect(throws: SignClientError.stopped) { try await client.untilRunning() }
            #expect(try await WKFixture.finishes(client.events()))
            await #expect(throws: SignEngineError.self) {
                _ = try await client.connect(optionalNamespaces: WKFixture.optionalNamespaces)
            }

            let unused = try SignClient(configuration: configuration)
            await unused.shutdown()
            try await BoundedWait.run { try await unused.run() }
            #expect(await !unused.isRunning)
        }
    }

    @Test("a ServiceGroup's graceful shutdown stops the WalletKit service")
    func serviceGroupGracefulShutdown() async throws {
        try await withRelay { relay, directory in
            let kit = try WalletKit(
                configuration: WKFixture.walletConfiguration(
                    relayURL: await relay.url, databasePath: directory.path("wallet.sqlite")))
            let requests = kit.sessionRequests
            let states = kit.states
            let group = ServiceGroup(
                services: [kit], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let running = Task { try await group.run() }
            try await kit.untilRunning()
            await group.triggerGracefulShutdown()
            try await BoundedWait.run { try await running.boundedValue() }
            #expect(try await WKFixture.finishes(requests))
            let seen = try await BoundedWait.collect(4, from: states)
            #expect(seen == [.idle, .running, .draining, .stopped])
            #expect(kit.state == .stopped)
        }
    }

    @Test("graceful shutdown waits for an in-flight call, refuses new pairings, accepts answers while draining")
    func drainWaitsForInFlightCalls() async throws {
        try await withRelay { relay, directory in
            let kit = try WalletKit(
                configuration: WKFixture.walletConfiguration(
                    relayURL: await relay.url, databasePath: directory.path("wallet.sqlite"), drainTimeout: .seconds(60)))
            let running = Task { try await kit.run() }
            try await kit.untilRunning()
            let states = kit.states
            let (release, releaseCall) = AsyncStream<Void>.makeStream()
            let (started, markStarted) = AsyncStream<Void>.makeStream()
            let inFlight = Task {
                try await kit.tracked(startsSomethingNew: false) {
                    markStarted.finish()
                    for await _ in release {}
                }
            }
            for await _ in started {}
            let stopping = Task { await kit.shutdown() }
            _ = try await WKFixture.first(states) { $0 == .draining }
            // Draining: the engine still runs, new pairings are refused, answers are still accepted.
            #expect(await kit.signClient.isRunning)
            await #expect(throws: WalletKitError.shuttingDown) { try await kit.pair(uri: "wc:x") }
            try await kit.tracked(startsSomethingNew: false) {}
            releaseCall.finish()
            try await inFlight.boundedValue()
            await BoundedWait.outcomeOfVoid { await stopping.value }
            try await BoundedWait.run { try await running.boundedValue() }
            #expect(kit.state == .stopped)
            #expect(await !kit.signClient.isRunning)
        }
    }

    @Test("the drain gives up at its deadline (injected clock) and the socket is closed anyway")
    func drainDeadline() async throws {
        try await withRelay { relay, directory in
            let deadline = Duration.milliseconds(300)
            let kit = try WalletKit(
                configuration: WKFixture.walletConfiguration(
                    relayURL: await relay.url, databasePath: directory.path("wallet.sqlite"), drainTimeout: deadline))
            let running = Task { try await kit.run() }
            try await kit.untilRunning()
            let connection = kit.connectionStates
            let (release, releaseCall) = AsyncStream<Void>.makeStream()
            let (started, markStarted) = AsyncStream<Void>.makeStream()
            let stuck = Task {
                try await kit.tracked(startsSomethingNew: false) {
                    markStarted.finish()
                    for await _ in release {}
                }
            }
            for await _ in started {}
            let clock = ContinuousClock()
            let begin = clock.now
            await BoundedWait.outcomeOfVoid { await kit.shutdown() }
            #expect(clock.now - begin >= deadline)
            try await BoundedWait.run { try await running.boundedValue() }
            // The relay connection ends closed.
            _ = try await WKFixture.first(connection) { if case .closed = $0 { true } else { false } }
            releaseCall.finish()
            try await stuck.boundedValue()
        }
    }
}

extension BoundedWait {
    /// Runs a non-throwing operation within `limit`; records an issue when it does not finish.
    static func outcomeOfVoid(within limit: Duration = .seconds(20), _ operation: @escaping @Sendable () async -> Void) async {
        do {
            try await run(within: limit) { await operation() }
        } catch {
            Issue.record("did not finish within \(limit): \(error)")
        }
    }
}
