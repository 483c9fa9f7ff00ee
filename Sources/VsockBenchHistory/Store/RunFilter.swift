import GRDB

/// Which runs a command looks at: a scenario (or all), labels every run must have, the most
/// recent `last` runs.
public struct RunFilter: Sendable, Equatable {
    public var scenario: String?
    public var labels: [HistoryLabel]
    public var last: Int?

    public init(scenario: String? = nil, labels: [HistoryLabel] = [], last: Int? = nil) {
        self.scenario = scenario
        self.labels = labels
        self.last = last
    }

    /// ` AND ...` conditions on the table aliased `r`, with their arguments.
    func conditions() -> (sql: String, arguments: StatementArguments) {
        var sql = ""
        var arguments = StatementArguments()
        if let scenario {
            sql += " AND r.scenario = ?"
            arguments += [scenario]
        }
        for label in labels {
            sql += " AND EXISTS (SELECT 1 FROM run_label l WHERE l.run_id = r.id AND l.key = ? AND l.value = ?)"
            arguments += [label.key, label.value]
        }
        return (sql, arguments)
    }

    /// `scenario cliff with branch=main`, for messages.
    public var text: String {
        var parts = [scenario.map { "scenario \($0)" } ?? "any scenario"]
        if !labels.isEmpty { parts.append("labelled " + labels.map(\.text).joined(separator: ", ")) }
        return parts.joined(separator: " ")
    }
}
