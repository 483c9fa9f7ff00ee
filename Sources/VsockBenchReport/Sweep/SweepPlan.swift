import VsockBenchSupport
import VsockBenchModel

/// The cases of a sweep: one per size, smallest first, as a scenario the runner runs like any other.
public struct SweepPlan: Sendable, Equatable {
    public var workload: SweepWorkload
    /// Distinct sizes in bytes, ascending.
    public var sizes: [Int]
    /// Every size's case, selected or not.
    public var scenario: Scenario
    /// The cases `--case` left out: reported as skipped, never run.
    public var unselected: Set<String> = []

    /// The sizes the issue names: small enough to show the fixed cost, large enough to show the bandwidth.
    public static let defaultSizes = "64B,512B,4KiB,8KiB,64KiB,256KiB"
    /// A masked fragment is 512 B to 4 MiB: its sweep starts at 512B (the example
    /// `sweep --workload masked` failed on 64B: review).
    public static let defaultMaskedSizes = "512B,4KiB,8KiB,64KiB,256KiB"

    /// The sizes a sweep of `workload` measures when none are given.
    public static func defaultSizes(for workload: SweepWorkload) -> String {
        workload == .masked ? defaultMaskedSizes : defaultSizes
    }

    public init(workload: SweepWorkload, sizes: [Int], stop: StopCondition, warmupNanos: UInt64) throws(SweepError) {
        guard !sizes.isEmpty else { throw .badSizes("no sizes given; for example --sizes \(Self.defaultSizes)") }
        let sorted = sizes.sorted()
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous == next {
            throw .badSizes("size \(Quantities.formatSize(next)) is given twice; each size is measured once")
        }
        if let bad = sorted.first(where: { $0 <= 0 }) {
            throw .badSizes("size \(bad) is \(bad < 0 ? "negative" : "zero"); \(Self.sizeRule)")
        }
        var cases: [CaseSpec] = []
        for size in sorted { cases.append(try workload.caseSpec(size: size, stop: stop, warmupNanos: warmupNanos)) }
        self.workload = workload
        self.sizes = sorted
        let list = sorted.map(Quantities.formatSize).joined(separator: ",")
        self.scenario = Scenario(
            name: "sweep-\(workload.rawValue)", description: "latency-bandwidth sweep of \(workload.rawValue) over \(list)",
            cases: cases, path: "sweep --workload \(workload.rawValue) --sizes \(list)")
    }

    /// The plan with only the cases `names` select (every case when `names` is empty); the
    /// others are reported as skipped. Refused when fewer than 2 sizes are left: the fit
    /// needs two, and measuring one first would only waste its time.
    public func selecting(_ names: [String]) throws(SweepError) -> SweepPlan {
        guard !names.isEmpty else { return self }
        let chosen: Scenario
        do throws(ScenarioError) { chosen = try scenario.selecting(names) } catch { throw .badSelection(error.description) }
        guard chosen.cases.count >= 2 else {
            throw .badSelection("--case leaves \(chosen.cases.count) size to measure (\(chosen.cases.map(\.name).joined(separator: ", "))); the latency-bandwidth fit needs at least 2: select another of \(scenario.cases.map(\.name).joined(separator: ", "))")
        }
        var copy = self
        copy.unselected = Set(scenario.cases.map(\.name)).subtracting(chosen.cases.map(\.name))
        return copy
    }

    /// The cases to run: every one `--case` selected.
    public var selectedScenario: Scenario {
        var selected = scenario
        selected.cases.removeAll { unselected.contains($0.name) }
        return selected
    }

    /// The rule a message size follows, said the same way whichever size breaks it.
    static let sizeRule = "a message size is 1 byte or more: 512B, 8KiB, 1MiB"

    /// Sizes from a comma-separated list such as `64B,512B,4KiB,8KiB,64KiB,256KiB`.
    public static func parseSizes(_ text: String) throws(SweepError) -> [Int] {
        var sizes: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let size = String(item)
            switch Quantities.parseSize(size) {
            case let .success(bytes) where bytes > 0: sizes.append(bytes)
            case .success: throw .badSizes("--sizes: '\(size)' is zero; \(sizeRule)")
            case let .failure(error):
                // A negative size breaks the rule zero breaks: not "0 or more" here, "not positive" there.
                let trimmed = size.trimmingSpaces
                if trimmed.hasPrefix("-"), case .success = Quantities.parseSize(String(trimmed.dropFirst())) {
                    throw .badSizes("--sizes: '\(size)' is negative; \(sizeRule)")
                }
                throw .badSizes("--sizes: \(error.description)")
            }
        }
        return sizes
    }

    /// Refuses, before anything runs, a case the target would refuse: the limits every target
    /// enforces, and `maxFrame` when the target's frame limit is known (the local target's).
    public static func checkLimits(_ cases: [CaseSpec], maxFrame: Int?) throws(SweepError) {
        for spec in cases {
            let everywhere = spec.limitProblems()
            let problems = maxFrame.map { spec.limitProblems(maxFrame: $0) } ?? everywhere
            guard !problems.isEmpty else { continue }
            // Over the local target's frame limit only: another target may take it.
            let elsewhere = everywhere.isEmpty
                ? "; for larger frames start `vsockbench serve --max-frame SIZE` (up to 64MiB) and give it with --target" : ""
            throw .badSizes("\(spec.name) is more than the target takes: \(problems.joined(separator: "; "))\(elsewhere)")
        }
    }

    /// ``checkLimits(_:maxFrame:)`` for the cases `--case` selected.
    public func checkLimits(maxFrame: Int?) throws(SweepError) {
        try Self.checkLimits(selectedScenario.cases, maxFrame: maxFrame)
    }
}
