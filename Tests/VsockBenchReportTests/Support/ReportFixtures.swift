import VsockBenchStats
import Foundation
import VsockProbe

@testable import VsockBenchSupport
@testable import VsockBenchModel
@testable import VsockBenchReport

/// Run documents built in code, with known figures, for the check, sweep and report tests.
enum ReportFixtures {
    /// `documents` as another run's: the fixtures are one run (one start time, host and pid),
    /// and check leaves a results run out of its own baseline. The driver's pid moves, so
    /// documents that were one run stay one, and distinct ones stay distinct.
    static func asBaseline(_ documents: [RunDocument]) -> [RunDocument] {
        documents.map { document in
            var earlier = document
            earlier.host.driver.pid += 1_000_000
            return earlier
        }
    }

    static let driverHost = HostFacts(tool: "vsockbench 0.1.0", kernel: "6.1.0-test", hostname: "parent", pid: 100, cpus: 2)
    static let targetHost = HostFacts(tool: "vsockbench 0.1.0", kernel: "4.14.256-enclave", hostname: "enclave", pid: 7, cpus: 2)

    static func latency(p50: Double, p90: Double, p99: Double, p999: Double, max: Double) -> LatencySummary {
        let json = "{\"p50\": \(p50), \"p90\": \(p90), \"p99\": \(p99), \"p999\": \(p999), \"max\": \(max), \"mean\": \(p50)}"
        // The fixture's own JSON: a failure here is a bug in the test.
        return try! JSONDecoder().decode(LatencySummary.self, from: Data(json.utf8))
    }

    /// A verified case; rr cases get latencies, stream cases none.
    static func makeCase(
        _ name: String, workload: WorkloadKind = .rr, size: Int = 8192, mbps: Double, msgsPerSecond: Double,
        p99: Double = 120, durationSeconds: Double = 2, messages: UInt64? = nil
    ) -> CaseResult {
        let spec = CaseSpec(name: name, workload: workload == .rr
            ? .rr(RequestResponseWorkload(requestSize: size, responseSize: size)) : .stream(StreamWorkload(writeSize: size)))
        let count = messages ?? UInt64(msgsPerSecond * durationSeconds)
        var f = CaseFigures()
        f.messages = count
        f.bytesTx = 1
        f.bytesRx = 1
        f.durationSeconds = durationSeconds
        f.mbpsTx = workload == .rr ? mbps / 2 : mbps
        f.mbpsRx = workload == .rr ? mbps / 2 : 0
        f.mbpsTotal = mbps
        f.msgsPerSecond = msgsPerSecond
        f.latencyMicros = workload == .rr ? latency(p50: p99 / 3, p90: p99 / 2, p99: p99, p999: p99 * 2, max: p99 * 10) : nil
        f.writesPerMessage = 1
        f.readsPerMessage = workload == .rr ? 1 : 0
        f.targetWritesPerMessage = workload == .rr ? 1 : 0
        f.targetReadsPerMessage = 1.1
        f.targetProcessingShare = 0.02
        f.cpu = CPUSummary(driverUserSeconds: 0.1, driverSystemSeconds: 0.4, driverMicrosPerMessage: 9.5, targetMicrosPerMessage: 8.25)
        f.spread = ConnectionSpread(connections: 1, minMsgsPerSecond: msgsPerSecond, maxMsgsPerSecond: msgsPerSecond, cv: 0)
        f.verified = true
        return CaseResult(name: name, workload: workload, transport: "unix", spec: spec, figures: f, verification: "test", targetHost: targetHost)
    }

    static func probe(exits: Double, packets: Double = 4, credits: Double = 1.5, source: String = "kvm_exit") -> ProbeCaseReport {
        ProbeCaseReport(
            counters: ProbeCounters(kvmRun: 10),
            perMessage: ProbePerMessage(syscalls: 4.2, kvmRun: exits, exits: exits, vsockPackets: packets, creditUpdates: credits, notifications: 2.5, exitsSource: source))
    }

    /// A release build's run (as a results file compared by check is meant to be), whatever
    /// the build of the tests: a document made here says the test binary's build.
    static func document(_ cases: [CaseResult], scenario: String = "cliff") -> RunDocument {
        var document = RunDocument(
            scenario: Scenario(name: scenario, cases: cases.map(\.spec), path: "scenarios/\(scenario).yaml"),
            target: "unix:///tmp/t.sock", transport: "unix", driver: driverHost, targetHost: targetHost, cases: cases,
            startedAt: "2026-01-02T03:04:05Z")
        document.host.build = "release"
        return document
    }

    /// `c` as several trials whose throughput scales with `rates` (msgs/s; Mbps in
    /// proportion), its figures the medians, as `run --repeat` writes them.
    static func withTrials(_ c: CaseResult, rates: [Double]) -> CaseResult {
        var result = c
        result.trials = rates.map { rate in
            var t = c.figures
            let scale = c.msgsPerSecond > 0 ? rate / c.msgsPerSecond : 1
            t.msgsPerSecond = rate
            t.mbpsTx *= scale
            t.mbpsRx *= scale
            t.mbpsTotal *= scale
            return t
        }
        // The medians as `CaseFigures.median(of:)` takes them (an even count: the mean of the
        // middle two), so that check finds the figures agree with the trials.
        func median(_ path: KeyPath<CaseFigures, Double>) -> Double { Descriptive.median(result.trials.map { $0[keyPath: path] }) ?? 0 }
        result.figures.msgsPerSecond = median(\.msgsPerSecond)
        result.figures.mbpsTx = median(\.mbpsTx)
        result.figures.mbpsRx = median(\.mbpsRx)
        result.figures.mbpsTotal = median(\.mbpsTotal)
        return result
    }

    /// The cliff: a bulk stream ceiling and a chatty rr case.
    static func cliff(bulkMbps: Double = 9500, chattyMbps: Double = 22, chattyRate: Double = 336, p99: Double = 220) -> RunDocument {
        document([
            makeCase("bulk", workload: .stream, size: 65536, mbps: bulkMbps, msgsPerSecond: bulkMbps * 1e6 / 8 / 65536),
            makeCase("chatty-8k", mbps: chattyMbps, msgsPerSecond: chattyRate, p99: p99),
        ])
    }

    /// Everything the report can show: a ceiling, probe figures, verdicts (one case diagnosed
    /// with none), a failed case whose name and errors are hostile markup.
    static func everything() -> RunDocument {
        var bulk = makeCase("bulk", workload: .stream, size: 65536, mbps: 9512, msgsPerSecond: 18143)
        bulk.probe = probe(exits: 0.8, packets: 17, credits: 0.2)
        bulk.diagnosis = []
        var chatty = makeCase("chatty-8k", mbps: 22.1, msgsPerSecond: 336, p99: 2900)
        chatty.probe = probe(exits: 14, packets: 9, credits: 4)
        chatty.diagnosis = [
            Diagnosis(id: .roundTripBound, confidence: 0.9,
                      evidence: ["one request in flight; 2976 us per exchange", "throughput 22.1 Mbps = 16 KiB / 2976 us"],
                      advice: "pipeline: 8 requests in flight", predictedGain: "about 7.5x (22 -> 165 Mbps)"),
            Diagnosis(id: .notificationBound, confidence: 0.4, evidence: ["14 exits per message (kvm_exit)"],
                      advice: "coalesce to at least 61.9KiB per write, predicted 4400 Mbps", predictedGain: nil),
        ]
        let fragmented = makeCase("fragmented-512", mbps: 61, msgsPerSecond: 930, p99: 900)
        var broken = makeCase("<script>alert(\"x\")</script> & co", mbps: 3, msgsPerSecond: 40, p99: 5000)
        broken.verified = false
        broken.errors = ["response 17: 8 bytes differ at offset 4096 <b>bold</b> & 'quoted'"]
        return document([bulk, chatty, fragmented, broken])
    }

    /// A sweep section over rr with t = 20 us + n / (1 GB/s), exactly.
    static func sweep() -> SweepReport {
        let model = LatencyBandwidthFit(alphaSeconds: 20e-6, betaBytesPerSecond: 1e9)
        let sizes = [64, 512, 4096, 8192, 65536, 262144]
        let points = sizes.map { size in
            let t = model.seconds(bytes: Double(size))
            return SweepReport.Point(size: size, caseName: "rr-\(Quantities.formatSize(size))", tMicros: t * 1e6, mbps: 2 * Double(size) * 8 / t / 1e6, residualMicros: nil, verified: true)
        }
        let measured = points.map { LatencyBandwidthFit.Point(bytes: Double($0.size), seconds: ($0.tMicros ?? 0) / 1e6) }
        return SweepReport(points: points, measured: measured, workload: .rr, batchMessageBytes: 8192)
    }
}
