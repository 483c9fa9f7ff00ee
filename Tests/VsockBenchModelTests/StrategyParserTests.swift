import Testing
@testable import VsockBenchModel

@Suite struct StrategyParserTests {
    static func parse(_ caseLine: String, defaults: String = "{warmup: 0s}") throws -> CaseSpec {
        try ScenarioLoader.parse("name: s\ndefaults: \(defaults)\ncases:\n  - \(caseLine)\n", file: "s.yaml").cases[0]
    }

    @Test func parsesEveryStrategyAndImpliesTheWindow() throws {
        #expect(try Self.parse("{name: a, workload: rr}").strategy == BatchingStrategy.none)
        #expect(try Self.parse("{name: a, workload: rr}").inflight == 1)
        let window = try Self.parse("{name: a, workload: masked, strategy: {window: 8}}")
        #expect(window.strategy == .window(8) && window.inflight == 8)
        let coalesce = try Self.parse("{name: a, workload: masked, strategy: {coalesce: {max_messages: 10, max_bytes: 256KiB, linger: 200us}}}")
        #expect(coalesce.strategy == .coalesce(maxMessages: 10, maxBytes: 262_144, lingerNanos: 200_000))
        #expect(coalesce.inflight == 10)
        #expect(try Self.parse("{name: a, workload: rr, strategy: {writev: {max_messages: 4}}}").strategy == .writev(maxMessages: 4))
        let writer = try Self.parse("{name: a, workload: rr, strategy: {writer_thread: {queue_depth: 32, max_bytes: 64KiB}}}")
        #expect(writer.strategy == .writerThread(queueDepth: 32, maxBytes: 65536) && writer.inflight == 32)
        let normalize = try Self.parse("{name: a, workload: rr, strategy: {normalize: {size: 8KiB}}}")
        #expect(normalize.strategy == .normalize(size: 8192) && normalize.inflight == 1)
        #expect(try Self.parse("{name: a, workload: rr, inflight: 3, strategy: {writev: {max_messages: 4}}}").inflight == 3)
    }

    @Test func parsesSizeDistributionsForMaskedCases() throws {
        #expect(try Self.parse("{name: a, workload: masked, request_size: 8KiB}").requestSizes == .fixed(8192))
        #expect(try Self.parse("{name: a, workload: masked, request_size: {dist: uniform, min: 2KiB, max: 32KiB}}").requestSizes == .uniform(min: 2048, max: 32768))
        let ln = try Self.parse("{name: a, workload: masked, request_size: {dist: lognormal, median: 8KiB, sigma: 0.7}}")
        #expect(ln.requestSizes == .lognormal(median: 8192, sigma: 0.7))
        #expect(ln.requestSize == 8192)
    }

    @Test(arguments: [
        ("{name: a, workload: rr, strategy: fast}", "unknown strategy 'fast'"),
        ("{name: a, workload: rr, strategy: {batch: 3}}", "unknown strategy 'batch'"),
        ("{name: a, workload: rr, strategy: {window: 0}}", "window 0 is out of range"),
        ("{name: a, workload: rr, strategy: {coalesce: {max_msgs: 3}}}", "unknown coalesce parameter 'max_msgs'"),
        ("{name: a, workload: rr, strategy: {coalesce: {linger: 5s}}}", "linger must be at most 1s"),
        ("{name: a, workload: rr, strategy: {normalize: {}}}", "normalize needs size"),
        ("{name: a, workload: rr, strategy: {window: 4}, inflight: 2}", "contradicts strategy"),
        ("{name: a, workload: stream, strategy: none}", "'strategy' applies to masked/replay/rr cases"),
        ("{name: a, workload: masked, response_size: 1KiB}", "'response_size' applies to rr cases"),
        ("{name: a, workload: masked, request_size: {dist: gauss}}", "unknown distribution 'gauss'"),
        ("{name: a, workload: masked, request_size: {dist: uniform, min: 9KiB, max: 1KiB}}", "larger than max"),
        ("{name: a, workload: masked, request_size: {dist: lognormal, median: 8KiB, sigma: -1}}", "sigma must be a number"),
        ("{name: a, workload: masked, request_size: 100B}", "out of range"),
    ])
    func rejectsBadStrategiesWithTheirLine(caseLine: String, message: String) {
        do {
            _ = try Self.parse(caseLine)
            Issue.record("accepted \(caseLine)")
        } catch {
            #expect("\(error)".contains("s.yaml:4: "), "\(error)")
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test(arguments: ["batching", "masked-variable"])
    func shippedScenariosParse(name: String) throws {
        let scenario = try ScenarioLoader.load(path: packageRoot() + "/scenarios/\(name).yaml")
        #expect(scenario.cases.count >= 4)
    }
}
