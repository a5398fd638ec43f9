import Foundation
import Testing
import WalletKitTesting
@testable import WalletConnectCore

@Suite("JSON-RPC ids")
struct RPCIDVectorTests {
    @Test(
        "core-rpc-id.json", .enabled(if: SharedVectors.isAvailable, SharedVectors.skipNote),
        arguments: SharedVectors.cases("core-rpc-id.json"))
    func vector(_ vectorCase: VectorCase) throws {
        let v = CoreVector(vectorCase)
        if let nowMs = v.inputInt("nowMs") {
            let extra = try #require(v.inputInt("extra") ?? v.inputInt("random"))
            let expectedID = try #require(v.expectedInt("id"))
            let digits = try #require(v.expectedInt("digits"))
            let clock = WallClock.fixed(milliseconds: nowMs)
            let id: Int64
            if digits == 19 {
                id = RPCIDGenerator.relayID(nowMilliseconds: nowMs, extra: extra)
                // The generator gives the same value when its counter starts at `extra`.
                #expect(RPCIDGenerator(wallClock: clock, relayCounter: extra).relayID() == expectedID)
            } else {
                id = RPCIDGenerator.payloadID(nowMilliseconds: nowMs, extra: extra)
                #expect(RPCIDGenerator(wallClock: clock, payloadCounter: extra).payloadID() == expectedID)
            }
            #expect(id == expectedID)
            #expect(Int64(String(id).count) == digits)
            if v.expected["safeInteger"] as? Bool == true { #expect(id <= 9_007_199_254_740_991) }
        } else if let js = v.expectedString("jsRelayRequestIdJson"),
            let swift = v.expectedString("swiftRelayRequestIdJson")
        {
            // Both wire forms decode to the same id; this port encodes a number.
            let fromString = try JSONDecoder().decode(RPCID.self, from: Data(js.utf8))
            let fromNumber = try JSONDecoder().decode(RPCID.self, from: Data(swift.utf8))
            #expect(fromString == fromNumber)
            #expect(String(fromNumber.rawValue) == swift)
            #expect(String(decoding: try JSONEncoder().encode(fromString), as: UTF8.self) == swift)
        } else if let minimum = v.expectedInt("minimum") {
            let generator = RPCIDGenerator()
            for _ in 0..<100 {
                let id = generator.relayID()
                #expect(id >= minimum)
                #expect(String(id).count == 19)
            }
            #expect(v.expectedString("max") == "u64")
        } else {
            Issue.record("core-rpc-id.json case \(v.name) has a shape this test does not know")
        }
    }

    @Test("ids are strictly increasing even with a frozen clock and counter wrap-around")
    func monotonic() {
        let generator = RPCIDGenerator(
            wallClock: .fixed(milliseconds: 1_712_345_678_901), payloadCounter: 995, relayCounter: 999_995)
        var lastPayload: Int64 = 0
        var lastRelay: Int64 = 0
        for _ in 0..<20 {
            let payload = generator.payloadID()
            let relay = generator.relayID()
            #expect(payload > lastPayload)
            #expect(relay > lastRelay)
            lastPayload = payload
            lastRelay = relay
        }
        #expect(String(lastPayload).count == 16)
        #expect(String(lastRelay).count == 19)
    }

    @Test("ids follow the clock")
    func followsClock() {
        let generator = RPCIDGenerator(payloadCounter: 0, relayCounter: 0)
        let now = WallClock.system.nowMilliseconds
        let id = generator.payloadID()
        #expect(id / 1000 >= now && id / 1000 <= now + 1000)
        #expect(generator.relayID() / 1_000_000 >= now)
    }
}
