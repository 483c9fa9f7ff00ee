import Foundation
import Testing

@testable import VsockBenchReport

@Suite struct SweepReportTests {
    /// Cases whose times follow t = 20 us + n/1e9 exactly, as a sweep's run document.
    static func plannedRun(failing: String? = nil) throws -> (SweepPlan, RunDocument) {
        let plan = try SweepPlan(workload: .rr, sizes: [512, 8192, 65536], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        let cases = plan.scenario.cases.map { spec -> CaseResult in
            let size = spec.messageSizes?.request ?? 0
            let seconds = 20e-6 + Double(size) / 1e9
            var c = ReportFixtures.makeCase(spec.name, size: size, mbps: 1, msgsPerSecond: 1 / seconds, durationSeconds: 1, messages: 1000)
            c.durationSeconds = seconds * 1000
            c.figures.bytesTx = UInt64(size) * 1000
            c.spec = spec
            if spec.name == failing {
                c.verified = false
                c.errors = ["lost a response"]
            }
            return c
        }
        return (plan, ReportFixtures.document(cases, scenario: plan.scenario.name))
    }

    @Test("a fit with alpha < 0 predicts no batching: the table says so and the JSON's batching is empty")
    func negativeAlphaPredictsNoBatching() throws {
        let points = [(1000, 0.5), (2000, 2.0), (4000, 5.0)].map { size, micros in
            SweepReport.Point(size: size, caseName: "rr-\(size)", tMicros: micros, mbps: nil, residualMicros: nil, verified: true)
        }
        let measured = points.map { LatencyBandwidthFit.Point(bytes: Double($0.size), seconds: ($0.tMicros ?? 0) / 1e6) }
        let sweep = SweepReport(points: points, measured: measured, workload: .rr, batchMessageBytes: 8192)
        let fit = try #require(sweep.fit)
        #expect(fit.alphaMicros < 0)
        #expect(sweep.batching.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: ReportFixtures.document([]), sweep: sweep).encoded())) as? [String: Any])
        #expect(((object["sweep"] as? [String: Any])?["batching_withheld"] as? String)?.contains("alpha < 0") == true)
        let text = SweepTable.render(sweep)
        #expect(text.contains("batching: no prediction: a fit with alpha < 0"))
        #expect(!text.contains("vs k=1"))
        // The exact model, alpha > 0, still predicts.
        #expect(!ReportFixtures.sweep().batching.isEmpty)
    }

    @Test("a fit whose R^2 is below 0.5 predicts no batching: the table says why and what to do, the JSON's batching is empty with the reason")
    func lowR2PredictsNoBatching() throws {
        // alpha > 0 and beta > 0, but the middle point is far off the line: R^2 about 0.23.
        let points = [(1024, 50.0), (8192, 30.0), (65536, 52.0)].map { size, micros in
            SweepReport.Point(size: size, caseName: "rr-\(size)", tMicros: micros, mbps: nil, residualMicros: nil, verified: true)
        }
        let measured = points.map { LatencyBandwidthFit.Point(bytes: Double($0.size), seconds: ($0.tMicros ?? 0) / 1e6) }
        let sweep = SweepReport(points: points, measured: measured, workload: .rr, batchMessageBytes: 8192)
        let fit = try #require(sweep.fit)
        #expect(fit.alphaMicros > 0 && fit.betaMbps > 0)
        let r2 = try #require(fit.r2)
        #expect(r2 < 0.5 && r2 > 0.1, "R^2 \(r2)")
        #expect(sweep.batching.isEmpty)
        let text = SweepTable.render(sweep)
        #expect(!text.contains("vs k=1"), "\(text)")
        #expect(text.contains("batching: no prediction: R^2 0.2"), "\(text)")
        #expect(text.contains("explains less than half of the variance"), "\(text)")
        #expect(text.contains("--duration") && text.contains("quieter machine") && text.contains("more sizes"), "\(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: ReportFixtures.document([]), sweep: sweep).encoded())) as? [String: Any])
        let section = try #require(object["sweep"] as? [String: Any])
        #expect((section["batching"] as? [Any])?.isEmpty == true)
        #expect((section["batching_withheld"] as? String)?.contains("below 0.5") == true, "\(section)")
        #expect(section["fit"] is [String: Any])
        let page = HTMLReport.render(ReportFixtures.document([]), sweep: sweep, title: "sweep")
        #expect(page.contains("No batching prediction: R^2 0.2") && !page.contains("Predicted: batching"), "the HTML says why too")
        // A fit at the threshold or above still predicts; a fit through two points has no R^2 and predicts (as before).
        #expect(!ReportFixtures.sweep().batching.isEmpty)
        let two = SweepReport(points: [points[0], points[2]], measured: [measured[0], measured[2]], workload: .rr, batchMessageBytes: 8192)
        #expect(two.fit != nil && two.fit?.r2 == nil && !two.batching.isEmpty)
        // Two points: the interval keys are null, and the text says there is none.
        #expect(two.fit?.alphaIntervalMicros == nil && two.fit?.betaIntervalMbps == nil && two.fit?.alphaStandardErrorMicros == nil)
        #expect(SweepTable.render(two).contains("fixed cost per message (no interval: 2 points, 0 degrees of freedom)"))
    }

    /// The reviewer's real rr sweep (`--sizes 64B,4KiB,64KiB,256KiB --duration 0.5s`): R^2 0.988,
    /// but alpha 17.6 us, 95% interval -0.44...35.62 (scipy linregress, t on 2 dof), above the
    /// 11.6 us of the 64B point: it had predicted batching with no caveat.
    @Test("alpha not told apart from 0, or above the smallest t beyond its interval: a fit note, the intervals shown, batching withheld")
    func alphaWithinItsNoiseWithholdsBatching() throws {
        let points = [(64, 11.6), (4096, 20.1), (65536, 51.0), (262144, 121.9)].map { size, micros in
            SweepReport.Point(size: size, caseName: "rr-\(size)", tMicros: micros, mbps: nil, residualMicros: nil, verified: true)
        }
        let measured = points.map { LatencyBandwidthFit.Point(bytes: Double($0.size), seconds: ($0.tMicros ?? 0) / 1e6) }
        let sweep = SweepReport(points: points, measured: measured, workload: .rr, batchMessageBytes: 8192)
        let fit = try #require(sweep.fit)
        #expect((fit.r2 ?? 0) > 0.9)
        #expect(fit.alphaIntervalMicros == [-0.44, 35.619], "\(String(describing: fit.alphaIntervalMicros))")
        #expect(sweep.batching.isEmpty)
        let withheld = try #require(sweep.batchingWithheld)
        #expect(withheld.contains("alpha's 95% interval, -0.440...35.62 us, contains 0"), "\(withheld)")
        #expect(sweep.fitNotes.contains { $0.contains("contains 0") }, "\(sweep.fitNotes)")
        let text = SweepTable.render(sweep)
        #expect(text.contains("95% interval -0.440...35.62 us"), "\(text)")
        #expect(text.contains("batching: no prediction: alpha's 95% interval"), "\(text)")
        let page = HTMLReport.render(ReportFixtures.document([]), sweep: sweep, title: "sweep")
        #expect(page.contains("95% interval -0.440...35.62 us") && !page.contains("Predicted: batching"), "\(page)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: ReportFixtures.document([]), sweep: sweep).encoded())) as? [String: Any])
        let section = try #require((object["sweep"] as? [String: Any])?["fit"] as? [String: Any])
        #expect(section["alpha_ci_us"] as? [Double] == [-0.44, 35.619] && (section["beta_ci_mbps"] as? [Double])?.count == 2, "\(section)")
        // alpha above the smallest t alone withholds too: alpha 20 us, well measured, but the
        // smallest point took 15.
        let above = try #require(SweepReport.alphaNotMeasured(fit: SweepReport.Fit(alphaMicros: 20, betaMbps: 8000, nHalfBytes: 20000, r2: 0.99, alphaIntervalMicros: [19, 21]), smallestMicros: 15))
        #expect(above.contains("exceeds") && !above.contains("contains 0"))
        // Above it by less than its interval is noise, not a line that fails at small sizes.
        #expect(SweepReport.alphaNotMeasured(fit: SweepReport.Fit(alphaMicros: 19.02, betaMbps: 8000, nHalfBytes: 20000, r2: 0.99, alphaIntervalMicros: [15.78, 22.25]), smallestMicros: 18.94) == nil)
        // The exact model still predicts, with its (zero-width) intervals.
        #expect(!ReportFixtures.sweep().batching.isEmpty)
    }

    /// Under --repeat the case's figures are medians, each over the trials: t was
    /// median(duration) / median(messages), a time no trial measured, while `t_basis` says
    /// 1/msgs_per_s (review).
    @Test("under --repeat t is 1/msgs_per_s of the case (the median trial's rate), as t_basis says")
    func repeatedTIsTheMedianRate() throws {
        let plan = try SweepPlan(workload: .rr, sizes: [512, 8192], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        let cases = plan.scenario.cases.map { spec -> CaseResult in
            // Two trials of unequal durations: 1000 messages in 1 s (1000/s), 3000 in 2 s (1500/s).
            let trials = [(1.0, UInt64(1000)), (2.0, UInt64(3000))].map { seconds, messages -> CaseFigures in
                var c = ReportFixtures.makeCase(spec.name, size: 512, mbps: 1, msgsPerSecond: Double(messages) / seconds, durationSeconds: seconds, messages: messages)
                c.figures.bytesTx = 512 * messages
                return c.figures
            }
            var c = ReportFixtures.makeCase(spec.name, size: 512, mbps: 1, msgsPerSecond: 1, durationSeconds: 1, messages: 1)
            c.spec = spec
            c.figures = CaseFigures.median(of: trials)
            // As CaseSummary does: verified over every trial, the spread the representative trial's.
            c.figures.verified = true
            c.figures.spread = trials[0].spread
            c.trials = trials
            return c
        }
        let sweep = SweepReport(plan: plan, document: ReportFixtures.document(cases, scenario: plan.scenario.name), batchMessageBytes: 8192)
        let rate = try #require(cases.first?.msgsPerSecond)
        // 1e6 / 1250 = 800 us; median(duration) / median(messages) = 1.5 s / 2000 = 750 us.
        #expect(abs((sweep.points[0].tMicros ?? 0) - 1e6 / rate) < 1e-3, "\(sweep.points[0]), rate \(rate)")
        #expect(sweep.timeBasis.contains("1/msgs_per_s"))
    }

    /// The run's table says "the machine was busy" of a case measured beside other programs or
    /// steal; the fit through it said nothing (review).
    @Test("a size measured on a busy machine: the point says so (machine_busy) and the fit notes it")
    func busySizesAreNotedOnTheFit() throws {
        let (plan, quiet) = try Self.plannedRun()
        var document = quiet
        let busy = try #require(document.cases.firstIndex { $0.name == "rr-8KiB" })
        document.cases[busy].trials = [document.cases[busy].figures]
        document.cases[busy].trials[0].cpu.machineStealShare = 0.13
        #expect(document.cases[busy].machineNote != nil, "the run's NOTE fires on this case")
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        #expect(sweep.points.map { $0.machineBusy != nil } == [false, true, false], "\(sweep.points)")
        let note = try #require(sweep.fitNotes.first { $0.hasPrefix("measured on a busy machine") }, "\(sweep.fitNotes)")
        #expect(note.contains("8KiB (the hypervisor took 13% of its CPU time (steal))") && !note.contains("512B"), "\(note)")
        #expect(SweepTable.render(sweep).contains("note: measured on a busy machine: 8KiB"))
        #expect(SweepReport(plan: plan, document: quiet, batchMessageBytes: 8192).fitNotes.allSatisfy { !$0.contains("busy") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: document, sweep: sweep).encoded())) as? [String: Any])
        let points = try #require((object["sweep"] as? [String: Any])?["points"] as? [[String: Any]])
        #expect(points[0]["machine_busy"] is NSNull && (points[1]["machine_busy"] as? String)?.contains("13%") == true, "\(points)")
    }

    /// A masked request is its fragment protobuf-encoded: a point's Mbps are the payload the
    /// driver measured sending, not the asked size's (which matched no direction of the run
    /// table: review); the fit stays over the sizes asked.
    @Test func aMaskedPointsMbpsAreTheMeasuredRequests() throws {
        let plan = try SweepPlan(workload: .masked, sizes: [512, 8192], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        let cases = plan.scenario.cases.enumerated().map { i, spec -> CaseResult in
            let messages = [1000, 500][i]
            var c = ReportFixtures.makeCase(spec.name, size: 512, mbps: 1, msgsPerSecond: Double(messages), durationSeconds: 1, messages: UInt64(messages))
            c.spec = spec
            c.figures.bytesTx = UInt64([550, 8300][i] * messages)
            return c
        }
        let sweep = SweepReport(plan: plan, document: ReportFixtures.document(cases, scenario: plan.scenario.name), batchMessageBytes: 8192)
        #expect(abs((sweep.points[0].mbps ?? 0) - 550 * 8 * 1000 / 1e6) < 1e-6, "\(sweep.points[0])")
        #expect(abs((sweep.points[1].mbps ?? 0) - 8300 * 8 * 500 / 1e6) < 1e-6)
        let text = SweepTable.render(sweep)
        #expect(text.contains("Mbps: the requests' payload as measured, driver to target"))
        #expect(text.contains("asymptotic bandwidth of n (fragment bytes asked, not the requests' measured payload)"), "\(text)")
        // The page in the text's words: it said "each way" of both the points' Mbps and beta.
        let page = HTMLReport.render(ReportFixtures.document([]), sweep: sweep, title: "sweep")
        #expect(!page.contains("each way"), "\(page)")
        #expect(page.contains(Markup.escape("Mbps: \(sweep.mbpsBasis)")) && sweep.mbpsBasis.contains("driver to target"), "\(page)")
        #expect(page.contains(Markup.escape("beta: asymptotic bandwidth of n (fragment bytes asked, not the requests' measured payload)")), "\(page)")
    }

    @Test("points come from duration/messages; the fit recovers the model; residuals and batching follow")
    func buildsFromDocument() throws {
        let (plan, document) = try Self.plannedRun()
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        #expect(sweep.points.map(\.size) == [512, 8192, 65536])
        #expect(abs((sweep.points[0].tMicros ?? 0) - 20.512) < 1e-3)
        // rr: payload per direction, each way, as `run` reports the case's mbps_tx and mbps_rx.
        #expect(abs((sweep.points[0].mbps ?? 0) - 512 * 8 / 20.512) < 1e-2)
        let fit = try #require(sweep.fit)
        #expect(abs(fit.alphaMicros - 20) < 1e-3)
        #expect(abs(fit.betaMbps - 8000) < 1e-2)
        #expect(abs(fit.nHalfBytes - 20000) < 1)
        #expect(fit.r2 == 1)
        #expect(sweep.twoPointCaveat == nil)
        #expect(sweep.points.allSatisfy { abs($0.residualMicros ?? 1) < 1e-3 })
        #expect(sweep.batching.map(\.k) == [1, 2, 4, 8, 16, 32])
        #expect(sweep.batching.map(\.bytesPerWrite) == [8192, 16384, 32768, 65536, 131072, 262144])
        let k1 = try #require(sweep.batching.first)
        let rate = try #require(k1.msgsPerSecond)
        let mbps = try #require(k1.mbps)
        #expect(abs(rate - 1 / (20e-6 + 8192e-9)) < 0.1)
        #expect(abs(mbps - 8192 * 8 * rate / 1e6) < 0.01)
        let text = SweepTable.render(sweep)
        #expect(text.contains("Mbps: payload per direction (each way)") && !text.contains("both"), "\(text)")
        #expect(sweep.allVerified)
    }

    @Test("a size an interrupted sweep never reached is 'not run', skipped in the JSON, not 'verified NO'")
    func sizeNotRunIsSaid() throws {
        let (plan, full) = try Self.plannedRun()
        var document = full
        document.cases.removeLast()
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        #expect(sweep.points[2].skipped == "not run: the sweep stopped before it (interrupted)", "\(sweep.points[2])")
        #expect(!sweep.points[2].verified)
        let row = try #require(SweepTable.render(sweep).split(separator: "\n").first { $0.contains("rr-64KiB") })
        #expect(row.hasSuffix("not run") && !row.contains("NO"), "\(row)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: document, sweep: sweep).encoded())) as? [String: Any])
        let points = try #require((object["sweep"] as? [String: Any])?["points"] as? [[String: Any]])
        #expect(points[2]["skipped"] as? String == "not run: the sweep stopped before it (interrupted)", "\(points[2])")
        // Two sizes fitted of three asked: said above the fit (it was fitted without a word).
        #expect(SweepTable.render(sweep).contains("interrupted: 64KiB not run; the fit is over the 2 sizes measured whole\n"), "\(SweepTable.render(sweep))")
    }

    /// Interrupted during 8KiB, before 64KiB: the fit blamed the sizes given ("needs at least
    /// 2 measured sizes, got 1; give more sizes"), and 8KiB read NO (review).
    @Test("an interrupted size sweep says what the interrupt left out, not 'give more sizes'")
    func interruptedSizeSweepSaysSo() throws {
        let (plan, full) = try Self.plannedRun()
        var document = full
        document.cases.removeLast()
        document.cases[1].figures.verified = false
        document.cases[1].figures.errors = ["interrupted"]
        document.cases[1].figures.interrupted = true
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        #expect(sweep.points.map(\.skipped) == [nil, RateSweepReport.cutShort, SweepReport.notRun])
        #expect(sweep.fit == nil)
        #expect(sweep.fitError == "the sweep was interrupted (8KiB cut short; 64KiB not run): 1 size measured whole, and the latency-bandwidth fit needs at least 2; run the sweep to its end", "\(sweep.fitError ?? "")")
        let text = SweepTable.render(sweep)
        let row = try #require(text.split(separator: "\n").first { $0.contains("rr-8KiB") })
        #expect(row.hasSuffix("cut short") && !text.contains("give more sizes"), "\(text)")
    }

    @Test("a failed size is shown but left out of the fit")
    func failedPoint() throws {
        let (plan, document) = try Self.plannedRun(failing: "rr-8KiB")
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        #expect(!sweep.allVerified)
        #expect(sweep.points[1].tMicros == nil && sweep.points[1].residualMicros == nil && !sweep.points[1].verified)
        #expect(sweep.fit != nil)
    }

    @Test("a fit through two sizes: R^2 null in the JSON (the key kept), said in the text, predictions marked")
    func twoPointFit() throws {
        let (plan, document) = try Self.plannedRun(failing: "rr-8KiB")
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        let fit = try #require(sweep.fit)
        #expect(fit.r2 == nil)
        #expect(sweep.twoPointCaveat?.contains("0 degrees of freedom") == true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: document, sweep: sweep).encoded())) as? [String: Any])
        let json = try #require((object["sweep"] as? [String: Any])?["fit"] as? [String: Any])
        #expect(json["r2"] is NSNull)
        let text = SweepTable.render(sweep)
        #expect(!text.contains("1.0000"), "\(text)")
        #expect(text.contains("R^2    = none: 2 points, 0 degrees of freedom"))
        #expect(text.contains("sweep at least 3 sizes"))
        #expect(sweep.batching.allSatisfy { $0.note?.contains("rests on 2 measured sizes") == true })
    }

    /// The page carries the text's caveats, from the same list: it showed a noisy fit's
    /// predictions, a negative alpha and n_half, and a two-point fit's R^2 plain (review).
    @Test("the HTML sweep says what the text says of the fit: noisy points, alpha < 0, two points, extrapolated predictions")
    func htmlCarriesTheFitCaveats() throws {
        func sweep(_ timings: [(Int, Double)]) -> SweepReport {
            let points = timings.map { size, micros in
                SweepReport.Point(size: size, caseName: "rr-\(size)", tMicros: micros, mbps: nil, residualMicros: nil, verified: true)
            }
            let measured = points.map { LatencyBandwidthFit.Point(bytes: Double($0.size), seconds: ($0.tMicros ?? 0) / 1e6) }
            return SweepReport(points: points, measured: measured, workload: .rr, batchMessageBytes: 8192)
        }
        func page(_ sweep: SweepReport) -> String { HTMLReport.render(ReportFixtures.document([]), sweep: sweep, title: "sweep") }

        // R^2 about 0.71: predictions made, with the noise note; 8KiB batches lie beyond 64B...160B.
        let noisy = sweep([(64, 10), (96, 12.5), (128, 11.5), (160, 14)])
        #expect(noisy.fitNotes.contains { $0.hasPrefix("R^2 below 0.9: the points are noisy") }, "\(noisy.fitNotes)")
        let noisyPage = page(noisy)
        #expect(noisyPage.contains("R^2 below 0.9: the points are noisy"), "\(noisyPage)")
        #expect(noisyPage.contains("extrapolated: 8KiB per write is outside the measured 64B...160B"), "\(noisyPage)")

        let negative = sweep([(1000, 0.5), (2000, 2.0), (4000, 5.0)])
        let negativePage = page(negative)
        #expect(negativePage.contains("n_half is not meaningful"), "\(negativePage)")
        #expect(negativePage.contains("No batching prediction: a fit with alpha &lt; 0"), "\(negativePage)")

        let two = sweep([(512, 20.5), (65536, 85.5)])
        let twoPage = page(two)
        #expect(twoPage.contains("none: 2 points, 0 degrees of freedom"), "\(twoPage)")
        #expect(twoPage.contains("sweep at least 3 sizes"), "\(twoPage)")
        #expect(twoPage.contains("rests on 2 measured sizes"), "each prediction's note: \(twoPage)")

        // One source: every note the text gives, the page gives.
        for s in [noisy, negative, two] {
            for note in s.fitNotes {
                #expect(SweepTable.render(s).contains("note: \(note)"))
                #expect(page(s).contains(Markup.escape(note)), "\(note)")
            }
        }
    }

    @Test("a batch outside the measured sizes is marked as extrapolated; one over the write limit is not predicted, and says why")
    func extrapolationAndWriteLimit() throws {
        let (plan, document) = try Self.plannedRun()
        // Measured 512B...64KiB: 8KiB x 1...8 lie inside, x 16 and x 32 beyond.
        let inside = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        #expect(inside.batching.map { $0.note == nil } == [true, true, true, true, false, false])
        #expect(inside.batching[4].note == "extrapolated: 128KiB per write is outside the measured 512B...64KiB")
        #expect(inside.batching[4].mbps != nil)
        #expect(SweepTable.render(inside).contains("extrapolated: 256KiB per write"))

        let huge = SweepReport(plan: plan, document: document, batchMessageBytes: 1 << 30)
        #expect(huge.batching.allSatisfy { $0.mbps == nil && $0.msgsPerSecond == nil })
        #expect(huge.batching.last?.note == "not predicted: 32GiB per write is over the 64MiB a write or frame may carry")
        let text = SweepTable.render(huge)
        #expect(!text.contains("1.00x"), "\(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: document, sweep: huge).encoded())) as? [String: Any])
        let rows = try #require((object["sweep"] as? [String: Any])?["batching"] as? [[String: Any]])
        #expect(rows.allSatisfy { $0["mbps"] is NSNull && $0["msgs_per_s"] is NSNull && $0["note"] is String })
    }

    @Test("a size --case left out is skipped, not failed: the table, the JSON and allVerified say so")
    func unselectedSizeIsSkipped() throws {
        let (planned, document) = try Self.plannedRun()
        let plan = try planned.selecting(["rr-512B", "rr-64KiB"])
        var ran = document
        ran.cases.removeAll { $0.name == "rr-8KiB" }
        let sweep = SweepReport(plan: plan, document: ran, batchMessageBytes: 8192)
        #expect(sweep.points[1].skipped == "not selected by --case")
        #expect(sweep.points[0].skipped == nil && sweep.points[2].skipped == nil)
        #expect(sweep.allVerified)
        #expect(sweep.fit != nil)
        let row = try #require(SweepTable.render(sweep).split(separator: "\n").first { $0.contains("rr-8KiB") })
        #expect(row.hasSuffix("skipped") && !row.contains("NO"), "\(row)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(SweepDocument(run: ran, sweep: sweep).encoded())) as? [String: Any])
        let points = try #require((object["sweep"] as? [String: Any])?["points"] as? [[String: Any]])
        #expect(points[1]["skipped"] as? String == "not selected by --case")
        #expect(points[0]["skipped"] is NSNull)
    }

    @Test("too few good points: no fit, and the reason")
    func noFit() throws {
        let (plan, document) = try Self.plannedRun(failing: "rr-8KiB")
        var broken = document
        broken.cases[0].verified = false
        let sweep = SweepReport(plan: plan, document: broken, batchMessageBytes: 8192)
        #expect(sweep.fit == nil)
        #expect(sweep.fitError?.contains("at least 2") == true)
        #expect(sweep.batching.isEmpty)
        #expect(SweepTable.render(sweep).contains("fit: none"))
        // The page's tooltip of a point outside the fit says so (it read "residual - us").
        let page = HTMLReport.render(ReportFixtures.document([]), sweep: sweep, title: "sweep")
        #expect(page.contains("64KiB: 85.54 us, not in the fit") && !page.contains("residual - us"), "\(page)")
    }

    @Test("JSON: the run document's keys plus a sweep section with stable keys, nulls included; reads back")
    func json() throws {
        let (plan, document) = try Self.plannedRun(failing: "rr-8KiB")
        let sweep = SweepReport(plan: plan, document: document, batchMessageBytes: 8192)
        let bytes = SweepDocument(run: document, sweep: sweep).encoded()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["schema"] as? String == "vsockbench/1")
        #expect(object["cases"] is [Any])
        let section = try #require(object["sweep"] as? [String: Any])
        #expect(Set(section.keys) == ["workload", "t_basis", "bytes_basis", "wire_factor", "points", "fit", "fit_error", "batch_message_bytes", "batching", "batching_withheld"])
        #expect(section["batching_withheld"] is NSNull)
        let points = try #require(section["points"] as? [[String: Any]])
        #expect(points.allSatisfy { Set($0.keys) == ["size", "case", "t_us", "mbps", "residual_us", "verified", "skipped", "machine_busy"] })
        #expect(points[1]["t_us"] is NSNull)
        let fit = try #require(section["fit"] as? [String: Any])
        #expect(Set(fit.keys) == ["alpha_us", "beta_mbps", "n_half_bytes", "r2", "alpha_se_us", "alpha_ci_us", "beta_ci_mbps"])
        // Two sizes fitted (8KiB failed): no degrees of freedom, the interval keys null.
        #expect(fit["alpha_ci_us"] is NSNull && fit["beta_ci_mbps"] is NSNull && fit["alpha_se_us"] is NSNull, "\(fit)")
        let batching = try #require(section["batching"] as? [[String: Any]])
        #expect(batching.allSatisfy { Set($0.keys) == ["k", "bytes_per_write", "mbps", "msgs_per_s", "note"] })
        // A sweep's JSON is a valid run document (for check and diagnose --from), and reads back whole.
        #expect(try RunDocumentFile.parse(bytes, path: "sweep.json") == document)
        #expect(try SweepDocument.decode(bytes) == SweepDocument(run: document, sweep: sweep))
    }

    @Test("the text report states the basis, the fit with units, R^2 and the batching table")
    func table() {
        let text = SweepTable.render(ReportFixtures.sweep())
        #expect(text.contains("round-trip time per message"))
        #expect(text.contains("alpha  = 20.00 us"))
        #expect(text.contains("beta   = 8000 Mbps"))
        #expect(text.contains("n_half = 19.5KiB (20000 B)"))
        #expect(text.contains("R^2    = 1.0000"))
        #expect(text.contains("256KiB"))
        #expect(text.contains("32"))
    }
}
