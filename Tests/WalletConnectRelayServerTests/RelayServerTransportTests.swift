import Foundation
import HTTPTypes
import Testing
import WSClient
import WSCompression
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one raw HTTP request to 127.0.0.1:`port` and returns the status line (blocking socket, 10 s limit).
/// A blocking TCP socket connected to 127.0.0.1:`port`, reads and writes timing out after `timeoutSeconds`; the
/// caller closes it.
func connectLoopbackSocket(port: Int, timeoutSeconds: Int = 10) throws -> Int32 {
    struct SocketError: Error { var step: String }
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw SocketError(step: "socket") }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(fd)
        throw SocketError(step: "connect")
    }
    return fd
}

func rawHTTPStatusLine(port: Int, request: String) throws -> String {
    struct SocketError: Error { var step: String }
    let fd = try connectLoopbackSocket(port: port)
    defer { close(fd) }
    let bytes = Array(request.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw SocketError(step: "write") }
    var buffer = [UInt8](repeating: 0, count: 4096)
    var received: [UInt8] = []
    while !received.contains(0x0a) {
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { break }
        received.append(contentsOf: buffer[0..<count])
    }
    let text = String(decoding: received, as: UTF8.self)
    return String(text.split(separator: "\r\n", maxSplits: 1).first ?? "")
}

/// ``rawHTTPStatusLine(port:request:)`` on its own thread, so the blocking socket never holds a
/// cooperative-pool thread the server needs.
func rawHTTPStatus(port: Int, request: String) async throws -> String {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
        let thread = Thread {
            continuation.resume(with: Result { try rawHTTPStatusLine(port: port, request: request) })
        }
        thread.start()
    }
}

func upgradeRequest(path: String, headers: [String] = []) -> String {
    (["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Connection: Upgrade", "Upgrade: websocket",
      "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="] + headers)
        .joined(separator: "\r\n") + "\r\n\r\n"
}

@Suite("Relay server: errors, auth, transport", .timeLimit(.minutes(1)))
struct RelayServerTransportTests {
    static func errorTag(_ response: JSONRPCResponse) -> String? {
        response.error?.data?.stringValue
    }

    @Test("JSON-RPC errors: topic, ttl, method, batches, ids, garbage")
    func errors() async throws {
        try await withRelay { server in
            let client = try await connectClient(server)
            let topic = RelayTest.topic()
            let badTopic = try await client.call(IRN.Method.subscribe, IRN.SubscribeParams(topic: "abc"))
            #expect(badTopic.error?.code == -32600 && Self.errorTag(badTopic) == "InvalidTopic")
            let short = try await client.publish(topic, "m", ttl: 5)
            #expect(short.error?.code == -32000 && Self.errorTag(short) == "TtlTooShort")
            let long = try await client.publish(topic, "m", ttl: 31 * 86_400)
            #expect(long.error?.code == -32000 && Self.errorTag(long) == "TtlTooLong")
            let huge = try await client.call(
                IRN.Method.publish, ["topic": .string(topic), "message": "m", "ttl": .int(1 << 40), "tag": 0] as JSONValue)
            #expect(Self.errorTag(huge) == "TtlTooLong")
            let unknown = try await client.call("irn_doesNotExist", IRN.SubscribeParams(topic: topic))
            #expect(unknown.error?.code == -32600 && Self.errorTag(unknown) == "InvalidMethod")
            let empty = try await client.call(IRN.Method.batchSubscribe, IRN.BatchSubscribeParams(topics: []))
            #expect(Self.errorTag(empty) == "BatchEmpty")
            let tooMany = try await client.call(
                IRN.Method.batchSubscribe, IRN.BatchSubscribeParams(topics: (0...500).map { _ in topic }))
            #expect(tooMany.error == IRN.error(.batchLimitExceeded))
            #expect(tooMany.error?.message == "Invalid payload: The batch contains too many items")
            let params = try await client.call(IRN.Method.subscribe, ["topics": [.string(topic)]] as JSONValue)
            #expect(Self.errorTag(params) == "InvalidParams")

            client.send(#"{"id":5,"jsonrpc":"2.0","method":"irn_subscribe","params":{"topic":"\#(topic)"}}"#)
            let lowID = try await client.response(to: RPCID(5))
            #expect(Self.errorTag(lowID) == "InvalidRequestId")
            client.send(#"{"id":1000000001,"jsonrpc":"1.0","method":"irn_subscribe","params":{}}"#)
            #expect(Self.errorTag(try await client.response(to: RPCID(1_000_000_001))) == "InvalidJsonRpcVersion")
            client.send("not json")
            #expect(Self.errorTag(try await client.response(to: nil)) == "Serialization")
            // The connection is still usable.
            #expect(try await client.subscribe(topic).count == 64)
            #expect(await server.counters().errors == 11)
            await client.close()
        }
    }

    @Test("an oversized message closes that connection; the server keeps serving")
    func oversized() async throws {
        try await withRelay(RelayServerConfiguration(maxMessageBytes: 4096)) { server in
            let client = try await connectClient(server)
            client.send(String(repeating: "x", count: 10_000))
            _ = try await client.closed()  // a close frame or a dropped connection, within the limit
            let next = try await connectClient(server)
            #expect(try await next.subscribe(RelayTest.topic()).count == 64)
            await next.close()
        }
    }

    @Test("closeAllConnections(4010) reaches the client")
    func closeCodes() async throws {
        try await withRelay { server in
            let client = try await connectClient(server)
            _ = try await client.subscribe(RelayTest.topic())
            await server.closeAllConnections(code: 4010, reason: "load balancing")
            #expect(try await client.closed() == 4010)
            let fatal = try await connectClient(server)
            _ = try await fatal.subscribe(RelayTest.topic())  // the server has registered the connection
            await server.closeAllConnections(code: 3000, reason: "fatal")
            #expect(try await fatal.closed() == 3000)
        }
    }

    @Test("strict auth: a bad JWT gets HTTP 401 and no upgrade")
    func strictAuthRejects() async throws {
        try await withRelay(RelayServerConfiguration(strictAuth: true)) { server in
            let port = try #require(await server.port)
            let jwt = RelayTest.fakeJWT(iss: "did:key:z6MkforgedKey")
            #expect(try await rawHTTPStatus(port: port, request: upgradeRequest(path: "/?auth=\(jwt)")).contains(" 401"))
            #expect(
                try await rawHTTPStatus(
                    port: port, request: upgradeRequest(path: "/", headers: ["Authorization: Bearer \(jwt)"])
                ).contains(" 401"))
            #expect(try await rawHTTPStatus(port: port, request: upgradeRequest(path: "/")).contains(" 401"))
            await #expect(throws: (any Error).self) {
                _ = try await RelayTestClient.connect("\(await server.url)/?auth=\(jwt)")
            }
            // useOnCloseEvent=true: upgrade, then close 3000.
            let closing = try await RelayTestClient.connect("\(await server.url)/?auth=\(jwt)&useOnCloseEvent=true")
            #expect(try await closing.closed() == 3000)
            #expect(await server.counters().rejectedAuth == 5)
        }
    }

    @Test("without strict auth a missing JWT gets a random client id")
    func lenientAuth() async throws {
        try await withRelay { server in
            let port = try #require(await server.port)
            #expect(try await rawHTTPStatus(port: port, request: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").contains(" 200"))
            let first = try await connectClient(server)
            let second = try await connectClient(server)
            let topic = RelayTest.topic()
            #expect(try await first.subscribe(topic) != (try await second.subscribe(topic)))
            await first.close()
            await second.close()
        }
    }

    @Test("permessage-deflate is negotiated when the client offers it")
    func deflate() async throws {
        try await withRelay { server in
            let url = await server.url
            let compressed = try await RelayTestClient.connect(
                url, extensions: [.perMessageDeflate(maxDecompressedFrameSize: 1 << 20)])
            let plain = try await RelayTestClient.connect(url)
            let topic = RelayTest.topic()
            _ = try await compressed.subscribe(topic)
            let big = String(repeating: "walletconnect ", count: 5_000)
            try await plain.publish(topic, big)
            #expect(try await compressed.nextSubscription().params.data.message == big)
            let counters = await server.counters()
            #expect(counters.compressedConnections == 1 && counters.totalConnections == 2)
            await compressed.close()
            await plain.close()
        }
    }

    @Test(
        "wss:// with a certificate made at test time",
        .enabled(if: TestCertificates.openSSLPath != nil, "needs the openssl command"))
    func tls() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let configuration = RelayServerConfiguration(
            tls: .init(certificatePath: certificates.certificatePath, privateKeyPath: certificates.keyPath))
        try await withRelay(configuration) { server in
            let port = try #require(await server.port)
            #expect(await server.url == "wss://127.0.0.1:\(port)")
            let client = try await RelayTestClient.connect("wss://localhost:\(port)", tls: try certificates.clientTLS())
            #expect(try await client.subscribe(RelayTest.topic()).count == 64)
            await client.close()
        }
    }
}

@Suite("Relay server: strict auth with a signed JWT", .timeLimit(.minutes(1)))
struct RelayServerSignedAuthTests {
    @Test("a valid EdDSA JWT is accepted and its iss is the client id; an expired one is refused")
    func strictAuthAccepts() async throws {
        let clock = RelayTest.ManualWallClock()
        let state = RelayServerState(wallClock: clock.wallClock)
        try await withRelay(RelayServerConfiguration(strictAuth: true), state: state) { server in
            let url = await server.url
            let seed = [UInt8](repeating: 0x42, count: 32)
            let now = clock.wallClock.nowSeconds
            let jwt = try RelayJWT.sign(seed: seed, audience: url, subject: "test", issuedAt: now, ttl: 3600)
            let iss = try RelayJWT.verify(jwt, nowSeconds: now).iss
            let client = try await RelayTestClient.connect(url, headers: [.authorization: "Bearer \(jwt)"])
            let topic = RelayTest.topic()
            #expect(try await client.subscribe(topic) == IRN.subscriptionID(topic: topic, clientID: iss))
            await client.close()
            let viaQuery = try await RelayTestClient.connect("\(url)/?auth=\(jwt)")
            #expect(try await viaQuery.subscribe(topic) == IRN.subscriptionID(topic: topic, clientID: iss))
            await viaQuery.close()

            clock.advance(seconds: 3600 + 121)
            let port = try #require(await server.port)
            #expect(try await rawHTTPStatus(port: port, request: upgradeRequest(path: "/?auth=\(jwt)")).contains(" 401"))
        }
    }
}

@Suite("Relay server: hostile numbers (JWT timestamps, publish ttl)", .timeLimit(.minutes(1)))
struct RelayServerHostileJWTTests {
    @Test("a self-signed JWT with exp Int64.max - 1 gets 401; the relay goes on accepting valid clients")
    func hugeExpiry() async throws {
        try await withRelay(RelayServerConfiguration(strictAuth: true)) { server in
            let url = await server.url
            let seed = [UInt8](repeating: 0x43, count: 32)
            let issuer = DIDKey.encode(ed25519PublicKey: try Ed25519.keyPair(seed: seed).publicKey)
            let now = WallClock.system.nowSeconds
            let hostile = try RelayJWT.sign(
                claims: RelayAuthClaims(iss: issuer, sub: "x", aud: url, iat: now, exp: .max - 1), seed: seed)
            let port = try #require(await server.port)
            #expect(try await rawHTTPStatus(port: port, request: upgradeRequest(path: "/?auth=\(hostile)")).contains(" 401"))
            let valid = try RelayJWT.sign(seed: seed, audience: url, subject: "y", issuedAt: now, ttl: 3600)
            let client = try await RelayTestClient.connect("\(url)/?auth=\(valid)")
            #expect(try await client.subscribe(RelayTest.topic()).count == 64)
            await client.close()
            #expect(await server.counters().rejectedAuth == 1)
        }
    }

    @Test("publish ttl Int64.max, Int64.min or beyond Int64 is refused (TtlTooLong / TtlTooShort / invalid params); the relay goes on")
    func hugeTTL() async throws {
        try await withRelay { server in
            let client = try await connectClient(server)
            let topic = RelayTest.topic()
            let huge = try await client.call(
                IRN.Method.publish, ["topic": .string(topic), "message": "m", "ttl": .int(.max), "tag": 0] as JSONValue)
            #expect(RelayServerTransportTests.errorTag(huge) == "TtlTooLong")
            let negative = try await client.call(
                IRN.Method.publish, ["topic": .string(topic), "message": "m", "ttl": .int(.min), "tag": 0] as JSONValue)
            #expect(RelayServerTransportTests.errorTag(negative) == "TtlTooShort")
            let beyond = try await client.call(
                IRN.Method.publish, ["topic": .string(topic), "message": "m", "ttl": .double(1e30), "tag": 0] as JSONValue)
            #expect(beyond.error != nil)
            #expect(try await client.subscribe(topic).count == 64)
            await client.close()
        }
    }
}
