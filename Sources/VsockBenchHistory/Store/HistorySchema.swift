import GRDB

/// The history's tables, as a series of GRDB migrations. Each migration is one transaction
/// that also sets `PRAGMA user_version` to its number, so the version is readable by any
/// SQLite tool and by an older vsockbench, which refuses a database newer than it knows.
///
/// Never edit a migration that has shipped: add the next one.
///
/// Version 1:
/// - `run`: one results file as added: the scenario, when it started and was added, the
///   transport and target, the git commit, the host facts of both sides, the trials per case,
///   and the results file itself (`document`, JSON as it was read).
/// - `run_label`: `KEY=VALUE` labels of a run.
/// - `case_result`: each case of a run: name, position in the file, workload, verified,
///   skipped, trials, its configuration (JSON).
/// - `case_figure`: each figure of a case (its value: the median of the trials) and the
///   interval the run gave it, keyed by the figure's JSON path (`msgs_per_s`, `latency_us.p99`).
/// - `trial_figure`: each figure of each trial.
///
/// Version 2: a run's identity. The driver's pid joins the run (from the stored document),
/// runs added twice are merged (the first kept), and a unique index on (scenario, started_at,
/// driver host, driver pid) makes adding the same results file again a no-op.
enum HistorySchema {
    /// The migrations this binary knows, in order; the schema version is their count.
    static let migrations = ["v1-runs-cases-figures-trials", "v2-run-identity"]
    static var version: Int { migrations.count }
    /// The tables every version has: a history without one of them is damaged.
    static let tables = ["run", "run_label", "case_result", "case_figure", "trial_figure"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrations[0]) { db in
            try db.execute(sql: version1)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        // Immediate foreign key checks: the merged duplicates' cases, figures, trials and
        // labels go with them (ON DELETE CASCADE).
        migrator.registerMigration(migrations[1], foreignKeyChecks: .immediate) { db in
            try db.execute(sql: version2)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        return migrator
    }

    static let version1 = """
        CREATE TABLE run (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scenario TEXT NOT NULL,
            scenario_path TEXT NOT NULL,
            started_at TEXT NOT NULL,
            added_at TEXT NOT NULL,
            transport TEXT NOT NULL,
            target TEXT NOT NULL,
            git_commit TEXT,
            tool TEXT NOT NULL,
            driver_host TEXT NOT NULL,
            driver_kernel TEXT NOT NULL,
            target_host TEXT,
            target_kernel TEXT,
            cpus INTEGER NOT NULL,
            repeat_count INTEGER NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX run_by_scenario ON run(scenario, started_at);
        CREATE TABLE run_label (
            run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX run_label_by_key ON run_label(key, value);
        CREATE TABLE case_result (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            workload TEXT NOT NULL,
            verified INTEGER NOT NULL,
            skipped TEXT,
            trial_count INTEGER NOT NULL,
            config TEXT NOT NULL,
            UNIQUE (run_id, name)
        );
        CREATE INDEX case_result_by_name ON case_result(name);
        CREATE TABLE case_figure (
            case_id INTEGER NOT NULL REFERENCES case_result(id) ON DELETE CASCADE,
            figure TEXT NOT NULL,
            value REAL NOT NULL,
            ci_low REAL,
            ci_high REAL,
            PRIMARY KEY (case_id, figure)
        ) WITHOUT ROWID;
        CREATE TABLE trial_figure (
            case_id INTEGER NOT NULL REFERENCES case_result(id) ON DELETE CASCADE,
            trial INTEGER NOT NULL,
            figure TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (case_id, trial, figure)
        ) WITHOUT ROWID;
        """

    static let version2 = """
        ALTER TABLE run ADD COLUMN driver_pid INTEGER NOT NULL DEFAULT 0;
        UPDATE run SET driver_pid = coalesce(json_extract(document, '$.host.driver.pid'), 0);
        DELETE FROM run WHERE id NOT IN (
            SELECT min(id) FROM run GROUP BY scenario, started_at, driver_host, driver_pid
        );
        CREATE UNIQUE INDEX run_identity ON run(scenario, started_at, driver_host, driver_pid);
        """
}
