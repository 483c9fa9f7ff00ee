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
///
/// Version 3: an open-loop case's trials that kept up its rate (`case_result.kept_up_trials`
/// of `open_loop_trials`, the trials judged: verified, with messages; NULL for a closed-loop
/// case), stored when added and taken once from the stored documents of older runs. Read from
/// the documents at every query, they cost a parse of each document per point (0.46 s a series
/// over 1000 runs against 0.009 s) and failed every query on one document SQLite could not
/// parse (review).
enum HistorySchema {
    /// The migrations this binary knows, in order; the schema version is their count.
    static let migrations = ["v1-runs-cases-figures-trials", "v2-run-identity", "v3-open-loop-kept-up"]
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
        migrator.registerMigration(migrations[2]) { db in
            try db.execute(sql: version3)
            try db.execute(sql: "PRAGMA user_version = 3")
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

    /// The trials judged (verified, with messages) that have an open-loop report, and those of
    /// them that kept up; a document without trials, the case's own report; NULL for a
    /// closed-loop case or one none of whose trials was judged, as `history add` stores it. A
    /// document SQLite cannot parse gives NULL, not a failed migration. Indexed: the update
    /// looks each case up (2,000 runs of 10 cases took 24 s without; review).
    static let version3 = """
        ALTER TABLE case_result ADD COLUMN open_loop_trials INTEGER;
        ALTER TABLE case_result ADD COLUMN kept_up_trials INTEGER;
        CREATE TEMP TABLE kept_up_v3 AS
            SELECT c.id AS case_id,
                   (SELECT count(*) FROM json_each(CASE WHEN json_valid(r.document) THEN r.document ELSE '{}' END, '$.cases[' || c.position || '].trials') t
                    WHERE json_type(t.value, '$.open_loop') = 'object' AND json_extract(t.value, '$.verified') = 1 AND json_extract(t.value, '$.messages') > 0) AS judged,
                   (SELECT count(*) FROM json_each(CASE WHEN json_valid(r.document) THEN r.document ELSE '{}' END, '$.cases[' || c.position || '].trials') t
                    WHERE json_extract(t.value, '$.open_loop.kept_up') = 1 AND json_extract(t.value, '$.verified') = 1 AND json_extract(t.value, '$.messages') > 0) AS kept,
                   (SELECT count(*) FROM json_each(CASE WHEN json_valid(r.document) THEN r.document ELSE '{}' END, '$.cases[' || c.position || '].trials') t
                    WHERE json_type(t.value, '$.open_loop') = 'object') AS reports,
                   CASE WHEN json_valid(r.document) THEN json_extract(r.document, '$.cases[' || c.position || '].open_loop.kept_up') END AS own,
                   CASE WHEN json_valid(r.document) THEN json_extract(r.document, '$.cases[' || c.position || '].verified') = 1
                        AND json_extract(r.document, '$.cases[' || c.position || '].messages') > 0 END AS own_judged
            FROM case_result c JOIN run r ON r.id = c.run_id;
        CREATE INDEX temp.kept_up_v3_case ON kept_up_v3(case_id);
        UPDATE case_result SET
            open_loop_trials = (SELECT CASE WHEN k.reports > 0 THEN nullif(k.judged, 0) WHEN k.own IS NOT NULL AND k.own_judged THEN 1 END
                                FROM kept_up_v3 k WHERE k.case_id = case_result.id),
            kept_up_trials = (SELECT CASE WHEN k.reports > 0 AND k.judged > 0 THEN k.kept WHEN k.reports = 0 AND k.own IS NOT NULL AND k.own_judged THEN k.own = 1 END
                              FROM kept_up_v3 k WHERE k.case_id = case_result.id);
        DROP TABLE kept_up_v3;
        """
}
