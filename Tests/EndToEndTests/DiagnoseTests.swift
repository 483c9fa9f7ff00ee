import Foundation
import Testing
@testable import VsockBenchReport

/// `diagnose` on the knobs that reproduce each cause, on the local target: the knob's cause
/// ranks first, combinations name both causes, and a healthy stream gets nothing but
/// bandwidth_bound.
@Suite(.serialized) struct DiagnoseTests {
    static func verdicts(_ document: RunDocument, _ name: String) -> [String] {
        document.cases.first { $0.name == name }?.diagnosis?.map(\.id) ?? []
    }

    @Test func eachKnobGetsItsVerdictOnTheLocalTarget() throws {
        let dir = try Tool.scratch()
        let result = try Tool.run(["diagnose", "scenarios/causes.yaml", "--duration", "400ms", "--warmup", "100ms", "--json", dir + "/d.json"], timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/d.json"))))
        let figures = document.cases.map {
            "\($0.name): \($0.mbpsTotal) Mbps, p50 \($0.latencyMicros?.p50 ?? 0) µs, target processing share \($0.target?.processingShare ?? -1) \($0.diagnosis?.map(\.id) ?? [])"
        }.joined(separator: "; ")
        #expect(Self.verdicts(document, "healthy-bulk") == ["bandwidth_bound"], "\(figures)")
        #expect(Self.verdicts(document, "round-trips").first == "round_trip_bound", "\(figures)")
        #expect(Self.verdicts(document, "slow-agent").first == "processing_bound", "\(figures)")
        #expect(Self.verdicts(document, "fragmented").first == "fragmented_writes")
        #expect(Self.verdicts(document, "small-buffers").first == "flow_control_bound")
        let slowFragmented = Array(Self.verdicts(document, "slow-agent-fragmented").prefix(2))
        #expect(Set(slowFragmented) == ["processing_bound", "fragmented_writes"], "\(figures)")
        let smallFragmented = Array(Self.verdicts(document, "small-buffers-fragmented").prefix(2))
        #expect(Set(smallFragmented) == ["flow_control_bound", "fragmented_writes"], "\(figures)")
        for c in document.cases where c.name != "healthy-bulk" {
            #expect(!(c.diagnosis ?? []).contains { $0.id == "nagle_delayed_ack" || $0.id == "notification_bound" }, "\(c.name)")
        }
        // Advice is quantified from the model estimated on this run.
        let roundTrip = document.cases.first { $0.name == "round-trips" }?.diagnosis?.first
        #expect(roundTrip?.advice.contains("n_half") == true)
        #expect(roundTrip?.predictedGain?.contains("Mbps") == true)
        #expect(result.stdout.contains("processing_bound (confidence"))

        // The same verdicts from the saved results, without running anything.
        let again = try Tool.run(["diagnose", "--from", dir + "/d.json", "--json", dir + "/d2.json"])
        #expect(again.status == 0, "\(again.stderr)")
        let reread = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/d2.json"))))
        #expect(reread.cases.map { $0.diagnosis?.map(\.id) ?? [] } == document.cases.map { $0.diagnosis?.map(\.id) ?? [] })
    }

    @Test func nagleAndDelayedAcksOverTCP() throws {
        let server = try ServeProcess(listen: "tcp://127.0.0.1:0")
        defer { server.stop() }
        let dir = try Tool.scratch()
        let result = try Tool.run(["diagnose", "scenarios/nagle.yaml", "--target", server.endpoint.description,
                                   "--messages", "8", "--warmup", "0s", "--json", dir + "/n.json"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/n.json"))))
        #expect(Self.verdicts(document, "nagle-stall").first == "nagle_delayed_ack", "\(Self.verdicts(document, "nagle-stall"))")
        #expect(!Self.verdicts(document, "nodelay-on").contains("nagle_delayed_ack"))
    }

    @Test(arguments: [
        ["diagnose"],
        ["diagnose", "scenarios/cliff.yaml", "--from", "x.json"],
        ["diagnose", "--from", "/nonexistent.json"],
        ["diagnose", "--from", "scenarios/cliff.yaml"],
    ])
    func badInputExits2(arguments: [String]) throws {
        let result = try Tool.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
    }
}
