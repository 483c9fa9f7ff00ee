import Foundation
import Testing
@testable import VsockBenchReport

/// `diagnose` on the knobs that reproduce each cause, on the local target: the knob's cause
/// ranks first, combinations name both causes, and a healthy stream gets nothing but
/// bandwidth_bound.
@Suite(.serialized) struct DiagnoseTests {
    static func verdicts(_ document: RunDocument, _ name: String) -> [String] {
        document.cases.first { $0.name == name }?.diagnosis?.map(\.id.rawValue) ?? []
    }

    @Test func eachKnobGetsItsVerdictOnTheLocalTarget() throws {
        let dir = try Tool.scratch()
        let result = try Tool.run(["diagnose", "scenarios/causes.yaml", "--duration", "400ms", "--warmup", "100ms", "--json", dir + "/d.json"], timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/d.json"))))
        let figures = document.cases.map {
            "\($0.name): \($0.mbpsTx) Mbps tx, \($0.mbpsRx) rx, p50 \($0.latencyMicros?.p50 ?? 0) µs, target processing share \($0.target?.processingShare ?? -1) \($0.diagnosis?.map(\.id.rawValue) ?? [])"
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
            #expect(!(c.diagnosis ?? []).contains { $0.id == .nagleDelayedAck || $0.id == .notificationBound }, "\(c.name)")
        }
        // Advice is quantified from the model estimated on this run.
        let roundTrip = document.cases.first { $0.name == "round-trips" }?.diagnosis?.first
        #expect(roundTrip?.advice.contains("is the payload time of") == true, "\(roundTrip?.advice ?? "")")
        #expect(roundTrip?.predictedGain?.contains("Mbps") == true)
        #expect(result.stdout.contains("processing_bound (confidence"))

        // The same verdicts from the saved results, without running anything.
        let again = try Tool.run(["diagnose", "--from", dir + "/d.json", "--json", dir + "/d2.json"])
        #expect(again.status == 0, "\(again.stderr)")
        let reread = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/d2.json"))))
        #expect(reread.cases.map { $0.diagnosis?.map(\.id.rawValue) ?? [] } == document.cases.map { $0.diagnosis?.map(\.id.rawValue) ?? [] })
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

    /// Every quantified verdict of a tiny scenario gets its fix run: a `verified` object with
    /// the fixed case's measured value, in the JSON and the text, from a run and from a file.
    @Test func verifyRunsEveryQuantifiedFixAndReportsWhatItMeasured() throws {
        let scenario = try scenarioFile("""
            name: tiny-causes
            defaults: {duration: 300ms, warmup: 100ms, request_size: 8KiB, response_size: 8KiB}
            cases:
              - {name: bulk, workload: stream, write_size: 64KiB}
              - {name: plain, workload: rr}
              - {name: fragmented, workload: rr, write_chunk: 512B}
              - {name: slow-agent, workload: rr, target_cost: 500us}
            """)
        let dir = try Tool.scratch()
        let result = try Tool.run(["diagnose", scenario, "--verify", "--repeat", "2", "--settle", "50ms", "--json", dir + "/v.json"], timeout: 240)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/v.json"))))
        let quantified = document.cases.flatMap { c in (c.diagnosis ?? []).filter { $0.predicted != nil }.map { (c.name, $0) } }
        // Counts make fragmented_writes certain; the slow agent's verdict depends on the load
        // (processing_bound, or round_trip_bound when waits stretch the round trip), but it
        // has a quantified fix either way.
        #expect(quantified.contains { $0.0 == "fragmented" && $0.1.id == .fragmentedWrites }, "\(result.stdout)")
        #expect(quantified.contains { $0.0 == "slow-agent" }, "\(result.stdout)")
        for (name, verdict) in quantified {
            let verified = try #require(verdict.verified, "\(name) \(verdict.id.rawValue) was not verified")
            #expect(verified.caseName == verdict.fix?.caseName(for: name))
            #expect(verified.measured != nil, "\(name) \(verdict.id.rawValue): \(verified.error ?? "")")
            #expect(verified.referenceCase == name + "+again")
            #expect(verified.drift != nil)
            #expect(verdict.trials == 2)
            if let measured = verified.measured, let predicted = verdict.predicted {
                #expect(verified.within == predicted.contains(measured))
            }
        }
        #expect(result.stdout.contains("verified: fragmented+whole-frames measured"))
        #expect(result.stdout.contains("verify: "))
        // Inconclusive checks (the case again moved beyond the range's spread) are counted apart.
        let conclusive = quantified.filter { ["inside", "miss"].contains($0.1.verified?.check) }.count
        let inconclusive = quantified.filter { $0.1.verified?.check == "inconclusive" }.count
        #expect(result.stdout.contains(conclusive == 0 ? "verify: no prediction was checked conclusively" : " of \(conclusive) predictions inside their range"), "\(result.stdout)")
        #expect(inconclusive == 0 || result.stdout.contains("; \(inconclusive) inconclusive, counted neither inside nor a miss: "), "\(result.stdout)")

        // From the results file: the same verdicts, the fixes run against a local target.
        // --settle goes with the file's own trials (2 here): taken, not refused.
        let again = try Tool.run(["diagnose", "--from", dir + "/v.json", "--verify", "--duration", "200ms", "--warmup", "50ms", "--settle", "20ms",
                                  "--json", dir + "/v2.json"], timeout: 240)
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        let reread = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/v2.json"))))
        let checked = reread.cases.flatMap { ($0.diagnosis ?? []).filter { $0.predicted != nil } }
        #expect(!checked.isEmpty)
        #expect(checked.allSatisfy { $0.verified?.measured != nil })
    }

    /// --from --verify runs the fixes with the results file's trials: --seed and --settle are
    /// refused (exit 2, before anything runs) when it has one trial per case and no --repeat.
    @Test func trialFlagsWithAOneTrialResultsFileAreRefused() throws {
        let scenario = try scenarioFile("name: one\ncases:\n  - {name: plain, workload: rr, request_size: 1KiB, response_size: 1KiB, messages: 200, warmup: 0s}\n")
        let dir = try Tool.scratch()
        let run = try Tool.run(["run", scenario, "--json", dir + "/r.json"], timeout: 60)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let refused = try Tool.run(["diagnose", "--from", dir + "/r.json", "--verify", "--seed", "3"], timeout: 60)
        #expect(refused.status == 2, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stderr.contains("--seed shuffles the case order of the rounds of --repeat: give it with --repeat N (2 or more), or leave it out (\(dir)/r.json has one trial per case)"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1 && !refused.stdout.contains("verif"), "\(refused.stdout)\n\(refused.stderr)")
    }

    /// The fixes run against a target nothing listens at: each fails, the report says not
    /// measured (failed: ...) rather than MISS, and the status is 1 (it was 0, review).
    @Test func verifyFixesThatFailExit1() throws {
        let scenario = try scenarioFile("""
            name: tiny
            defaults: {request_size: 8KiB, response_size: 8KiB, warmup: 0s}
            cases:
              - {name: bulk, workload: stream, write_size: 64KiB, duration: 200ms}
              - {name: plain, workload: rr, duration: 200ms}
            """)
        let dir = try Tool.scratch()
        let run = try Tool.run(["diagnose", scenario, "--json", dir + "/r.json"], timeout: 60)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let verify = try Tool.run(["diagnose", "--from", dir + "/r.json", "--verify", "--target", "unix://\(dir)/nothing.sock", "--json", dir + "/v.json"], timeout: 60)
        #expect(verify.status == 1, "\(verify.stdout)\n\(verify.stderr)")
        #expect(verify.stdout.contains("not measured (failed: cannot connect"), "\(verify.stdout)")
        #expect(!verify.stdout.contains("MISS"), "\(verify.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/v.json"), "the report is still written")
    }

    /// --help names what a check can say (it named no inconclusive or not measured check).
    @Test func helpSaysWhatACheckCanSay() throws {
        let help = try Tool.run(["diagnose", "--help"])
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("reports each prediction against what it measured: inside, MISS, inconclusive (the trials' interval reaches the range but not their median, or the case again moved beyond the spread the range allowed) or not measured (the fixed case failed); with --from in another setup, it says which differ."), "\(help.stdout)")
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
