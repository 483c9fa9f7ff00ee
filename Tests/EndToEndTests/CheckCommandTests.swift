import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

extension EndToEndSuite {
    /// `vsockbench check` on a real `run --json` output and on edited copies of it.
    @Suite(.serialized) struct CheckCommandTests {
        /// One real run of the cliff scenario, shared by the tests (with its HTML report).
        static let baseline: Result<URL, any Error> = Result {
            let dir = try CommandSupport.scratch("check")
            let json = dir.appending(path: "baseline.json")
            let output = try CommandSupport.vsockbench([
                "run", "scenarios/cliff.yaml", "--duration", "300ms", "--warmup", "50ms", "--json", json.path, "--html", dir.appending(path: "run.html").path,
            ])
            guard output.status == 0 else { throw RunFailed(output: output.stderr + output.stdout) }
            return json
        }

        struct RunFailed: Error { var output: String }

        /// A copy of the baseline with `edit` applied to each case object and each of its trials
        /// (a trial is shown its case's name and config while it is edited).
        static func edited(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
            let source = try baseline.get()
            var object = try CommandSupport.jsonObject(source)
            var cases = try #require(object["cases"] as? [[String: Any]])
            for i in cases.indices {
                edit(&cases[i])
                if var trials = cases[i]["trials"] as? [[String: Any]] {
                    for t in trials.indices {
                        trials[t]["name"] = cases[i]["name"]
                        trials[t]["config"] = cases[i]["config"]
                        edit(&trials[t])
                        trials[t]["name"] = nil
                        trials[t]["config"] = nil
                    }
                    cases[i]["trials"] = trials
                }
            }
            object["cases"] = cases
            // Another run's (check leaves the results' own run out of the baseline): a later start.
            object["started_at"] = "2099-01-01T00:00:00Z"
            let url = source.deletingLastPathComponent().appending(path: "\(name).json")
            try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
            return url
        }

        /// The Mbps keys `check` gates for a case: a stream's in the direction(s) it moves
        /// (`config.direction`); none for request/response, gated on msgs/s.
        static func movedMbps(_ c: [String: Any]) -> [String] {
            guard let config = c["config"] as? [String: Any], config["workload"] as? String == "stream" else { return [] }
            switch config["direction"] as? String {
            case "rx": return ["mbps_rx"]
            case "both": return ["mbps_tx", "mbps_rx"]
            default: return ["mbps_tx"]
            }
        }

        /// Scales the Mbps a case moves, and its msgs/s, by `factor`.
        static func scaleThroughput(_ c: inout [String: Any], by factor: Double) {
            for key in movedMbps(c) { c[key] = (c[key] as? Double ?? 0) * factor }
            c["msgs_per_s"] = (c["msgs_per_s"] as? Double ?? 0) * factor
        }

        @Test("run --json output is a valid baseline: an unchanged run passes (exit 0), the run itself is no baseline (exit 2); run --html wrote the report")
        func samePasses() throws {
            let base = try Self.baseline.get()
            let itself = try CommandSupport.vsockbench(["check", base.path, "--baseline", base.path])
            #expect(itself.status == 2 && itself.stderr.contains("is the results' own run"), "\(itself.stderr)")
            let unchanged = try Self.edited("unchanged") { _ in }
            let output = try CommandSupport.vsockbench(["check", unchanged.path, "--baseline", base.path])
            #expect(output.status == 0, "\(output.stderr)\n\(output.stdout)")
            #expect(output.stdout.contains("PASS"))
            #expect(output.stdout.contains("bulk") && output.stdout.contains("chatty-8k"))
            let page = try String(contentsOf: base.deletingLastPathComponent().appending(path: "run.html"), encoding: .utf8)
            for id in ["throughput", "costs", "latency", "host"] { #expect(page.contains("<section id=\"\(id)\""), "\(id)") }
            #expect(!page.contains("NaN"))
        }

        @Test("improved figures pass (exit 0)")
        func improvedPasses() throws {
            let better = try Self.edited("better") { c in Self.scaleThroughput(&c, by: 2) }
            let output = try CommandSupport.vsockbench(["check", better.path, "--baseline", try Self.baseline.get().path])
            #expect(output.status == 0, "\(output.stdout)")
            #expect(output.stdout.contains("improved"))
        }

        @Test("halved throughput regresses: exit 1, each regression named; JUnit XML parses and markdown has the table")
        func regressionFails() throws {
            let worse = try Self.edited("worse") { c in Self.scaleThroughput(&c, by: 0.5) }
            let dir = worse.deletingLastPathComponent()
            let junit = dir.appending(path: "check.xml")
            let markdown = dir.appending(path: "summary.md")
            let output = try CommandSupport.vsockbench([
                "check", worse.path, "--baseline", try Self.baseline.get().path, "--junit", junit.path, "--markdown", markdown.path,
            ])
            #expect(output.status == 1, "\(output.stderr)\n\(output.stdout)")
            #expect(output.stdout.contains("regressions:"))
            #expect(output.stdout.contains("bulk: Mbps tx "), "the tx stream's Mbps in its direction")
            #expect(!output.stdout.contains("Mbps total") && !output.stdout.contains("tx+rx summed"))
            #expect(output.stdout.contains("chatty-8k: msgs/s "))
            #expect(output.stdout.contains("(-50.0%, limit -5%, unconfirmed (1 trial))"))
            #expect(output.stdout.contains("FAIL: 2 regressions (2 unconfirmed)"))
            let parser = XMLParser(data: try Data(contentsOf: junit))
            #expect(parser.parse(), "JUnit XML is not well-formed")
            let xml = try String(contentsOf: junit, encoding: .utf8)
            #expect(xml.components(separatedBy: "<failure ").count - 1 == 2)
            let summary = try String(contentsOf: markdown, encoding: .utf8)
            #expect(summary.contains("| case | figure | baseline | now | change | limit | n | p | verdict |"))
            #expect(summary.contains("❌ **regressed**"))
        }

        @Test("a wide enough tolerance override lets the same drop pass: mbps=, and mbps_total= as before, apply to the Mbps of the direction moved")
        func toleranceOverride() throws {
            let worse = try Self.edited("worse-override") { c in
                for key in Self.movedMbps(c) { c[key] = (c[key] as? Double ?? 0) / 2 }
            }
            let baseline = try Self.baseline.get().path
            let strict = try CommandSupport.vsockbench(["check", worse.path, "--baseline", baseline])
            #expect(strict.status == 1 && strict.stdout.contains("bulk: Mbps tx "), "\(strict.stdout)")
            for name in ["mbps", "mbps_total"] {
                let output = try CommandSupport.vsockbench(["check", worse.path, "--baseline", baseline, "--tolerance", "\(name)=60%"])
                #expect(output.status == 0, "\(name): \(output.stdout)")
            }
        }

        @Test("an unverified case in the results fails the check (exit 1)")
        func unverifiedFails() throws {
            let broken = try Self.edited("unverified") { c in
                if c["name"] as? String == "chatty-8k" {
                    c["verified"] = false
                    c["errors"] = ["response 3: 8 bytes differ"]
                }
            }
            let output = try CommandSupport.vsockbench(["check", broken.path, "--baseline", try Self.baseline.get().path])
            #expect(output.status == 1)
            #expect(output.stdout.contains("chatty-8k: response 3: 8 bytes differ"))
        }

        @Test("unusable input exits 2 naming the problem: missing cases, another schema, no file, a bad tolerance")
        func unusableInput() throws {
            let base = try Self.baseline.get()
            let renamed = try Self.edited("renamed") { c in if c["name"] as? String == "bulk" { c["name"] = "bulk-v2" } }
            var output = try CommandSupport.vsockbench(["check", renamed.path, "--baseline", base.path])
            #expect(output.status == 2)
            #expect(output.stderr.contains("in the baseline but not the results: bulk"))
            #expect(output.stderr.contains("in the results but not the baseline: bulk-v2"))

            let foreign = base.deletingLastPathComponent().appending(path: "foreign.json")
            try Data("{\"schema\": \"otherbench/3\", \"cases\": []}".utf8).write(to: foreign)
            output = try CommandSupport.vsockbench(["check", foreign.path, "--baseline", base.path])
            #expect(output.status == 2)
            #expect(output.stderr.contains("schema \"otherbench/3\""))

            output = try CommandSupport.vsockbench(["check", "/nonexistent/results.json", "--baseline", base.path])
            #expect(output.status == 2)
            #expect(output.stderr.contains("cannot read /nonexistent/results.json: No such file or directory"))

            output = try CommandSupport.vsockbench(["check", base.path, "--baseline", base.path, "--tolerance", "jitter=5%"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("unknown figure 'jitter'"))

            output = try CommandSupport.vsockbench(["check", base.path, "--baseline", base.path, "--tolerance", "0.1"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("write a percentage with its sign, such as 10%"))
        }
    }
}
