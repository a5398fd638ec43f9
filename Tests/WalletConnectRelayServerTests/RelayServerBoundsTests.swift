import Foundation
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a raw TCP client saw: the bytes the server sent and whether it closed the connection.
struct RawExchange: Sendable {
    var response: String
    var closedByServer: Bool

    var statusLine: String { String(response.unicodeScalars.prefix { $0 != "\r" && $0 != "\n" }) }
}

/// Connects to 127.0.0.1:`port`, writes `request` (in pieces of at most 64 KiB; a write the server refuses ends
/// the writing), then reads until the server closes or `readTimeout` seconds pass without a byte. Blocking calls,
/// on a thread of their own.
func rawExchange(port: Int, request: String, readTimeout: Int = 10) async throws -> RawExchange {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RawExchange, any Error>) in
        let thread = Thread {
            continuation.resume(
                with: Result {
                    let fd = try connectLoopbackSocket(port: port, timeoutSeconds: readTimeout)
                    defer { close(fd) }
                    let bytes = Array(request.utf8)
                    var offset = 0
                    while offset < bytes.count {
                        let count = min(65_536, bytes.count - offset)
                        let written = bytes[offset..<(offset + count)].withUnsafeBytes {
                            send(fd, $0.baseAddress, count, Int32(MSG_NOSIGNAL))
                        }
                        if written <= 0 { break }
                        offset += written
                    }
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let count = read(fd, &buffer, buffer.count)
                        if count > 0 {
                            received.append(contentsOf: buffer[0..<count])
                        } else {
                            // 0: the server closed; -1 with ECONNRESET: it closed with unread bytes; else timeout.
                            let closed = count == 0 || errno == ECONNRESET
                            return RawExchange(response: String(decoding: received, as: UTF8.self), closedByServer: closed)
                        }
                    }
                })
        }
        thread.start()
    }
}

/// The relay's bounds (issue 16, items 6 and 7): request head size and time, connections in all and per client,
/// idle and silent sockets, subscriptions per connection, mailbox bytes, fetch page bytes, in-flight bytes.
@Suite("Relay server: bounds on connections, heads, idleness and bytes", .timeLimit(.minutes(1)))
struct RelayServerBoundsTests {
    @Test("a request head still incomplete after the header timeout gets 408 and the connection is closed")
    func slowHeadTimesOut() async throws {
        try await withRelay(RelayServerConfiguration(headerTimeout: .milliseconds(300))) { server in
            let port = try #require(await server.port)
            let exchange = try await rawExchange(port: port, request: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            #expect(exchange.statusLine == "HTTP/1.1 408 Request Timeout")
            #expect(exchange.closedByServer)
            try await BoundedWait.until(within: .seconds(5)) { await server.counters().timedOutConnections == 1 }
            // A complete head in time is served as before.
            let health = try await rawExchange(
                port: port, request: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(health.statusLine == "HTTP/1.1 200 OK")
        }
    }

    @Test("a 200 KB request line gets 431 and the connection is closed; the relay keeps serving")
    func oversizeHeadGets431() async throws {
        try await withRelay { server in
            let port = try #require(await server.port)
            let line = "GET /?" + String(repeating: "a", count: 200_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let exchange = try await rawExchange(port: port, request: line)
            #expect(exchange.statusLine == "HTTP/1.1 431 Request Header Fields Too Large")
            #expect(exchange.closedByServer)
            let client = try await connectClient(server)
            #expect(try await client.subscribe(RelayTest.topic()).count == 64)
            await client.close()
        }
    }

    @Test("past maxConnections a new connection gets 503 at once; a place freed by a close is taken again")
    func connectionCap() async throws {
        try await withRelay(RelayServerConfiguration(maxConnections: 2)) { server in
            let port = try #require(await server.port)
            let first = try await connectClient(server)
            let second = try await connectClient(server)
            let refused = try await rawExchange(port: port, request: upgradeRequest(path: "/"))
            #expect(refused.statusLine == "HTTP/1.1 503 Service Unavailable")
            #expect(refused.closedByServer)
            // Counted by the state soon after the refusal (the refusal itself does not wait for the count).
            try await BoundedWait.until(within: .seconds(5)) { await server.counters().refusedConnections == 1 }
            await first.close()
            // The place comes back when the server has seen the close; until then a new client is refused.
            let third = try await BoundedWait.run(within: .seconds(10)) {
                while true {
                    if let client = try? await connectClient(server) { return client }
                    try Task.checkCancellation()
                }
            }
            #expect(try await third.subscribe(RelayTest.topic()).count == 64)
            await second.close()
            await third.close()
        }
    }

    @Test("past maxConnectionsPerClient one client id's next connection is closed with 1013; another id connects")
    func perClientCap() async throws {
        try await withRelay(RelayServerConfiguration(maxConnectionsPerClient: 2)) { server in
            let first = try await connectClient(server, clientID: "did:key:greedy")
            let second = try await connectClient(server, clientID: "did:key:greedy")
            let third = try await connectClient(server, clientID: "did:key:greedy")
            #expect(try await third.closed() == 1013)
            let other = try await connectClient(server, clientID: "did:key:other")
            #expect(try await other.subscribe(RelayTest.topic()).count == 64)
            #expect(try await first.subscribe(RelayTest.topic()).count == 64)
            #expect(await server.counters().refusedConnections == 1)
            for client in [first, second, other] { await client.close() }
        }
    }

    @Test("a connection without subscriptions that says nothing is closed with 1001 after the idle timeout; a subscribed one stays")
    func idleConnectionCloses() async throws {
        // Idle checks run on the server's clock, a manual one here: with a real one-second period, a loaded
        // machine (CI, sanitized) could take longer than the period between the busy client's connect and its
        // subscribe, and the relay rightly closed it as idle.
        let clock = ManualClock()
        let server = RelayServer(configuration: RelayServerConfiguration(idleTimeout: .seconds(1)), clock: clock)
        try await server.start()
        do {
            let busy = try await connectClient(server)
            _ = try await busy.subscribe(RelayTest.topic())
            let idle = try await connectClient(server)
            // Both connections' idle checks are parked on the clock; one period passes for both.
            try await clock.waitForSleepers(count: 2)
            clock.advance(by: .seconds(1))
            #expect(try await idle.closed() == 1001)
            // The subscribed connection went through the same idle checks and is still served.
            #expect(try await busy.subscribe(RelayTest.topic()).count == 64)
            #expect(await server.counters().timedOutConnections == 1)
            await busy.close()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("an upgraded socket that never answers a ping is closed after two ping intervals")
    func silentSocketCloses() async throws {
        try await withRelay(RelayServerConfiguration(pingInterval: .milliseconds(200))) { server in
            let port = try #require(await server.port)
            // Upgrades, then reads without ever answering: the server pings, then closes the TCP connection.
            let exchange = try await rawExchange(port: port, request: upgradeRequest(path: "/"))
            #expect(exchange.statusLine == "HTTP/1.1 101 Switching Protocols")
            #expect(exchange.closedByServer)
        }
    }

    @Test("subscriptions per connection are capped: SubscriberLimitExceeded for one more or a batch past it")
    func subscriptionCap() async throws {
        try await withRelay(RelayServerConfiguration(maxSubscriptionsPerConnection: 3)) { server in
            let client = try await connectClient(server)
            let topics = (0..<3).map { _ in RelayTest.topic() }
            for topic in topics { _ = try await client.subscribe(topic) }
            // Subscribing again to a held topic takes no new place.
            _ = try await client.subscribe(topics[0])
            let refused = try await client.call(IRN.Method.subscribe, IRN.SubscribeParams(topic: RelayTest.topic()))
            #expect(refused.error?.code == IRN.error(.subscriberLimitExceeded).code)
            try await client.unsubscribe(topics[2])
            let batch = try await client.call(
                IRN.Method.batchSubscribe, IRN.BatchSubscribeParams(topics: [RelayTest.topic(), RelayTest.topic()]))
            #expect(batch.error?.code == IRN.error(.subscriberLimitExceeded).code)
            _ = try await client.subscribe(RelayTest.topic())
            #expect(await server.counters().subscriptions == 3)
            await client.close()
        }
    }

    @Test("the mailbox is bounded in bytes, per topic and in all: MailboxLimitExceeded past either")
    func mailboxBytes() async throws {
        let state = RelayServerState(limits: RelayStoreLimits(maxBytesPerTopic: 10_000, maxBytes: 14_000))
        try await withRelay(state: state) { server in
            let client = try await connectClient(server)
            let message = String(repeating: "m", count: 3_000)
            let topic = RelayTest.topic()
            for index in 0..<3 {
                #expect(try await client.publish(topic, message + "\(index)").result == .bool(true))
            }
            let perTopic = try await client.publish(topic, message + "3")
            #expect(perTopic.error?.code == IRN.error(.mailboxLimitExceeded).code)
            let other = RelayTest.topic()
            #expect(try await client.publish(other, message + "a").result == .bool(true))
            let overall = try await client.publish(other, message + "b")
            #expect(overall.error?.code == IRN.error(.mailboxLimitExceeded).code)
            let counters = await server.counters()
            #expect(counters.mailboxSize == 4)
            #expect(counters.mailboxBytes == 4 * 3_001)
            await client.close()
        }
    }

    @Test("a fetch page is bounded in bytes (at least one message); the rest follows with hasMore")
    func fetchPageBytes() async throws {
        let state = RelayServerState(limits: RelayStoreLimits(fetchPageBytes: 5_000))
        try await withRelay(state: state) { server in
            let publisher = try await connectClient(server, clientID: "did:key:publisher")
            let topic = RelayTest.topic()
            let big = String(repeating: "f", count: 6_000)
            for index in 0..<3 { _ = try await publisher.publish(topic, big + "\(index)") }
            let reader = try await connectClient(server, clientID: "did:key:reader")
            var pages: [Int] = []
            var more = true
            while more {
                let page = try await reader.fetch(topic)
                pages.append(page.messages.count)
                more = page.hasMore
                try #require(pages.count <= 3)
            }
            #expect(pages == [1, 1, 1])
            await publisher.close()
            await reader.close()
        }
    }

    @Test("deliveries awaiting their ack are bounded in bytes: the rest is held back and follows the acks")
    func inFlightBytes() async throws {
        try await withRelay(RelayServerConfiguration(maxInFlightBytesPerConnection: 5_000)) { server in
            let publisher = try await connectClient(server, clientID: "did:key:publisher")
            let reader = try await connectClient(server, clientID: "did:key:reader")
            let topic = RelayTest.topic()
            _ = try await reader.subscribe(topic)
            let big = String(repeating: "d", count: 3_000)
            for index in 0..<3 { _ = try await publisher.publish(topic, big + "\(index)") }
            // Two fit in 5,000 bytes only if the first is counted before the second: 3,001 + 3,001 > 5,000, so one
            // delivery is in flight; each ack lets the next one out.
            var received: [String] = []
            for _ in 0..<3 {
                let delivery = try await reader.nextSubscription(within: .seconds(10))
                received.append(delivery.params.data.message)
                #expect(await server.counters().delivered == received.count)
                try reader.ack(delivery.id)
            }
            #expect(received == (0..<3).map { big + "\($0)" })
            await publisher.close()
            await reader.close()
        }
    }

    @Test("deliveries held back by the window take turns between topics: a flood on one topic does not starve another")
    func backlogTakesTurns() async throws {
        // A window of 2 deliveries; the flooded topic sorts first.
        try await withRelay(RelayServerConfiguration(maxQueuedFramesPerConnection: 4)) { server in
            let publisher = try await connectClient(server, clientID: "did:key:publisher")
            let reader = try await connectClient(server, clientID: "did:key:reader")
            let flooded = "00" + String(RelayTest.topic().dropFirst(2))
            let quiet = "ff" + String(RelayTest.topic().dropFirst(2))
            _ = try await reader.subscribe(flooded)
            _ = try await reader.subscribe(quiet)
            for index in 0..<20 { _ = try await publisher.publish(flooded, "flood \(index)") }
            _ = try await publisher.publish(quiet, "real work")
            var order: [String] = []
            while order.count < 21 {
                let delivery = try await reader.nextSubscription(within: .seconds(10))
                order.append(delivery.params.data.message)
                try reader.ack(delivery.id)
            }
            let position = try #require(order.firstIndex(of: "real work"))
            #expect(position <= 4, "the quiet topic's message came at position \(position) of 21")
            #expect(Set(order).count == 21)
            await publisher.close()
            await reader.close()
        }
    }

    @Test("deliveries awaiting their ack are bounded in number (default 1,024, below the relayer's read-ahead)")
    func inFlightDeliveries() async throws {
        #expect(RelayServerConfiguration().maxInFlightDeliveriesPerConnection <= 4_096)
        try await withRelay(RelayServerConfiguration(maxInFlightDeliveriesPerConnection: 2)) { server in
            let publisher = try await connectClient(server, clientID: "did:key:publisher")
            let reader = try await connectClient(server, clientID: "did:key:reader")
            let topic = RelayTest.topic()
            _ = try await reader.subscribe(topic)
            for index in 0..<5 { _ = try await publisher.publish(topic, "m\(index)") }
            var received: [String] = []
            for _ in 0..<2 {
                received.append(try await reader.nextSubscription(within: .seconds(10)).params.data.message)
            }
            // Published and answered after the two deliveries went out: the window holds the other three.
            _ = try await publisher.publish(topic, "m5")
            #expect(await server.counters().delivered == 2)
            #expect(received == ["m0", "m1"])
            await publisher.close()
            await reader.close()
        }
    }
}
