import Foundation
import GRDB

/// The results history: one SQLite file, opened through GRDB.
///
/// It is the user's data, so opening it is careful. A file that is not SQLite, or a SQLite
/// database of something else, is refused before anything is written to it; a history written
/// by a newer vsockbench (a schema version or migrations this binary does not know) is refused
/// untouched. Otherwise the file is kept in SQLite's rollback-journal mode (DELETE) with a busy
/// timeout (a second writer, or a writer and a reader, wait for each other instead of failing),
/// and brought up to the current schema. Every write is one immediate transaction: all of it
/// lands or none does. The commands that only read open it read-only: they create, switch and
/// migrate nothing, and they leave no file beside it; except that one who may write it first
/// rolls back the `-journal` an `add` killed half-way left (`rollBackInterruptedWrite`).
///
/// Why not WAL (the first releases used it): a WAL database's readers need its `-shm` and
/// `-wal` files, and create them when they are missing. In a directory the reader cannot write
/// that fails ("attempt to write a readonly database"); in one it can, the files it leaves are
/// its own, and the owner's next `add` cannot write them. In rollback-journal mode a reader
/// takes a shared lock on the file and writes nothing; only a writer makes a `-journal`, and
/// deletes it when it commits. A history still in WAL mode is switched back by the next `add`;
/// until then a reader that finds no `-shm` beside it (and no `-wal` with data in it: no
/// writer has it open) reads it as immutable rather than create them.
public final class HistoryDatabase: Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// How long a writer waits for another process's transaction before giving up.
    public static let busyTimeoutSeconds = 30.0

    /// The schema version this binary writes.
    public static var schemaVersion: Int { HistorySchema.version }

    /// Opens the history at `path`. With `creating`, a missing file is created; its missing
    /// directory too with `makingDirectory` (the default location, `~/.local/share/vsockbench`,
    /// which a first `add` finds missing), else refused as every output file's is: a typo in
    /// `--db` silently started a new, empty history under a new directory (review). Without
    /// `creating` (the read-only commands), the file is opened read-only, as its schema is (an
    /// older version reads as it is), and a missing or empty file is `noHistory`.
    public static func open(path: String, creating: Bool, makingDirectory: Bool = false) throws(HistoryError) -> HistoryDatabase {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { throw .cannotOpen(path: path, reason: "it is a directory; name a file") }
        if !exists {
            guard creating else { throw .noHistory(path: path) }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !makingDirectory, !FileManager.default.fileExists(atPath: directory) {
                throw .cannotOpen(path: path, reason: "its directory \(directory) does not exist; create it, or name another file")
            }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create its directory \(directory): \(error.localizedDescription)")
            }
        }
        // An add killed in the middle of its transaction leaves a hot -journal, which only a
        // connection that can write rolls back: a read-only one fails ("attempt to write a
        // readonly database") until the next add (review). A reader that could write rolls it
        // back first; SQLite decides whether the journal is hot (a live writer's is not).
        if !creating, FileManager.default.fileExists(atPath: path + "-journal") {
            try rollBackInterruptedWrite(path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.foreignKeysEnabled = true
        configuration.label = "vsockbench-history"
        configuration.readonly = !creating
        // A reader of a history still in WAL mode with no -shm beside it would create -shm and
        // -wal (or fail where it cannot): it reads the file as it is instead (see above).
        let immutable = !creating && readsAsImmutable(path)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: immutable ? immutableURI(path) : path, configuration: configuration)
        } catch {
            throw describe(error, path: path, writing: creating)
        }
        let database = HistoryDatabase(path: path, queue: queue)
        try database.inspect(creating: creating)
        if creating { try database.prepare() }
        return database
    }

    /// Opens `path` read-write and reads it once, so that SQLite rolls back a hot journal a
    /// killed writer left, where this user may write the file and its directory. Without
    /// that right nothing is tried: the read-only open says what is wrong (`describe`).
    static func rollBackInterruptedWrite(_ path: String) throws(HistoryError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // The journal too: one this user cannot write (another's) made SQLite's open fail
        // "unable to open database file", which said nothing of it (review).
        guard access(path, W_OK) == 0, access(directory, W_OK) == 0, access(path + "-journal", W_OK) == 0 else { return }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.label = "vsockbench-history-recovery"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            try queue.close()
        } catch {
            throw describe(error, path: path)
        }
    }

    /// A history in WAL mode (its header's read and write versions are 2) with no `-shm` beside
    /// it and no `-wal` with anything in it: no connection has it open in WAL mode, and it all
    /// is in the file. A writer that switches it back while this reader reads can make the read
    /// fail (said, exit 2); run it again.
    static func readsAsImmutable(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20,
              header.starts(with: Array("SQLite format 3\u{0}".utf8)), header[18] == 2, header[19] == 2 else { return false }
        let manager = FileManager.default
        if manager.fileExists(atPath: path + "-shm") { return false }
        let walSize = (try? manager.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        return walSize == 0
    }

    /// `file:PATH?immutable=1`, the path percent-encoded as a URI's.
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
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

    /// Out of WAL mode (a history the first releases wrote), then the migrations this binary knows.
    ///
    /// GRDB's migrator reads which migrations are applied before it runs each one in its own
    /// transaction, so two processes migrating a new file at once can both try the same
    /// migration: the second one fails (its table exists) and rolls back whole. When that
    /// happens and the other process has finished the job, the database is as it should be.
    private func prepare() throws(HistoryError) {
        try leaveWAL()
        let migrator = HistorySchema.migrator
        for attempt in 1...5 {
            do {
                try migrator.migrate(queue)
                return
            } catch {
                let done = (try? queue.read { try migrator.hasCompletedMigrations($0) }) ?? false
                if done { return }
                if attempt == 5 { throw Self.describe(error, path: path, writing: true) }
            }
        }
    }

    /// Puts a history in WAL mode back in rollback-journal mode (a new file is in it already).
    /// Switching takes an exclusive lock: while another process has the file open, SQLite says
    /// busy, at once or after the busy timeout; the switch pauses a short, random time and tries
    /// again until the file is out of WAL mode (by either process) or the busy timeout has passed.
    private func leaveWAL() throws(HistoryError) {
        let patienceMilliseconds = Int(Self.busyTimeoutSeconds * 1000)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.busyTimeoutSeconds * 1e9)
        while true {
            do {
                try queue.writeWithoutTransaction { db in
                    guard try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" else { return }
                    try db.execute(sql: "PRAGMA busy_timeout = \(Int.random(in: 20...120))")
                    defer { try? db.execute(sql: "PRAGMA busy_timeout = \(patienceMilliseconds)") }
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                }
                return
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED)
                && DispatchTime.now().uptimeNanoseconds < deadline
            {
                usleep(useconds_t.random(in: 1_000...20_000))
                continue
            } catch {
                throw Self.describe(error, path: path, writing: true)
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
            throw Self.describe(error, path: path, writing: true)
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

    /// SQLite's error as one of ours: the file, what SQLite said, what to do. A write refused
    /// (`writing`, SQLITE_READONLY) is a write that failed (exit 1), not bad input: it names the
    /// file beside the history this user cannot write, and whose it is.
    static func describe(_ error: any Error, path: String, writing: Bool = false) -> HistoryError {
        guard let error = error as? DatabaseError else { return .storage(path: path, reason: "\(error)") }
        let message = error.message ?? "\(error.resultCode)"
        if writing, error.resultCode == .SQLITE_READONLY {
            return .storage(path: path, reason: message + unwritableFiles(path))
        }
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return .notAHistory(path: path, reason: "it is not a SQLite database (\(message))")
        case .SQLITE_READONLY where FileManager.default.fileExists(atPath: path + "-journal"),
             .SQLITE_CANTOPEN where FileManager.default.fileExists(atPath: path + "-journal"):
            return .cannotOpen(path: path, reason: "an add was cut short (killed) and left \(path)-journal, which only a user who can write the history, its -journal and its directory can roll back: any history command run as that user does it (\(message))")
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

    /// Which of the history, its side files and its directory this process cannot write, with
    /// their owners: "; its -shm belongs to uid 65534 (mode 0644) and uid 1000 cannot write it ...".
    static func unwritableFiles(_ path: String) -> String {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var named: [String] = []
        for (file, what) in [(path, "the file"), (path + "-wal", "its -wal"), (path + "-shm", "its -shm"), (path + "-journal", "its -journal"), (directory, "its directory")] {
            guard FileManager.default.fileExists(atPath: file), access(file, W_OK) != 0 else { continue }
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            named.append("\(what) \(file) belongs to uid \(info.st_uid) (mode \(String(info.st_mode & 0o7777, radix: 8)))")
        }
        guard !named.isEmpty else { return "" }
        let sideFiles = named.contains { $0.hasPrefix("its -") }
        return "; " + named.joined(separator: ", ") + " and uid \(geteuid()) cannot write "
            + (named.count == 1 ? "it" : "them")
            + (sideFiles ? " (a reader of an older vsockbench, as another user, leaves -shm and -wal: when no one has the history open, its owner or root may remove them; -shm holds no run, an empty -wal none)" : "")
    }
}
