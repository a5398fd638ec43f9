import Foundation

/// `swift run -c release Benchmarks [--json] [filter]`
///
/// Every case measures its floor in the same run and reports value / floor.
@main
struct BenchmarksMain {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == ColdStartBenchmarks.childFlag, arguments.count == 3 {
            do {
                try await ColdStartBenchmarks.child(directory: arguments[1], url: arguments[2])
                exit(0)
            } catch {
                FileHandle.standardError.write(Data("cold start child failed: \(error)\n".utf8))
                exit(1)
            }
        }
        let json = arguments.contains("--json")
        arguments.removeAll { $0 == "--json" }
        let filter = arguments.first
        #if DEBUG
        FileHandle.standardError.write(Data("warning: debug build; run `swift run -c release Benchmarks` for real numbers\n".utf8))
        #endif

        let cases: [(String, () async throws -> [BenchmarkResult])] = [
            ("envelope", { try CryptoBenchmarks.envelope() }),
            ("crypto_actor", { try await CryptoBenchmarks.cryptoActor() }),
            ("jsonrpc", { try JSONRPCBenchmarks.sessionRequest() }),
            ("relay", { try await RelayBenchmarks.run() }),
            ("sign", { try await SignBenchmarks.run() }),
            ("sqlite_sign", { try await SignStorageBenchmarks.run() }),
            ("cold_start", { try await ColdStartBenchmarks.run() }),
        ]
        var results: [BenchmarkResult] = []
        var failed = false
        for (name, run) in cases where filter == nil || name.contains(filter!) {
            do {
                let produced = try await run()
                results.append(contentsOf: produced)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    for result in produced {
                        print(String(decoding: try encoder.encode(result), as: UTF8.self))
                    }
                }
            } catch {
                failed = true
                FileHandle.standardError.write(Data("benchmark \(name) failed: \(error)\n".utf8))
            }
        }
        if !json { printTable(results) }
        if failed { exit(1) }
    }

    static func printTable(_ results: [BenchmarkResult]) {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func number(_ value: Double) -> String {
            value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
        }
        print(pad("case", 40) + pad("value", 14) + pad("unit", 10) + pad("floor", 14) + pad("ratio", 9) + "target")
        for result in results {
            print(
                pad(result.name, 40) + pad(number(result.value), 14) + pad(result.unit, 10)
                    + pad(number(result.floor), 14) + pad(String(format: "%.2fx", result.ratio), 9) + result.target)
        }
        for result in results {
            print("  \(result.name): floor = \(result.floorName); \(result.notes)")
        }
    }
}
