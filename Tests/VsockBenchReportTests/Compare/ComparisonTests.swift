import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchReport

extension CompareTests {
    /// The comparison of a run's cases against the first: ratios, verdicts, knobs, the front, the
    /// budget, and how the JSON, the table and the markdown show them.
    @Suite struct ComparisonTests {
        typealias F = CompareFixtures

        /// An rr baseline, a faster window (lower CPU, longer p99), a dominated case, a stream.
        static func document() -> RunDocument {
            var window = F.rr("window-8", msgs: 3000, p99: 600, inflight: 8, strategy: .window(8))
            window.figures.cpu = CPUSummary(driverUserSeconds: 0.1, driverSystemSeconds: 0.1, driverMicrosPerMessage: 4.75, targetMicrosPerMessage: 16.5)
            return ReportFixtures.document([
                F.rr("none", msgs: 1000, p99: 300),
                window,
                F.rr("worse", msgs: 900, p99: 700, inflight: 2),
                F.stream("bulk", mbps: 9000),
            ], scenario: "batching")
        }

        @Test("ratios against the first: Mbps per direction, msgs/s, p50, p99, CPU per message on each side")
        func ratios() throws {
            let comparison = Comparison(Self.document())
            #expect(comparison.baseline == "none")
            let base = comparison.rows[0]
            #expect(base.msgsRatio == 1 && base.p99Ratio == 1 && base.cpuRatio == 1 && base.mbpsTxRatio == 1 && base.mbpsRxRatio == 1)
            let window = comparison.rows[1]
            #expect(window.msgsRatio == 3 && window.mbpsTxRatio == 3 && window.mbpsRxRatio == 3 && window.mbpsRatio == 3)
            #expect(window.p50Ratio == 2 && window.p99Ratio == 2)
            #expect(window.cpuRatio == 0.5 && window.targetCPURatio == 2)
            #expect(window.knobs.map(\.text) == ["inflight 1 -> 8", "strategy none -> {window: 8}"])
            #expect(window.pareto == true && window.paretoFront == "rr")
            #expect(comparison.rows[2].pareto == false, "worse is beaten on both by window-8... and by none")
        }

        /// A skipped case's figures are zeros, not measurements: its rows say skipped, not
        /// "yes" under verified nor "no throughput figure both cases measure".
        @Test("a skipped case shows as skipped in the costs table and the noise lines")
        func skippedCase() throws {
            var skipped = F.stream("ceiling", mbps: 0)
            skipped.skipped = "stream cases need a channel"
            let comparison = Comparison(ReportFixtures.document([F.rr("none", msgs: 1000, p99: 300), skipped], scenario: "s"))
            #expect(comparison.rows[1].skipped && !comparison.rows[0].skipped)
            // The JSON row agrees with the run document's case: not verified, and skipped.
            skipped.figures.verified = true
            let again = Comparison(ReportFixtures.document([F.rr("none", msgs: 1000, p99: 300), skipped], scenario: "s"))
            #expect(!again.rows[1].verified && again.rows[0].verified)
            let rows = try #require((try JSONSerialization.jsonObject(with: JSONEncoder().encode(again)) as? [String: Any])?["rows"] as? [[String: Any]])
            #expect(rows[1]["verified"] as? Bool == false && rows[1]["skipped"] as? Bool == true && rows[0]["skipped"] as? Bool == false)
            let lines = comparison.text().split(separator: "\n").map(String.init)
            let costs = try #require(lines.last { $0.hasPrefix("ceiling ") })
            #expect(costs.hasSuffix("skipped"), "\(costs)")
            // Its msgs/s was never measured: a dash, as in run's table, not a 0 that reads as a stall.
            let main = try #require(lines.first { $0.hasPrefix("ceiling ") })
            #expect(!main.split(separator: " ").contains("0"), "\(main)")
            #expect(lines.contains("  ceiling: skipped: not measured"), "\(lines)")
            #expect(!comparison.text().contains("no throughput figure both cases measure"))
        }

        /// A case that failed (or was skipped) before any trial moved a message has zeros for
        /// figures: the tables say `-` and the noise line why, as for a skipped case, and no
        /// ratio is taken against the baseline (msgs/s read 0, `msgs_ratio` 0).
        @Test("a failed case that measured nothing reads - in the table, not 0, and has no ratio")
        func failedCaseThatMeasuredNothing() throws {
            var broken = F.rr("broken", msgs: 0, p99: 300)
            var nothing = CaseFigures()
            nothing.errors = ["cannot connect"]
            broken.figures = nothing
            broken.trials = [nothing]
            var skipped = F.rr("skipped", msgs: 0, p99: 300)
            skipped.figures = CaseFigures()
            skipped.trials = [skipped.figures]
            skipped.skipped = "not here"
            let comparison = Comparison(ReportFixtures.document([F.rr("none", msgs: 1000, p99: 300), broken, skipped], scenario: "s"))
            #expect(comparison.baseline == "none")
            for row in comparison.rows.dropFirst() {
                #expect(row.measuredNothing && row.msgsRatio == nil, "\(row.name): \(String(describing: row.msgsRatio))")
            }
            #expect(!comparison.rows[0].measuredNothing && comparison.rows[0].msgsRatio == 1)
            let lines = comparison.text().split(separator: "\n").map(String.init)
            for name in ["broken ", "skipped "] {
                let main = try #require(lines.first { $0.hasPrefix(name) })
                #expect(!main.split(separator: " ").contains("0"), "\(main)")
                #expect(!main.split(separator: " ").contains { $0.hasSuffix("x") && $0 != "-" }, "no ratio: \(main)")
            }
            #expect(lines.contains("  broken: failed: not measured"), "\(lines)")
            #expect(lines.contains("  skipped: skipped: not measured"), "\(lines)")
            let markdown = comparison.markdown(title: "s")
            let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| broken |") })
            #expect(!row.contains("| 0 |"), "\(row)")
            // The JSON's keys are the same; a row read back still measured nothing.
            let decoded = try JSONDecoder().decode(Comparison.self, from: JSONEncoder().encode(comparison))
            #expect(decoded.rows[1].measuredNothing && decoded == comparison)
        }

        /// A skipped first case measured nothing: ratios against it were all null and every
        /// verdict "not compared". The baseline is the first case that measured, and the table
        /// and the JSON name it.
        @Test("a skipped first case is not the baseline: the first case that measured is, and it is named")
        func skippedFirstCaseIsNotTheBaseline() throws {
            var skipped = F.stream("ceiling", mbps: 0)
            skipped.skipped = "stream cases need a channel"
            let window = F.rr("window-8", msgs: 3000, p99: 600, inflight: 8, strategy: .window(8))
            let comparison = Comparison(ReportFixtures.document([skipped, F.rr("none", msgs: 1000, p99: 300), window], scenario: "s"))
            #expect(comparison.baseline == "none")
            #expect(comparison.rows.map(\.noise.cell) == ["-", "baseline", "single sample"])
            #expect(comparison.rows[1].msgsRatio == 1 && comparison.rows[2].msgsRatio == 3 && comparison.rows[2].p99Ratio == 2)
            #expect(comparison.rows[2].knobs.map(\.text) == ["inflight 1 -> 8", "strategy none -> {window: 8}"])
            let text = comparison.text(width: 400)
            #expect(text.contains("x = ratio to none, the first case that measured and passed (ceiling: skipped or failed)"), "\(text)")
            #expect(text.contains("knobs that differ from none:"), "\(text)")
            #expect(!text.contains("  none: none (the same config)"), "the baseline is not listed against itself: \(text)")
            let json = try JSONSerialization.jsonObject(with: Data(CompareDocument(run: ReportFixtures.document([skipped, F.rr("none", msgs: 1000, p99: 300)], scenario: "s")).encoded())) as? [String: Any]
            let section = try #require(json?["comparison"] as? [String: Any])
            #expect(section["baseline"] as? String == "none")
        }

        /// A case that failed partway keeps the messages it moved, but its figures are cut
        /// short: it is not the baseline while a later case passed; when none did, the first
        /// that measured is, and the table says it failed.
        @Test("a failed first case is not the baseline while a later case passed")
        func failedFirstCaseIsNotTheBaseline() throws {
            var failed = F.rr("reset", msgs: 400, p99: 300)
            failed.verified = false
            let comparison = Comparison(ReportFixtures.document([failed, F.rr("none", msgs: 1000, p99: 300)], scenario: "s"))
            #expect(comparison.baseline == "none")
            #expect(comparison.text(width: 400).contains("x = ratio to none, the first case that measured and passed (reset: skipped or failed)"))
            var alsoFailed = F.rr("none", msgs: 1000, p99: 300)
            alsoFailed.verified = false
            let nonePassed = Comparison(ReportFixtures.document([failed, alsoFailed], scenario: "s"))
            #expect(nonePassed.baseline == "reset")
            #expect(nonePassed.text(width: 400).contains("(no case passed: the baseline failed, its figures cut short)"), "\(nonePassed.text(width: 400))")
        }

        @Test("a stream against an rr baseline: Mbps compares in the direction both move; per-message ratios do not exist")
        func streamAgainstExchange() throws {
            let bulk = Comparison(Self.document()).rows[3]
            #expect(bulk.mbpsTxRatio != nil && bulk.mbpsRxRatio == nil)
            #expect(bulk.mbpsRatio != nil && bulk.mbpsRatio == bulk.mbpsTxRatio, "the stream's tx against the rr case's each way: both driver to target")
            #expect(bulk.msgsRatio == nil && bulk.p50Ratio == nil && bulk.p99Ratio == nil && bulk.cpuRatio == nil)
            #expect(bulk.throughputFigure == "mbps_tx" && bulk.noise.figure == "mbps_tx")
            #expect(bulk.p99Noise == nil)
            #expect(bulk.pareto == true && bulk.paretoFront == "stream tx")
        }

        /// A stream that moves both ways, `tx` and `rx` Mbps (64 KiB writes, `direction: both`).
        static func bothWays(_ name: String, tx: Double, rx: Double) -> CaseResult {
            var c = F.stream(name, mbps: max(tx, rx))
            c.spec.workload = .stream(.init(writeSize: 65536, direction: .both))
            c.figures.mbpsTx = tx
            c.figures.mbpsRx = rx
            c.figures.mbpsTotal = tx + rx
            return c
        }

        @Test("mbps is payload in one direction, by history's rule; mbps_total the sum; mbps_ratio only where both follow one direction")
        func mbpsPerDirection() throws {
            let rows = Comparison(Self.document()).rows
            // 1000 msgs/s of 8 KiB each way: 65.536 Mbps each way, 131.072 summed.
            let none = rows[0]
            #expect(abs(none.mbps - 65.536) < 1e-9 && none.mbps == none.mbpsTx && none.mbps == none.mbpsRx)
            #expect(none.mbpsTotal == 2 * none.mbps, "the sum is mbps_total, not mbps")
            #expect(rows[1].mbpsRatio == 3, "window-8 against none: 3x each way, not a ratio of sums")
            #expect(rows[3].mbps == 9000 && rows[3].mbpsTotal == 9000, "a tx stream: its one direction")

            let echo = Self.bothWays("echo", tx: 5000, rx: 5010)
            let uneven = Self.bothWays("uneven", tx: 3000, rx: 6000)
            let rxOnly = Self.bothWays("rx-only", tx: 0, rx: 4000)
            let both = Comparison(ReportFixtures.document([echo, uneven, rxOnly, F.stream("tx", mbps: 7500)])).rows
            #expect(both[0].mbps == 5000 && both[0].mbpsTotal == 10010, "alike (within 0.5%): the one-way figure, driver to target")
            #expect(both[1].mbps == 6000 && both[1].mbpsTotal == 9000, "unequal: the busier direction")
            #expect(both[1].mbpsRatio == nil, "uneven follows rx, echo tx: no ratio")
            #expect(both[2].mbps == 4000 && both[2].mbpsRatio == nil)
            #expect(both[3].mbpsRatio == 1.5, "a tx stream against the echo's each way: 7500 / 5000")
            // Against a baseline that follows rx, the uneven stream's rx compares.
            let againstRx = Comparison(ReportFixtures.document([rxOnly, uneven, echo])).rows
            #expect(againstRx[1].mbpsRatio == 1.5 && againstRx[1].mbpsRatio == againstRx[1].mbpsRxRatio)
            #expect(againstRx[2].mbpsRatio == nil, "echo follows tx, the baseline rx")
        }

        @Test("a both-ways stream against a tx stream is judged on tx, whichever of its directions was busier; a tx and an rx stream share none")
        func bothWaysAgainstOneWay() throws {
            let rows = Comparison(ReportFixtures.document([
                F.stream("tx", mbps: 30000),
                Self.bothWays("rx-busier", tx: 12000, rx: 22000),
                Self.bothWays("tx-busier", tx: 22000, rx: 12000),
                Self.bothWays("rx-only", tx: 0, rx: 4000),
            ])).rows
            #expect(rows[1].noise.figure == "mbps_tx" && rows[1].noise.rule != .notComparable,
                    "its rx was busier, but the baseline moves tx only, which it also moves: \(rows[1].noise.text)")
            #expect(rows[2].noise.figure == "mbps_tx" && rows[2].noise.rule != .notComparable)
            #expect(rows[3].noise.rule == .notComparable, "nothing moves driver to target in rx-only")
        }

        @Test("every key is present in the JSON, null where not measured, and it reads back")
        func jsonShape() throws {
            let document = Self.document()
            let compared = CompareDocument(run: document, comparison: Comparison(document, p99BudgetNanos: 1_000_000))
            let raw = try #require(try JSONSerialization.jsonObject(with: Data(compared.encoded())) as? [String: Any])
            #expect(raw["cases"] != nil && raw["schema"] as? String == "vsockbench/1", "the run document's keys stay")
            let comparison = try #require(raw["comparison"] as? [String: Any])
            #expect(Set(comparison.keys) == ["baseline", "alpha", "rules", "rows", "p99_budget"])
            let rows = try #require(comparison["rows"] as? [[String: Any]])
            let keys: Set<String> = [
                "name", "workload", "strategy", "trials", "mbps", "mbps_tx", "mbps_rx", "mbps_total", "msgs_per_s", "p50_us", "p99_us", "cpu_us_per_msg",
                "target_cpu_us_per_msg", "writes_per_msg", "reads_per_msg", "target_writes_per_msg", "target_reads_per_msg", "exits_per_msg",
                "vsock_packets_per_msg", "ci", "mbps_ratio", "mbps_tx_ratio", "mbps_rx_ratio", "msgs_ratio", "p50_ratio", "p99_ratio", "cpu_ratio",
                "target_cpu_ratio", "throughput_figure", "noise", "p99_noise", "knobs", "pareto", "pareto_front", "verified", "skipped", "interrupted",
            ]
            for row in rows { #expect(Set(row.keys) == keys, "\(row["name"] ?? "?")") }
            #expect(rows[3]["p99_us"] is NSNull && rows[3]["p99_noise"] is NSNull && rows[0]["ci"] is NSNull)
            let rrMbps = try #require(rows[0]["mbps"] as? Double), rrTx = try #require(rows[0]["mbps_tx"] as? Double)
            #expect(rrMbps == rrTx && rows[0]["mbps_total"] as? Double == 2 * rrTx, "an rr case's mbps is one way; mbps_total the sum")
            let noise = try #require(rows[1]["noise"] as? [String: Any])
            #expect(Set(noise.keys) == ["figure", "verdict", "rule", "beyond_noise", "better", "p_value", "test_method", "trials", "baseline_ci", "ci", "text"])
            #expect(noise["text"] as? String == "single sample: cannot tell from noise")
            let knobs = try #require(rows[1]["knobs"] as? [[String: Any]])
            #expect(knobs.first?["key"] as? String == "inflight" && knobs.first?["from"] as? Int == 1 && knobs.first?["to"] as? Int == 8)
            let budget = try #require(comparison["p99_budget"] as? [String: Any])
            let pick = try #require((budget["picks"] as? [[String: Any]])?.first)
            #expect(pick["case"] as? String == "window-8")
            #expect(Set(pick.keys) == ["workload", "case", "msgs_per_s", "p99_us", "checked_p99_us", "checked", "closest", "closest_checked_p99_us", "text"])
            let decoded = try JSONDecoder().decode(CompareDocument.self, from: Data(compared.encoded()))
            #expect(decoded.comparison == compared.comparison)
            #expect(Comparison(document).p99Budget == nil)
        }

        /// A compare document written before `skipped` and `interrupted` existed has rows
        /// without them: it read as a decoding error. Absent, neither holds; written, both are.
        @Test("a row without skipped and interrupted decodes, as neither; every key is still written")
        func rowWithoutSkippedAndInterrupted() throws {
            var interrupted = F.rr("cut", msgs: 400, p99: 300)
            interrupted.figures.verified = false
            interrupted.figures.interrupted = true
            interrupted.trials = [interrupted.figures]
            var skipped = F.stream("ceiling", mbps: 0)
            skipped.skipped = "stream cases need a channel"
            let comparison = Comparison(ReportFixtures.document([F.rr("none", msgs: 1000, p99: 300), interrupted, skipped], scenario: "s"))
            #expect(comparison.rows[1].interrupted && comparison.rows[2].skipped)
            for row in comparison.rows {
                var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any])
                #expect(object["skipped"] != nil && object["interrupted"] != nil, "\(row.name): both keys written")
                object["skipped"] = nil
                object["interrupted"] = nil
                let old = try JSONDecoder().decode(Comparison.Row.self, from: JSONSerialization.data(withJSONObject: object))
                #expect(!old.skipped && !old.interrupted, "\(row.name)")
                var expected = row
                expected.skipped = false
                expected.interrupted = false
                #expect(old == expected, "\(row.name): every other key as written")
            }
        }

        /// A ratio under 0.01 keeps two significant figures, in the JSON and the table: masked
        /// against rr read `0.00x` (the JSON 0.001, rounded to three places). From 0.01 up the
        /// cells are as before.
        @Test func aTinyRatioKeepsItsSignificantFigures() throws {
            let document = ReportFixtures.document([F.rr("fast", msgs: 100_000, p99: 300), F.rr("slow", msgs: 123, p99: 300)], scenario: "tiny")
            let comparison = Comparison(document)
            let slow = comparison.rows[1]
            #expect(slow.msgsRatio == 0.0012 && slow.mbpsTxRatio == 0.0012 && slow.mbpsRxRatio == 0.0012, "\(String(describing: slow.msgsRatio))")
            let line = try #require(comparison.text().split(separator: "\n").first { $0.hasPrefix("slow ") })
            #expect(line.contains(" 0.0012x ") && !line.contains("0.00x"), "\(line)")
            #expect(Comparison.ratio(0.001) == "0.0010x" && Comparison.ratio(0.00047) == "0.00047x" && Comparison.ratio(0.0099) == "0.0099x")
            #expect(Comparison.ratio(0.00999) == "0.01x", "0.010 to two figures reads as 0.01 does, not 0.0100x")
            // From 0.01 up, as the cells were.
            #expect(Comparison.ratio(0.01) == "0.01x" && Comparison.ratio(0.5) == "0.50x" && Comparison.ratio(12.34) == "12.3x" && Comparison.ratio(0) == "0.00x")
        }

        @Test("the table: ratio columns beside Mbps, the front marker explained, verdicts, knobs below, at most 120 columns")
        func table() throws {
            let document = Self.document()
            let text = Comparison(document, p99BudgetNanos: 1_000_000).text()
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines { #expect(line.count <= 120, "\(line.count) columns: \(line)") }
            let header = try #require(lines.first { $0.hasPrefix("case ") && $0.contains("Mbps x") })
            for column in ["workload", "front", "Mbps (payload)", "Mbps x", "msgs/s", "p50 x", "p99 x", "cpu x", "tgt cpu x", "noise"] {
                #expect(header.contains(column), "\(column)")
            }
            #expect(text.contains("front *: on its workload's Pareto front"))
            let window = try #require(lines.first { $0.hasPrefix("window-8 ") })
            #expect(window.contains(" * ") && window.contains("3.00x") && window.contains("0.50x") && window.contains("single sample"))
            let worse = try #require(lines.first { $0.hasPrefix("worse ") })
            #expect(!worse.contains(" * "))
            #expect(text.contains("single samples: no difference can be told from noise"))
            #expect(text.contains("  window-8: inflight 1 -> 8, strategy none -> {window: 8}"))
            #expect(text.contains("  rr: window-8, 3000 msgs/s, p99 600.0 us (checked: single sample"))
        }

        @Test("with trials: medians ± their interval, and each case's verdict with the rule that decided")
        func repeatedTable() throws {
            let spread = [0.98, 1.0, 1.02, 0.99, 1.01, 1.03]
            let document = ReportFixtures.document([
                F.withTrials(F.rr("none", msgs: 1000, p99: 300), msgs: spread.map { $0 * 1000 }, p99: spread.map { $0 * 300 }),
                F.withTrials(F.rr("window-8", msgs: 3000, p99: 600, inflight: 8, strategy: .window(8)), msgs: spread.map { $0 * 3000 }, p99: spread.map { $0 * 302 }),
                F.withTrials(F.rr("same", msgs: 1000, p99: 300, inflight: 2), msgs: spread.reversed().map { $0 * 1000 }, p99: spread.map { $0 * 300 }),
            ])
            let comparison = Comparison(document)
            #expect(comparison.rows[1].noise.rule == .intervals && comparison.rows[1].noise.verdict == .beyond)
            #expect(comparison.rows[1].p99Noise?.verdict == .within, "302 against 300 with 2% spread: within the noise")
            #expect(comparison.rows[2].noise.verdict == .within && comparison.rows[2].noise.rule == .mannWhitneyU)
            let text = comparison.text()
            #expect(text.hasPrefix("median of up to 6 trials per case"))
            let window = try #require(text.split(separator: "\n").first { $0.hasPrefix("window-8 ") })
            #expect(window.contains("3015 ±75") && window.contains("better (CI)"))
            // Mbps is a median of the trials as msgs/s is, and shows its interval as well.
            #expect(window.components(separatedBy: "±").count - 1 == 2 && window.contains(" each way"), "Mbps and msgs/s each with ±: \(window)")
            #expect(text.contains("  window-8: msgs/s: beyond noise (better): the 95% intervals do not overlap ([980, 1030] against [2940, 3090]); p99:"))
            #expect(comparison.rows[1].p99Noise?.text.hasPrefix("within noise: Mann-Whitney U p = ") == true)
            #expect(text.contains("  same: msgs/s: within noise: Mann-Whitney U p = "))
        }

        @Test("compare --html carries the comparison: ratios, intervals and noise verdicts, as the text does")
        func htmlCarriesTheComparison() throws {
            let spread = [0.98, 1.0, 1.02, 0.99, 1.01, 1.03]
            let document = ReportFixtures.document([
                F.withTrials(F.rr("none", msgs: 1000, p99: 300), msgs: spread.map { $0 * 1000 }),
                F.withTrials(F.rr("window-8", msgs: 3000, p99: 600, inflight: 8, strategy: .window(8)), msgs: spread.map { $0 * 3000 }),
            ])
            let comparison = Comparison(document)
            let page = HTMLReport.render(document, comparison: comparison, title: "t")
            #expect(page.contains("<h2>Comparison against none</h2>"), "\(page)")
            #expect(page.contains("3015 ±75") && page.contains("better (CI)"), "\(page)")
            #expect(page.contains("median of up to 6 trials per case, ± covering the 95% interval"), "\(page)")
            #expect(page.contains("window-8: </b>msgs/s: beyond noise (better)"), "\(page)")
            // A run's page has no comparison.
            #expect(!HTMLReport.render(document, title: "t").contains("Comparison against"))
        }

        @Test("three trials: the ± reaches the trials' range, 75% coverage, and the table does not call it a 95% interval")
        func fewTrialsCoverage() throws {
            let three = [0.98, 1.0, 1.02]
            let document = ReportFixtures.document([
                F.withTrials(F.rr("none", msgs: 1000, p99: 300), msgs: three.map { $0 * 1000 }, p99: three.map { $0 * 300 }),
                F.withTrials(F.rr("window-8", msgs: 3000, p99: 600, inflight: 8, strategy: .window(8)), msgs: three.map { $0 * 3000 }, p99: three.map { $0 * 600 }),
            ])
            let comparison = Comparison(document)
            let window = try #require(comparison.text().split(separator: "\n").first { $0.hasPrefix("window-8 ") })
            #expect(window.contains("3000 ±60"), "out to [2940, 3060], the three trials' range")
            for preamble in [comparison.text(), comparison.markdown(title: "t")].map({ $0.split(separator: "\n").first { $0.contains("median of up to 3 trials") } }) {
                let line = try #require(preamble)
                #expect(!line.contains("95% interval"), "\(line)")
                #expect(line.contains("75% coverage"), "\(line)")
            }
            // From 6 trials a side the interval is a 95% one and says so.
            let six = [0.98, 1.0, 1.02, 0.99, 1.01, 1.03]
            let enough = Comparison(ReportFixtures.document([
                F.withTrials(F.rr("none", msgs: 1000, p99: 300), msgs: six.map { $0 * 1000 }),
                F.withTrials(F.rr("window-8", msgs: 3000, p99: 600, inflight: 8, strategy: .window(8)), msgs: six.map { $0 * 3000 }),
            ]))
            #expect(enough.text().hasPrefix("median of up to 6 trials per case, ± covering the 95% interval;"))
        }

        @Test("hostile case names are escaped: control characters on a terminal, markup in markdown")
        func escaping() {
            let document = ReportFixtures.document([F.rr("none", msgs: 1000, p99: 300), F.rr("evil\u{1b}[2J|<b>*x*</b>", msgs: 900, p99: 310, inflight: 4)])
            let comparison = Comparison(document, p99BudgetNanos: 100_000)
            let text = comparison.text()
            #expect(!text.contains("\u{1b}"))
            #expect(text.contains("evil\\x1b[2J|<b>*x*</b>"))
            let markdown = comparison.markdown(title: "vsockbench compare: batching")
            #expect(markdown.contains("| none | rr |"))
            #expect(!markdown.contains("<b>") && !markdown.contains("|<") && markdown.contains("evil"))
            #expect(markdown.contains("| case | workload | front | Mbps (payload) | Mbps x | msgs/s | p50 x | p99 x | cpu x | tgt cpu x | noise |"))
            #expect(markdown.contains("**knobs that differ from none:**"))
        }
    }
}
