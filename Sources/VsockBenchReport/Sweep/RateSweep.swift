import FoundationEssentials
import VsockBenchModel
import VsockBenchStats
import VsockBenchSupport

/// An open-loop sweep: one message size, one case per offered rate, lowest first. What it
/// answers: at this load, what is my p99, and where does latency turn up (the knee)?
public struct RateSweepPlan: Sendable, Equatable {
    public var workload: SweepWorkload
    public var size: Int
    /// Offered rates, requests per second over the case, ascending.
    public var rates: [Double]
    /// Every rate's case, selected or not.
    public var scenario: Scenario
    /// The cases `--case` left out: reported as skipped, never run.
    public var unselected: Set<String> = []

    public init(workload: SweepWorkload, size: Int, rates: [Double], stop: StopCondition, warmupNanos: UInt64) throws(SweepError) {
        guard workload != .stream else {
            throw .badSizes("--rates paces requests: use --workload rr or masked (a stream has no requests to pace)")
        }
        guard rates.count >= 2 else { throw .badSizes("--rates needs at least two rates to draw a curve; for example --rates 1000,2000,5000,10000/s") }
        let sorted = rates.sorted()
        // Compared as written in the case names: 1000.01 and 1000.04 would name one case twice.
        let written = sorted.map { ArrivalRate(perSecond: $0).summary }
        for (previous, next) in zip(written, written.dropFirst()) where previous == next {
            throw .badSizes("rate \(next) is given twice (rates are told apart to 0.1/s); each rate is measured once")
        }
        var cases: [CaseSpec] = []
        for rate in sorted {
            var spec = try workload.caseSpec(size: size, stop: stop, warmupNanos: warmupNanos)
            spec.name = "\(workload.rawValue)-\(Quantities.formatSize(size))@\(ArrivalRate(perSecond: rate).summary.dropLast(2))"
            spec.updateExchange {
                $0.rate = ArrivalRate(perSecond: rate)
                $0.inflight = Exchange.openLoopDefaultInflight
            }
            cases.append(spec)
        }
        self.workload = workload
        self.size = size
        self.rates = sorted
        let list = sorted.map { ArrivalRate(perSecond: $0).summary.dropLast(2) }.joined(separator: ",")
        scenario = Scenario(
            name: "rate-sweep-\(workload.rawValue)", description: "open-loop sweep of \(workload.rawValue) \(Quantities.formatSize(size)) over \(list)/s",
            cases: cases, path: "sweep --workload \(workload.rawValue) --sizes \(Quantities.formatSize(size)) --rates \(list)/s")
    }

    /// The plan with the rates whose cases `names` select to run (every one when `names` is
    /// empty); the others are reported as skipped, as a size sweep's are (they were left out
    /// without a word, where `--help` says skipped). A skipped rate is no point of the curve
    /// and no failure: the knee leaves it out and names it (left out, it had read FAILED and
    /// the knee blamed a rate never run: review). Refused when fewer than 2 are left.
    public func selecting(_ names: [String]) throws(SweepError) -> RateSweepPlan {
        guard !names.isEmpty else { return self }
        let chosen: Scenario
        do throws(ScenarioError) { chosen = try scenario.selecting(names) } catch { throw .badSelection(error.description) }
        guard chosen.cases.count >= 2 else {
            throw .badSelection("--case leaves \(chosen.cases.count) rate to measure (\(chosen.cases.map(\.name).joined(separator: ", "))); a rate sweep draws its curve through at least 2: select another of \(scenario.cases.map(\.name).joined(separator: ", ")), or run one case with `vsockbench run`")
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

    /// Rates from `1000,2000,5000,10000/s` (each may carry `/s`, `k` for thousands).
    public static func parseRates(_ text: String) throws(SweepError) -> [Double] {
        var rates: [Double] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let rate = ArrivalRate.parse(String(item)), rate <= 10_000_000, rate >= ArrivalRate.minimumPerSecond else {
                throw .badSizes("--rates: '\(item)' is not a rate; give requests per second from 0.01 to 10000000, such as 1000,2000,5000/s")
            }
            rates.append(rate)
        }
        return rates
    }
}

/// The `rate_sweep` section: latency against offered load, and the knee.
public struct RateSweepReport: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var offeredPerSecond: Double
        public var caseName: String
        /// Verified responses per second; 0 when the case failed; nil for a rate not measured
        /// (skipped: not selected, not run).
        public var achievedPerSecond: Double?
        /// From each request's intended send time, microseconds; nil when nothing was measured.
        public var p50Micros: Double?
        public var p99Micros: Double?
        public var p999Micros: Double?
        /// nil for a rate not measured, as `achieved_per_s`.
        public var lateSends: UInt64?
        /// nil for a rate not measured: neither kept up nor not.
        public var keptUp: Bool?
        public var verified: Bool
        /// Why it was not kept up: who fell behind.
        public var behind: String?
        /// Why the rate is no point of the curve: the sweep was interrupted before it
        /// (``SweepReport/notRun``) or during it (``RateSweepReport/cutShort``); nil for a rate
        /// that ran. Such a rate is not a failure, and is left out of the knee.
        public var skipped: String? = nil
        /// Under `--repeat`: the trials that kept up (`kept_up_trials`) of those that ran
        /// (`trials`). `kept_up` is true only when every trial kept up; nil in older documents.
        public var keptUpTrials: Int? = nil
        public var trials: Int? = nil
        /// Messages measured (under --repeat the median of the trials' counts): what the percentiles,
        /// p99 above all, rest on; nil for a rate not measured.
        public var messages: UInt64? = nil

        /// True when the rate was kept up (false for one not kept up or not measured).
        var keptUpAtRate: Bool { keptUp == true }

        enum CodingKeys: String, CodingKey {
            case offeredPerSecond = "offered_per_s", caseName = "case", achievedPerSecond = "achieved_per_s"
            case p50Micros = "p50_us", p99Micros = "p99_us", p999Micros = "p999_us", lateSends = "late_sends", keptUp = "kept_up", verified, behind, skipped
            case keptUpTrials = "kept_up_trials", trials, messages
        }

        /// The rate answered as the reports show it: nil (`-`) for a rate not measured, and for a
        /// failed one that answered nothing (the table read `-` where the page drew 0: review).
        var answeredText: Double? {
            guard skipped == nil || skipped == RateSweepReport.cutShort, let achieved = achievedPerSecond else { return nil }
            return verified || achieved > 0 ? achieved : nil
        }

        /// `yes`, `NO`, or with several trials that disagree `NO (1 of 2 kept up)`.
        var keptUpText: String {
            guard let kept = keptUpTrials, let trials, trials > 1, kept > 0, kept < trials else { return keptUpAtRate ? "yes" : "NO" }
            return "\(keptUpAtRate ? "yes" : "NO") (\(kept) of \(trials) kept up)"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(offeredPerSecond, forKey: .offeredPerSecond)
            try c.encode(caseName, forKey: .caseName)
            try c.encode(achievedPerSecond, forKey: .achievedPerSecond)
            try c.encode(p50Micros, forKey: .p50Micros)
            try c.encode(p99Micros, forKey: .p99Micros)
            try c.encode(p999Micros, forKey: .p999Micros)
            try c.encode(lateSends, forKey: .lateSends)
            try c.encode(keptUp, forKey: .keptUp)
            try c.encode(verified, forKey: .verified)
            try c.encode(behind, forKey: .behind)
            try c.encode(skipped, forKey: .skipped)
            try c.encode(keptUpTrials, forKey: .keptUpTrials)
            try c.encode(trials, forKey: .trials)
            try c.encode(messages, forKey: .messages)
        }
    }

    public var workload: String
    public var size: Int
    /// Ascending by offered rate.
    public var points: [Point]
    /// The highest offered rate before latency turned up or the target fell behind; nil when
    /// the lightest load already did, or the heaviest still did not (``kneeNote`` says which).
    public var kneePerSecond: Double?
    public var kneeNote: String
    /// The rule, as the report states it.
    public var kneeRule: String

    /// What `skipped` says of the rate an interrupt (SIGINT) stopped while it ran.
    public static let cutShort = "cut short: the sweep was interrupted during it"

    /// p99 may grow to this multiple of the lowest p99 before it (the lightest load's, unless a
    /// heavier rate read lower) before the curve has turned.
    public static let kneeFactor = 2.0

    enum CodingKeys: String, CodingKey {
        case workload, size, points, kneePerSecond = "knee_per_s", kneeNote = "knee_note", kneeRule = "knee_rule"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(size, forKey: .size)
        try c.encode(points, forKey: .points)
        try c.encode(kneePerSecond, forKey: .kneePerSecond)
        try c.encode(kneeNote, forKey: .kneeNote)
        try c.encode(kneeRule, forKey: .kneeRule)
    }

    public init(plan: RateSweepPlan, document: RunDocument) {
        workload = plan.workload.rawValue
        size = plan.size
        points = zip(plan.rates, plan.scenario.cases).map { rate, spec in
            let result = document.cases.first { $0.name == spec.name }
            let latency = result?.latencyMicros
            // A rate the interrupt stopped or never reached is no failure of the target: it read
            // FAILED, and the knee "at 2000/s the case failed" (review). The runner marks the case
            // it was running when interrupted (`interrupted`), not its error text.
            let skipped = plan.unselected.contains(spec.name) ? SweepReport.notSelected
                : result == nil ? SweepReport.notRun : result?.cutShort == true ? Self.cutShort : result?.skipped
            // Kept up only when every trial did: the case's own verdict is the median trial's
            // by msgs/s, which in open loop is about the offered rate in each, so it was one
            // trial picked more or less at random as far as lateness goes (review).
            let count = result?.keptUpCount
            var behind = result.flatMap { r in r.behindReport.flatMap { Self.behind($0, machine: Self.machineWords(r, cpus: document.host.cpus)) } }
            if let count, !count.all, count.of > 1, let reason = behind { behind = reason + " (\(count.text))" }
            // A rate not selected, never reached or skipped measured nothing: its answered/s, late
            // sends and kept-up are no zeros and no "false" (they read 0, 0, false: review). The
            // rate an interrupt cut short measured what it did until then.
            let measured = result.map { $0.skipped == nil || $0.cutShort } ?? false
            return Point(
                offeredPerSecond: rate, caseName: spec.name, achievedPerSecond: measured ? result?.msgsPerSecond ?? 0 : nil,
                p50Micros: latency?.p50, p99Micros: latency?.p99, p999Micros: latency?.p999,
                lateSends: measured ? result?.openLoop?.lateSends ?? 0 : nil, keptUp: measured ? count?.all ?? false : nil,
                verified: (result?.verified ?? false) && result?.messages ?? 0 > 0, behind: behind, skipped: skipped,
                keptUpTrials: count?.kept, trials: count?.of, messages: measured ? result?.messages : nil)
        }
        kneeRule = "the highest offered rate before the first that was not kept up (under \(Int(OpenLoopReport.achievedShare * 100))% of the requests its interval scheduled answered before the end, one answer after it forgiven per connection, or more than \(Int(OpenLoopReport.lateShare * 100))% of sends late or never sent) or whose p99 passed \(Format.compact(Self.kneeFactor))x the lowest p99 of the rates before it (the lightest load's, unless a heavier rate read lower)"
        (kneePerSecond, kneeNote) = Self.knee(points)
        // Each point's p99 is one trial's unless --repeat ran more: say so, as every single
        // sample is said, where the knee rests on a p99 crossing the line.
        // Of the rates the sweep measured: a rate cut short or never run is no point of the knee (review).
        let trialCounts = plan.scenario.cases.compactMap { spec in document.cases.first { $0.name == spec.name && $0.skipped == nil && !$0.cutShort }?.trialCount }
        let fewestTrials = trialCounts.min() ?? 1
        if fewestTrials < 2, points.count > 1 {
            kneeNote += "; each point is a single sample (one trial), so a p99 near \(Format.compact(Self.kneeFactor))x can fall either side from one sweep to the next: --repeat 5 gives medians with their intervals"
        } else if fewestTrials < Self.trialsFor95, points.count > 1 {
            // Two to five trials are medians, but their [min, max] covers less than 95% (50% for
            // 2): a knee on so few is hardly firmer than on one (it read as solid: review).
            let coverage = (try? OrderStatisticRanks(sampleSize: fewestTrials, confidence: 0.95))?.coverage
            kneeNote += "; each point is the median of \(trialCounts.max() == fewestTrials ? "" : "as few as ")\(fewestTrials) trials, whose [min, max] covers \(coverage.map { Format.fixed($0 * 100, 0) + "%" } ?? "less than 95%"), so a p99 near \(Format.compact(Self.kneeFactor))x can still fall either side from one sweep to the next: --repeat \(Self.trialsFor95) gives 95% intervals"
        }
    }

    /// The fewest trials whose order-statistics interval reaches 95% (6).
    static let trialsFor95: Int = (2...100).first { (try? OrderStatisticRanks(sampleSize: $0, confidence: 0.95))?.reachesConfidence == true } ?? 6

    /// Who fell behind, in a few words; nil when the schedule was kept. `machine`: what the
    /// machine beside the run was doing, for a driver that fell behind (`machineWords`).
    static func behind(_ report: OpenLoopReport, machine: String = unmeasuredMachine) -> String? {
        if report.keptUp { return nil }
        guard report.unsent == 0 else {
            return reason(report, machine: machine) + "; \(report.unsent) of \(report.scheduled) scheduled requests never sent (latency understated)"
        }
        return reason(report, machine: machine)
    }

    static let unmeasuredMachine = "a busy machine?"

    /// What the machine beside the case was doing, for a driver that fell behind its own
    /// schedule: other programs or steal where a trial had them (`CPUSummary.machineWasBusy`);
    /// where every trial measured a quiet machine, that it was quiet, and, where the machine's
    /// CPUs were full (within half a CPU of `cpus`), that the run filled them (a 2-CPU machine
    /// saturated by driver and target read "a busy machine?": review); a question where the
    /// machine was not measured (older files, short intervals).
    static func machineWords(_ c: CaseResult, cpus: Int) -> String {
        let busy = c.trials.filter(\.cpu.machineWasBusy)
        if !busy.isEmpty { return "the machine was busy: \(CPUSummary.busyText(busy))" }
        guard c.trials.allSatisfy({ $0.cpu.otherUserCPUs != nil && $0.cpu.machineStealShare != nil }) else { return unmeasuredMachine }
        let quiet = "other programs under \(Format.fixed(CPUSummary.busyOtherCPUs, 1)) CPU and under \(Format.fixed(CPUSummary.busyStealShare * 100, 0))% stolen"
        let full = c.trials.allSatisfy { ($0.cpu.machineBusyCPUs ?? 0) >= Double(cpus) - 0.5 }
        return full ? quiet + ": the run filled the machine's \(cpus) CPUs" : quiet
    }

    /// The first reason the case's verdict gives, in a few words: the same predicates.
    private static func reason(_ report: OpenLoopReport, machine: String) -> String {
        if report.lateWasDriver {
            return "the driver fell behind its own schedule: \(report.lateSends) of \(report.measuredSends) sends late, \(report.lateHeldByTarget ?? 0) of them held by the target (\(machine))"
        }
        if report.judgedShare < OpenLoopReport.achievedShare {
            return "the target fell behind: answered \(Format.compact(report.achievedPerSecond))/s"
        }
        if report.capReached {
            return "the queue reached its cap of \(report.inFlightCap) per connection"
        }
        // The sender timed what held its late requests back: mostly the target (a full socket).
        if let held = report.lateHeldByTarget, held * 2 >= report.lateSends {
            return "the target held the sender back: \(held) of \(report.lateSends) late sends waited mostly on a full socket or window"
        }
        return "the driver fell behind its own schedule: \(report.lateSends) of \(report.measuredSends) sends late with at most \(report.inFlightMax) in flight per connection (\(machine))"
    }

    /// The knee of the rates measured whole: the rates the interrupt cut short or never reached
    /// are left out, and the note names them. Not "from the first gap on": with --repeat the
    /// rounds run the rates shuffled, so a heavier rate can be whole where a lighter one was
    /// not reached (review).
    static func knee(_ points: [Point]) -> (Double?, String) {
        let measured = points.filter { $0.skipped == nil }
        guard measured.count < points.count else { return curveKnee(points, heaviest: "the heaviest load offered") }
        func rates(_ reason: String?) -> String? {
            let left = points.filter { $0.skipped == reason }.map { ArrivalRate(perSecond: $0.offeredPerSecond).summary }
            return left.isEmpty ? nil : left.joined(separator: ", ")
        }
        var why: [String] = []
        if let cut = rates(Self.cutShort) { why.append("\(cut) cut short by the interrupt") }
        if let never = rates(SweepReport.notRun) { why.append("\(never) not run (the sweep was interrupted first)") }
        for other in Set(points.compactMap(\.skipped)).subtracting([Self.cutShort, SweepReport.notRun]).sorted() {
            why.append("\(rates(other) ?? "") skipped (\(other))")
        }
        let text = why.joined(separator: "; ")
        guard !measured.isEmpty else { return (nil, "not found: \(text), so no rate was measured whole") }
        let (knee, note) = curveKnee(measured, heaviest: "the heaviest load measured whole")
        return (knee, note + "; left out: \(text)")
    }

    /// The base a p99 is compared with is the lowest p99 of the kept-up rates before it: the
    /// lightest load's, unless a heavier rate read lower. On a VM whose lightest load is also its
    /// slowest (every request a wake-up), the lightest's p99 alone pushed the knee right, and it
    /// rests on the fewest messages (about 250 at 500/s for 0.5 s: review). The note says which
    /// rate the base is, when it is not the lightest, and how many messages its p99 is from.
    private static func curveKnee(_ points: [Point], heaviest: String) -> (Double?, String) {
        guard let first = points.first, let firstP99 = first.p99Micros, first.keptUpAtRate, first.verified else {
            let why = points.first.map { "\(ArrivalRate(perSecond: $0.offeredPerSecond).summary) was not kept up (\($0.behind ?? "the case failed"))" } ?? "no points"
            return (nil, "below the lightest load offered: \(why); offer less")
        }
        var base = (point: first, p99: firstP99)
        var knee = first
        func baseText() -> String {
            let rate = ArrivalRate(perSecond: base.point.offeredPerSecond).summary
            let lighter = base.point.offeredPerSecond == first.offeredPerSecond ? ""
                : ", the lowest p99 before it (the lightest load, \(ArrivalRate(perSecond: first.offeredPerSecond).summary), read \(Format.compact(firstP99)) us)"
            return "\(Format.compact(base.p99)) us of \(rate)\(lighter)\(tailNote(base.point))"
        }
        for p in points.dropFirst() {
            guard p.verified, let p99 = p.p99Micros else {
                return (knee.offeredPerSecond, "at \(ArrivalRate(perSecond: p.offeredPerSecond).summary) the case failed")
            }
            guard p.keptUpAtRate else {
                return (knee.offeredPerSecond, "at \(ArrivalRate(perSecond: p.offeredPerSecond).summary) \(p.behind ?? "the schedule was not kept")")
            }
            if p99 > base.p99 * kneeFactor {
                return (knee.offeredPerSecond, "at \(ArrivalRate(perSecond: p.offeredPerSecond).summary) p99 reached \(Format.compact(p99)) us\(tailNote(p)), \(Format.compact(p99 / base.p99))x the \(baseText())")
            }
            if p99 < base.p99 { base = (p, p99) }
            knee = p
        }
        return (nil, "not reached: \(ArrivalRate(perSecond: knee.offeredPerSecond).summary), \(heaviest), was kept with p99 within \(Format.compact(kneeFactor))x of the \(baseText()); offer more")
    }

    /// ` (p99 from 250 messages)`: how many messages a point's p99 rests on (its top 1% is a
    /// hundredth of them); empty where the count is not known (older documents).
    static func tailNote(_ p: Point) -> String {
        p.messages.map { " (p99 from \($0) messages)" } ?? ""
    }
}

/// What `sweep --rates --json` writes: the run document plus a `rate_sweep` section.
public struct RateSweepDocument: Codable, Sendable, Equatable {
    public var run: RunDocument
    public var rateSweep: RateSweepReport

    public init(run: RunDocument, rateSweep: RateSweepReport) {
        self.run = run
        self.rateSweep = rateSweep
    }

    private enum SectionKey: String, CodingKey { case rateSweep = "rate_sweep" }

    public init(from decoder: any Decoder) throws {
        run = try RunDocument(from: decoder)
        rateSweep = try decoder.container(keyedBy: SectionKey.self).decode(RateSweepReport.self, forKey: .rateSweep)
    }

    public func encode(to encoder: any Encoder) throws {
        try run.encode(to: encoder)
        var c = encoder.container(keyedBy: SectionKey.self)
        try c.encode(rateSweep, forKey: .rateSweep)
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [10]
    }
}

/// The human report of a rate sweep.
public enum RateSweepTable {
    public static func render(_ sweep: RateSweepReport) -> String {
        var out = "open-loop sweep \(sweep.workload) \(Quantities.formatSize(sweep.size)): latency from each request's intended send time\n"
        var table = TextTable(columns: ["offered/s", "answered/s", "messages", "p50 us", "p99 us", "p99.9 us", "late sends", "kept up"], rightAligned: [0, 1, 2, 3, 4, 5, 6])
        for p in sweep.points {
            // A rate never run or skipped measured nothing: its answered/s and late sends are no
            // zeros; nor is a failed rate's answered/s when it measured nothing (it read 0.000).
            let ran = p.skipped == nil || p.skipped == RateSweepReport.cutShort
            let answered = p.answeredText
            table.add([
                ArrivalRate(perSecond: p.offeredPerSecond).summary.replacingOccurrences(of: "/s", with: ""), answered.map { Format.compact($0) } ?? "-",
                p.messages.map(String.init) ?? "-", Format.compact(p.p50Micros),
                Format.compact(p.p99Micros), Format.compact(p.p999Micros), ran ? p.lateSends.map(String.init) ?? "-" : "-",
                p.skipped == SweepReport.notRun ? "not run" : p.skipped == RateSweepReport.cutShort ? "cut short"
                    : p.skipped != nil ? "skipped" : !p.verified ? "FAILED" : p.keptUpText,
            ])
        }
        out += table.render()
        if let knee = sweep.kneePerSecond {
            out += "knee: \(ArrivalRate(perSecond: knee).summary); \(sweep.kneeNote)\n"
        } else {
            out += "knee: \(sweep.kneeNote)\n"
        }
        return out + "(knee: \(sweep.kneeRule))\n"
    }
}
