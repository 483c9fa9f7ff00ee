@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockBenchModel
@testable import VsockBenchEngine
@testable import VsockBenchReport

/// Cases with every figure a prediction reads (CPU per message on both sides, the target's
/// processing, host facts), for the prediction, stability and verification tests.
enum DiagnosisFixtures {
    /// Driver and target on one 2-CPU machine, as a local run has them.
    static let machine = HostFacts(tool: "vsockbench 0.1.0", kernel: "6.1.0-test", hostname: "vm", pid: 1, cpus: 2)
    /// A target on another machine (an enclave).
    static let enclave = HostFacts(tool: "vsockbench 0.1.0", kernel: "4.14.256-enclave", hostname: "enclave", pid: 7, cpus: 4)

    /// A verified request/response case measured over 2 s: `msgs` messages/s in all, each
    /// costing `driverCPU` and `targetCPU` µs of CPU (1 µs of it user-space work per side) and
    /// `processing` µs of the target's processing.
    static func rr(_ name: String, msgs: Double, driverCPU: Double = 15, targetCPU: Double = 15, processing: Double = 1,
                   size: Int = 8192, transport: String = "unix", targetHost: HostFacts = machine,
                   tweak: (inout CaseSpec) -> Void = { _ in }) -> CaseResult {
        var spec = CaseSpec(name: name, workload: .rr(RequestResponseWorkload(requestSize: size, responseSize: size)))
        tweak(&spec)
        let seconds = 2.0
        let messages = UInt64(msgs * seconds)
        var f = CaseFigures()
        f.messages = messages
        f.bytesTx = messages * UInt64(size)
        f.bytesRx = f.bytesTx
        f.durationSeconds = seconds
        f.msgsPerSecond = msgs
        f.mbpsTx = msgs * Double(size) * 8 / 1e6
        f.mbpsRx = f.mbpsTx
        f.mbpsTotal = 2 * f.mbpsTx
        let perMessage = Double(spec.connections) / msgs * 1e6
        f.latencyMicros = LatencySummary(p50: perMessage * 0.95, p90: perMessage, p99: perMessage * 1.5, p999: perMessage * 2, max: perMessage * 3, mean: perMessage)
        f.writesPerMessage = 1
        f.readsPerMessage = 1
        f.targetWritesPerMessage = 1
        f.targetReadsPerMessage = 1
        let n = Double(messages)
        f.cpu = CPUSummary(driverUserSeconds: 1e-6 * n, driverSystemSeconds: (driverCPU - 1) * 1e-6 * n,
                           targetUserSeconds: 1e-6 * n, targetSystemSeconds: (targetCPU - 1) * 1e-6 * n,
                           driverMicrosPerMessage: driverCPU, targetMicrosPerMessage: targetCPU)
        var stats = TargetStats()
        stats.messages = messages
        stats.processingSeconds = processing * 1e-6 * n
        stats.ioWaitSeconds = max(seconds * Double(spec.connections) - stats.processingSeconds, 0.001)
        stats.cpuUserSeconds = 1e-6 * n
        stats.cpuSystemSeconds = (targetCPU - 1) * 1e-6 * n
        f.targetProcessingShare = stats.processingShare
        f.spread = ConnectionSpread(connections: spec.connections, minMsgsPerSecond: msgs, maxMsgsPerSecond: msgs, cv: 0)
        f.verified = true
        let buffers = EffectiveSocketOptions(sndbuf: 212_992, rcvbuf: 212_992)
        return CaseResult(name: name, workload: .rr, transport: transport, spec: spec, figures: f, verification: "test",
                          socket: SocketSummary(driver: buffers, target: buffers), target: stats, targetHost: targetHost)
    }

    /// A verified bulk stream at `mbps` one way.
    static func stream(_ name: String = "bulk", mbps: Double, writeSize: Int = 65536) -> CaseResult {
        let spec = CaseSpec(name: name, workload: .stream(StreamWorkload(writeSize: writeSize)))
        let msgs = mbps * 1e6 / 8 / Double(writeSize)
        var f = CaseFigures()
        f.messages = UInt64(msgs * 2)
        f.durationSeconds = 2
        f.msgsPerSecond = msgs
        f.mbpsTx = mbps
        f.mbpsTotal = mbps
        f.writesPerMessage = 1
        f.targetReadsPerMessage = 1.1
        f.cpu = CPUSummary(driverUserSeconds: 0.01, driverSystemSeconds: 0.9, targetUserSeconds: 0.05, targetSystemSeconds: 0.85,
                           driverMicrosPerMessage: 6.4, targetMicrosPerMessage: 6.4)
        f.verified = true
        var stats = TargetStats()
        stats.messages = f.messages
        stats.processingSeconds = 0.01
        stats.ioWaitSeconds = 1.99
        let buffers = EffectiveSocketOptions(sndbuf: 212_992, rcvbuf: 212_992)
        return CaseResult(name: name, workload: .stream, transport: "unix", spec: spec, figures: f, verification: "test",
                          socket: SocketSummary(driver: buffers, target: buffers), target: stats, targetHost: machine)
    }

    /// `trials` as the case's trials, their medians as its figures (what `--repeat` writes).
    static func withTrials(_ c: CaseResult, _ change: [(inout CaseFigures) -> Void]) -> CaseResult {
        var copy = c
        copy.trials = change.map { apply in
            var trial = c.figures
            apply(&trial)
            return trial
        }
        copy.ci = [Figure.msgsPerSecond.rawValue: [c.msgsPerSecond * 0.97, c.msgsPerSecond * 1.03]]
        return copy
    }

    static func document(_ cases: [CaseResult], driver: HostFacts = machine) -> RunDocument {
        RunDocument(scenario: Scenario(name: "causes", cases: cases.map(\.spec), path: "scenarios/causes.yaml"),
                    target: "unix:///tmp/t.sock", transport: "unix", driver: driver, targetHost: cases.first?.targetHost,
                    cases: cases, startedAt: "2026-01-02T03:04:05Z")
    }

    /// The verdict `id` of case `name` once the document is diagnosed.
    static func verdict(_ id: DiagnosisID, of name: String, in cases: [CaseResult], fit: LatencyBandwidthFit? = nil,
                        driver: HostFacts = machine) -> Diagnosis? {
        let diagnosed = Diagnoser.diagnose(document(cases, driver: driver), fit: fit, fitSource: fit == nil ? nil : "the sweep")
        return diagnosed.cases.first { $0.name == name }?.diagnosis?.first { $0.id == id }
    }

    /// causes.yaml's small-buffers: 4 KiB buffers asked, 8 KiB kept by the kernel, smaller
    /// than one 8 KiB frame, so each frame is read in two pieces on both sides.
    static func smallBuffers(_ name: String = "small-buffers", msgs: Double, driverCPU: Double = 15, targetCPU: Double = 15) -> CaseResult {
        var small = rr(name, msgs: msgs, driverCPU: driverCPU, targetCPU: targetCPU) { $0.socket.sendBuffer = 4096; $0.socket.receiveBuffer = 4096 }
        small.socket.driver?.sndbuf = 8192
        small.readsPerMessage = 2
        small.targetReadsPerMessage = 2
        return small
    }

    /// A fragmented copy of a case: 512-byte writes, 17 per frame on both sides.
    static func fragmented(_ c: CaseResult, name: String) -> CaseResult {
        var copy = c
        copy.name = name
        copy.spec.name = name
        copy.spec.updateExchange { $0.writeChunk = 512 }
        copy.writesPerMessage = 17
        copy.targetWritesPerMessage = 17
        return copy
    }
}
