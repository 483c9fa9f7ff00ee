import Foundation
import GRDB

/// The results history: one SQLite file, opened through GRDB.
///
/// It is the user's data, so opening it is careful. A file that is not SQLite, or a SQLite
/// database of something else, is refused before anything is written to it; a history written
/// by a newer vsockbench (a schema version or migrations this binary does not know) is refused
/// untouched. Otherwise the file is put in WAL mode (readers never block the one writer) with a
/// busy timeout (a second writer waits for the first instead of failing), and brought up to the
/// current schema. Every write is one immediate transaction: all of it lands or none does. The
/// commands that only read open it read-only: they create, switch and migrate nothing.
public final class HistoryDatabase: Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// How long a writer waits for another process's transaction before giving up.
    public static let busyTimeoutSeconds = 30.0

    /// The schema version this binary writes.
    public static var schemaVersion: Int { HistorySchema.version }

    /// Opens the history at `path`. With `creating`, a missing file (and its directory) is
    /// created; without it (the read-only commands), the file is opened read-only, as its
    /// schema is (an older version reads as it is), and a missing or empty file is `noHistory`.
    public static func open(path: String, creating: Bool) throws(HistoryError) -> HistoryDatabase {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { throw .cannotOpen(path: path, reason: "it is a directory; name a file") }
        if !exists {
            guard creating else { throw .noHistory(path: path) }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create its directory \(directory): \(error.localizedDescription)")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.foreignKeysEnabled = true
        configuration.label = "vsockbench-history"
        configuration.readonly = !creating
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw describe(error, path: path)
        }
        let database = HistoryDatabase(path: path, queue: queue)
        try database.inspect(creating: creating)
        if creating { try database.prepare() }
        return database
    }

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    /// Refuses a file that is not a history, or a history newer than this binary, before
    /// anything is written; and, to a command that only reads, a file with no history in it.
    private func inspect(creating: Bool) throws(HistoryError) {
        let (version, tables, applied) = try read { db -> (Int, [String], [String]) in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            let applied = tables.contains("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") : []
            return (version, tables, applied)
        }
        if tables.isEmpty, !creating { throw .noHistory(path: path) }
        let known = HistorySchema.migrations
        let unknown = applied.filter { !known.contains($0) }
        if !tables.isEmpty, !tables.contains("grdb_migrations") || (!applied.isEmpty && !applied.contains(known[0])) {
            let shown = tables.prefix(6).joined(separator: ", ") + (tables.count > 6 ? ", ..." : "")
            throw .notAHistory(path: path, reason: "it is a SQLite database of something else (tables \(shown))")
        }
        if version > HistorySchema.version || !unknown.isEmpty {
            throw .newerSchema(path: path, found: version, known: HistorySchema.version, unknownMigrations: unknown)
        }
        if !applied.isEmpty, let missing = HistorySchema.tables.first(where: { !tables.contains($0) }) {
            throw .damaged(path: path, reason: "its table \(missing) is missing")
        }
    }

    /// WAL mode, then the migrations this binary knows.
    ///
    /// GRDB's migrator reads which migrations are applied before it runs each one in its own
    /// transaction, so two processes migrating a new file at once can both try the same
    /// migration: the second one fails (its table exists) and rolls back whole. When that
    /// happens and the other process has finished the job, the database is as it should be.
    private func prepare() throws(HistoryError) {
        try switchToWAL()
        let migrator = HistorySchema.migrator
        for attempt in 1...5 {
            do {
                try migrator.migrate(queue)
                return
            } catch {
                let done = (try? queue.read { try migrator.hasCompletedMigrations($0) }) ?? false
                if done { return }
                if attempt == 5 { throw Self.describe(error, path: path) }
            }
        }
    }

    /// Puts the file in WAL mode. Switching takes an exclusive lock: when two processes open a
    /// new file at once, SQLite can turn one away with "database is locked" at once rather than
    /// let both wait for each other (`history add` twice at once lost a run that way). So the
    /// switch waits a short, random time, and on a busy file pauses and tries again, until the
    /// file is in WAL mode (by either process) or the busy timeout has passed.
    private func switchToWAL() throws(HistoryError) {
        let patienceMilliseconds = Int(Self.busyTimeoutSeconds * 1000)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.busyTimeoutSeconds * 1e9)
        while true {
            do {
                // A file that cannot be in WAL mode (no shared memory where it lives) keeps its
                // mode: SQLite returns that mode rather than failing, and it still works.
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA busy_timeout = \(Int.random(in: 20...120))")
                    defer { try? db.execute(sql: "PRAGMA busy_timeout = \(patienceMilliseconds)") }
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
                return
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED)
                && DispatchTime.now().uptimeNanoseconds < deadline
            {
                // SQLite may say busy at once (it does when waiting could deadlock): a short,
                // random pause, so that the two do not keep meeting.
                usleep(useconds_t.random(in: 1_000...20_000))
                continue
            } catch {
                throw Self.describe(error, path: path)
            }
        }
    }

    /// Runs `body` in one immediate transaction (the write lock taken up front, so a second
    /// writer waits on the busy timeout rather than failing mid-way): all of it or nothing.
    func write<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw HistoryError.storage(path: path, reason: "the transaction returned nothing") }
                return result
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try queue.read(body)
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// SQLite's error as one of ours: the file, what SQLite said, what to do.
    static func describe(_ error: any Error, path: String) -> HistoryError {
        guard let error = error as? DatabaseError else { return .storage(path: path, reason: "\(error)") }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return .notAHistory(path: path, reason: "it is not a SQLite database (\(message))")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
            return .cannotOpen(path: path, reason: message)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .storage(path: path, reason: "another process holds it (\(message); vsockbench waits up to \(Int(busyTimeoutSeconds)) s)")
        case .SQLITE_CORRUPT:
            return .damaged(path: path, reason: message)
        default:
            return .storage(path: path, reason: message)
        }
    }
}
