import VsockBenchReport

/// What went wrong with the history: the database, its schema, or what a command asked of it.
/// Each case says what failed, with what input, and what to do; `isBadInput` tells the CLI
/// whether it is the caller's input (exit 2) or a write that failed (exit 1).
public enum HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database was written by a newer vsockbench: its schema has migrations this binary
    /// does not know. Nothing is read or written.
    case newerSchema(path: String, found: Int, known: Int, unknownMigrations: [String])
    /// The file is not a SQLite database, or one that is not a vsockbench history.
    case notAHistory(path: String, reason: String)
    /// The database cannot be opened or read (permissions, a directory, a locked file).
    case cannotOpen(path: String, reason: String)
    /// A read-only command on a history that does not exist yet.
    case noHistory(path: String)
    /// No home directory and no `--db` or `VSOCKBENCH_HISTORY`: nowhere to keep it.
    case noLocation
    case noSuchRun(path: String, run: String)
    case badLabel(String)
    case badMetric(String)
    case badOption(String)
    /// Nothing in the history matches what was asked (scenario, case, labels).
    case nothingMatches(String)
    /// A results file `add` or `check --history` cannot use.
    case results(CheckInputError)
    /// The history file is damaged (truncated, a table missing): the input is bad, not the write.
    case damaged(path: String, reason: String)
    /// A write or a read that failed inside SQLite (disk full, I/O error, a constraint).
    case storage(path: String, reason: String)

    public var isBadInput: Bool {
        if case .storage = self { return false }
        return true
    }

    public var description: String { described(databaseFlag: "--db") }

    /// The text, naming the option that gave the database: `history`'s `--db` (or
    /// `VSOCKBENCH_HISTORY`), `check`'s `--history`, which has no `--db` (review: its error
    /// sent the user to a flag check does not have).
    public func described(databaseFlag flag: String) -> String {
        let nameIt = flag == "--db" ? "name it with --db or VSOCKBENCH_HISTORY" : "give \(flag) the file `vsockbench history add` wrote (its --db, or VSOCKBENCH_HISTORY)"
        switch self {
        case let .newerSchema(path, found, known, unknown):
            // The version the file states, or, where it states one this binary knows, the
            // migrations it does not (it read "version 3" of a file saying 2: review).
            let names = unknown.isEmpty ? "" : "migrations this vsockbench does not know (\(unknown.joined(separator: ", ")))"
            let what = found > known ? "history schema version \(found)" + (names.isEmpty ? "" : " and " + names) : names
            return "\(path) has \(what); this vsockbench knows versions up to \(known): "
                + "use the newer vsockbench that wrote it (the database was left untouched)"
        case let .notAHistory(path, reason):
            return "\(path) is not a vsockbench history: \(reason); " + (flag == "--db" ? "name another file with --db or VSOCKBENCH_HISTORY" : "give \(flag) the file `vsockbench history add` wrote")
        case let .cannotOpen(path, reason):
            return "cannot open the history \(path): \(reason)"
        case let .noHistory(path):
            return "no history at \(path): add runs first (vsockbench history add RESULTS.json), or \(nameIt)"
        case .noLocation:
            return "no place for the history: HOME is not set; pass --db FILE or set VSOCKBENCH_HISTORY"
        case let .noSuchRun(path, run):
            return "no run \(run) in \(path) (see vsockbench history list)"
        case let .badLabel(text), let .badMetric(text), let .badOption(text), let .nothingMatches(text):
            return text
        case let .results(error):
            return error.description
        case let .damaged(path, reason):
            return "the history \(path) could not be read: the file is damaged (\(reason)); restore it from a copy; nothing of this command was kept"
        case let .storage(path, reason):
            return "the history \(path) could not be written or read: \(reason); nothing of this command was kept"
        }
    }
}
