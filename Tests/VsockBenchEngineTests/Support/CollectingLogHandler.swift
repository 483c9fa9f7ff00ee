import Logging
import VsockBenchSupport

/// A log handler that keeps what the target logs in memory, so a test can check that a bad
/// connection was logged (and with what code) without any output.
struct CollectingLogHandler: LogHandler {
    /// One logged line: its level, message and metadata, as text.
    struct Entry: Sendable, CustomStringConvertible {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]

        var description: String { "\(level) \(message) \(metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))" }
    }

    /// Shared by every copy of the handler (a Logger copies its handler with each metadata change).
    final class Store: Sendable {
        private let entries = LockedValue<[Entry]>([])

        func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }

        var all: [Entry] { entries.value }

        /// Entries at `level` or above whose message is `message`.
        func entries(_ message: String, atLeast level: Logger.Level = .trace) -> [Entry] {
            all.filter { $0.message == message && $0.level >= level }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        store.append(Entry(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
