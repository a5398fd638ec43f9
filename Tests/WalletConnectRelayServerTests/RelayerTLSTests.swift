import Foundation
import NIOSSL
import Testing
import WalletConnectCore
import WalletConnectRelayServer
import WalletKitTesting

/// A CA and a server certificate (SAN `IP:127.0.0.1`, `DNS:localhost`) made with openssl at test time.
struct TestCertificates: Sendable {
    let directory: URL
    var caPath: String { directory.appendingPathComponent("ca.pem").path }
    var certificatePath: String { directory.appendingPathComponent("server.pem").path }
    var keyPath: String { directory.appendingPathComponent("server.key").path }

    static let openSSLPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func make() throws -> TestCertificates {
        let openssl = try #require(openSSLPath)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("walletkit-tls-\(RelayerFixtures.randomHex(bytes: 8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let extensions = directory.appendingPathComponent("server.ext")
        try """
        subjectAltName=IP:127.0.0.1,DNS:localhost
        basicConstraints=critical,CA:FALSE
        keyUsage=critical,digitalSignature
        extendedKeyUsage=serverAuth
        """.write(to: extensions, atomically: true, encoding: .utf8)
        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "openssl \(arguments.first ?? "") failed")
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(
            ["req", "-x509"] + ec + [
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=WalletKit Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        try run(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"])
        try run([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ])
        return TestCertificates(directory: directory)
    }

    func clientTLS() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caPath))
        return configuration
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite(
    "Relayer over TLS", .timeLimit(.minutes(1)),
    .enabled(if: TestCertificates.openSSLPath != nil, "needs the openssl command to make a test certificate"))
struct RelayerTLSTests {
    @Test("wss:// works to an IP literal (no SNI) and to a host name", arguments: ["127.0.0.1", "localhost"])
    func secureRoundTrip(host: String) async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await RelayerFixtures.startServer(
            tls: .init(certificatePath: certificates.certificatePath, privateKeyPath: certificates.keyPath))
        let port = try #require(await server.port)
        let url = "wss://\(host):\(port)"
        let tls = try certificates.clientTLS()
        let alice = RelayerFixtures.relayer(url: url, configuration: RelayerFixtures.configuration(url: url, tls: tls))
        let bob = RelayerFixtures.relayer(url: url, configuration: RelayerFixtures.configuration(url: url, tls: tls))
        let topic = RelayerFixtures.topic()
        try await withRunningRelayers([alice, bob]) {
            let inbox = alice.messages()
            try await alice.subscribe(topic: topic)
            try await bob.publish(topic: topic, message: "over-tls", options: PublishOptions(ttl: 300))
            let received = try await BoundedWait.first(in: inbox)
            #expect(received.message == "over-tls")
        }
        await server.stop()
    }

    @Test("SSL_CERT_FILE names the trust store when no TLS configuration is injected")
    func sslCertFileIsHonoured() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await RelayerFixtures.startServer(
            tls: .init(certificatePath: certificates.certificatePath, privateKeyPath: certificates.keyPath))
        let port = try #require(await server.port)
        let url = "wss://127.0.0.1:\(port)"
        let base = RelayerFixtures.configuration(url: url)
        let fromEnvironment = base.effectiveTLSConfiguration(environment: ["SSL_CERT_FILE": certificates.caPath])
        #expect(fromEnvironment.trustRoots == .file(certificates.caPath))
        let relayer = RelayerFixtures.relayer(
            url: url, configuration: RelayerFixtures.configuration(url: url, tls: fromEnvironment))
        try await withRunningRelayers([relayer]) {
            try await relayer.publish(topic: RelayerFixtures.topic(), message: "trusted", options: PublishOptions())
            #expect(await server.counters().published == 1)
        }
        await server.stop()
    }

    @Test("a certificate the client does not trust is refused")
    func untrustedCertificateIsRefused() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await RelayerFixtures.startServer(
            tls: .init(certificatePath: certificates.certificatePath, privateKeyPath: certificates.keyPath))
        let port = try #require(await server.port)
        let url = "wss://127.0.0.1:\(port)"
        // The system trust store does not know the test CA.
        let systemOnly = RelayerFixtures.configuration(url: url, requestTimeout: .milliseconds(500))
            .effectiveTLSConfiguration(environment: [:])
        let relayer = RelayerFixtures.relayer(
            url: url,
            configuration: RelayerFixtures.configuration(url: url, requestTimeout: .milliseconds(500), tls: systemOnly))
        _ = try await withRunningRelayers([relayer]) {
            await #expect {
                try await relayer.publish(topic: RelayerFixtures.topic(), message: "x", options: PublishOptions())
            } throws: { ($0 as? RelayerError)?.isTimeout == true }
            // The 500 ms call can end before the first handshake has failed on a loaded (sanitized) machine: the
            // reason is awaited, not assumed.
            try await BoundedWait.until { await relayer.unreachableReason != nil }
        }
        #expect(relayer.statistics.connectionsOpened == 0)
        #expect(await server.counters().published == 0)
        // Named at once, not only as a timeout (issue 16 item 11).
        let reason = try #require(await relayer.unreachableReason)
        #expect(reason.hasPrefix("cannot reach the relay at \(url): TLS handshake failed"), "\(reason)")
        await server.stop()
    }
}
