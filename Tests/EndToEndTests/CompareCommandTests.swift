import Foundation
import Testing

extension EndToEndSuite {
    /// `vsockbench compare` against the local target it starts: three trials a case, the
    /// comparison section of the JSON, the table's columns, the markdown, the budget flag.
    @Suite(.serialized) struct CompareCommandTests {
        static let scenario = """
            name: compare-small
            defaults: {warmup: 0s, messages: 60, request_size: 1KiB, response_size: 1KiB}
            cases:
              - {name: none, workload: rr}
              - {name: window-4, workload: rr, strategy: {window: 4}}
              - {name: bulk, workload: stream, write_size: 16KiB}
            """

        @Test("compare --repeat 3 --json: every comparison key, verdicts that admit 3 trials are too few, knobs, front, budget; the table's columns")
        func repeatedCompare() throws {
            let dir = try Tool.scratch()
            let path = try scenarioFile(Self.scenario)
            let result = try Tool.run([
                "compare", path, "--repeat", "3", "--settle", "0s", "--p99-budget", "10s", "--json", dir + "/c.json", "--markdown", dir + "/c.md",
            ], timeout: 120)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")

            let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/c.json"))) as? [String: Any])
            let cases = try #require(raw["cases"] as? [[String: Any]])
            #expect(cases.map { ($0["trials"] as? [Any])?.count } == [3, 3, 3], "every trial kept")
            let comparison = try #require(raw["comparison"] as? [String: Any])
            #expect(Set(comparison.keys) == ["baseline", "alpha", "rules", "rows", "p99_budget"])
            #expect(comparison["baseline"] as? String == "none")
            let rows = try #require(comparison["rows"] as? [[String: Any]])
            #expect(rows.map { $0["name"] as? String } == ["none", "window-4", "bulk"])
            for row in rows {
                for key in ["mbps_tx_ratio", "mbps_rx_ratio", "p50_ratio", "p99_ratio", "cpu_ratio", "target_cpu_ratio", "noise", "p99_noise", "knobs", "pareto", "pareto_front", "ci"] {
                    #expect(row.keys.contains(key), "\(row["name"] ?? "?") lacks \(key)")
                }
                #expect(row["trials"] as? Int == 3)
                #expect(row["verified"] as? Bool == true)
            }
            let baselineNoise = try #require(rows[0]["noise"] as? [String: Any])
            #expect(baselineNoise["verdict"] as? String == "baseline")
            let window = rows[1]
            let noise = try #require(window["noise"] as? [String: Any])
            #expect(noise["figure"] as? String == "msgs_per_s")
            #expect(noise["rule"] as? String == "too_few_trials", "3 against 3 trials can reach p = 0.1 at best: \(noise)")
            #expect(noise["beyond_noise"] is NSNull)
            #expect((window["p99_noise"] as? [String: Any])?["rule"] as? String == "too_few_trials")
            let knobs = try #require(window["knobs"] as? [[String: Any]])
            #expect(knobs.compactMap { $0["key"] as? String } == ["inflight", "strategy"])
            #expect(window["p99_ratio"] is Double && window["cpu_ratio"] is Double)
            let bulk = rows[2]
            #expect(bulk["pareto"] as? Bool == true && bulk["pareto_front"] as? String == "stream tx", "the only stream is its direction's front")
            #expect(bulk["p99_ratio"] is NSNull && bulk["p99_noise"] is NSNull, "a stream has no per-message latency")
            #expect((bulk["noise"] as? [String: Any])?["figure"] as? String == "mbps_tx")
            #expect(rows.contains { $0["workload"] as? String == "rr" && $0["pareto"] as? Bool == true }, "the rr front has a member")
            let budget = try #require(comparison["p99_budget"] as? [String: Any])
            #expect(budget["budget_us"] as? Double == 10_000_000)
            let pick = try #require((budget["picks"] as? [[String: Any]])?.first)
            #expect(pick["workload"] as? String == "rr")
            #expect(["none", "window-4"].contains(pick["case"] as? String ?? ""), "\(pick)")
            #expect(pick["checked"] as? String == "upper end of its trials' range, 3 trials (75% coverage)")

            let out = result.stdout
            let header = try #require(out.split(separator: "\n").first { $0.hasPrefix("case ") && $0.contains("Mbps x") })
            for column in ["workload", "front", "Mbps (payload)", "Mbps x", "msgs/s", "p50 x", "p99 x", "cpu x", "tgt cpu x", "noise"] {
                #expect(header.contains(column), "\(column) missing from \(header)")
            }
            #expect(out.contains("median of up to 3 trials per case"))
            #expect(out.contains("front *: on its workload's Pareto front"))
            #expect(out.contains("too few trials (3 against 3)") || out.contains("too few trials, 3 against 3"))
            #expect(out.contains("knobs that differ from none:"))
            #expect(out.contains("  window-4: inflight 1 -> 4, strategy none -> {window: 4}"))
            #expect(out.contains("p99 under 10s"))
            let markdown = try String(contentsOfFile: dir + "/c.md", encoding: .utf8)
            #expect(markdown.contains("| case | workload | front | Mbps (payload) | Mbps x | msgs/s | p50 x | p99 x | cpu x | tgt cpu x | noise |"))
            #expect(markdown.contains("| none | rr |"))
        }

        @Test("a budget must be a positive duration: exit 2 before anything runs")
        func badBudget() throws {
            let path = try scenarioFile(Self.scenario)
            for bad in ["0s", "fast"] {
                let result = try Tool.run(["compare", path, "--p99-budget", bad])
                #expect(result.status == 2, "\(bad): \(result.stdout)\n\(result.stderr)")
                #expect(result.stderr.contains("--p99-budget"), "\(result.stderr)")
            }
        }
    }
}
