/// Where the history lives when a command does not say: `--db FILE`, else the
/// `VSOCKBENCH_HISTORY` environment variable, else `$XDG_DATA_HOME/vsockbench/history.sqlite`,
/// else `~/.local/share/vsockbench/history.sqlite` (the XDG default for user data).
public enum HistoryLocation {
    public static let environmentVariable = "VSOCKBENCH_HISTORY"

    /// Whether nothing names the history (no `--db`, no `VSOCKBENCH_HISTORY`): `resolve`
    /// gives the default, whose directory `add` may create. A path someone wrote may be a
    /// typo, and its missing directory is refused, not made.
    public static func isDefault(option: String?, environment: [String: String]) -> Bool {
        (option ?? "").isEmpty && (environment[environmentVariable] ?? "").isEmpty
    }

    /// The database path; throws `noLocation` when nothing names one and there is no home.
    public static func resolve(option: String?, environment: [String: String]) throws(HistoryError) -> String {
        if let option, !option.isEmpty { return option }
        if let named = environment[environmentVariable], !named.isEmpty { return named }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/vsockbench/history.sqlite" }
        guard let home = environment["HOME"], !home.isEmpty else { throw .noLocation }
        return (home.hasSuffix("/") ? String(home.dropLast()) : home) + "/.local/share/vsockbench/history.sqlite"
    }
}
