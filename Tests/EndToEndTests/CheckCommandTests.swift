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

        /// A copy of the baseline with `edit` applied to each case object and each of its trials.
        static func edited(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
            let source = try baseline.get()
            var object = try CommandSupport.jsonObject(source)
            var cases = try #require(object["cases"] as? [[String: Any]])
            for i in cases.indices {
                edit(&cases[i])
                if var trials = cases[i]["trials"] as? [[String: Any]] {
                    for t in trials.indices {
                        trials[t]["name"] = cases[i]["name"]
                        edit(&trials[t])
                        trials[t]["name"] = nil
                    }
                    cases[i]["trials"] = trials
                }
            }
            object["cases"] = cases
            let url = source.deletingLastPathComponent().appending(path: "\(name).json")
            try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
            return url
        }

        @Test("run --json output is a valid baseline: checked against itself it passes (exit 0); run --html wrote the report")
        func samePasses() throws {
            let base = try Self.baseline.get()
            let output = try CommandSupport.vsockbench(["check", base.path, "--baseline", base.path])
            #expect(output.status == 0, "\(output.stderr)\n\(output.stdout)")
            #expect(output.stdout.contains("PASS"))
            #expect(output.stdout.contains("bulk") && output.stdout.contains("chatty-8k"))
            let page = try String(contentsOf: base.deletingLastPathComponent().appending(path: "run.html"), encoding: .utf8)
            for id in ["throughput", "costs", "latency", "host"] { #expect(page.contains("<section id=\"\(id)\""), "\(id)") }
            #expect(!page.contains("NaN"))
        }

        @Test("improved figures pass (exit 0)")
        func improvedPasses() throws {
            let better = try Self.edited("better") { c in
                c["mbps_total"] = (c["mbps_total"] as? Double ?? 0) * 2
                c["msgs_per_s"] = (c["msgs_per_s"] as? Double ?? 0) * 2
            }
            let output = try CommandSupport.vsockbench(["check", better.path, "--baseline", try Self.baseline.get().path])
            #expect(output.status == 0, "\(output.stdout)")
            #expect(output.stdout.contains("improved"))
        }

        @Test("halved throughput regresses: exit 1, each regression named; JUnit XML parses and markdown has the table")
        func regressionFails() throws {
            let worse = try Self.edited("worse") { c in
                c["mbps_total"] = (c["mbps_total"] as? Double ?? 0) / 2
                c["msgs_per_s"] = (c["msgs_per_s"] as? Double ?? 0) / 2
            }
            let dir = worse.deletingLastPathComponent()
            let junit = dir.appending(path: "check.xml")
            let markdown = dir.appending(path: "summary.md")
            let output = try CommandSupport.vsockbench([
                "check", worse.path, "--baseline", try Self.baseline.get().path, "--junit", junit.path, "--markdown", markdown.path,
            ])
            #expect(output.status == 1, "\(output.stderr)\n\(output.stdout)")
            #expect(output.stdout.contains("regressions:"))
            #expect(output.stdout.contains("bulk: Mbps total "))
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

        @Test("a wide enough tolerance override lets the same drop pass")
        func toleranceOverride() throws {
            let worse = try Self.edited("worse-override") { c in c["mbps_total"] = (c["mbps_total"] as? Double ?? 0) / 2 }
            let output = try CommandSupport.vsockbench(["check", worse.path, "--baseline", try Self.baseline.get().path, "--tolerance", "mbps=60%"])
            #expect(output.status == 0, "\(output.stdout)")
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
