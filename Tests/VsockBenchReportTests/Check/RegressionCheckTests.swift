import Testing

@testable import VsockBenchModel
@testable import VsockBenchReport

@Suite struct RegressionCheckTests {
    func compare(_ results: RunDocument, _ baseline: RunDocument, _ options: RegressionCheck.Options = .init()) throws -> CheckReport {
        try RegressionCheck.compare(results: [results], baseline: ReportFixtures.asBaseline([baseline]), options: options)
    }

    func compare(_ results: [RunDocument], _ baseline: [RunDocument], _ options: RegressionCheck.Options = .init()) throws -> CheckReport {
        try RegressionCheck.compare(results: results, baseline: ReportFixtures.asBaseline(baseline), options: options)
    }

    func row(_ report: CheckReport, _ name: String, _ figure: Figure) throws -> CheckReport.Row {
        try #require(report.rows.first { $0.caseName == name && $0.figure == figure })
    }

    /// A cliff document whose chatty case ran as trials at `rates` msgs/s.
    static func chatty(_ rates: [Double]) -> RunDocument {
        var document = ReportFixtures.cliff()
        document.cases[1] = ReportFixtures.withTrials(document.cases[1], rates: rates)
        return document
    }

    @Test("equal runs pass; msgs/s and p99 gate the rr case, Mbps in its direction the tx stream, counts both")
    func equal() throws {
        let report = try compare(ReportFixtures.cliff(), ReportFixtures.cliff())
        #expect(report.passed)
        #expect(report.caseNames == ["bulk", "chatty-8k"])
        let gated = Set(report.rows.filter { $0.caseName == "chatty-8k" && $0.verdict != .notCompared }.map(\.figure))
        #expect(gated.isSuperset(of: [.msgsPerSecond, .latencyP99, .writesPerMessage, .readsPerMessage]))
        #expect(gated.isDisjoint(with: [.mbpsTx, .mbpsRx, .mbpsTotal]), "msgs/s and Mbps move together: only one is gated")
        #expect(report.rows.contains { $0.caseName == "bulk" && $0.figure == .mbpsTx && $0.verdict == .held })
        #expect(!report.rows.contains { $0.caseName == "bulk" && ($0.figure == .mbpsRx || $0.figure == .mbpsTotal) }, "a tx stream moves tx only, and no sum is gated")
        #expect(!report.rows.contains { $0.caseName == "bulk" && $0.figure == .msgsPerSecond })
        #expect(report.renderText().contains("PASS"))
    }

    @Test("a case figure that is not the median of its trials is noted: check compares the trials (hand-edited baseline)")
    func aFigureApartFromItsTrialsIsNoted() throws {
        let run = Self.chatty([330, 336, 342])
        #expect(try compare(run, run).warnings.isEmpty, "figures that agree with their trials: no note")
        var edited = run
        edited.cases[1].figures.msgsPerSecond = 400
        let report = try RegressionCheck.compare(results: [run], baseline: ReportFixtures.asBaseline([edited]), resultsPaths: ["r.json"], baselinePaths: ["b.json"])
        #expect(report.warnings.contains("baseline b.json: case 'chatty-8k': msgs/s 400.0 is not the median of its 3 trials (336.0): check compares the trials, not that figure (edited by hand?)"), "\(report.warnings)")
        #expect(try row(report, "chatty-8k", .msgsPerSecond).verdict == .held, "the trials, unchanged, are what is compared")
    }

    /// An open-loop case that did not keep up has percentiles that understate the wait: check
    /// gated such a p99 without a word (review). Either side's trial that fell behind is said,
    /// once per side, and the case's latency rows carry a note; a case that kept up says nothing.
    @Test("an open-loop case that did not keep up is warned of, and its latency rows noted")
    func anOpenLoopCaseThatFellBehindIsSaid() throws {
        var kept = Self.chatty([330, 336, 342])
        kept.cases[1] = OpenLoopFixtures.openLoop(kept.cases[1], trials: [true, true, true])
        let quiet = try compare(kept, kept)
        #expect(!quiet.warnings.contains { $0.contains("keep up") }, "\(quiet.warnings)")
        #expect(try row(quiet, "chatty-8k", .latencyP99).note == nil)
        // The representative trial kept up; another did not: still said.
        var behind = kept
        behind.cases[1] = OpenLoopFixtures.openLoop(behind.cases[1], trials: [true, false, true], representative: 0)
        let report = try compare(behind, kept)
        let warning = try #require(report.warnings.first { $0.hasPrefix("chatty-8k: the results' open loop did NOT keep up") }, "\(report.warnings)")
        #expect(warning.contains("(1 of its 3 trials)") && warning.contains("1783 of 2000 scheduled requests were never sent"), "\(warning)")
        #expect(warning.hasSuffix("its latency understates the wait, so its latency verdicts compare understated figures"), "\(warning)")
        #expect(!report.warnings.contains { $0.hasPrefix("chatty-8k: the baseline's open loop") })
        #expect(try row(report, "chatty-8k", .latencyP99).note == "the results did not keep up its open-loop rate: this latency understates the wait")
        #expect(try row(report, "chatty-8k", .msgsPerSecond).note == nil)
        #expect(report.renderText().contains("note: chatty-8k p99 us: the results did not keep up its open-loop rate"), "\(report.renderText())")
        let both = try compare(behind, behind)
        #expect(both.warnings.filter { $0.contains("open loop did NOT keep up") }.count == 2, "\(both.warnings)")
        let bothRow = try row(both, "chatty-8k", .latencyP99)
        #expect(bothRow.note?.hasPrefix("both sides did not keep up") == true, "\(bothRow)")
    }

    /// A figure apart from its trials in a document given without its path: "baseline document
    /// 1", not "baseline baseline document 1" (review).
    @Test("a document without its path is named once by its side")
    func aDocumentWithoutItsPathIsNamedOnce() throws {
        var edited = Self.chatty([330, 336, 342])
        edited.cases[1].figures.msgsPerSecond = 400
        let report = try RegressionCheck.compare(results: [Self.chatty([330, 336, 342])], baseline: ReportFixtures.asBaseline([edited]), resultsPaths: [], baselinePaths: [])
        #expect(report.warnings.contains { $0.hasPrefix("baseline document 1: case 'chatty-8k': msgs/s 400.0") }, "\(report.warnings)")
        #expect(!report.warnings.contains { $0.contains("baseline baseline") })
    }

    @Test("one trial against one: a drop beyond the tolerance fails, unconfirmed; a small one holds")
    func singleSamples() throws {
        let report = try compare(ReportFixtures.cliff(bulkMbps: 8000), ReportFixtures.cliff(bulkMbps: 9500))
        #expect(!report.passed)
        let mbps = try row(report, "bulk", .mbpsTx)
        #expect(mbps.verdict == .unconfirmed)
        #expect(mbps.sentence.contains("bulk: Mbps tx 9500 -> 8000 (-15.8%") && mbps.sentence.contains("unconfirmed (1 trial)"), "\(mbps.sentence)")
        #expect(report.headline == "FAIL: 1 regression (1 unconfirmed)")
        // Said once, with what the test would need (review: 3 against 3 failed unchanged runs).
        #expect(report.warnings.contains { $0.hasPrefix("1 verdict judged on the tolerance alone (unconfirmed): 1 against 1 trials cannot reach p <= 0.050 (at best p = 1.000)") && $0.hasSuffix("--repeat 4 or more on each side lets the test decide") }, "\(report.warnings)")
        #expect(try compare(ReportFixtures.cliff(bulkMbps: 9100), ReportFixtures.cliff(bulkMbps: 9500)).passed, "4% is within the 5% effect")
        // A gain on one trial against one is as unconfirmed as a loss.
        let better = try row(try compare(ReportFixtures.cliff(bulkMbps: 11000), ReportFixtures.cliff(bulkMbps: 9500)), "bulk", .mbpsTx)
        #expect(better.verdict == .improved && better.note?.contains("unconfirmed: too few trials for the test (1 against 1)") == true, "\(better)")
    }

    /// A one-run baseline that fails a timing gets advice fit for where it came from: files
    /// are told to pool runs or use --history; a history window (it said "use --history" to a
    /// gate using it: review) is told to add runs to the history.
    @Test func aOneRunBaselineIsAdvisedByWhereItCameFrom() throws {
        let results = ReportFixtures.cliff(bulkMbps: 8000), baseline = ReportFixtures.cliff(bulkMbps: 9500)
        let files = try RegressionCheck.compare(results: [results], baseline: ReportFixtures.asBaseline([baseline]))
        #expect(files.warnings.contains { $0.hasPrefix("the baseline is one run") && $0.hasSuffix("pool several runs (--baseline a.json b.json c.json) or use --history") }, "\(files.warnings)")
        let window = try RegressionCheck.compare(results: [results], baseline: ReportFixtures.asBaseline([baseline]), options: .init(baselineFromHistory: true))
        #expect(window.warnings.contains { $0.hasPrefix("the baseline is one run") && $0.hasSuffix("add runs to the history (the window takes up to --window of them), or gate only once there are several (--history-min-runs 5)") }, "\(window.warnings)")
        #expect(!window.warnings.contains { $0.contains("use --history") })
    }

    /// A stream case moving `direction`, its trials at these payload Mbps per direction.
    static func stream(_ direction: StreamDirection, tx: [Double], rx: [Double]) -> RunDocument {
        var c = ReportFixtures.makeCase("duplex", workload: .stream, size: 65536, mbps: 0, msgsPerSecond: 0)
        c.spec.updateStream { $0.direction = direction }
        c.trials = zip(tx, rx).map { tx, rx in
            var t = c.figures
            t.mbpsTx = tx
            t.mbpsRx = rx
            t.mbpsTotal = tx + rx
            t.msgsPerSecond = (tx + rx) * 1e6 / 8 / 65536
            t.messages = UInt64(t.msgsPerSecond * 2)
            return t
        }
        c.figures = c.trials[(c.trials.count - 1) / 2]
        return ReportFixtures.document([c], scenario: "duplex")
    }

    @Test("a both stream whose rx halves while tx holds: mbps_rx regressed, mbps_tx held, each its own verdict, no sum")
    func bothDirectionsGatedApart() throws {
        let baseline = Self.stream(.both, tx: [4000, 4040, 3960, 4020, 3980], rx: [4000, 4040, 3960, 4020, 3980])
        let rxHalved = Self.stream(.both, tx: [4010, 3990, 4030, 3970, 4000], rx: [2000, 2020, 1980, 2010, 1990])
        let report = try compare(rxHalved, baseline)
        #expect(!report.passed)
        let rx = try row(report, "duplex", .mbpsRx)
        #expect(rx.verdict == .regressed, "\(rx)")
        #expect(rx.sentence.hasPrefix("duplex: Mbps rx 4000 -> 2000 (-50.0%"), "\(rx.sentence)")
        #expect(try row(report, "duplex", .mbpsTx).verdict == .held)
        #expect(report.regressions.map(\.figure) == [.mbpsRx])
        #expect(!report.rows.contains { $0.figure == .mbpsTotal || $0.figure == .msgsPerSecond }, "the sum would say -25% under no direction's name")
        #expect(!report.renderText().contains("Mbps total") && !report.renderText().contains(Figure.mbpsTotal.label))
    }

    /// Each side of a both stream writes one direction's messages: its writes per message are
    /// the directions' split, timing, not the code (unchanged runs went 0.488 -> 0.543).
    @Test("a both stream's writes per message move with the directions' split: gated as a timing, a one-way stream's as a count")
    func bothStreamWritesAreVariable() throws {
        func withWrites(_ direction: StreamDirection, _ target: Double) -> RunDocument {
            var d = Self.stream(direction, tx: [4000], rx: [direction == .both ? 4000 : 0])
            d.cases[0].figures.writesPerMessage = 1 - target
            d.cases[0].figures.targetWritesPerMessage = target
            d.cases[0].trials = [d.cases[0].figures]
            return d
        }
        let both = try compare(withWrites(.both, 0.543), withWrites(.both, 0.488))
        let target = try row(both, "duplex", .targetWritesPerMessage)
        #expect(!target.isCount && target.note?.contains("both-ways stream") == true, "\(target)")
        #expect(try !row(both, "duplex", .writesPerMessage).isCount)
        #expect(target.verdict != .regressed, "a single sample's timing is at most unconfirmed: \(target)")
        let tx = try row(try compare(withWrites(.tx, 0.543), withWrites(.tx, 0.488)), "duplex", .targetWritesPerMessage)
        #expect(tx.isCount, "\(tx)")
    }

    @Test("a stream gates Mbps in the direction it moves: tx mbps_tx, rx mbps_rx, both each")
    func streamDirections() throws {
        func gated(_ direction: StreamDirection) throws -> [Figure] {
            let document = Self.stream(direction, tx: [direction == .rx ? 0 : 900], rx: [direction == .tx ? 0 : 800])
            return try compare(document, document).rows.map(\.figure).filter { !$0.isCount }
        }
        #expect(try gated(.tx) == [.mbpsTx])
        #expect(try gated(.rx) == [.mbpsRx])
        #expect(try gated(.both) == [.mbpsTx, .mbpsRx])
        let rxOnly = try compare(Self.stream(.rx, tx: [0], rx: [500]), Self.stream(.rx, tx: [0], rx: [1000]))
        #expect(rxOnly.regressions.map(\.figure) == [.mbpsRx], "an rx stream that slowed is an mbps_rx regression")
    }

    @Test("a reference case's throughput stands in with Mbps in the direction it moves, never both summed")
    func referenceStandIn() {
        var f = CaseFigures()
        f.mbpsTx = 4000
        f.mbpsRx = 3000
        f.mbpsTotal = 7000
        #expect(Figure.msgsPerSecond.reference(in: f, stream: .both) == 4000, "the busier direction")
        #expect(Figure.msgsPerSecond.reference(in: f, stream: .rx) == 3000)
        var tx = CaseFigures()
        tx.mbpsTx = 9500
        tx.mbpsTotal = 9500
        #expect(Figure.mbpsRx.reference(in: tx, stream: .tx) == 9500, "an rx stream against a tx reference: its tx Mbps")
        var rr = CaseFigures()
        rr.msgsPerSecond = 336
        #expect(Figure.mbpsTx.reference(in: rr, stream: nil) == 336, "against a request/response reference: its msgs/s")
        #expect(Figure.msgsPerSecond.reference(in: CaseFigures(), stream: nil) == nil)
    }

    @Test("trials that clearly moved regress with the test's p; overlapping ones are not significant")
    func significance() throws {
        let baseline = Self.chatty([1000, 1010, 990, 1005, 995, 1002, 998, 1008, 992, 1001])
        let clear = try compare(Self.chatty([800, 810, 790, 805, 795]), baseline)
        let moved = try row(clear, "chatty-8k", .msgsPerSecond)
        #expect(moved.verdict == .regressed)
        #expect((moved.pValue ?? 1) < 0.01)
        #expect(moved.samplesNow == 5 && moved.samplesBaseline == 10)
        // A median 8% lower, but the trials overlap the baseline's: not significant.
        let noisy = try compare(Self.chatty([700, 1100, 920, 1200, 600]), Self.chatty([1000, 800, 1300, 950, 1150]))
        let overlapping = try row(noisy, "chatty-8k", .msgsPerSecond)
        #expect(overlapping.verdict == .notSignificant, "\(overlapping)")
        #expect(noisy.passed)
    }

    @Test("a p-value equal to alpha is significant: the smallest p of 3 against 3 (0.1, SciPy exact) at --alpha 0.1, of 1 against 39 (0.05) at 0.05")
    func pValueAtAlpha() throws {
        // Reachable means the smallest p is at most alpha; the test must then be able to reach it.
        let atTenPercent = CheckTolerances(timing: 0.05, count: 0.02, alpha: 0.1)
        let report = try compare(Self.chatty([700, 705, 695]), Self.chatty([1000, 1010, 990]), .init(tolerances: atTenPercent))
        let moved = try row(report, "chatty-8k", .msgsPerSecond)
        #expect(moved.pValue == 0.1)
        #expect(moved.verdict == .regressed, "\(moved)")
        let passed = report.passed
        #expect(!passed)
        let baseline = Self.chatty((0..<39).map { 1000 + Double($0) })
        let single = try row(try compare(Self.chatty([700]), baseline), "chatty-8k", .msgsPerSecond)
        #expect(single.pValue == 0.05)
        #expect(single.verdict == .regressed, "\(single)")
    }

    @Test("a change inside the spread of the baseline's own runs is within noise")
    func baselineRunsSpread() throws {
        let runA = Self.chatty([900, 905, 895, 902, 898])
        var runB = Self.chatty([1000, 1005, 995, 1002, 998])
        runB.startedAt = "2026-12-04T10:00:00Z"  // another run (the same one twice counts once)
        let report = try compare([Self.chatty([880, 885, 875, 882, 878])], [runA, runB])
        let figure = try row(report, "chatty-8k", .msgsPerSecond)
        #expect(figure.verdict == .withinNoise, "7% below the pooled median, 2% below the slower baseline run")
        #expect(figure.note?.contains("the baseline's 2 runs ranged 900.0-1000 (limit from its worst run, 900.0 -5%)") == true, "\(figure.note ?? "nil")")
        // The table's limit column says which limit it was judged by, beside the -7% change.
        #expect(CheckReport.limitText(figure) == "-5% of worst run")
        #expect(report.renderText().contains("-5% of worst run"), "\(report.renderText())")
        // Every trial below every baseline trial: excused by the slower run, but said (review).
        #expect(figure.note?.contains("; but significant against the baseline's trials (p ") == true, "\(figure.note ?? "nil")")
        #expect(figure.note?.contains("it passes on the worst run alone; if the next run is as low, take it as a regression") == true, "\(figure.note ?? "nil")")
        // Inside the baseline's trials (not significant): no such note.
        let inside = try row(try compare([Self.chatty([905, 1000, 897, 995, 901])], [runA, runB]), "chatty-8k", .msgsPerSecond)
        #expect(inside.note?.contains("significant") != true, "\(inside)")
        let beyond = try compare([Self.chatty([700, 705, 695, 702, 698])], [runA, runB])
        #expect(try row(beyond, "chatty-8k", .msgsPerSecond).verdict == .regressed)
    }

    @Test("improvement is said, and only when it is more than the tolerance")
    func improved() throws {
        let report = try compare(ReportFixtures.cliff(bulkMbps: 12000, chattyRate: 672, p99: 100), ReportFixtures.cliff())
        #expect(report.passed)
        #expect(Set(report.rows.filter { $0.verdict == .improved }.map(\.figure)) == [.mbpsTx, .msgsPerSecond, .latencyP99])
        #expect(report.headline.contains("3 improved"))
    }

    @Test("counts per message are gated tightly, whatever the trials: 1 write per message becoming 9 fails")
    func counts() throws {
        var results = ReportFixtures.cliff()
        results.cases[1].writesPerMessage = 9
        results.cases[1].trials = [results.cases[1].figures]
        let report = try compare(results, ReportFixtures.cliff())
        let writes = try row(report, "chatty-8k", .writesPerMessage)
        #expect(writes.verdict == .regressed && writes.isCount)
        #expect(writes.sentence.contains("1.00 -> 9.00") && writes.sentence.contains("limit ±0.020/msg"))
        var slight = ReportFixtures.cliff()
        slight.cases[1].writesPerMessage = 1.01
        slight.cases[1].trials = [slight.cases[1].figures]
        #expect(try compare(slight, ReportFixtures.cliff()).passed, "within 0.02 per message")
        var fewer = ReportFixtures.cliff()
        fewer.cases[1].writesPerMessage = 0.5
        fewer.cases[1].trials = [fewer.cases[1].figures]
        #expect(try row(try compare(fewer, ReportFixtures.cliff()), "chatty-8k", .writesPerMessage).verdict == .improved)
    }

    /// A cliff document whose chatty case ran trials with these writes per message.
    static func chattyWrites(_ writes: [Double]) -> RunDocument {
        var document = ReportFixtures.cliff()
        document.cases[1].trials = writes.map { w in
            var t = document.cases[1].figures
            t.writesPerMessage = w
            return t
        }
        document.cases[1].writesPerMessage = writes.sorted()[writes.count / 2]
        return document
    }

    @Test("a count steady in the baseline's trials that moves in one trial of the results regresses: the median hid [1, 1, 9] (review)")
    func aCountMovingInOneTrialRegresses() throws {
        let report = try compare(Self.chattyWrites([1, 1, 9]), Self.chattyWrites([1, 1, 1]))
        let writes = try row(report, "chatty-8k", .writesPerMessage)
        #expect(writes.verdict == .regressed && writes.isCount, "\(writes)")
        #expect(writes.sentence.contains("1.00 -> 9.00"), "\(writes.sentence)")
        #expect(writes.note?.contains("its worst trial (1 of 3 beyond the bound; their median 1.00)") == true, "\(writes.note ?? "")")
        #expect(!report.passed)
        // Trials within the bound, or a baseline of one trial (whether the count is steady is
        // then unknown): the median, as before.
        #expect(try compare(Self.chattyWrites([1, 1.01, 1.02]), Self.chattyWrites([1, 1, 1])).passed)
        #expect(try compare(Self.chattyWrites([1, 1, 9]), Self.chattyWrites([1])).passed)
        // Wire bytes follow which messages a trial sent (varying sizes): their median, as
        // before (an unchanged masked build failed on one short trial's 35358 B, review).
        var wire = Self.chattyWrites([1, 1, 1])
        wire.cases[1].trials = [34169, 34074, 34339, 35358, 34210].map { b in
            var t = wire.cases[1].figures
            t.wireBytesPerMessage = b
            return t
        }
        wire.cases[1].wireBytesPerMessage = 34210
        var wireBase = Self.chattyWrites([1, 1, 1])
        wireBase.cases[1].trials = [34495, 34881, 34419].map { b in
            var t = wireBase.cases[1].figures
            t.wireBytesPerMessage = b
            return t
        }
        wireBase.cases[1].wireBytesPerMessage = 34495
        #expect(try row(try compare(wire, wireBase), "chatty-8k", .wireBytesPerMessage).verdict == .held)
        // Fewer writes in one trial is not a regression.
        #expect(try row(try compare(Self.chattyWrites([1, 1, 0.5]), Self.chattyWrites([1, 1, 1])), "chatty-8k", .writesPerMessage).verdict == .held)
    }

    @Test("a count exactly on its bound holds: 1.02 against 1.00 at ±0.02 is 0.020000000000000018 in binary (review)")
    func aCountOnItsBoundHolds() throws {
        let writes = try row(try compare(Self.chattyWrites([1.02, 1.02, 1.02]), Self.chattyWrites([1, 1, 1])), "chatty-8k", .writesPerMessage)
        #expect(writes.verdict == .held, "\(writes.sentence)")
        let over = try row(try compare(Self.chattyWrites([1.021, 1.021, 1.021]), Self.chattyWrites([1, 1, 1])), "chatty-8k", .writesPerMessage)
        #expect(over.verdict == .regressed, "\(over.sentence)")
    }

    @Test("--tolerance writes_per_msg=10% widens that count's bound (of the baseline, or per message), not only a timing's")
    func countOverride() throws {
        var results = ReportFixtures.cliff()
        results.cases[1].writesPerMessage = 1.08
        results.cases[1].trials = [results.cases[1].figures]
        let tolerances = try CheckTolerances.parse(["writes_per_msg=10%"])
        #expect(tolerances.summary.contains("writes_per_msg 10%"))
        let report = try compare(results, ReportFixtures.cliff(), .init(tolerances: tolerances))
        let writes = try row(report, "chatty-8k", .writesPerMessage)
        #expect(writes.isCount && writes.tolerance == 0.1, "\(writes)")
        #expect(writes.verdict == .held && writes.sentence.contains("limit ±0.100/msg"), "\(writes.sentence)")
        #expect(try row(try compare(results, ReportFixtures.cliff()), "chatty-8k", .writesPerMessage).verdict == .regressed, "2% by default")
        // The other counts keep --count-tolerance.
        #expect(try row(report, "chatty-8k", .readsPerMessage).tolerance == 0.02)
    }

    @Test("counts that depend on arrival timing are gated as timings, and the report says why")
    func variableCounts() throws {
        var pipelined = ReportFixtures.cliff()
        pipelined.cases[1].spec.updateExchange { $0.inflight = 8; $0.strategy = .coalesce(maxMessages: 8, maxBytes: 65536, lingerNanos: 0) }
        let report = try compare(pipelined, pipelined)
        let writes = try row(report, "chatty-8k", .writesPerMessage)
        #expect(!writes.isCount && writes.note?.contains("batching strategy") == true)
        let reads = try row(report, "chatty-8k", .readsPerMessage)
        #expect(!reads.isCount && reads.note?.contains("reads return what has arrived") == true)
        // A count the baseline's own trials show varying is a timing too.
        var varying = ReportFixtures.cliff()
        var t1 = varying.cases[1].figures
        var t2 = t1
        t1.writesPerMessage = 1.0
        t2.writesPerMessage = 1.2
        varying.cases[1].trials = [t1, t2]
        let judged = try row(try compare(ReportFixtures.cliff(), varying), "chatty-8k", .writesPerMessage)
        #expect(!judged.isCount && judged.note?.contains("varies between the baseline's trials (1.00-1.20)") == true)
    }

    @Test("--reference: a slowdown of the whole machine cancels out; one of a case does not")
    func reference() throws {
        func run(bulk: [Double], chatty: [Double]) -> RunDocument {
            var d = ReportFixtures.cliff()
            d.cases[0] = ReportFixtures.withTrials(d.cases[0], rates: bulk)
            d.cases[1] = ReportFixtures.withTrials(d.cases[1], rates: chatty)
            return d
        }
        let baseline = run(bulk: [100, 102, 98, 101, 99], chatty: [1000, 1020, 980, 1010, 990])
        let slowMachine = run(bulk: [80, 81.6, 78.4, 80.8, 79.2], chatty: [800, 816, 784, 808, 792])
        let plain = try compare(slowMachine, baseline)
        #expect(try row(plain, "chatty-8k", .msgsPerSecond).verdict == .regressed)
        let relative = try compare(slowMachine, baseline, .init(reference: "bulk"))
        let ratio = try row(relative, "chatty-8k", .msgsPerSecond)
        #expect(ratio.verdict == .held && ratio.normalized, "\(ratio)")
        // p99 has nothing to divide by in a stream reference: compared as it is, and said.
        let p99 = try row(relative, "chatty-8k", .latencyP99)
        #expect(!p99.normalized && p99.note?.contains("in its own units, not as a ratio: bulk has no such figure") == true, "\(p99)")
        let slowCase = run(bulk: [100, 102, 98, 101, 99], chatty: [800, 816, 784, 808, 792])
        #expect(try row(try compare(slowCase, baseline, .init(reference: "bulk")), "chatty-8k", .msgsPerSecond).verdict == .regressed)
        #expect(throws: CheckInputError.self) { try self.compare(slowCase, baseline, .init(reference: "nope")) }
        // A baseline whose reference ran fewer trials than the case (a run cut short) cannot
        // give ratios: the results' ratios are not set against its values (0.99 against 1000
        // read as -99.9%, "REGRESSED"); both sides are compared in their own units, and said.
        var cut = baseline
        cut.cases[0].trials.removeLast()
        let unchanged = run(bulk: [100, 102, 98, 101, 99], chatty: [1000, 1020, 980, 1010, 990])
        let mixed = try row(try compare(unchanged, cut, .init(reference: "bulk")), "chatty-8k", .msgsPerSecond)
        #expect(mixed.verdict == .held && !mixed.normalized, "\(mixed)")
        #expect(mixed.baseline == 1000 && mixed.now == 1000, "\(mixed)")
        #expect(mixed.note?.contains("in its own units, not as a ratio: the baseline's bulk cannot divide it") == true, "\(mixed.note ?? "")")
    }

    /// A tolerance of 100% or more leaves a throughput ungated: taken (counts and latency are
    /// still gated), and the report says so rather than passing a halved rate in silence.
    @Test func anUngatedThroughputIsSaid() throws {
        let now = Self.chatty([500, 505, 495, 502, 498])
        let baseline = Self.chatty([1000, 1010, 990, 1005, 995])
        let wide = try compare(now, baseline, .init(tolerances: try CheckTolerances.parse(["150%"])))
        #expect(try row(wide, "chatty-8k", .msgsPerSecond).verdict != .regressed)
        #expect(wide.warnings.contains("a tolerance of 100% or more for msgs_per_s, mbps_tx, mbps_rx: no drop of theirs can fail the gate (a throughput cannot fall by 100% or more)"), "\(wide.warnings)")
        let standard = try compare(now, baseline)
        #expect(!standard.warnings.contains { $0.hasPrefix("a tolerance of 100%") })
    }

    /// A baseline with a failed or interrupted trial (zeros, or cut short): left out, as the
    /// run's own medians leave it, and said. Counted, its zero turned a 20% drop into "not
    /// significant" and halved the figure the results showed.
    @Test("a failed or empty trial is left out of both sides, and the check says so")
    func failedTrialsAreLeftOut() throws {
        let now = Self.chatty([800, 810, 790, 805, 795])
        var baseline = Self.chatty([1000, 1010, 990, 1005, 995, 0])
        baseline.cases[1].trials[5].messages = 0
        baseline.cases[1].trials[5].verified = false
        baseline.cases[1].figures.verified = false
        let report = try compare(now, baseline)
        let rate = try row(report, "chatty-8k", .msgsPerSecond)
        #expect(rate.samplesBaseline == 5 && rate.baseline == 1000, "\(rate)")
        #expect(rate.verdict == .regressed, "\(rate)")
        #expect(report.warnings.contains("chatty-8k: 1 of the baseline's 6 trials failed or measured nothing; left out of the comparison"), "\(report.warnings)")
        // A trial that measured but failed verification is left out too.
        var cut = Self.chatty([1000, 1010, 990, 1005, 995, 300])
        cut.cases[1].trials[5].verified = false
        #expect(try row(try compare(now, cut), "chatty-8k", .msgsPerSecond).samplesBaseline == 5)
        // No trial left: the case would be compared with nothing and pass (review): refused
        // (exit 2), naming the case and the file.
        var none = Self.chatty([1000])
        none.cases[1].trials[0].verified = false
        #expect(throws: CheckInputError.unusableBaselineCase(name: "chatty-8k", paths: ["b.json"])) {
            try RegressionCheck.compare(results: [now], baseline: ReportFixtures.asBaseline([none]), resultsPaths: ["r.json"], baselinePaths: ["b.json"])
        }
        // Where another run of the baseline has one, the case is compared with that run's.
        var other = Self.chatty([1000, 1010, 990])
        other.startedAt = "2026-12-04T10:00:00Z"
        #expect(try row(try compare([now], [none, other]), "chatty-8k", .msgsPerSecond).samplesBaseline == 3)
    }

    /// One run given twice (the same file, or a copy) counts once: pooled twice, its trials
    /// made a 5.8% p99 change significant (p 0.056 to 0.004) and its two copies a spread of
    /// zero (review).
    @Test func oneRunGivenTwiceCountsOnce() throws {
        let now = Self.chatty([800, 810, 790])
        let base = Self.chatty([1000, 1010, 990])
        let report = try RegressionCheck.compare(results: [now, now], baseline: ReportFixtures.asBaseline([base, base]), resultsPaths: ["r.json", "./r.json"], baselinePaths: ["b.json", "b.json"])
        let rate = try row(report, "chatty-8k", .msgsPerSecond)
        #expect(rate.samplesNow == 3 && rate.samplesBaseline == 3, "\(rate)")
        #expect(report.resultsPaths == ["r.json"] && report.baselinePaths == ["b.json"])
        #expect(report.warnings.contains("results: ./r.json is the same run as r.json (scenario, start time, host and pid): counted once"), "\(report.warnings)")
        #expect(report.warnings.contains("baseline: b.json is the same run as b.json (scenario, start time, host and pid): counted once"), "\(report.warnings)")
    }

    /// The results' own run as the baseline (the same file, or a copy: a gate with a path
    /// mistyped) passed every figure against itself; it is refused, and left out of a baseline
    /// that has other runs (review).
    @Test func theResultsRunIsNotItsOwnBaseline() throws {
        let now = Self.chatty([800, 810, 790])
        #expect(throws: CheckInputError.baselineIsTheResults(paths: ["copy.json"])) {
            try RegressionCheck.compare(results: [now], baseline: [now], resultsPaths: ["r.json"], baselinePaths: ["copy.json"])
        }
        let earlier = ReportFixtures.asBaseline([Self.chatty([1000, 1010, 990])])[0]
        let report = try RegressionCheck.compare(results: [now], baseline: [now, earlier], resultsPaths: ["r.json"], baselinePaths: ["r.json", "b.json"])
        #expect(report.baselinePaths == ["b.json"])
        #expect(try row(report, "chatty-8k", .msgsPerSecond).samplesBaseline == 3)
        #expect(report.warnings.contains("baseline: r.json is a run of the results (scenario, start time, host and pid): left out of the baseline"), "\(report.warnings)")
        #expect(!report.passed, "800 against 1000 msgs/s, no longer against itself")
    }

    /// Another scenario's run with the same case names is compared, and said (it passed
    /// without a word, review).
    @Test func anotherScenarioIsNoted() throws {
        var base = Self.chatty([1000, 1010, 990])
        base.scenario = "other"
        let report = try compare(Self.chatty([1000, 1010, 990]), base)
        #expect(report.warnings.contains { $0.hasPrefix("scenario differs: other in the baseline, \(ReportFixtures.cliff().scenario) now") }, "\(report.warnings)")
        #expect(!(try compare(Self.chatty([1000]), Self.chatty([1000]))).warnings.contains { $0.hasPrefix("scenario differs") })
    }

    /// In process on one side and over a socket on the other: every count read "REGRESSED
    /// from 0" (review). Refused, naming the case; a case skipped in process is not compared
    /// anyway, and is no reason to refuse.
    @Test func inProcessAgainstASocketIsRefused() throws {
        var inProcess = ReportFixtures.cliff()
        for index in inProcess.cases.indices { inProcess.cases[index].transport = "null" }
        for (results, baseline, expected) in [(ReportFixtures.cliff(), inProcess, ("null", "unix")), (inProcess, ReportFixtures.cliff(), ("unix", "null"))] {
            #expect(throws: CheckInputError.inProcessAgainstSocket(name: "bulk", baseline: expected.0, results: expected.1)) {
                try self.compare(results, baseline)
            }
        }
        let reason = "stream cases need a channel; --target null runs rr and masked cases in process"
        inProcess.cases[0] = CaseSummary.notRun(inProcess.cases[0].spec, transport: "null", errors: [], skipped: reason)
        inProcess.cases.removeLast(inProcess.cases.count - 1)
        var socket = ReportFixtures.cliff()
        socket.cases.removeLast(socket.cases.count - 1)
        #expect(try compare(socket, inProcess).warnings.contains { $0.hasPrefix("bulk: skipped in the baseline") })
    }

    /// A case matched by name but measured as another workload is not compared: refused.
    @Test func anotherWorkloadUnderTheSameNameIsRefused() throws {
        let now = ReportFixtures.cliff()
        var base = ReportFixtures.cliff()
        let names = base.cases.map(\.name)
        base.cases.swapAt(0, 1)
        base.cases[0].name = names[0]
        base.cases[1].name = names[1]
        #expect(throws: CheckInputError.self) { try self.compare(now, base) }
        do {
            _ = try compare(now, base)
        } catch {
            #expect("\(error)".contains("case \(names[0]) is "), "\(error)")
            #expect("\(error)".contains("not the same measurement"), "\(error)")
        }
    }

    /// A count that depends on timing (reads/msg with 4 in flight), worse while msgs/s
    /// improved: explained, not a regression (an unchanged build that ran faster failed on
    /// reads/msg +39% beside msgs/s +34%, review). Worse with throughput unchanged, it is
    /// still gated, with four times the timing tolerance.
    @Test func aTimingCountWorseWithMoreThroughputIsExplained() throws {
        func run(rates: [Double], reads: [Double], started: String) -> RunDocument {
            var d = Self.chatty(rates)
            d.startedAt = started
            d.cases[1].spec.updateExchange { $0.inflight = 4 }
            for i in d.cases[1].trials.indices { d.cases[1].trials[i].readsPerMessage = reads[i] }
            d.cases[1].figures.readsPerMessage = reads.sorted()[reads.count / 2]
            return d
        }
        let base = run(rates: [1000, 1010, 990, 1005, 995], reads: [0.31, 0.32, 0.30, 0.31, 0.32], started: "a")
        let faster = run(rates: [1340, 1350, 1330, 1345, 1335], reads: [0.44, 0.45, 0.43, 0.44, 0.45], started: "b")
        let report = try compare(faster, base)
        let reads = try row(report, "chatty-8k", .readsPerMessage)
        #expect(reads.verdict == .explained, "\(reads)")
        #expect(reads.note?.contains("msgs/s improved (+34") == true, "\(reads.note ?? "nil")")
        #expect(report.passed, "\(report.headline)")
        #expect(report.headline.contains("1 explained by throughput"), "\(report.headline)")
        // The same rise at the same throughput: a regression (beyond 20%).
        let same = run(rates: [1000, 1010, 990, 1005, 995], reads: [0.44, 0.45, 0.43, 0.44, 0.45], started: "c")
        let unexplained = try row(try compare(same, base), "chatty-8k", .readsPerMessage)
        #expect(unexplained.verdict == .regressed && unexplained.tolerance == 0.2, "\(unexplained)")
        // 10% more at the same throughput: within the 20% a timing-dependent count may move.
        let slight = run(rates: [1000, 1010, 990, 1005, 995], reads: [0.34, 0.35, 0.33, 0.34, 0.35], started: "d")
        #expect(try row(try compare(slight, base), "chatty-8k", .readsPerMessage).verdict == .held)
    }

    @Test("exits/msg is compared only where both runs had the probe; in stop-and-wait it is a count")
    func exits() throws {
        var results = ReportFixtures.cliff()
        var baseline = ReportFixtures.cliff()
        results.cases[1].probe = ReportFixtures.probe(exits: 14)
        results.cases[1].trials = [results.cases[1].figures]
        let oneSided = try compare(results, baseline)
        let row = try self.row(oneSided, "chatty-8k", .exits)
        #expect(row.verdict == .notCompared && row.note == "not in the baseline")
        #expect(oneSided.passed)
        baseline.cases[1].probe = ReportFixtures.probe(exits: 10)
        baseline.cases[1].trials = [baseline.cases[1].figures]
        let both = try compare(results, baseline)
        #expect(both.regressions.map(\.figure) == [.exits])
    }

    /// A CI job whose run lost the probe (no privileges: `run --probe` goes on without it) had
    /// passed with the probe's counts "n/a: not in the results" (review): it fails, named.
    @Test("probe counts the baseline has and the results lack fail the check")
    func unprobed() throws {
        var baseline = ReportFixtures.cliff()
        baseline.cases[1].probe = ReportFixtures.probe(exits: 10)
        baseline.cases[1].trials = [baseline.cases[1].figures]
        let report = try compare(ReportFixtures.cliff(), baseline)
        #expect(!report.passed && report.regressions.isEmpty)
        #expect(report.unprobed == ["chatty-8k"])
        #expect(report.headline == "FAIL: 1 case without the baseline's probe counts", "\(report.headline)")
        #expect(report.renderText().contains("chatty-8k: the baseline has the probe's counts, the results none"))
        #expect(CheckMarkdown.render(report).contains("**Not probed in the results**"))
        #expect(JUnitReport.render(report).contains("<failure type=\"unprobed\""))
        // The other way (a probe only in the results) passes: nothing of the baseline went ungated.
        var results = ReportFixtures.cliff()
        results.cases[1].probe = ReportFixtures.probe(exits: 10)
        results.cases[1].trials = [results.cases[1].figures]
        #expect(try compare(results, ReportFixtures.cliff()).passed)
        // A case skipped in the results (no probe: it did not run) is said as skipped, not
        // failed as not probed; nor one skipped in the baseline (review).
        var skipped = ReportFixtures.cliff()
        skipped.cases[1].skipped = "not run: interrupted"
        #expect(try compare(skipped, baseline).unprobed.isEmpty)
        var skippedBaseline = baseline
        skippedBaseline.cases[1].skipped = "not run: interrupted"
        #expect(try compare(ReportFixtures.cliff(), skippedBaseline).unprobed.isEmpty)
        // A baseline of three runs, one of which skipped the case: the two that ran it were
        // probed, so results without the probe still fail (one skip had dropped the gate, review).
        var runs: [RunDocument] = []
        for (index, skip) in [false, false, true].enumerated() {
            var run = baseline
            run.startedAt = "2026-12-0\(index + 1)T10:00:00Z"
            if skip { run.cases[1].skipped = "not run: interrupted"; run.cases[1].probe = nil }
            runs.append(run)
        }
        let mixed = try RegressionCheck.compare(results: [ReportFixtures.cliff()], baseline: ReportFixtures.asBaseline(runs), baselinePaths: ["a", "b", "c"])
        #expect(mixed.unprobed == ["chatty-8k"], "\(mixed.unprobed)")
        // One the results failed fails as unverified, once.
        var failed = ReportFixtures.cliff()
        failed.cases[1].verified = false
        let failing = try compare(failed, baseline)
        #expect(failing.unprobed.isEmpty && failing.unverified.map(\.caseName) == ["chatty-8k"], "\(failing.unverified)")
    }

    @Test("a zero baseline: a cost appearing from zero regresses, zero to zero holds")
    func zeroBaseline() {
        let tolerances = CheckTolerances.standard
        func samples(_ v: Double) -> CheckSamples { CheckSamples(values: [v], perRun: [v]) }
        #expect(RegressionCheck.row(.exits, kind: .count, case: "c", now: samples(0.5), baseline: samples(0), tolerances: tolerances).verdict == .regressed)
        #expect(RegressionCheck.row(.exits, kind: .count, case: "c", now: samples(0), baseline: samples(0), tolerances: tolerances).verdict == .held)
        #expect(RegressionCheck.row(.mbpsTx, kind: .timing, case: "c", now: samples(10), baseline: samples(0), tolerances: tolerances).verdict == .improved)
    }

    @Test("an unverified case in the results fails the check even with equal figures")
    func unverified() throws {
        var results = ReportFixtures.cliff()
        results.cases[1].verified = false
        results.cases[1].errors = ["response 3: 8 bytes differ"]
        let report = try compare(results, ReportFixtures.cliff())
        #expect(!report.passed && report.regressions.isEmpty)
        #expect(report.unverified.map(\.caseName) == ["chatty-8k"])
        #expect(report.renderText().contains("chatty-8k: response 3: 8 bytes differ"))
        #expect(report.headline == "FAIL: 1 unverified case")
    }

    @Test("a case skipped on one side (its figures are zeros, not measurements) is not compared, and a note says so")
    func skippedCase() throws {
        let reason = "stream cases need a channel; --target null runs rr and masked cases in process"
        var skipped = ReportFixtures.cliff()
        skipped.cases[0] = CaseSummary.notRun(skipped.cases[0].spec, transport: "null", errors: [], skipped: reason)
        // Skipped in the baseline: writes/msg 0 -> 1 is no regression, Mbps 0 -> 9500 no improvement.
        let report = try compare(ReportFixtures.cliff(), skipped)
        let passed = report.passed
        #expect(passed, "\(report.regressions.map(\.sentence))")
        #expect(report.rows.filter { $0.caseName == "bulk" }.allSatisfy { $0.verdict == .notCompared }, "\(report.rows.filter { $0.caseName == "bulk" })")
        #expect(report.warnings.contains("bulk: skipped in the baseline (\(reason)); not compared"), "\(report.warnings)")
        #expect(try row(report, "chatty-8k", .msgsPerSecond).verdict == .held)
        // Skipped in the results: not a -100% regression either, and not an unverified case.
        let other = try compare(skipped, ReportFixtures.cliff())
        #expect(other.rows.filter { $0.caseName == "bulk" }.allSatisfy { $0.verdict == .notCompared })
        #expect(other.unverified.isEmpty && other.warnings.contains("bulk: skipped in the results (\(reason)); not compared"))
    }

    @Test("mismatched cases are unusable input, unless --cases-in-common, which compares the rest and says so")
    func mismatched() throws {
        var results = ReportFixtures.cliff()
        results.cases.removeFirst()
        results.cases.append(ReportFixtures.makeCase("new-case", mbps: 1, msgsPerSecond: 1))
        #expect(throws: CheckInputError.mismatchedCases(missingInResults: ["bulk"], missingInBaseline: ["new-case"], resultsPaths: ["r.json"], baselinePaths: ["b.json"])) {
            try RegressionCheck.compare(results: [results], baseline: ReportFixtures.asBaseline([ReportFixtures.cliff()]), resultsPaths: ["r.json"], baselinePaths: ["b.json"])
        }
        // The message names the files (review: it named none).
        let text = CheckInputError.mismatchedCases(missingInResults: ["bulk"], missingInBaseline: [], resultsPaths: ["r.json"], baselinePaths: ["b.json"]).description
        #expect(text.hasPrefix("the results and the baseline (results: r.json; baseline: b.json) have different cases (in the baseline but not the results: bulk)"), "\(text)")
        let common = try compare(results, ReportFixtures.cliff(), .init(casesInCommon: true))
        #expect(common.caseNames == ["chatty-8k"])
        #expect(common.warnings.contains { $0.contains("left out: bulk, new-case") })
    }

    @Test("a case the results' run was interrupted before fails as not run (also with --cases-in-common), not as another scenario's")
    func interruptedBeforeACase() throws {
        var results = ReportFixtures.cliff()
        results.cases.removeFirst()
        results.notRun = ["bulk"]
        for options in [RegressionCheck.Options(), .init(casesInCommon: true)] {
            let report = try RegressionCheck.compare(results: [results], baseline: ReportFixtures.asBaseline([ReportFixtures.cliff()]), options: options, resultsPaths: ["r.json"], baselinePaths: ["b.json"])
            #expect(!report.passed)
            #expect(report.unverified.map(\.caseName) == ["bulk"], "\(report.unverified)")
            #expect(report.unverified.first?.errors.first?.contains("not run: the run (r.json) was interrupted before it") == true, "\(report.unverified)")
            #expect(report.caseNames == ["chatty-8k"])
            #expect(report.renderText().contains("bulk: not run"), "\(report.renderText())")
        }
        // The baseline's run interrupted before a case: still unusable, and said so.
        var baseline = ReportFixtures.cliff()
        baseline.cases.removeFirst()
        baseline.notRun = ["bulk"]
        #expect(throws: CheckInputError.mismatchedCases(missingInResults: [], missingInBaseline: ["bulk"], resultsPaths: ["r.json"], baselinePaths: ["b.json"], notRunInBaseline: ["bulk"])) {
            try RegressionCheck.compare(results: [ReportFixtures.cliff()], baseline: ReportFixtures.asBaseline([baseline]), resultsPaths: ["r.json"], baselinePaths: ["b.json"])
        }
        let text = CheckInputError.mismatchedCases(missingInResults: [], missingInBaseline: ["bulk"], resultsPaths: ["r.json"], baselinePaths: ["b.json"], notRunInBaseline: ["bulk"]).description
        #expect(text.contains("the baseline's run was interrupted before bulk") && text.hasSuffix("refresh the baseline with a run that reaches every case"), "\(text)")
    }

    @Test("--cases-in-common with no case on both sides is unusable input, not a pass that compared nothing")
    func noCaseInCommon() throws {
        var results = ReportFixtures.cliff()
        results.cases = [ReportFixtures.makeCase("new-case", mbps: 1, msgsPerSecond: 1)]
        #expect(throws: CheckInputError.noCasesInCommon(results: ["new-case"], baseline: ["bulk", "chatty-8k"])) {
            try self.compare(results, ReportFixtures.cliff(), .init(casesInCommon: true))
        }
    }

    @Test("--cases-in-common: a results case the baseline lacks is not gated, but one that was not verified still fails the check")
    func unverifiedOutsideTheBaseline() throws {
        var results = ReportFixtures.cliff()
        var broken = ReportFixtures.makeCase("new-case", mbps: 1, msgsPerSecond: 1)
        broken.verified = false
        broken.errors = ["response 7: 8 bytes differ"]
        results.cases.append(broken)
        let report = try compare(results, ReportFixtures.cliff(), .init(casesInCommon: true))
        #expect(report.caseNames == ["bulk", "chatty-8k"], "new-case has no baseline to be gated against")
        #expect(report.unverified.map(\.caseName) == ["new-case"])
        let passed = report.passed
        #expect(!passed)
        #expect(report.headline == "FAIL: 1 unverified case")
        #expect(report.renderText().contains("new-case: response 7: 8 bytes differ"))
        let junit = JUnitReport.render(report)
        #expect(junit.contains("classname=\"vsockbench.new-case\" name=\"verified\"><failure type=\"unverified\""), "\(junit)")
        #expect(junit.contains("failures=\"1\""))
        var clean = results
        clean.cases[2].verified = true
        clean.cases[2].errors = []
        #expect(try compare(clean, ReportFixtures.cliff(), .init(casesInCommon: true)).passed)
    }

    @Test("every differing knob is a note naming the key; kernels and unverified baseline cases too")
    func warnings() throws {
        var baseline = ReportFixtures.cliff()
        baseline.host.driverKernel = "5.10.0-old"
        baseline.cases[1].spec.workload = .rr(RequestResponseWorkload(requestSize: 4096, exchange: Exchange(inflight: 2)))
        baseline.cases[1].spec.socket.noDelay = false
        baseline.cases[0].verified = false
        baseline.cases[0].spec.updateStream { $0.verify = .full }
        let report = try compare(ReportFixtures.cliff(), baseline)
        #expect(report.warnings.contains("bulk: verify full -> edges differs from the baseline"), "\(report.warnings)")
        #expect(report.warnings.contains("chatty-8k: request_size 4KiB -> 8KiB differs from the baseline"))
        #expect(report.warnings.contains("chatty-8k: inflight 2 -> 1 differs from the baseline"))
        #expect(report.warnings.contains { $0.hasPrefix("chatty-8k: socket.nodelay") })
        #expect(report.warnings.contains { $0.contains("driver kernel differs") })
        #expect(report.warnings.contains { $0.contains("baseline case bulk was not verified") })
        #expect(!report.warnings.contains { $0.contains("host differs") || $0.contains("CPUs differ") }, "the same machine: \(report.warnings)")
        // Another machine: said, as diagnose --from --verify says it.
        var elsewhere = ReportFixtures.cliff()
        elsewhere.host.driver.hostname = "other-host"
        elsewhere.host.driver.cpus = 36
        let moved = try compare(ReportFixtures.cliff(), elsewhere)
        #expect(moved.warnings.contains { $0.hasPrefix("driver host differs: other-host in the baseline") }, "\(moved.warnings)")
        #expect(moved.warnings.contains { $0.hasPrefix("driver CPUs differ: 36 in the baseline") }, "\(moved.warnings)")
    }

    /// The target's build, from its hello ack, is noted as the driver's is: a baseline served
    /// from a release target against a debug one gated the agent's slowdown unremarked.
    @Test func targetBuildNotes() throws {
        func notes(baseline: String?, now: String?) throws -> [String] {
            var before = ReportFixtures.cliff(), after = ReportFixtures.cliff()
            before.host.target?.build = baseline
            after.host.target?.build = now
            return try compare(after, before).warnings.filter { $0.contains("target build") }
        }
        #expect(try notes(baseline: "release", now: "release").isEmpty)
        #expect(try notes(baseline: nil, now: "release").isEmpty, "an older target: unknown, not a difference")
        let differ = try notes(baseline: "release", now: "debug")
        #expect(differ == ["target build differs: release in the baseline, debug now (a debug build's timings are not the tool's: build with `swift build -c release`)"], "\(differ)")
        let older = try notes(baseline: nil, now: "debug")
        #expect(older.count == 1 && older[0].hasPrefix("target build is debug: not recorded in the baseline, debug now"), "\(older)")
    }

    /// A debug build's timings are not the tool's: check says so when the builds differ or
    /// either side is debug (a note; the gate is unchanged), and nothing for two release builds.
    @Test("a debug build on either side, or builds that differ, is a note")
    func buildNotes() throws {
        func notes(baseline: String?, now: String?) throws -> [String] {
            var before = ReportFixtures.cliff(), after = ReportFixtures.cliff()
            before.host.build = baseline
            after.host.build = now
            return try compare(after, before).warnings.filter { $0.contains("driver build") }
        }
        #expect(try notes(baseline: "release", now: "release").isEmpty)
        #expect(try notes(baseline: nil, now: "release").isEmpty, "an older baseline: unknown, not a difference")
        let differ = try notes(baseline: "release", now: "debug")
        #expect(differ == ["driver build differs: release in the baseline, debug now (a debug build's timings are not the tool's: build with `swift build -c release`)"], "\(differ)")
        let both = try notes(baseline: "debug", now: "debug")
        #expect(both.count == 1 && both[0].hasPrefix("driver build is debug: debug in the baseline, debug now"), "\(both)")
        let older = try notes(baseline: nil, now: "debug")
        #expect(older.count == 1 && older[0].hasPrefix("driver build is debug: not recorded in the baseline, debug now"), "\(older)")
        var debug = ReportFixtures.cliff(), release = ReportFixtures.cliff()
        debug.host.build = "debug"
        release.host.build = "release"
        #expect(try compare(debug, release).passed, "a note, not a failure")
    }
}
