import Foundation
import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport

/// Figures a results file may hold (each under 2^53) multiply past Int: a diagnosis of them
/// says what it can and does not trap (a trap kills the test run, and so fails it).
@Suite struct FigureOverflowTests {
    typealias F = DiagnosisFixtures

    /// The bandwidth-delay product of a 10^12 Mbps ceiling and a 10^14 us round trip is
    /// 1.25 x 10^25 bytes: `Int(bdp)` killed `diagnose --from` with SIGILL (review).
    @Test func aHugeBandwidthDelayProductDoesNotTrap() {
        // A window (the product is weighed only where requests overlap) over small buffers.
        var small = F.smallBuffers(msgs: 1000)
        small.spec.updateExchange { $0.inflight = 8; $0.strategy = .window(8) }
        small.figures.latencyMicros = LatencySummary(p50: 1e14, p90: 1e14, p99: 1e14, p999: 1e14, max: 1e14, mean: 1e14)
        let document = Diagnoser.diagnose(F.document([F.stream(mbps: 1e12), small]))
        let text = Diagnoser.render(document)
        #expect(text.contains("small-buffers (rr"))
        // Said as past a bound, not as the bound's value (4 EiB read as measured, review).
        #expect(text.contains("bandwidth-delay product over 1 PiB"), "\(text)")
        #expect(!HTMLReport.render(document).isEmpty)
    }

    /// The reviewer's input, kept in the fuzz corpus: loaded and diagnosed as `diagnose --from` does.
    @Test func theBandwidthDelayOverflowInputIsDiagnosed() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Fuzz/corpus/ResultsLoad/regression-bdp-overflow").standardizedFileURL.path
        let document = Diagnoser.diagnose(try RunDocumentFile.load(path: path))
        // Its p50 of 10^14 us times the 9 x 10^8 Mbps ceiling reached `Int(bdp)` (the flow
        // control verdict then falls short of its threshold): every case is reported.
        let text = Diagnoser.render(document)
        #expect(["rr1 (rr", "open (rr", "st (stream", "mv (masked"].allSatisfy { text.contains($0) }, "\(text)")
    }

    @Test func boundedConversionHoldsEveryDouble() {
        #expect(Int(bounded: 1.25e25) == 1 << 62)
        #expect(Int(bounded: -1e300) == -(1 << 62))
        #expect(Int(bounded: .infinity) == 1 << 62)
        #expect(Int(bounded: .nan) == 0)
        #expect(Int(bounded: 4096.4) == 4096)
    }
}
