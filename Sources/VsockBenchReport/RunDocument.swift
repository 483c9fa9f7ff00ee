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
    /// How the figures were made: trials per case, their order's seed, the intervals' method.
    /// Absent in results from before trials.
    public var statistics: RunStatistics?
    public var cases: [CaseResult]
    /// The scenario's cases an interrupt came before (no trial of them ran), in the
    /// scenario's order: empty for a run that reached every case; nil in files from before
    /// the key. `check` fails such a case, as one not verified, rather than take the file for
    /// another scenario's.
    public var notRun: [String]?

    public struct HostSummary: Codable, Sendable, Equatable {
        public var driver: HostFacts
        public var target: HostFacts?
        /// `driver_kernel` and `target_kernel` at a glance (the vsock credit behaviour changed in 5.4).
        public var driverKernel: String
        public var targetKernel: String?
        public var cpus: Int
        /// How the driver was built: `debug` or `release` (`Build.current`). A debug build's
        /// timings are its unoptimised code's, not the tool's. Absent (nil) in older results.
        public var build: String?

        public init(driver: HostFacts, target: HostFacts?, driverKernel: String, targetKernel: String?, cpus: Int, build: String? = Build.current) {
            self.driver = driver
            self.target = target
            self.driverKernel = driverKernel
            self.targetKernel = targetKernel
            self.cpus = cpus
            self.build = build
        }

        enum CodingKeys: String, CodingKey {
            case driver, target, driverKernel = "driver_kernel", targetKernel = "target_kernel", cpus, build
        }

        /// Every key, null where unknown (a run that reached no target, a replay).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(driver, forKey: .driver)
            try c.encode(target, forKey: .target)
            try c.encode(driverKernel, forKey: .driverKernel)
            try c.encode(targetKernel, forKey: .targetKernel)
            try c.encode(cpus, forKey: .cpus)
            try c.encode(build, forKey: .build)
        }

        /// The NOTE of a run whose driver or target is a debug build (nil for release builds,
        /// or an older file or target that does not say). The target says its build in its
        /// hello ack: one started by hand in an enclave may be a debug build the driver is not.
        public var buildNote: String? {
            let targetDebug = target?.build == Build.debug
            if build == Build.debug {
                return "the driver is a debug build: its timings are the unoptimised code's, not the tool's (masked 8 KiB at tens of msgs/s where a release build makes thousands); build with `swift build -c release` and run .build/release/vsockbench"
                    + (targetDebug ? " (the target is a debug build too: serve it from the release build)" : "")
            }
            return targetDebug
                ? "the target is a debug build: its processing and CPU per message are the unoptimised code's, and so is every figure that waits for it (masked 8 KiB at tens of msgs/s where a release build makes thousands); serve it from a release build (`swift build -c release`, then .build/release/vsockbench serve)"
                : nil
        }
    }

    /// How this binary was built (`debug` or `release`).
    public typealias Build = BuildConfiguration

    enum CodingKeys: String, CodingKey {
        case schema, scenario, scenarioPath = "scenario_path", startedAt = "started_at", transport, target, host, statistics, cases, notRun = "not_run"
    }

    public init(scenario: Scenario, target: String, transport: String, driver: HostFacts, targetHost: HostFacts?, cases: [CaseResult], startedAt: String) {
        self.scenario = scenario.name
        self.scenarioPath = scenario.path
        self.startedAt = startedAt
        self.transport = transport
        self.target = target
        self.host = HostSummary(driver: driver, target: targetHost, driverKernel: driver.kernel, targetKernel: targetHost?.kernel, cpus: driver.cpus)
        self.cases = cases
        self.statistics = RunStatistics(TrialPlan())
        self.notRun = []
    }

    /// The document of a scenario's run: every case's trials summarised, in the scenario's
    /// order (a case interrupted before its first trial is left out).
    public init(_ run: ScenarioRun, driver: HostFacts = .current()) {
        self.init(scenario: run.scenario, target: run.target, transport: run.transport, driver: driver, targetHost: run.targetHost,
                  cases: run.trials.compactMap { CaseSummary.summarize(trials: $0, transport: run.transport) }, startedAt: run.startedAt)
        statistics = RunStatistics(run.plan)
        notRun = zip(run.scenario.cases, run.trials).filter { $0.1.isEmpty }.map(\.0.name)
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

/// How a run's figures were made, said once per results file.
public struct RunStatistics: Codable, Sendable, Equatable {
    /// Trials of every case (1: each figure is a single sample, without an interval).
    public var repeatCount: Int
    /// The seed of the shuffled case order of each round.
    public var seed: UInt64
    /// Quiet between trials, in milliseconds.
    public var settleMillis: Double
    /// The case's figures: the median of its trials, latency percentiles too (each the median
    /// of the trials' percentiles; the latency max the largest of the trials').
    public var figures: String
    public var ciMethod: String
    public var confidence: Double

    public init(_ plan: TrialPlan) {
        repeatCount = plan.repeatCount
        seed = plan.seed
        settleMillis = Double(plan.settleNanos) / 1e6
        figures = plan.repeatCount > 1
            ? "median of the trials (latency percentiles too: the median of the trials' percentiles; max: the largest)"
            : "a single sample per case (no interval: use --repeat N for medians with their intervals)"
        ciMethod = CaseSummary.intervalMethod
        confidence = CaseSummary.confidence
    }

    enum CodingKeys: String, CodingKey {
        case repeatCount = "repeat", seed, settleMillis = "settle_ms", figures, ciMethod = "ci_method", confidence
    }
}
