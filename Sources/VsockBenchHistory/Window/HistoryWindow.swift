import VsockBenchReport
import VsockBenchStats
import VsockBenchSupport

/// The baseline `check --history DB --window N` gates against: the last N runs of the same
/// scenario with the same case names that started before the run being checked (a window of
/// later runs gated last week's run against this week's: review), each a results document as it was added, so that
/// `RegressionCheck` pools their trials exactly as it pools several `--baseline` files (and
/// measures the runs' own spread from each run's median).
///
/// Left out: runs with a case that did not run clean (a failed night is no reference), runs of
/// other case sets (a scenario that gained a case starts a new series; `--cases-in-common`
/// takes any run sharing a case), and the run being checked itself when it was added first.
public struct HistoryWindow: Sendable {
    public var runs: [StoredRun]
    /// Each run's results file, its cases' latency percentiles the medians of their trials'.
    public var documents: [RunDocument]
    /// What was left out and why, for the report's notes.
    public var notes: [String]

    /// `history.sqlite: runs 3-12 (the last 10 of cliff with these cases)`.
    public var description: String

    /// The last `size` runs like `results`; fewer than `minimumRuns` of them is `nothingMatches`
    /// (a gate against one or two noisy runs would fail on noise: the first nights of a CI).
    public static func select(in db: HistoryDatabase, like results: [RunDocument], size: Int, labels: [HistoryLabel] = [],
                              casesInCommon: Bool = false, minimumRuns: Int = 1) throws(HistoryError) -> HistoryWindow {
        guard size >= 1 else { throw .badOption("--window \(size): give the number of runs to gate against, 1 or more (such as 10)") }
        guard minimumRuns >= 1, minimumRuns <= size else {
            throw .badOption("--history-min-runs \(minimumRuns): give a number from 1 to the window (\(size))")
        }
        guard let scenario = results.first?.scenario else { throw .badOption("no results to check") }
        if let other = results.first(where: { $0.scenario != scenario }) {
            throw .badOption("the results are of two scenarios (\(scenario), \(other.scenario)); check one scenario at a time against the history")
        }
        let names = Set(results.flatMap { $0.cases.map(\.name) })
        let identities = Set(results.map { "\($0.startedAt)|\($0.host.driver.hostname)|\($0.host.driver.pid)" })
        let filter = RunFilter(scenario: scenario, labels: labels)
        let candidates = try db.runs(filter).reversed()
        if candidates.isEmpty {
            throw .nothingMatches("no runs of \(filter.text) in \(db.path) to gate against; add runs with vsockbench history add, or use --baseline")
        }
        var chosen: [StoredRun] = [], documents: [RunDocument] = []
        // A baseline measures the same channel: runs over another transport (a --target null
        // run in a history of unix runs read msgs/s -96% REGRESSED: review) are left out.
        let transports = Set(results.map(\.transport))
        var otherTransports: [String: Int] = [:]
        var otherCases = 0, unverified = 0, unreadable = 0, itself = 0, later = 0
        // started_at as the history orders runs (ISO 8601 UTC, as the results files give it);
        // the window ends at it, so another form (an offset, "yesterday") would pick the wrong
        // runs as text: refused, as history add refuses it (review).
        if let odd = results.first(where: { !ResultsFile.isUTCSecond($0.startedAt) }) {
            throw .badOption("the results' started_at \"\(Terminal.safe(odd.startedAt))\" is not a UTC time as vsockbench writes it (such as 2026-12-05T19:30:00Z); the history's window ends at it")
        }
        let checkedStart = results.map(\.startedAt).min() ?? ""
        for run in candidates where chosen.count < size {
            if run.startedAt > checkedStart {
                later += 1
                continue
            }
            if !transports.contains(run.transport) {
                otherTransports[run.transport, default: 0] += 1
                continue
            }
            let cases = Set(run.cases)
            if casesInCommon ? cases.isDisjoint(with: names) : cases != names {
                otherCases += 1
                continue
            }
            if !run.verified {
                unverified += 1
                continue
            }
            let text = try db.document(ofRun: run.id)
            guard let document = try? RunDocumentFile.parse(Array(text.utf8), path: "run \(run.id)") else {
                unreadable += 1
                continue
            }
            if identities.contains("\(document.startedAt)|\(document.host.driver.hostname)|\(document.host.driver.pid)") {
                itself += 1
                continue
            }
            chosen.append(run)
            documents.append(Self.trialMedians(document))
        }
        var notes: [String] = []
        if !otherTransports.isEmpty {
            let count = otherTransports.values.reduce(0, +)
            notes.append("history: left out \(count) run\(count == 1 ? "" : "s") over another transport (\(otherTransports.keys.sorted().joined(separator: ", "))) than \(transports.sorted().joined(separator: ", ")): a baseline measures the same channel")
        }
        if otherCases > 0 { notes.append("history: left out \(otherCases) run\(otherCases == 1 ? "" : "s") of \(scenario) with other cases than \(names.sorted().joined(separator: ", "))") }
        if unverified > 0 { notes.append("history: left out \(unverified) run\(unverified == 1 ? "" : "s") with a case that was not verified") }
        if unreadable > 0 { notes.append("history: left out \(unreadable) run\(unreadable == 1 ? "" : "s") whose results this vsockbench cannot read") }
        if later > 0 { notes.append("history: left out \(later) run\(later == 1 ? "" : "s") that started after the run being checked (\(checkedStart)): a baseline is what came before") }
        if itself > 0 { notes.append("history: the run being checked is in the history; it is not its own baseline") }
        guard !chosen.isEmpty else {
            throw .nothingMatches("no run of \(filter.text) in \(db.path) has the cases \(names.sorted().joined(separator: ", ")) and ran clean"
                + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
        }
        if chosen.count < minimumRuns {
            throw .nothingMatches("only \(chosen.count) run\(chosen.count == 1 ? "" : "s") of \(filter.text) in \(db.path) to gate against, "
                + "fewer than --history-min-runs \(minimumRuns); not gated until there are more")
        }
        chosen.reverse()
        documents.reverse()
        if chosen.count < size { notes.append("history: only \(chosen.count) of the \(size) runs asked for are there") }
        notes += configurationNotes(documents, like: results)
        let ids = chosen.map(\.id)
        let runText = ids.count == 1 ? "run \(ids[0])" : (ids.count <= 6 ? "runs " + ids.map(String.init).joined(separator: ", ") : "runs \(ids[0]) .. \(ids[ids.count - 1])")
        let description = "\(db.path) (\(runText): the last \(chosen.count) of \(scenario)\(later > 0 ? " before it" : "")\(labels.isEmpty ? "" : " labelled " + labels.map(\.text).joined(separator: ", ")), trials pooled)"
        return HistoryWindow(runs: chosen, documents: documents, notes: notes, description: description)
    }

    /// The window's runs whose cases were set up otherwise than the results' (the scenario
    /// file changed under the same name): pooled with the rest, so said case by case, with how
    /// many runs and the first difference (`check` compared the first baseline run only, so a
    /// window mixing two configurations passed without a word when its first run matched).
    static func configurationNotes(_ documents: [RunDocument], like results: [RunDocument]) -> [String] {
        var notes: [String] = []
        guard let first = results.first else { return notes }
        for now in first.cases {
            let config = CaseConfig(now.spec)
            var differing = 0
            var example: String?
            for document in documents {
                guard let before = document.cases.first(where: { $0.name == now.name }) else { continue }
                let differences = CaseConfig(before.spec).differences(from: config)
                if !differences.isEmpty {
                    differing += 1
                    example = example ?? differences.first
                }
            }
            if differing > 0, let example {
                notes.append("history: \(differing) of the \(documents.count) runs gated against set up \(Terminal.safe(now.name)) otherwise (\(example)): their figures are pooled with the others'; a new scenario name or --label keeps configurations apart")
            }
        }
        return notes
    }

    /// `document` with each case of several trials given the median of its trials' latency
    /// percentiles (results files written before that rule give the percentile of every
    /// trial's messages pooled), so that each run's own value, the one the window's spread is
    /// measured from, is the value `history trend` and `changes` follow (``CaseValue``).
    static func trialMedians(_ document: RunDocument) -> RunDocument {
        document.trialMedianLatency()
    }
}
