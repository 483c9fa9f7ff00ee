/// The change points of every series a `history changes` asks for: each scenario (or one),
/// each case (or one), each figure of the metric.
public struct ChangesReport: Sendable, Encodable {
    public var database: String
    public var labels: [HistoryLabel]
    public var options: ChangeOptions
    /// Every series asked for: with changes, without, and too short to search.
    public var series: [FigureSeries]
    /// What `trend` notes of the same runs (several transports, a case set up otherwise),
    /// each with its scenario: a change found across them may be theirs, not the code's.
    public var notes: [String] = []

    public var withChanges: [FigureSeries] { series.filter { !$0.changes.isEmpty } }
    /// How many series were searched: those with runs enough for a change to be significant
    /// (it counted every series, so 15 too short to search read "15 series searched": review).
    public var searched: Int { series.filter(\.searchable).count }
    /// How many series had too few runs for a change to be significant: none was looked for.
    public var tooFewRuns: Int { series.count - searched }

    public static func build(_ db: HistoryDatabase, scenario: String? = nil, caseName: String? = nil, metric: MetricChoice = .timings,
                             filter: RunFilter = RunFilter(), options: ChangeOptions = .standard) throws(HistoryError) -> ChangesReport {
        var filter = filter
        let scenarios: [String]
        if let scenario {
            scenarios = [scenario]
        } else {
            filter.scenario = nil
            scenarios = try db.scenarios(filter)
            if scenarios.isEmpty {
                // A history with no runs at all has no change in it: said, exit 0, as its help
                // promises (it was "no runs of any scenario", exit 2: review). A label no run
                // has is still bad input.
                guard filter.labels.isEmpty, try db.scenarios(RunFilter()).isEmpty else { throw try db.noRuns(filter) }
                return ChangesReport(database: db.path, labels: filter.labels, options: options, series: [],
                                     notes: ["the history \(db.path) has no runs yet: nothing was searched (vsockbench history add RESULTS.json adds them)"])
            }
        }
        var series: [FigureSeries] = []
        var notes: [String] = []
        for name in scenarios {
            // A case name given without a scenario picks the scenarios that have it.
            if scenario == nil, let caseName, try !db.cases(ofScenario: name, filter).contains(where: { $0.name == caseName }) { continue }
            let trend = try TrendReport.build(db, scenario: name, caseName: caseName, metric: metric, filter: filter, options: options, alone: scenarios.count == 1)
            series += trend.series
            notes += trend.notes.map { "\(name): \($0)" }
        }
        if series.isEmpty, let caseName { throw .nothingMatches("no case \(caseName) in the runs of \(filter.text) in \(db.path)") }
        return ChangesReport(database: db.path, labels: filter.labels, options: options, series: series, notes: notes)
    }

    enum CodingKeys: String, CodingKey { case schema, database, labels, method, searched, tooFewRuns = "too_few_runs", series, notes }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(TrendReport.schemaName, forKey: .schema)
        try c.encode(database, forKey: .database)
        try c.encode(Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) }), forKey: .labels)
        try c.encode(ChangeMethod(options), forKey: .method)
        try c.encode(searched, forKey: .searched)
        try c.encode(tooFewRuns, forKey: .tooFewRuns)
        try c.encode(series, forKey: .series)
        try c.encode(notes, forKey: .notes)
    }
}
