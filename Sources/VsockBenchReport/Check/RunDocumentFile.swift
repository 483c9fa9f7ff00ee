#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import VsockTransport
import VsockBenchSupport

/// Reads a results file for `check` (or any command that reads results back) and says exactly
/// what is wrong with one it cannot use: unreadable, not JSON, another schema, missing keys.
public enum RunDocumentFile {
    /// Results files are a few hundred KiB at most; anything far larger is not one.
    static let maximumBytes = 256 << 20
    /// No msgs/s or Mbps figure of a results file is above this (a petabit per second).
    static let maximumRate = 1e9

    public static func load(path: String) throws(CheckInputError) -> RunDocument {
        try parse(try read(path: path), path: path)
    }

    /// Checks the schema first (so an old or foreign file gets that message, not a missing key).
    public static func parse(_ bytes: [UInt8], path: String) throws(CheckInputError) -> RunDocument {
        struct SchemaOnly: Decodable { var schema: String? }
        let header: SchemaOnly
        do {
            header = try JSONDecoder().decode(SchemaOnly.self, from: Data(bytes))
        } catch let error as DecodingError {
            if case .typeMismatch = error { throw .wrongSchema(path: path, found: nil) }
            throw .notJSON(path: path, reason: describe(error))
        } catch {
            throw .notJSON(path: path, reason: "\(error)")
        }
        guard let schema = header.schema else { throw .wrongSchema(path: path, found: nil) }
        guard schema == RunDocument.schemaName else { throw .wrongSchema(path: path, found: schema) }
        let document: RunDocument
        do {
            document = try RunDocument.decode(bytes)
        } catch let error as DecodingError {
            throw .malformed(path: path, reason: describe(error))
        } catch {
            throw .malformed(path: path, reason: "\(error)")
        }
        var seen = Set<String>()
        for c in document.cases where !seen.insert(c.name).inserted { throw .duplicateCase(path: path, name: c.name) }
        // A hand-edited figure no run can measure is refused here, not carried into arithmetic.
        for c in document.cases {
            if let problem = c.spec.limitProblems(recorded: true).first {
                throw .malformed(path: path, reason: "case '\(Terminal.safe(c.name))': its config is outside what a run takes: \(problem)")
            }
            // The case's figures and each trial's: check and compare read the trials.
            for (index, f) in [(nil, c.figures)] + c.trials.enumerated().map({ (Optional($0.offset), $0.element) }) {
                for (key, value) in [("msgs_per_s", f.msgsPerSecond), ("mbps_tx", f.mbpsTx), ("mbps_rx", f.mbpsRx), ("mbps_total", f.mbpsTotal)]
                where !(value.isFinite && value >= 0 && value <= maximumRate) {
                    let place = index.map { "trial \($0 + 1)'s " } ?? ""
                    throw .malformed(path: path, reason: "case '\(Terminal.safe(c.name))': \(place)\(key) \(value) is not a rate a run measures (0 to \(Int(maximumRate)))")
                }
            }
        }
        if let (place, value) = ResultsNumbers.firstOutOfRange(bytes) {
            throw .malformed(path: path, reason: "\(place): \(value) is outside what a run records (0 to 2^53)")
        }
        return document
    }

    static func read(path: String) throws(CheckInputError) -> [UInt8] {
        // Refused by its size before it is read.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > maximumBytes {
            throw .unreadable(path: path, reason: "\(Int(info.st_size) >> 20) MiB, larger than \(maximumBytes >> 20) MiB; not a results file")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileContents.read(path: path, limit: maximumBytes + 1)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        if bytes.count > maximumBytes { throw .unreadable(path: path, reason: "larger than \(maximumBytes >> 20) MiB; not a results file") }
        return bytes
    }

    /// `cases[1].latency_us.p99: expected a number` rather than the decoder's full dump.
    static func describe(_ error: DecodingError) -> String {
        func location(_ path: [any CodingKey]) -> String {
            var text = ""
            for key in path {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = location(context.codingPath)
            return "key \"\(key.stringValue)\" missing" + (context.codingPath.isEmpty ? "" : " in \(parent)")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(location(context.codingPath)): \(context.debugDescription)"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? context.debugDescription : "\(location(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
