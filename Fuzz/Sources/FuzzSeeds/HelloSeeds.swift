import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// Seeds of HelloDecode: the hello payload of every case of the repository's scenarios (as
/// data and control connections), every batching strategy and size distribution, and a few
/// the target must refuse.
enum HelloSeeds {
    static let facts = HostFacts(tool: HostFacts.toolVersion, kernel: "6.1.0-seed", hostname: "seed", pid: 4242, cpus: 2)

    static func payload(_ hello: CaseHello) -> [UInt8] {
        Array(ControlCodec.frame(.hello, hello).dropFirst(FrameHeader.size))
    }

    static func write(to writer: SeedWriter, scenarios: String) throws {
        for file in try SeedWriter.files(in: scenarios, suffix: ".yaml") {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: "\(scenarios)/\(file)") } catch {
                throw SeedWriter.Failure(description: "\(file): \(error)")
            }
            for (index, spec) in scenario.cases.enumerated() {
                let role: ConnectionRole = index == 0 ? .control : .data
                let hello = CaseHello(role: role, session: UInt64(index) << 40 | 0x5EED, connection: index % 2, spec: WireCase(spec), driver: facts)
                try writer.write("HelloDecode", "\(file.dropLast(5))-\(spec.name)", payload(hello))
            }
        }
        let strategies: [(String, BatchingStrategy)] = [
            ("writev", .writev(maxMessages: 1024)), ("writer-thread", .writerThread(queueDepth: 4096, maxBytes: 64 << 20)),
            ("normalize", .normalize(size: 64)), ("coalesce", .coalesce(maxMessages: 4096, maxBytes: 1, lingerNanos: 1_000_000_000)),
        ]
        for (name, strategy) in strategies {
            var spec = CaseSpec(name: "strategy-\(name)", workload: .rr(RequestResponseWorkload(requestSize: 0, responseSize: 4 << 20, exchange: Exchange(inflight: 4096, strategy: strategy, targetCostNanos: 1_000_000_000, writeChunk: 1, splitWrites: true))))
            spec.socket = SocketOptions(sendBuffer: 1 << 30, receiveBuffer: 1, vsockBufferSize: 1 << 30, vsockBufferMin: 1, vsockBufferMax: 1 << 30, noDelay: false)
            spec.connections = 1024
            try writer.write("HelloDecode", "strategy-\(name)", payload(CaseHello(role: .data, session: .max, connection: 1023, spec: WireCase(spec), driver: facts)))
        }
        let sizes: [(String, SizeSpec)] = [("fixed-4m", .fixed(4 << 20)), ("uniform", .uniform(min: 512, max: 512)), ("lognormal-3", .lognormal(median: 512, sigma: 3))]
        for (name, size) in sizes {
            let spec = CaseSpec(name: "sizes-\(name)", workload: .masked(MaskedWorkload(requestSizes: size, exchange: Exchange(inflight: 1, strategy: .window(4096)))))
            try writer.write("HelloDecode", "sizes-\(name)", payload(CaseHello(role: .data, session: 1, connection: 0, spec: WireCase(spec), driver: facts)))
        }
        let stream = CaseSpec(name: "stream-both", workload: .stream(StreamWorkload(writeSize: 64 << 20, direction: .both, verify: .full)))
        try writer.write("HelloDecode", "stream-64m", payload(CaseHello(role: .data, session: 2, connection: 0, spec: WireCase(stream), driver: facts)))
        // Refused: past the bounds, or without the workload's section.
        var tooMany = stream
        tooMany.connections = 1025
        try writer.write("HelloDecode", "refused-connections", payload(CaseHello(role: .control, session: 3, connection: 0, spec: WireCase(tooMany), driver: facts)))
        try writer.write("HelloDecode", "refused-missing-section", Array(#"{"role":"data","session":1,"connection":0,"driver":{"tool":"t","kernel":"k","hostname":"h","pid":1,"cpus":1},"spec":{"name":"x","workload":"rr","connections":1,"seed":1,"socket":{}}}"#.utf8))
        // A replay case has no wire form: a hello naming one describes no case.
        try writer.write("HelloDecode", "refused-replay", Array(#"{"role":"data","session":1,"connection":0,"driver":{"tool":"t","kernel":"k","hostname":"h","pid":1,"cpus":1},"spec":{"name":"x","workload":"replay","connections":1,"seed":1,"socket":{},"exchange":{"inflight":1}}}"#.utf8))
        try writer.write("HelloDecode", "refused-not-json", Array("{\"role\": \"data\", ".utf8))
        // A target_cost of centuries, alone or times a deep window: formatting it in the
        // refusal overflowed and crashed the target (found by hand, not by the fuzzer).
        for (name, inflight, cost) in [("refused-target-cost-centuries", 1, UInt64(Int64.max)), ("refused-queued-cost-days", 4096, UInt64(450_359_962_737_050))] {
            let spec = CaseSpec(name: "spin", workload: .rr(RequestResponseWorkload(requestSize: 32, responseSize: 32, exchange: Exchange(inflight: inflight, targetCostNanos: cost))))
            try writer.write("HelloDecode", name, payload(CaseHello(role: .control, session: 7, connection: 0, spec: WireCase(spec), driver: facts)))
        }
    }
}
