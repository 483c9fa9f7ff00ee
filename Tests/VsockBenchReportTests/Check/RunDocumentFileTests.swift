import Foundation
import Testing

@testable import VsockBenchReport
import VsockTransport
import VsockBenchModel

@Suite struct RunDocumentFileTests {
    static func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "vsockbench-check-\(UUID().uuidString).json").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a run document written by run --json loads back equal")
    func roundTrip() throws {
        let document = ReportFixtures.cliff()
        let path = try Self.temporaryFile(String(decoding: document.encoded(), as: UTF8.self))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try RunDocumentFile.load(path: path) == document)
    }

    /// Results written before `host.build` was recorded load, the build unknown (nil), and
    /// check says nothing of a build it cannot know.
    @Test("an older results file without host.build loads, its build unknown")
    func olderFileWithoutBuildLoads() throws {
        let document = ReportFixtures.cliff()
        var json = try #require(try JSONSerialization.jsonObject(with: Data(document.encoded())) as? [String: Any])
        var host = try #require(json["host"] as? [String: Any])
        #expect(host["build"] != nil, "the key is written")
        host["build"] = nil
        json["host"] = host
        let older = try RunDocumentFile.parse(Array(try JSONSerialization.data(withJSONObject: json)), path: "old.json")
        #expect(older.host.build == nil)
        #expect(older.host.driverKernel == document.host.driverKernel)
        var release = document
        release.host.build = "release"
        let report = try RegressionCheck.compare(results: [release], baseline: ReportFixtures.asBaseline([older]))
        #expect(!report.warnings.contains { $0.contains("driver build") }, "\(report.warnings)")
    }

    /// A hand-edited figure or config that no run produces is refused on load (exit 2 upstream),
    /// not carried into the diagnosis's arithmetic, where 1e308 msgs/s or a 2^62-byte request
    /// trapped (SIGILL, no message).
    @Test("impossible rates and configs are refused on load, naming the case and the key")
    func impossibleFiguresAreRefused() throws {
        func refusal(_ edit: (inout RunDocument) -> Void) throws -> String {
            var document = ReportFixtures.cliff()
            edit(&document)
            do {
                _ = try RunDocumentFile.parse(document.encoded(), path: "r.json")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(try refusal { $0.cases[1].figures.msgsPerSecond = 1e308 }.contains("msgs_per_s 1e+308 is not a rate a run measures"))
        #expect(try refusal { $0.cases[1].figures.msgsPerSecond = -5 }.contains("msgs_per_s -5.0 is not a rate a run measures"))
        #expect(try refusal { $0.cases[0].figures.mbpsTx = -1 }.contains("mbps_tx"))
        let huge = try refusal { $0.cases[1].spec = CaseSpec(name: "chatty-8k", workload: .rr(RequestResponseWorkload(requestSize: 1 << 62))) }
        #expect(huge.contains("case 'chatty-8k': its config is outside what a run takes: request_size 4611686018427387904"), "\(huge)")
        // Each trial too: check and compare read them (a negative trial read as "improved").
        #expect(try refusal { $0.cases[1].trials = [$0.cases[1].figures, $0.cases[1].figures]; $0.cases[1].trials[1].msgsPerSecond = -5 }
            .contains("case 'chatty-8k': trial 2's msgs_per_s -5.0 is not a rate a run measures"))
        // No trial at all: a hand-edited file (it passed check as "not in the baseline").
        #expect(try refusal { $0.cases[1].trials = [] }.contains("trials is empty"))
        #expect(try refusal { _ in } == "accepted")
        // Every other number too, named by its place: writes_per_msg 9.3e18 reached
        // `Int(writes.rounded())` in the diagnosis and killed `diagnose --from` (SIGILL).
        let writes = try refusal { $0.cases[1].trials = [$0.cases[1].figures, $0.cases[1].figures]; $0.cases[1].trials[1].writesPerMessage = 9.3e18 }
        #expect(writes.contains("cases[1].trials[1].writes_per_msg: 9.3e+18 is outside what a run records"), "\(writes)")
        #expect(try refusal { $0.cases[0].figures.readsPerMessage = -1 }.contains("cases[0].reads_per_msg: -1.0 is outside"))
        #expect(try refusal { $0.cases[0].figures.writesPerMessage = 1e15 } == "accepted")
        // What a run may legitimately write: a stream case's `bytes:` up to 2^50, a week at
        // 100 Gbit/s (7.6e15 bytes); a first bound of 1e15 refused them (review).
        #expect(try refusal { $0.cases[0].figures.bytesTx = 7_560_000_000_000_000 } == "accepted")
        #expect(try refusal { $0.cases[0].figures.writesPerMessage = 1e16 }.contains("is outside what a run records (0 to 2^53)"))
        // What an older version ran and a new run may not ask (a 5ms duration, 64 requests of
        // 1s in flight) is a fine record, not a malformed file (they were refused on load).
        #expect(try refusal { $0.cases[1].spec.stop = .duration(nanos: 5_000_000) } == "accepted")
        #expect(try refusal { $0.cases[1].spec.updateExchange { $0.inflight = 64; $0.targetCostNanos = 1_000_000_000 } } == "accepted")
    }

    /// The README's promise: every key always present, null where a figure does not apply,
    /// here for a run whose target was never reached (no target host, no target CPU, no socket
    /// of either side); and it reads back equal.
    @Test("a run that reached no target still has every key, null")
    func nullsForWhatWasNotReached() throws {
        var c = ReportFixtures.makeCase("failed", mbps: 0, msgsPerSecond: 0)
        c.figures.cpu = CPUSummary(driverUserSeconds: 0, driverSystemSeconds: 0)
        c.socket = SocketSummary(driver: EffectiveSocketOptions(sndbuf: 1, rcvbuf: 2), target: nil)
        c.targetHost = nil
        var document = ReportFixtures.document([c])
        document.host.target = nil
        document.host.targetKernel = nil
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document.encoded())) as? [String: Any])
        let host = try #require(object["host"] as? [String: Any])
        #expect(Set(host.keys) == ["driver", "target", "driver_kernel", "target_kernel", "cpus", "build"])
        #expect(host["target"] is NSNull && host["target_kernel"] is NSNull)
        let first = try #require((object["cases"] as? [[String: Any]])?.first)
        let cpu = try #require(first["cpu"] as? [String: Any])
        #expect(Set(cpu.keys) == ["driver_user_s", "driver_sys_s", "target_user_s", "target_sys_s", "driver_us_per_msg", "target_us_per_msg", "machine_busy_cpus", "other_user_cpus", "machine_steal_share"])
        #expect(cpu["target_us_per_msg"] is NSNull)
        let socket = try #require(first["socket"] as? [String: Any])
        #expect(Set(socket.keys) == ["driver", "target"] && socket["target"] is NSNull)
        let driver = try #require(socket["driver"] as? [String: Any])
        #expect(Set(driver.keys) == ["sndbuf", "rcvbuf", "vsock_buffer_size", "nodelay"] && driver["nodelay"] is NSNull)
        #expect(first.keys.contains("target_host") && first["target_host"] is NSNull)
        #expect(try RunDocument.decode(document.encoded()) == document)
    }

    @Test("a missing file is unreadable, with the system's reason")
    func missing() {
        #expect(throws: CheckInputError.unreadable(path: "/nonexistent/r.json", reason: "No such file or directory")) {
            try RunDocumentFile.load(path: "/nonexistent/r.json")
        }
    }

    @Test("not JSON, no schema, another schema, missing keys and duplicate cases each say so")
    func unusable() throws {
        func error(_ text: String) -> CheckInputError? {
            do {
                _ = try RunDocumentFile.parse(Array(text.utf8), path: "r.json")
                return nil
            } catch { return error }
        }
        guard case .notJSON = error("{not json") else { Issue.record("expected notJSON"); return }
        #expect(error("{\"cases\": []}") == .wrongSchema(path: "r.json", found: nil))
        #expect(error("[1, 2]") == .wrongSchema(path: "r.json", found: nil))
        #expect(error("{\"schema\": \"vsockbench/0\", \"cases\": []}") == .wrongSchema(path: "r.json", found: "vsockbench/0"))
        #expect(CheckInputError.wrongSchema(path: "r.json", found: "vsockbench/0").description.contains("vsockbench/1"))
        // Another of vsockbench's documents is the wrong file, not an old version (review).
        let observe = CheckInputError.wrongSchema(path: "o.json", found: "vsockbench-observe/1").description
        #expect(observe.contains("o.json is the output of `vsockbench observe --json` (schema \"vsockbench-observe/1\"), not a run's results"), "\(observe)")
        #expect(!observe.contains("run it again"), "\(observe)")
        #expect(CheckInputError.wrongSchema(path: "p.json", found: "vsockbench-probe/1").description.contains("`vsockbench probe --json`"))
        let history = CheckInputError.wrongSchema(path: "h.json", found: "vsockbench-history/1").description
        #expect(history.contains("`vsockbench history list|show|trend|changes --json`") && history.contains("`vsockbench history show RUN --document` prints a stored run's results file"), "\(history)")
        let malformed = error("{\"schema\": \"vsockbench/1\"}")
        guard case let .malformed(_, reason) = malformed else { Issue.record("expected malformed, got \(String(describing: malformed))"); return }
        #expect(reason.contains("missing"))

        var document = ReportFixtures.cliff()
        document.cases[1].name = "bulk"
        #expect(error(String(decoding: document.encoded(), as: UTF8.self)) == .duplicateCase(path: "r.json", name: "bulk"))
    }
}
