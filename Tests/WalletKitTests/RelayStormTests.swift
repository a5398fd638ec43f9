import Foundation
import Synchronization
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletConnectSign
import WalletKit
import WalletKitTesting

/// Issue #7 (faults): the project's relay closes every connection with 4010 (load balancing) every 2 s for 60 s
/// while a `WalletKit` wallet and two `SignClient` dapps (SQLite storage, real WebSockets on 127.0.0.1) exchange
/// session requests on 100 sessions. Every request must be answered exactly once, and nothing may be lost.
@Suite("Faults: a 60 s storm of 4010 closes", .timeLimit(.minutes(3)))
struct RelayStormTests {
    /// Sessions in all; split evenly over the dapps.
    static let sessionCount = 100
    static let dappCount = 2
    /// The storm: a 4010 close of every connection each `closeInterval`, `closeCount` times (real time, as the
    /// issue asks).
    /// For stress runs outside CI, `WK_STORM_CLOSES`, `WK_STORM_CLOSE_MS` and `WK_STORM_PACE_MS` override these
    /// (e.g. 100 closes every 300 ms at full speed, `WK_STORM_PACE_MS=0`; see Docs/Contributing.md).
    static let closeInterval = Duration.milliseconds(setting("WK_STORM_CLOSE_MS", default: 2000))
    static let closeCount = setting("WK_STORM_CLOSES", default: 30)
    /// Each session sends at most one request per interval (about 50 requests/s over 100 sessions).
    static let requestInterval = Duration.milliseconds(setting("WK_STORM_PACE_MS", default: 2000))

    private static func setting(_ name: String, default value: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? value
    }

    @Test("4010 every 2 s for 60 s over 100 sessions: every request answered once, announced once, none pending")
    func stormOfLoadBalancingCloses() async throws {
        try await withRelay { relay, directory in
            let url = await relay.url
            let dappConfigurations = (0..<Self.dappCount).map { index in
                WKFixture.signConfiguration(
                    metadata: WKFixture.dappMetadata, relayURL: url, databasePath: directory.path("dapp-\(index).sqlite"))
            }
            let walletConfiguration = WKFixture.walletConfiguration(
                relayURL: url, databasePath: directory.path("wallet.sqlite"))
            try await SignClient.withSignClient(dappConfigurations[0]) { first in
                try await SignClient.withSignClient(dappConfigurations[1]) { second in
                    try await WalletKit.withWalletKit(walletConfiguration) { kit in
                        try await Self.storm(relay: relay, dapps: [first, second], kit: kit)
                    }
                }
            }
        }
    }

    /// Settles the sessions, runs the traffic through the storm, then checks the counts.
    static func storm(relay: RelayServer, dapps: [SignClient], kit: WalletKit) async throws {
        let tally = StormTally()
        // Streams are subscribed before anything can be announced.
        let walletRequests = kit.sessionRequests
        let dappEvents = dapps.map { $0.events() }

        var sessions: [(dapp: SignClient, topic: String)] = []
        for index in 0..<sessionCount {
            let dapp = dapps[index % dapps.count]
            let (walletSession, dappSession) = try await WKFixture.settle(dapp: dapp, kit: kit)
            #expect(walletSession.topic == dappSession.topic)
            sessions.append((dapp, dappSession.topic))
        }
        #expect(await kit.activeSessions.count == sessionCount)
        let settled = sessions
        let topics = Set(settled.map(\.topic))

        try await withThrowingTaskGroup(of: Void.self) { background in
            // The wallet: every announced request is counted and answered with its own params (echo).
            background.addTask {
                await withTaskGroup(of: Void.self) { answers in
                    for await request in walletRequests {
                        tally.announced(request.id, on: request.topic)
                        answers.addTask {
                            do {
                                try await kit.respondSessionRequest(
                                    topic: request.topic, requestID: request.id,
                                    response: .result(request.params.request.params))
                                tally.responded(request.id, on: request.topic)
                            } catch {
                                tally.failure("respond \(request.id): \(error)")
                            }
                        }
                    }
                }
            }
            // The dapps: every response event is counted by topic and id.
            for events in dappEvents {
                background.addTask {
                    for await event in events {
                        if case .sessionResponse(let id, let topic, _) = event, topics.contains(topic) {
                            tally.response(id, on: topic)
                        }
                    }
                }
            }

            let countersBefore = await relay.counters()
            let published = countersBefore.published
            let openedBefore = (dapps.map(\.relayer) + [kit.signClient.relayer]).map(\.statistics.connectionsOpened)

            // Traffic: one sender per session, each sends its next request as soon as the last one returned,
            // until the storm is over.
            let senders = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, session) in settled.enumerated() {
                        group.addTask {
                            var sequence: Int64 = 0
                            let pace = ContinuousClock()
                            while !tally.isStormOver {
                                // Paced (one request per session every `requestInterval` at most), so the storm
                                // does not take both cores from the rest of the suite running beside it.
                                let next = pace.now + requestInterval
                                sequence += 1
                                let params: JSONValue = [.string("storm"), .int(Int64(index)), .int(sequence)]
                                tally.sending(index, sequence)
                                do {
                                    let result = try await session.dapp.request(
                                        topic: session.topic, chainID: "eip155:1", method: "personal_sign", params: params)
                                    if result == params {
                                        tally.answered()
                                    } else {
                                        tally.failure("session \(index) request \(sequence): wrong result \(result)")
                                    }
                                } catch {
                                    tally.failure("session \(index) request \(sequence): \(error)")
                                }
                                tally.sent(index)
                                try? await pace.sleep(until: next)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }

            // The storm, in real time.
            let clock = ContinuousClock()
            let start = clock.now
            for tick in 1...closeCount {
                try await clock.sleep(until: start + closeInterval * tick)
                tally.tick()
                await relay.closeAllConnections(code: 4010, reason: "Rebalancing")
            }
            let stormLength = clock.now - start
            tally.endStorm()

            // Everything in flight when the storm ended completes; nothing stays pending.
            let walletKit = kit
            do {
                try await senders.boundedValue(within: .seconds(60))
                try await BoundedWait.until(within: .seconds(30)) { await walletKit.pendingSessionRequests.isEmpty }
                let expected = tally.answeredCount
                try await BoundedWait.until(within: .seconds(30)) {
                    tally.snapshot.responses.count >= expected && tally.snapshot.responded.count >= expected
                }
            } catch {
                // Say what is stuck: which sessions still wait, what the wallet holds, what was never answered.
                let snapshot = tally.snapshot
                let pending = await kit.pendingSessionRequests.map { "\($0.id)@\($0.topic.prefix(8))" }
                let unanswered = snapshot.announcements.keys.filter { snapshot.responded[$0] == nil }
                let undelivered = snapshot.responded.keys.filter { snapshot.responses[$0] == nil }
                let stuck = snapshot.inFlight.map { "session \($0.key) (\(settled[$0.key].topic.prefix(8))) seq \($0.value)" }
                // Where the stuck sessions' messages are: held by the relay, and which client is connected.
                let stuckTopics = snapshot.inFlight.keys.sorted().prefix(3).map { settled[$0].topic }
                var held: [String] = []
                for topic in stuckTopics { held.append("\(topic.prefix(8)): \(await relay.state.storedMessages(topic: topic).count)") }
                let clients = (dapps.map(\.relayer) + [kit.signClient.relayer]).map {
                    "\($0.connectionState) opened \($0.statistics.connectionsOpened)"
                }
                let counters = await relay.counters()
                print(
                    "4010 storm stuck: relay holds \(held) (open connections \(counters.connections), mailbox "
                        + "\(counters.mailboxSize)), clients [dapp, dapp, wallet] \(clients)")
                print(
                    "4010 storm stuck: senders waiting \(stuck), wallet pending \(pending), "
                        + "announced but not answered \(unanswered), answered but not received \(undelivered), "
                        + "\(snapshot.answered) answered, \(snapshot.responded.count) responded, "
                        + "\(snapshot.responses.count) responses, failures \(snapshot.failures.prefix(5))")
                throw error
            }
            let countersAfter = await relay.counters()
            let publishedDuringStorm = countersAfter.published - published
            let delivered = countersAfter.delivered - countersBefore.delivered
            let acked = countersAfter.acked - countersBefore.acked
            let fetched = countersAfter.fetched - countersBefore.fetched
            let openedAfter = (dapps.map(\.relayer) + [kit.signClient.relayer]).map(\.statistics.connectionsOpened)
            let duplicatesDropped = (dapps.map(\.relayer) + [kit.signClient.relayer]).map(\.statistics.duplicatesDropped)

            let snapshot = tally.snapshot
            let reconnects = zip(openedAfter, openedBefore).map { $0 - $1 }
            print(
                "4010 storm: \(closeCount) closes over \(stormLength), \(snapshot.answered) requests answered, "
                    + "\(snapshot.announcements.count) announced, \(snapshot.responded.count) responded, "
                    + "\(snapshot.responses.count) responses at the dapps, reconnects per client \(reconnects), "
                    + "duplicates dropped by the relayers \(duplicatesDropped), relay publishes \(publishedDuringStorm), "
                    + "request ids used by both dapps \(snapshot.collidingIDs), "
                    + "relay deliveries \(delivered) (acked \(acked), fetched \(fetched)), "
                    + "answered per interval \(snapshot.answeredPerInterval)")

            #expect(snapshot.failures.isEmpty, "\(snapshot.failures.prefix(10))")
            #expect(snapshot.ticks == closeCount)
            #expect(snapshot.answered > sessionCount * 5, "too little traffic to mean anything")
            // Every request the dapps got an answer to: one response each at the dapp, one announcement and one
            // answer at the wallet, and the same ids on both sides.
            #expect(snapshot.responses.count == snapshot.answered)
            #expect(snapshot.responses.values.allSatisfy { $0 == 1 }, "responses delivered twice")
            #expect(snapshot.announcements.count == snapshot.answered)
            #expect(snapshot.announcements.values.allSatisfy { $0 == 1 }, "requests announced twice")
            #expect(snapshot.responded.count == snapshot.answered)
            #expect(snapshot.responded.values.allSatisfy { $0 == 1 })
            #expect(Set(snapshot.announcements.keys) == Set(snapshot.responses.keys))
            // The relay stored one request and one response per exchange: nothing was published twice.
            #expect(publishedDuringStorm == 2 * snapshot.answered)
            // Traffic flowed between every two closes, and every client was thrown off (nearly) every time.
            #expect(snapshot.answeredPerInterval.allSatisfy { $0 > 0 }, "\(snapshot.answeredPerInterval)")
            #expect(reconnects.allSatisfy { $0 >= UInt64(closeCount - 1) }, "\(reconnects)")
            #expect(await kit.pendingSessionRequests.isEmpty)
            #expect(await kit.activeSessions.count == sessionCount)

            background.cancelAll()
        }
    }
}

/// What the storm test counted, shared by its tasks.
final class StormTally: Sendable {
    struct State {
        // Keyed by "<topic prefix>/<id>": ids are unique per dapp only, and the two dapps do pick the same one
        // now and then (the wallet keeps them apart; so must the tally).
        var announcements: [String: Int] = [:]
        var responded: [String: Int] = [:]
        var responses: [String: Int] = [:]
        /// Announced ids, and how many announcements reused an id another session had used.
        var announcedIDs: Set<Int64> = []
        var collidingIDs = 0
        var answered = 0
        var failures: [String] = []
        var ticks = 0
        var answeredAtTicks: [Int] = [0]
        var stormOver = false
        /// The request each session's sender is waiting for (session index → sequence).
        var inFlight: [Int: Int64] = [:]

        /// Answers between two consecutive closes (and after the last one).
        var answeredPerInterval: [Int] {
            zip(answeredAtTicks.dropFirst(), answeredAtTicks).map { $0 - $1 }
        }
    }

    private let state = Locked(State())

    var snapshot: State { state.withLock { $0 } }
    var isStormOver: Bool { state.withLock { $0.stormOver } }
    var answeredCount: Int { state.withLock { $0.answered } }

    private static func key(_ id: Int64, _ topic: String) -> String { "\(topic.prefix(8))/\(id)" }

    func announced(_ id: Int64, on topic: String) {
        state.withLock { state in
            if !state.announcedIDs.insert(id).inserted { state.collidingIDs += 1 }
            state.announcements[Self.key(id, topic), default: 0] += 1
        }
    }
    func responded(_ id: Int64, on topic: String) { state.withLock { $0.responded[Self.key(id, topic), default: 0] += 1 } }
    func response(_ id: Int64, on topic: String) { state.withLock { $0.responses[Self.key(id, topic), default: 0] += 1 } }
    func answered() { state.withLock { $0.answered += 1 } }
    func sending(_ session: Int, _ sequence: Int64) { state.withLock { $0.inFlight[session] = sequence } }
    func sent(_ session: Int) { state.withLock { $0.inFlight[session] = nil } }
    func failure(_ message: String) { state.withLock { $0.failures.append(message) } }

    func tick() {
        state.withLock { state in
            state.ticks += 1
            state.answeredAtTicks.append(state.answered)
        }
    }

    func endStorm() { state.withLock { $0.stormOver = true } }
}
