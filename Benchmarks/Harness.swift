import Foundation

/// One measured case: a value with its floor measured in the same run, and their ratio.
struct BenchmarkResult: Encodable {
    var name: String
    var value: Double
    var unit: String
    var floorName: String
    var floor: Double
    /// value / floor for costs (lower is better); floor / value for rates is reported as value / floor too,
    /// with `higherIsBetter` telling the reader how to read it.
    var ratio: Double
    var higherIsBetter: Bool
    var target: String
    var notes: String

    enum CodingKeys: String, CodingKey {
        case name, value, unit, floorName = "floor_name", floor, ratio, higherIsBetter = "higher_is_better", target, notes
    }
}

/// Timing helpers. Every timed loop runs a warm-up, then `samples` batches; the median batch wins.
enum Measure {
    /// Median nanoseconds per operation of `body` (which runs `batch` operations per call).
    static func nanosecondsPerOp(samples: Int = 11, batch: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()  // warm-up
        let clock = ContinuousClock()
        var results: [Double] = []
        for _ in 0..<samples {
            let elapsed = try clock.measure { try body() }
            results.append(elapsed.nanoseconds / Double(batch))
        }
        results.sort()
        return results[results.count / 2]
    }

    /// Median nanoseconds per operation of an async body.
    static func nanosecondsPerOp(samples: Int = 11, batch: Int, _ body: () async throws -> Void) async rethrows
        -> Double
    {
        try await body()
        let clock = ContinuousClock()
        var results: [Double] = []
        for _ in 0..<samples {
            let start = clock.now
            try await body()
            results.append((clock.now - start).nanoseconds / Double(batch))
        }
        results.sort()
        return results[results.count / 2]
    }

    /// Medians of nanoseconds per operation of `floor` and `value`, sampled alternately (floor, value, floor, …)
    /// so that load from other processes affects both alike.
    static func interleaved(
        samples: Int = 15, batch: Int, floor: () throws -> Void, value: () throws -> Void
    ) rethrows -> (floor: Double, value: Double) {
        try floor()
        try value()
        let clock = ContinuousClock()
        var floors: [Double] = []
        var values: [Double] = []
        for _ in 0..<samples {
            floors.append(try clock.measure { try floor() }.nanoseconds / Double(batch))
            values.append(try clock.measure { try value() }.nanoseconds / Double(batch))
        }
        return (percentile(floors, 50), percentile(values, 50))
    }

    /// ``interleaved(samples:batch:floor:value:)`` with an async `value`.
    static func interleaved(
        samples: Int = 15, batch: Int, floor: () throws -> Void, value: () async throws -> Void
    ) async rethrows -> (floor: Double, value: Double) {
        try floor()
        try await value()
        let clock = ContinuousClock()
        var floors: [Double] = []
        var values: [Double] = []
        for _ in 0..<samples {
            floors.append(try clock.measure { try floor() }.nanoseconds / Double(batch))
            let start = clock.now
            try await value()
            values.append((clock.now - start).nanoseconds / Double(batch))
        }
        return (percentile(floors, 50), percentile(values, 50))
    }

    /// The p-th percentile (0...100) of a sample list.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, max(0, Int((p / 100) * Double(sorted.count - 1) + 0.5)))
        return sorted[index]
    }
}

extension Duration {
    var nanoseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}

/// Keeps the optimizer from deleting benchmarked work.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Resident set size of this process in bytes (Linux: /proc/self/status VmHWM = peak RSS).
func peakResidentBytes() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Int($0) }.first
        return digits.map { $0 * 1024 }
    }
    return nil
}
