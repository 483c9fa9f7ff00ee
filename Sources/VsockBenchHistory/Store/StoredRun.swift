import VsockBenchReport

/// A run as the history holds it: where and when it ran, what it was, and what it is labelled.
public struct StoredRun: Sendable, Equatable, Encodable {
    public var id: Int64
    public var scenario: String
    public var scenarioPath: String
    public var startedAt: String
    public var addedAt: String
    public var transport: String
    public var target: String
    public var gitCommit: String?
    public var tool: String
    public var driverHost: String
    public var driverKernel: String
    public var targetHost: String?
    public var targetKernel: String?
    public var cpus: Int
    /// Trials of each case, as asked (`--repeat`).
    public var repeatCount: Int
    public var labels: [String: String]
    /// Its cases, in the results file's order.
    public var cases: [String]
    /// Every case verified (or skipped for a stated reason).
    public var verified: Bool
    /// The trials each case ran, in `cases`' order (`case_trials`): fewer than asked in an
    /// interrupted run (a skipped case has its skipped trials: 1, or N under --repeat N).
    public var caseTrials: [Int] = []
    /// Whether each case was skipped, in `cases`' order.
    var caseSkipped: [Bool] = []
    /// Every case neither verified nor skipped was cut short by an interrupt and nothing else
    /// (`CaseResult.cutShort` of its stored case): the run is not `verified`, yet what it
    /// measured was. Not in the JSON (`verified` and `case_trials` say what it holds there).
    var unverifiedOnlyCutShort = false
    /// The scenario's cases an interrupt came before (its results' `not_run`): none of their
    /// trials ran, so they are not in `cases`. Empty for a run that reached every case, or an
    /// older file that does not say.
    public var notRun: [String] = []

    /// Stopped by an interrupt, with nothing else wrong: a case cut short mid-trial, fewer
    /// trials than asked, or cases the interrupt came before (a run stopped between cases
    /// read as whole), and every case that ran verified as far as it ran. A run with a case
    /// that failed is not this, whatever else.
    public var cutShort: Bool { verified ? trialCounts.short || !notRun.isEmpty : unverifiedOnlyCutShort }

    /// The trials that ran against the count asked (skipped cases left out).
    public var trialCounts: TrialCounts {
        let ran = caseTrials.enumerated().filter { !caseSkipped.indices.contains($0.offset) || !caseSkipped[$0.offset] }.map(\.element)
        return TrialCounts(ran: ran.isEmpty ? (caseTrials.isEmpty ? [repeatCount] : caseTrials) : ran, asked: repeatCount)
    }

    /// The commit's first 12 hex digits, or `-`.
    public var shortCommit: String { gitCommit.map { String($0.prefix(12)) } ?? "-" }

    /// `instance_type=m6i.xlarge branch=main`, sorted by key.
    public var labelText: String {
        labels.keys.sorted().map { HistoryLabel.text(key: $0, value: labels[$0] ?? "") }.joined(separator: " ")
    }

    enum CodingKeys: String, CodingKey {
        case id = "run", scenario, scenarioPath = "scenario_path", startedAt = "started_at", addedAt = "added_at", transport, target
        case gitCommit = "git_commit", tool, driverHost = "driver_host", driverKernel = "driver_kernel", targetHost = "target_host"
        case targetKernel = "target_kernel", cpus, repeatCount = "repeat", labels, cases, verified
        case caseTrials = "case_trials", notRun = "not_run"
    }

    /// Every key present, null where absent: consumers can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(scenarioPath, forKey: .scenarioPath)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(addedAt, forKey: .addedAt)
        try c.encode(transport, forKey: .transport)
        try c.encode(target, forKey: .target)
        try c.encode(gitCommit, forKey: .gitCommit)
        try c.encode(tool, forKey: .tool)
        try c.encode(driverHost, forKey: .driverHost)
        try c.encode(driverKernel, forKey: .driverKernel)
        try c.encode(targetHost, forKey: .targetHost)
        try c.encode(targetKernel, forKey: .targetKernel)
        try c.encode(cpus, forKey: .cpus)
        try c.encode(repeatCount, forKey: .repeatCount)
        try c.encode(labels, forKey: .labels)
        try c.encode(cases, forKey: .cases)
        try c.encode(verified, forKey: .verified)
        try c.encode(caseTrials, forKey: .caseTrials)
        try c.encode(notRun, forKey: .notRun)
    }
}
