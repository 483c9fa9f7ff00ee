import Testing

@testable import VsockBenchReport

@Suite struct HTMLReportTests {
    static func sectionIDs(_ html: String) -> [String] {
        html.components(separatedBy: "<section id=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
    }

    @Test("sections appear where the document has their data, problems and verdicts first")
    func sections() {
        let full = HTMLReport.render(ReportFixtures.everything(), sweep: ReportFixtures.sweep())
        // The fixtures' tail percentiles rest on few messages: the notes say so, as the text table does.
        #expect(ReportFixtures.cliff().cases.contains { $0.tailNote != nil })
        #expect(Self.sectionIDs(full) == ["problems", "notes", "diagnosis", "throughput", "costs", "latency", "sweep", "host", "numbers"])
        let plain = HTMLReport.render(ReportFixtures.cliff())
        #expect(Self.sectionIDs(plain) == ["notes", "throughput", "costs", "latency", "host", "numbers"])
        let streamOnly = HTMLReport.render(ReportFixtures.document([ReportFixtures.cliff().cases[0]]))
        #expect(!Self.sectionIDs(streamOnly).contains("latency"))
    }

    @Test("the page says what the text report says of the run: a debug build's timings, the cases an interrupt came before")
    func runNotes() throws {
        var document = ReportFixtures.cliff()
        document.host.build = RunDocument.Build.release
        document.notRun = []
        let release = HTMLReport.render(document)
        #expect(!release.contains("debug build") && !release.contains("not run"))
        document.host.build = RunDocument.Build.debug
        document.notRun = ["after<1>"]
        let debug = HTMLReport.render(document)
        #expect(Self.sectionIDs(debug).contains("notes"))
        #expect(debug.contains("<b>build</b>: the driver is a debug build"), "\(debug)")
        #expect(debug.contains("<b>not run</b>: the run was interrupted before after&lt;1&gt;; it is in no chart or table"), "\(debug)")
    }

    @Test("a skipped case is no problem: the charts say skipped, not FAILED, and the notes give its reason")
    func skippedCase() throws {
        // `run --target null` with a stream case: skipped, the run passes (exit 0).
        let spec = ReportFixtures.cliff().cases[0].spec
        let skipped = CaseSummary.notRun(spec, transport: "null", errors: [], skipped: "stream cases need a channel")
        let document = ReportFixtures.document([skipped, ReportFixtures.cliff().cases[1]])
        #expect(document.allVerified)
        let html = HTMLReport.render(document)
        #expect(!Self.sectionIDs(html).contains("problems"), "\(html)")
        #expect(!html.contains("FAILED") && !html.contains(": failed"), "\(html)")
        #expect(html.contains("<b>bulk</b>: skipped: stream cases need a channel"), "\(html)")
        #expect(ThroughputChart.render(document.cases).rendered.contains("skipped (not run: see the notes)"))
        #expect(CostGrid.render(document.cases).map(\.rendered).joined().contains(">skipped<"))
        #expect(!html.contains("label bad") && !html.contains("tr class=\"bad\""), "nothing marked red: \(html)")
    }

    @Test("an open-loop case has its section with the verdict, and the latency axis names the intended send time")
    func openLoop() throws {
        var document = ReportFixtures.cliff()
        let index = try #require(document.cases.firstIndex { $0.latencyMicros != nil })
        let report = OpenLoopReport(askedPerSecond: 2000, arrivals: .constant, sentPerSecond: 2000, achievedPerSecond: 1900, measuredSends: 4000,
                                    lateSends: 600, lateThresholdMicros: 250, maxSendDelayMicros: 480_000, inFlightMax: 3, inFlightCap: 1024,
                                    lateHeldByTarget: 590, answered: 3800, answeredAfterEnd: 3, keptUp: false, verdict: "did NOT keep up: <because>")
        document.cases[index].figures.openLoop = report
        let html = HTMLReport.render(document)
        #expect(Self.sectionIDs(html).contains("open-loop"), "\(Self.sectionIDs(html))")
        #expect(html.contains("did NOT keep up: &lt;because&gt;"))
        #expect(html.contains("3800 of 4000"))
        #expect(html.contains("ready-to-send (open loop: intended send time) to verified response"))
        #expect(!HTMLReport.render(ReportFixtures.cliff()).contains("intended send time"))
    }

    @Test("self-contained: no scripts, no external resources, no web fonts")
    func selfContained() {
        let html = HTMLReport.render(ReportFixtures.everything(), sweep: ReportFixtures.sweep())
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
        #expect(!html.contains("@font-face"))
        // The only URL is the SVG namespace, which is an identifier, not a fetch.
        let urls = html.components(separatedBy: "http").dropFirst()
        #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg\"") })
    }

    @Test("every piece of text from the results is escaped")
    func escaping() {
        let html = HTMLReport.render(ReportFixtures.everything())
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<b>bold</b>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"))
        #expect(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;"))
    }

    @Test("the ceiling is the best verified stream case; other bars say their share of it")
    func ceiling() {
        let html = HTMLReport.render(ReportFixtures.cliff())
        #expect(html.contains("ceiling: bulk 9500 Mbps"))
        #expect(html.contains("11.00 Mbps each way  (0.116% of ceiling)"), "one Mbps: payload per direction")
        let rrOnly = HTMLReport.render(ReportFixtures.document([ReportFixtures.cliff().cases[1]]))
        #expect(!rrOnly.contains("class=\"ceiling\""))
        #expect(rrOnly.contains("no ceiling is marked"))
    }

    @Test("probe columns (packets, credit updates, exits with their source) only when a case has the probe")
    func probeColumns() {
        let probed = HTMLReport.render(ReportFixtures.everything())
        #expect(probed.contains("Below the application (eBPF probe)"))
        for title in [">vsock packets<", ">credit updates<", ">exits<", ">via kvm_exit<", ">notifications<"] {
            #expect(probed.contains(title), "\(title)")
        }
        let plain = HTMLReport.render(ReportFixtures.cliff())
        #expect(!plain.contains(">vsock packets<"))
        #expect(!plain.contains("eBPF probe)"))
        #expect(plain.contains("Run with --probe"))
    }

    @Test("verdicts with evidence, advice and predicted gain; a diagnosed case without one says so")
    func diagnosis() {
        let html = HTMLReport.render(ReportFixtures.everything())
        #expect(html.contains("<code>round_trip_bound</code>"))
        #expect(html.contains("one request in flight; 2976 us per exchange"))
        #expect(html.contains("pipeline: 8 requests in flight"))
        #expect(html.contains("about 7.5x (22 -&gt; 165 Mbps)"))
        #expect(html.contains("No verdict: the evidence does not point to a bottleneck."))
        // Most confident first.
        let first = html.range(of: "round_trip_bound")?.lowerBound
        let second = html.range(of: "notification_bound")?.lowerBound
        #expect(first != nil && second != nil && first! < second!)
    }

    @Test("both kernels are shown; the sweep shows its fit, points, model line and batching")
    func hostsAndSweep() {
        let html = HTMLReport.render(ReportFixtures.cliff(), sweep: ReportFixtures.sweep())
        #expect(html.contains("6.1.0-test") && html.contains("4.14.256-enclave"))
        #expect(html.contains("20.00 us") && html.contains("8000 Mbps") && html.contains("19.5KiB (20000 B)"))
        #expect(html.components(separatedBy: "class=\"point\"").count - 1 == 2 * 6 + 2)
        #expect(html.components(separatedBy: "class=\"model\"").count - 1 == 2 + 2)
        #expect(html.contains("Predicted: batching k messages of 8KiB into one write"))
    }

    @Test("rendering is deterministic")
    func deterministic() {
        let document = ReportFixtures.everything()
        #expect(HTMLReport.render(document, sweep: ReportFixtures.sweep()) == HTMLReport.render(document, sweep: ReportFixtures.sweep()))
    }

    @Test("scales: nice linear tops and ticks, log decades, positions inside the range")
    func scales() {
        let linear = ChartScale.linear(upTo: 9500, range: (0, 100))
        #expect(linear.domain.high == 10000)
        #expect(linear.ticks() == [0, 2000, 4000, 6000, 8000, 10000])
        #expect(linear.position(5000) == 50)
        #expect(linear.position(-5) == 0 && linear.position(1e9) == 100)
        let log = ChartScale.log(from: 14, to: 5890, range: (0, 300))
        #expect(log.domain.low == 10 && log.domain.high == 10000)
        #expect(log.ticks() == [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])
        #expect(abs(log.position(100) - 100) < 1e-9)
        #expect(ChartScale.label(25000) == "25k" && ChartScale.label(2.5) == "2.5" && ChartScale.label(3e6) == "3M")
    }
}
