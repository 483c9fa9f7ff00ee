import VsockBenchReport

/// A figure (or several) of a scenario's cases over the history's runs, each with the runs
/// where its level changed: what `history trend` prints, charts and writes as JSON.
public struct TrendReport: Sendable, Encodable {
    public static let schemaName = "vsockbench-history/1"

    public var database: String
    public var scenario: String
    public var labels: [HistoryLabel]
    public var options: ChangeOptions
    public var series: [FigureSeries]
    /// Cases some of whose runs were set up otherwise than the latest (the scenario file
    /// changed under the same name): one series holds them all, so it is said, case by case.
    public var notes: [String] = []

    /// The series of `scenario` (every case, or `caseName`), each figure `metric` names. One of
    /// several scenarios (`alone` false: trend or changes without SCENARIO) with nothing to
    /// trend but a direction its cases do not move is a report of notes, not an error that
    /// would end the others.
    public static func build(_ db: HistoryDatabase, scenario: String, caseName: String? = nil, metric: MetricChoice = .throughput,
                             filter: RunFilter = RunFilter(), options: ChangeOptions = .standard, alone: Bool = true) throws(HistoryError) -> TrendReport {
        var filter = filter
        filter.scenario = scenario
        let cases = try db.cases(ofScenario: scenario, filter)
        if cases.isEmpty { throw try db.noRuns(filter) }
        var chosen = cases
        if let caseName {
            chosen = cases.filter { $0.name == caseName }
            if chosen.isEmpty {
                throw .nothingMatches("no case \(caseName) in the runs of \(filter.text); cases: \(cases.map(\.name).joined(separator: ", "))")
            }
        }
        var series: [FigureSeries] = []
        var notes: [String] = []
        var configs: [Int64: RunDocument?] = [:]
        var skippedCases: Set<String> = []
        var unmoved: [String] = []
        for c in chosen {
            let direction = try db.mbpsDirection(caseName: c.name, filter)
            for figure in metric.figures(forWorkload: c.workload, mbps: direction) {
                let points = try db.points(caseName: c.name, figure: figure, filter)
                guard !points.isEmpty else { continue }
                if case .figure = metric, let reason = unmovedDirection(c.name, figure: figure, points: points) {
                    unmoved.append(reason)
                    continue
                }
                let changes = try ChangeFinder.changes(in: points, figure: figure, options: options)
                series.append(FigureSeries(scenario: scenario, caseName: c.name, workload: c.workload, figure: figure, points: points, changes: changes,
                                           options: options, eachWay: direction.eachWay))
            }
            let runs = series.filter { $0.caseName == c.name }.flatMap(\.points).sorted { ($0.startedAt, $0.run) < ($1.startedAt, $1.run) }.map(\.run)
            if let note = configurationNote(db, caseName: c.name, runs: runs, cache: &configs) { notes.append(note) }
            let skipped = try db.skippedRuns(caseName: c.name, filter)
            if let note = skippedNote(caseName: c.name, skipped: skipped) { notes.append(note) }
            if !skipped.isEmpty { skippedCases.insert(c.name) }
        }
        // Cases skipped in every run (a stream scenario's runs against `--target null`) have
        // no series, by design: the report says so in its notes rather than fail.
        if series.isEmpty, chosen.allSatisfy({ skippedCases.contains($0.name) }) {
            return TrendReport(database: db.path, scenario: scenario, labels: filter.labels, options: options, series: [], notes: notes)
        }
        // A direction no case moves, asked for by its key: refused, saying why, where it is
        // all there was to trend; said in a note beside the cases that move it otherwise.
        if series.isEmpty, !unmoved.isEmpty, alone { throw .badMetric("--metric \(metric): " + unmoved.joined(separator: "; ")) }
        notes += unmoved
        if series.isEmpty, !unmoved.isEmpty {
            return TrendReport(database: db.path, scenario: scenario, labels: filter.labels, options: options, series: [], notes: notes)
        }
        if series.isEmpty {
            throw .nothingMatches("the runs of \(filter.text) have no \(metric) figure for \(chosen.map(\.name).joined(separator: ", "))")
        }
        if let note = transportNote(runs: series.flatMap(\.points).map(\.run), cache: &configs, db) { notes.append(note) }
        if let note = driverHostNote(runs: series.flatMap(\.points).map(\.run), cache: &configs, db) { notes.append(note) }
        return TrendReport(database: db.path, scenario: scenario, labels: filter.labels, options: options, series: series, notes: notes)
    }

    /// The runs (oldest first) that set `caseName` up otherwise than the latest of `runs`, with
    /// the first difference: `history trend` plotted a both-ways stream's figures among tx runs'
    /// and found "no change" without a word (review). Nil when they all agree, or a stored
    /// document cannot be read (the series are still drawn).
    static func configurationNote(_ db: HistoryDatabase, caseName: String, runs: [Int64], cache: inout [Int64: RunDocument?]) -> String? {
        var unique: [Int64] = []
        for run in runs where !unique.contains(run) { unique.append(run) }
        func config(_ run: Int64) -> CaseConfig? {
            document(db, run, cache: &cache)?.cases.first { $0.name == caseName }.map { CaseConfig($0.spec) }
        }
        guard let latestRun = unique.last, let latest = config(latestRun) else { return nil }
        var differing: [Int64] = []
        var example: String?
        for run in unique.dropLast() {
            guard let other = config(run) else { continue }
            let differences = other.differences(from: latest)
            if !differences.isEmpty {
                differing.append(run)
                example = example ?? differences.first
            }
        }
        guard let example, !differing.isEmpty else { return nil }
        return "\(caseName): \(differing.count) of the \(unique.count) runs (run\(differing.count == 1 ? "" : "s") \(listed(differing))) set it up otherwise than the latest (\(example)); their figures are in the same series, so a change there may be the setup's; a new scenario name or --label keeps configurations apart"
    }

    /// Why `figure` is no series of `caseName`: a payload direction (`mbps_tx`, `mbps_rx`) the
    /// case does not move, 0 in every verified run by design (`--metric mbps_rx` of a tx stream
    /// trended a row of 0.000 and found "no change over 8 runs": review). Nil for any other
    /// figure, a direction the case moves, or a case with no verified run to tell by.
    static func unmovedDirection(_ caseName: String, figure: Figure, points: [SeriesPoint]) -> String? {
        guard figure == .mbpsTx || figure == .mbpsRx else { return nil }
        let verified = points.filter(\.verified)
        guard !verified.isEmpty, verified.allSatisfy({ $0.value == 0 }) else { return nil }
        let way = figure == .mbpsTx ? "driver to target" : "target to driver"
        return "\(caseName) moves no payload \(way): \(figure.rawValue) is 0 by design in its \(verified.count) verified run\(verified.count == 1 ? "" : "s"), not trended (--metric mbps follows the direction it moves)"
    }

    /// The runs that skipped `caseName` (a stream against `--target null`): not run by design,
    /// so neither failed nor unverified and no point of its series (each read "not verified: left
    /// out of the changes", where `list` calls the run verified: review). Named, with the
    /// latest run's reason. Nil when no run skipped it.
    static func skippedNote(caseName: String, skipped: [(run: Int64, reason: String)]) -> String? {
        guard let latest = skipped.last else { return nil }
        let runs = skipped.map(\.run)
        return "\(caseName): skipped in \(runs.count == 1 ? "run" : "runs") \(listed(runs)) (\(latest.reason)): not measured, so not in its series"
    }

    /// Runs over more than one transport in one trend (`--target null` runs among unix ones
    /// read as a 27x change with no word: review): named, with their runs.
    static func transportNote(runs: [Int64], cache: inout [Int64: RunDocument?], _ db: HistoryDatabase) -> String? {
        var byTransport: [String: [Int64]] = [:]
        for run in Set(runs).sorted() {
            if let document = document(db, run, cache: &cache) { byTransport[document.transport, default: []].append(run) }
        }
        guard byTransport.count > 1 else { return nil }
        let parts = byTransport.keys.sorted().map { transport in
            let ids = byTransport[transport] ?? []
            return "\(transport): \(ids.count > 6 ? "\(ids.count) runs, " : "")\(listed(ids))"
        }
        return "the runs are over \(byTransport.count) transports (\(parts.joined(separator: "; "))): a change between them is the channel's, not the code's; --label keeps them apart"
    }

    /// Runs driven from more than one host in one trend (`check --history` says "driver host
    /// differs"; trend and changes mixed them without a word: review): named, with their runs.
    static func driverHostNote(runs: [Int64], cache: inout [Int64: RunDocument?], _ db: HistoryDatabase) -> String? {
        var byHost: [String: [Int64]] = [:]
        for run in Set(runs).sorted() {
            if let document = document(db, run, cache: &cache) { byHost[document.host.driver.hostname, default: []].append(run) }
        }
        guard byHost.count > 1 else { return nil }
        let parts = byHost.keys.sorted().map { host in
            let ids = byHost[host] ?? []
            return "\(host): \(ids.count > 6 ? "\(ids.count) runs, " : "")\(listed(ids))"
        }
        return "the runs were driven from \(byHost.count) hosts (\(parts.joined(separator: "; "))): a change between them may be the machine's, not the code's; --label keeps them apart"
    }

    /// Run `run`'s stored results, read once per report (`cache`); nil where unreadable.
    static func document(_ db: HistoryDatabase, _ run: Int64, cache: inout [Int64: RunDocument?]) -> RunDocument? {
        if cache[run] == nil {
            cache[run] = .some((try? db.document(ofRun: run)).flatMap { try? RunDocument.decode(Array($0.utf8)) })
        }
        return cache[run].flatMap { $0 }
    }

    /// `3, 5, 9`, or `12 .. 40` for more than six.
    static func listed(_ ids: [Int64]) -> String {
        ids.count <= 6 ? ids.map(String.init).joined(separator: ", ") : "\(ids[0]) .. \(ids[ids.count - 1])"
    }

    enum CodingKeys: String, CodingKey { case schema, database, scenario, labels, method, series, notes }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schemaName, forKey: .schema)
        try c.encode(database, forKey: .database)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) }), forKey: .labels)
        try c.encode(ChangeMethod(options), forKey: .method)
        try c.encode(series, forKey: .series)
        try c.encode(notes, forKey: .notes)
    }
}

/// `history trend --json` without a scenario: every scenario's trend.
public struct TrendSet: Sendable, Encodable {
    public var database: String
    public var scenarios: [TrendReport]

    public init(database: String, scenarios: [TrendReport]) {
        self.database = database
        self.scenarios = scenarios
    }

    enum CodingKeys: String, CodingKey { case schema, database, scenarios }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(TrendReport.schemaName, forKey: .schema)
        try c.encode(database, forKey: .database)
        try c.encode(scenarios, forKey: .scenarios)
    }

    /// The trend of every scenario `filter` keeps (each in full, or its last runs).
    public static func build(_ db: HistoryDatabase, caseName: String? = nil, metric: MetricChoice = .throughput,
                             filter: RunFilter = RunFilter(), options: ChangeOptions = .standard) throws(HistoryError) -> TrendSet {
        var filter = filter
        filter.scenario = nil
        let names = try db.scenarios(RunFilter(labels: filter.labels))
        if names.isEmpty { throw try db.noRuns(filter) }
        var reports: [TrendReport] = []
        for name in names {
            if let caseName, try !db.cases(ofScenario: name, filter).contains(where: { $0.name == caseName }) { continue }
            reports.append(try TrendReport.build(db, scenario: name, caseName: caseName, metric: metric, filter: filter, options: options, alone: names.count == 1))
        }
        if reports.isEmpty, let caseName { throw .nothingMatches("no case \(caseName) in the runs of \(filter.text) in \(db.path)") }
        return TrendSet(database: db.path, scenarios: reports)
    }
}

/// How the changes were found, said in every JSON that reports them.
struct ChangeMethod: Encodable {
    var options: ChangeOptions
    init(_ options: ChangeOptions) { self.options = options }

    enum CodingKeys: String, CodingKey {
        case name, series, significance, permutations, minimumSegment = "minimum_segment", seed, minimumChange = "minimum_change"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("e-divisive means, permutation test", forKey: .name)
        try c.encode("per-run medians of verified runs, oldest first", forKey: .series)
        try c.encode(options.significance, forKey: .significance)
        try c.encode(options.permutations, forKey: .permutations)
        try c.encode(options.minimumSegment, forKey: .minimumSegment)
        try c.encode(String(options.seed), forKey: .seed)
        try c.encode(options.minimumChange, forKey: .minimumChange)
    }
}

extension MetricChoice: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .figure(figure): return figure.rawValue
        case .mbps: return "mbps"
        case .throughput: return "throughput"
        case .timings: return "timings"
        case .all: return "all"
        }
    }
}
