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

    /// The series of `scenario` (every case, or `caseName`), each figure `metric` names.
    public static func build(_ db: HistoryDatabase, scenario: String, caseName: String? = nil, metric: MetricChoice = .throughput,
                             filter: RunFilter = RunFilter(), options: ChangeOptions = .standard) throws(HistoryError) -> TrendReport {
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
        for c in chosen {
            let direction = try db.mbpsDirection(caseName: c.name, filter)
            for figure in metric.figures(forWorkload: c.workload, mbps: direction) {
                let points = try db.points(caseName: c.name, figure: figure, filter)
                guard !points.isEmpty else { continue }
                let changes = try ChangeFinder.changes(in: points, figure: figure, options: options)
                series.append(FigureSeries(scenario: scenario, caseName: c.name, workload: c.workload, figure: figure, points: points, changes: changes,
                                           options: options, eachWay: direction.eachWay))
            }
        }
        if series.isEmpty {
            throw .nothingMatches("the runs of \(filter.text) have no \(metric) figure for \(chosen.map(\.name).joined(separator: ", "))")
        }
        return TrendReport(database: db.path, scenario: scenario, labels: filter.labels, options: options, series: series)
    }

    enum CodingKeys: String, CodingKey { case schema, database, scenario, labels, method, series }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schemaName, forKey: .schema)
        try c.encode(database, forKey: .database)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) }), forKey: .labels)
        try c.encode(ChangeMethod(options), forKey: .method)
        try c.encode(series, forKey: .series)
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
            reports.append(try TrendReport.build(db, scenario: name, caseName: caseName, metric: metric, filter: filter, options: options))
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
