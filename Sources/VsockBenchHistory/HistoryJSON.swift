import FoundationEssentials

/// The history's JSON output (`--json` of list, show, trend and changes): pretty, key-sorted,
/// every key present, `schema: "vsockbench-history/1"`.
public enum HistoryJSON {
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `history list --json`.
    public struct RunList: Encodable {
        public var database: String
        public var runs: [StoredRun]
        public init(database: String, runs: [StoredRun]) {
            self.database = database
            self.runs = runs
        }
        enum CodingKeys: String, CodingKey { case schema, database, runs }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(TrendReport.schemaName, forKey: .schema)
            try c.encode(database, forKey: .database)
            try c.encode(runs, forKey: .runs)
        }
    }

    /// `history show RUN --json`.
    public struct RunDetail: Encodable {
        public var database: String
        public var run: StoredRun
        public var cases: [StoredCase]
        public init(database: String, run: StoredRun, cases: [StoredCase]) {
            self.database = database
            self.run = run
            self.cases = cases
        }
        enum CodingKeys: String, CodingKey { case schema, database, run, cases }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(TrendReport.schemaName, forKey: .schema)
            try c.encode(database, forKey: .database)
            try c.encode(run, forKey: .run)
            try c.encode(cases, forKey: .cases)
        }
    }
}
