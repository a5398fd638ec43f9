import Testing
import WalletConnectCore

@testable import WalletConnectRelayServer

/// The relay state's last resort for a client that sends requests faster than it reads the answers: a frame
/// that does not fit the connection's queue ends the connection (the queued frames still go out), and it is
/// counted; nothing is left half-delivered.
@Suite("Relay server state: outbound queue overflow")
struct RelayServerStateOverflowTests {
    @Test("the answer that does not fit a 2-frame queue ends the connection after the 2 queued frames")
    func overflowEndsTheConnection() async throws {
        let state = RelayServerState()
        let (frames, sink) = AsyncStream<RelayOutbound>.makeStream(bufferingPolicy: .bufferingOldest(2))
        let id = await state.register(clientID: "did:key:slow", compressed: false, sink: sink, queueSize: 2)
        // Three requests answered while nobody writes the queue out.
        for number in 1...3 {
            await state.receive(.request(RPCID(Int64(1_000_000_000 + number)), .createTopic("t")), from: id)
        }
        var written: [String] = []
        for await frame in frames {
            if case .text(let text) = frame { written.append(text) }
        }
        #expect(written.count == 2)
        #expect(written.allSatisfy { $0.contains(#""result":true"#) })
        #expect(await state.counters().dropped == 1)
        // The writer, seeing its queue end, closes this connection with 1013 (and only this kind).
        #expect(await state.hasOverflowed(id))
        let calm = await state.register(clientID: "did:key:calm", compressed: false, sink: AsyncStream<RelayOutbound>.makeStream().continuation)
        #expect(!(await state.hasOverflowed(calm)))
    }
}

@Suite("Relay server state: outbound queue bytes")
struct RelayServerStateQueueBytesTests {
    @Test("answers past the connection's queued-bytes bound end the connection; written bytes free the bound")
    func queuedBytesOverflow() async throws {
        let state = RelayServerState()
        let (frames, sink) = AsyncStream<RelayOutbound>.makeStream()
        let meter = OutboundMeter()
        // One `{"id":…,"jsonrpc":"2.0","result":true}` answer is 48 bytes: two fit in 100, three do not.
        let id = try #require(
            await state.register(
                clientID: "did:key:slow", compressed: false, sink: sink,
                limits: RelayConnectionLimits(queueBytes: 100), meter: meter))
        for number in 1...3 {
            await state.receive(.request(RPCID(Int64(1_000_000_000 + number)), .createTopic("t")), from: id)
        }
        var written: [String] = []
        for await frame in frames {
            if case .text(let text) = frame { written.append(text) }
        }
        #expect(written.count == 2)
        #expect(meter.queued == written.reduce(0) { $0 + $1.utf8.count })
        #expect(await state.hasOverflowed(id))
        #expect(await state.counters().dropped == 1)
    }

    @Test("a second connection of a client id at its per-client bound is refused; a close frees the place")
    func perClientRegistration() async throws {
        let state = RelayServerState()
        let limits = RelayConnectionLimits(perClient: 1)
        let sink = { AsyncStream<RelayOutbound>.makeStream().continuation }
        let first = try #require(
            await state.register(clientID: "did:key:a", compressed: false, sink: sink(), limits: limits, meter: OutboundMeter()))
        #expect(await state.register(clientID: "did:key:a", compressed: false, sink: sink(), limits: limits, meter: OutboundMeter()) == nil)
        #expect(await state.register(clientID: "did:key:b", compressed: false, sink: sink(), limits: limits, meter: OutboundMeter()) != nil)
        await state.unregister(first)
        #expect(await state.register(clientID: "did:key:a", compressed: false, sink: sink(), limits: limits, meter: OutboundMeter()) != nil)
    }
}
