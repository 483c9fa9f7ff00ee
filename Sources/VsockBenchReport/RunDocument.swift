import FoundationEssentials
import VsockBenchSupport
import VsockTransport
import VsockBenchModel
import VsockBenchEngine

/// The JSON document `run --json` writes (and `compare`, `diagnose` extend):
/// `schema: "vsockbench/1"`, host facts of both sides, the transport, and the cases.
public struct RunDocument: Codable, Sendable, Equatable {
    public static let schemaName = "vsockbench/1"

    public var schema: String = RunDocument.schemaName
    public var scenario: String
    public var scenarioPath: String
    public var startedAt: String
    public var transport: String
    public var target: String
    public var host: HostSummary
    public var cases: [CaseResult]

    public struct HostSummary: Codable, Sendable, Equatable {
        public var driver: HostFacts
        public var target: HostFacts?
        /// `driver_kernel` and `target_kernel` at a glance (the vsock credit behaviour changed in 5.4).
        public var driverKernel: String
        public var targetKernel: String?
        public var cpus: Int

        enum CodingKeys: String, CodingKey {
            case driver, target, driverKernel = "driver_kernel", targetKernel = "target_kernel", cpus
        }
    }

    enum CodingKeys: String, CodingKey {
        case schema, scenario, scenarioPath = "scenario_path", startedAt = "started_at", transport, target, host, cases
    }

    public init(scenario: Scenario, target: String, transport: String, driver: HostFacts, targetHost: HostFacts?, cases: [CaseResult], startedAt: String) {
        self.scenario = scenario.name
        self.scenarioPath = scenario.path
        self.startedAt = startedAt
        self.transport = transport
        self.target = target
        self.host = HostSummary(driver: driver, target: targetHost, driverKernel: driver.kernel, targetKernel: targetHost?.kernel, cpus: driver.cpus)
        self.cases = cases
    }

    /// The document of a scenario's run: every outcome summarised, in order.
    public init(_ run: ScenarioRun, driver: HostFacts = .current()) {
        self.init(scenario: run.scenario, target: run.target, transport: run.transport, driver: driver, targetHost: run.targetHost,
                  cases: run.outcomes.map { CaseSummary.summarize($0, transport: run.transport) }, startedAt: run.startedAt)
    }

    /// Pretty, key-sorted JSON: stable for diffs and for `check`.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [10]
    }

    public static func decode(_ bytes: [UInt8]) throws -> RunDocument {
        try JSONDecoder().decode(RunDocument.self, from: Data(bytes))
    }

    /// True when every case ran clean.
    public var allVerified: Bool { cases.allSatisfy { $0.verified || $0.skipped != nil } }
}
