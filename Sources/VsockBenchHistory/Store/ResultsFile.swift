import Foundation
import VsockBenchReport
import VsockBenchSupport

/// A results file to add: its document, and its text exactly as read (the history keeps the
/// file itself, so `history show RUN --document` gives it back and a later vsockbench can read
/// figures this one does not know).
public struct ResultsFile: Sendable {
    public var path: String
    public var document: RunDocument
    public var json: String

    /// Reads and validates `path` as `check` does (size, JSON, schema, complete, unique case
    /// names); a document without cases is refused too: it would be a run of nothing.
    public static func read(path: String) throws(HistoryError) -> ResultsFile {
        do {
            _ = try RunDocumentFile.load(path: path)
        } catch {
            throw .results(error)
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .results(.unreadable(path: path, reason: error.localizedDescription))
        }
        return try parse(bytes, path: path)
    }

    /// The document in `bytes` (the text that will be stored).
    public static func parse(_ bytes: [UInt8], path: String) throws(HistoryError) -> ResultsFile {
        let document: RunDocument
        do {
            document = try RunDocumentFile.parse(bytes, path: path)
        } catch {
            throw .results(error)
        }
        guard !document.cases.isEmpty else {
            throw .results(.malformed(path: path, reason: "it has no cases; there is nothing to keep"))
        }
        // The history orders runs by this text: only the one form vsockbench writes sorts as
        // time does (an offset, fractions or "yesterday" sorted as text, and a window took
        // the wrong runs: review).
        guard Self.isUTCSecond(document.startedAt) else {
            throw .results(.malformed(path: path, reason: "started_at \"\(Terminal.safe(document.startedAt))\" is not a UTC time as vsockbench writes it (such as 2026-12-05T19:30:00Z); the history orders runs by it"))
        }
        return ResultsFile(path: path, document: document, json: String(decoding: bytes, as: UTF8.self))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, digits where digits go: what `iso8601Now` writes.
    static func isUTCSecond(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let pattern = Array("dddd-dd-ddTdd:dd:ddZ".utf8)
        guard bytes.count == pattern.count else { return false }
        return zip(bytes, pattern).allSatisfy { byte, want in want == UInt8(ascii: "d") ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == want }
    }

    public init(path: String, document: RunDocument, json: String) {
        self.path = path
        self.document = document
        self.json = json
    }

    /// A document made in memory (tests, or a run just made): stored as `RunDocument.encoded()`.
    public init(document: RunDocument, path: String = "results") {
        self.init(path: path, document: document, json: String(decoding: document.encoded(), as: UTF8.self))
    }
}
