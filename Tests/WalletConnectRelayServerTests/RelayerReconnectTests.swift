import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// Reconnects against the real relay server: restart on the same port, load-balancing close, fatal close.
@Suite("Relayer reconnect", .timeLimit(.minutes(1)))
struct RelayerReconnectTests {
    @Test("messages published while a client was away arrive exactly once after its reconnect")
    func restartOnSamePortDeliversHeldMessagesOnce() async throws {
        let state = RelayServerState()
        let first = try await RelayerFixtures.startServer(state: state)
        let port = try #require(await first.port)
        let url = await first.url
        let topic = RelayerFixtures.topic()
        let away = RelayerFixtures.relayer(url: url)
        let count = 5
        try await withRunningRelayers([away]) {
            let inbox = away.messages()
            try await away.subscribe(topic: topic)
            await first.stop()
            _ = try await BoundedWait.first(in: away.connectionStates()) { $0 != .connected }

            // While the client is away, another client publishes through a second server sharing the state.
            let side = try await RelayerFixtures.startServer(state: state)
            let publisher = RelayerFixtures.relayer(url: await side.url)
            try await withRunningRelayers([publisher]) {
                for index in 0..<count {
                    try await publisher.publish(
                        topic: topic, message: "held-\(index)", options: PublishOptions(ttl: 3600))
                }
            }
            #expect(away.statistics.messagesDelivered == 0)

            // The relay comes back on the same port: the client reconnects, resubscribes, fetches.
            let restarted = try await RelayerFixtures.startServer(state: state, port: port)
            try await away.waitForConnections(2)
            let received = try await BoundedWait.collect(count, from: inbox)
            #expect(received.map(\.message) == (0..<count).map { "held-\($0)" })

            // A marker published after all of them arrives next: nothing was delivered twice.
            let late = RelayerFixtures.relayer(url: await restarted.url)
            try await withRunningRelayers([late]) {
                try await late.publish(topic: topic, message: "marker", options: PublishOptions(ttl: 300))
            }
            let marker = try await BoundedWait.first(in: inbox)
            #expect(marker.message == "marker")
            #expect(away.statistics.messagesDelivered == UInt64(count) + 1)
            await restarted.stop()
            await side.stop()
        }
    }

    @Test("a load-balancing close (4010) reconnects at once and keeps the subscriptions")
    func loadBalancingCloseReconnectsImmediately() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let topic = RelayerFixtures.topic()
        // A long backoff: only the immediate 4010 path can reconnect within the test's bound.
        var configuration = RelayerFixtures.configuration(url: url)
        configuration.backoff = .init(initial: .seconds(60), maximum: .seconds(60), jitter: 0)
        let alice = Relayer(configuration: configuration, identity: UnsignedIdentity(), storage: InMemoryStorage())
        let bob = RelayerFixtures.relayer(url: url)
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topic: topic)
            try await alice.waitForConnections(1)
            await server.closeAllConnections(code: 4010, reason: "Rebalancing")
            try await alice.waitForConnections(2)
            try await bob.publish(topic: topic, message: "after-rebalance", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.first(in: inbox)
            #expect(received.message == "after-rebalance")
        }
        await server.stop()
    }

    @Test("a fatal close (3000) stops the relayer with a typed error and no reconnect")
    func fatalCloseStopsWithTypedError() async throws {
        let server = try await RelayerFixtures.startServer()
        let url = await server.url
        let relayer = RelayerFixtures.relayer(url: url)
        let states = relayer.connectionStates()
        let outcome: (any Error)? = try await withThrowingTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                do {
                    try await relayer.run()
                    return nil
                } catch {
                    return error
                }
            }
            try await relayer.waitUntilConnected()
            await server.closeAllConnections(code: 3000, reason: "Project ID is missing")
            return try await group.next() ?? nil
        }
        let error = try #require(outcome as? RelayerError)
        #expect(error.isFatal)
        #expect(error.closeCode == 3000)
        #expect(error.reason == "Project ID is missing")
        #expect(relayer.connectionState == .closed(reason: "Project ID is missing"))
        #expect(relayer.statistics.connectionsOpened == 1)
        let final = try await BoundedWait.first(in: states) { if case .closed = $0 { true } else { false } }
        #expect(final == .closed(reason: "Project ID is missing"))
        // Later calls fail at once with the same error.
        let later = await #expect(throws: RelayerError.self) {
            try await relayer.publish(topic: RelayerFixtures.topic(), message: "x", options: PublishOptions())
        }
        #expect(later?.isFatal == true)
        await server.stop()
    }
}
