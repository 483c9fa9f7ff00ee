import Foundation
import Testing
import VsockWire
@testable import VsockBenchModel

/// A corpus named by many cases is read once per load (review: it was read for every case; 100
/// cases sharing a 200 MB corpus through defaults took 32 s to load).
@Suite struct ScenarioCorpusCacheTests {
    @Test func aSharedCorpusIsReadOncePerPathAndFraming() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "vsb-shared-\(UUID().uuidString).u32be").path
        var bytes: [UInt8] = []
        MessageFraming.u32be.encode([1, 2, 3], into: &bytes)
        MessageFraming.u32be.encode([4, 5], into: &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cases = (0..<100).map { "  - {name: c\($0), workload: replay}" }.joined(separator: "\n")
        var corpora = CorpusCache()
        let scenario = try ScenarioLoader.parse("name: x\ndefaults: {corpus: \(path), framing: u32be, messages: 10}\ncases:\n\(cases)\n", file: "s.yaml", corpora: &corpora)
        #expect(corpora.reads == 1)
        #expect(scenario.cases.count == 100)
        let stats = scenario.cases.map { spec -> CorpusStats? in if case let .replay(r) = spec.workload { r.corpusStats } else { nil } }
        #expect(stats == Array(repeating: CorpusStats(messages: 2, payloadBytes: 5, largest: 3, smallest: 2), count: 100))

        // Another framing of the same file is another read (and here another answer).
        var again = CorpusCache()
        _ = try? ScenarioLoader.parse("name: x\ndefaults: {corpus: \(path), messages: 10}\ncases:\n  - {name: a, workload: replay, framing: u32be}\n  - {name: b, workload: replay, framing: u32be}\n  - {name: c, workload: replay, framing: u16be}\n", file: "s.yaml", corpora: &again)
        #expect(again.reads == 2)
    }

    /// A missing corpus shared by every case is one read and one error, at the default's line.
    @Test func aMissingSharedCorpusIsReadOnceAndSaidOnce() {
        var corpora = CorpusCache()
        do {
            _ = try ScenarioLoader.parse("name: x\ndefaults:\n  messages: 10\n  corpus: /nonexistent/c.u32be\ncases:\n  - {name: a, workload: replay}\n  - {name: b, workload: replay}\n", file: "s.yaml", corpora: &corpora)
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.line) == [4], "\(error.diagnostics)")
        }
        #expect(corpora.reads == 1)
    }
}
