import Foundation
import VsockBenchStats
import VsockBenchSupport

@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockBenchHistory

/// Run documents built in code with known figures, and scratch databases, for the history tests.
enum HistoryFixtures {
    static let targetHost = HostFacts(tool: "vsockbench 0.1.0", kernel: "4.14.256-enclave", hostname: "enclave", pid: 7, cpus: 2)

    /// The one directory that holds the scratch databases of this test process
    /// (`$TMPDIR/vsockbench-tests-XXXXXX`, made by mkdtemp), removed with all it holds when the process exits.
    static let scratchRoot: String = {
        // mkdtemp: a name no other process (or PID namespace sharing /tmp) can hold.
        var template = Array((NSTemporaryDirectory() + "vsockbench-tests-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp in \(NSTemporaryDirectory()): errno \(errno)") }
        atexit { try? FileManager.default.removeItem(atPath: HistoryFixtures.scratchRoot) }
        return String(cString: made)
    }()

    /// A scratch database path in its own directory under `scratchRoot` (the file itself does
    /// not exist yet; the directory goes when the test process exits).
    static func databasePath(_ name: String = "history") throws -> String {
        let directory = URL(fileURLWithPath: scratchRoot).appendingPathComponent("vsockbench-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("\(name).sqlite").path
    }

    static func latency(p99: Double) -> LatencySummary {
        let json = "{\"p50\": \(p99 / 3), \"p90\": \(p99 / 2), \"p99\": \(p99), \"p999\": \(p99 * 2), \"max\": \(p99 * 10), \"mean\": \(p99 / 3)}"
        return try! JSONDecoder().decode(LatencySummary.self, from: Data(json.utf8))
    }

    /// One trial's figures: rr with msgs/s and p99, or a stream with Mbps.
    static func figures(workload: WorkloadKind, rate: Double, p99: Double) -> CaseFigures {
        var f = CaseFigures()
        f.durationSeconds = 1
        f.messages = UInt64(rate)
        f.msgsPerSecond = rate
        if workload == .rr {
            f.mbpsTotal = rate * 8192 * 2 * 8 / 1e6
            f.mbpsTx = f.mbpsTotal / 2
            f.mbpsRx = f.mbpsTotal / 2
            f.latencyMicros = latency(p99: p99)
            f.readsPerMessage = 1
        } else {
            f.mbpsTotal = rate * 65536 * 8 / 1e6
            f.mbpsTx = f.mbpsTotal
            f.readsPerMessage = 0
        }
        f.writesPerMessage = 1
        f.wireBytesPerMessage = workload == .rr ? 16448 : 65536
        f.cpu = CPUSummary(driverUserSeconds: 0.1, driverSystemSeconds: 0.4, driverMicrosPerMessage: 9.5, targetMicrosPerMessage: 8.25)
        f.spread = ConnectionSpread(connections: 1, minMsgsPerSecond: rate, maxMsgsPerSecond: rate, cv: 0)
        f.verified = true
        return f
    }

    /// A case whose trials run at `rates` (p99 in proportion to 1/rate): the case's figures are
    /// the trials' medians and its interval [min, max], as `run --repeat 3` gives them.
    static func makeCase(_ name: String, workload: WorkloadKind, rates: [Double], p99: Double = 120) -> CaseResult {
        let spec = CaseSpec(name: name, workload: workload == .rr
            ? .rr(RequestResponseWorkload(requestSize: 8192, responseSize: 8192)) : .stream(StreamWorkload(writeSize: 65536)))
        let sortedRates = rates.sorted()
        let median = sortedRates[(sortedRates.count - 1) / 2]
        var result = CaseResult(name: name, workload: workload, transport: "unix", spec: spec,
                                figures: figures(workload: workload, rate: median, p99: p99), verification: "test", targetHost: targetHost)
        result.trials = rates.map { figures(workload: workload, rate: $0, p99: p99 * median / $0) }
        if rates.count > 1, let low = sortedRates.first, let high = sortedRates.last {
            let (lowest, highest) = (figures(workload: workload, rate: low, p99: p99), figures(workload: workload, rate: high, p99: p99))
            var ci: [String: [Double]] = ["msgs_per_s": [low, high]]
            // Every Mbps figure the case moves has its interval, as `run` gives them.
            for key in [Figure.mbpsTx, .mbpsRx, .mbpsTotal] where key.value(in: lowest) != 0 {
                ci[key.rawValue] = [key.value(in: lowest) ?? 0, key.value(in: highest) ?? 0]
            }
            if workload == .rr { ci["latency_us.p99"] = [p99 * median / high, p99 * median / low] }
            result.ci = ci
            result.ciCoverage = 0.75
        }
        return result
    }

    /// A run of `scenario` started `index` hours after 2026-01-01T00:00Z, its chatty case at
    /// about `rate` msgs/s (three trials within ±1%) and its bulk case flat.
    static func run(_ index: Int, rate: Double, scenario: String = "cliff", pid: Int32 = 4242, host: String = "parent",
                    cases: [String] = ["bulk", "chatty-8k"], p99: Double = 120) -> RunDocument {
        var built: [CaseResult] = []
        for name in cases {
            if name == "bulk" {
                built.append(makeCase(name, workload: .stream, rates: [18000, 18100, 17900]))
            } else {
                built.append(makeCase(name, workload: .rr, rates: [rate * 0.99, rate, rate * 1.01], p99: p99 * 20000 / rate))
            }
        }
        let driver = HostFacts(tool: "vsockbench 0.1.0", kernel: "6.1.0-test", hostname: host, pid: pid, cpus: 2)
        var document = RunDocument(
            scenario: Scenario(name: scenario, cases: built.map(\.spec), path: "scenarios/\(scenario).yaml"),
            target: "unix:///tmp/t.sock", transport: "unix", driver: driver, targetHost: targetHost, cases: built,
            startedAt: startedAt(index))
        document.statistics?.repeatCount = 3
        return document
    }

    static func startedAt(_ index: Int) -> String {
        let day = 1 + index / 24, hour = index % 24
        return "2026-01-\(day < 10 ? "0" : "")\(day)T\(hour < 10 ? "0" : "")\(hour):00:00Z"
    }

    /// Per-run rates around `level` with uniform noise of ±`noise`, seeded, and a step to
    /// `level * stepFactor` from run `stepAt` (1-based) on.
    static func rates(count: Int, level: Double, noise: Double, stepAt: Int? = nil, stepFactor: Double = 1, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (1...count).map { run in
            let base = (stepAt.map { run >= $0 } ?? false) ? level * stepFactor : level
            return base * (1 + Double.random(in: -noise...noise, using: &generator))
        }
    }

    /// A history at a new path holding one run per rate, added one at a time (runs 1, 2, ...).
    static func history(rates: [Double], scenario: String = "cliff") throws -> HistoryDatabase {
        let db = try HistoryDatabase.open(path: try databasePath(), creating: true)
        for (index, rate) in rates.enumerated() {
            _ = try db.add([ResultsFile(document: run(index, rate: rate, scenario: scenario))], commit: commit(index))
        }
        return db
    }

    /// A made-up commit id per run.
    static func commit(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return String(repeating: "0", count: 40 - hex.count) + hex
    }

    /// Writes `document` as a results file in a scratch directory.
    static func write(_ document: RunDocument, name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try Data(document.encoded()).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// The error `body` throws, or nil when it throws none.
func thrownHistoryError(_ body: () throws(HistoryError) -> Void) -> HistoryError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
