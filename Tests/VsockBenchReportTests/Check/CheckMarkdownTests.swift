import Testing

@testable import VsockBenchReport

@Suite struct CheckMarkdownTests {
    @Test("headline, a GitHub table with a row per compared figure, then the regressions")
    func table() throws {
        let report = try RegressionCheck.compare(
            results: [ReportFixtures.cliff(bulkMbps: 8000)], baseline: ReportFixtures.asBaseline([ReportFixtures.cliff()]), resultsPaths: ["r.json"], baselinePaths: ["b.json"])
        let markdown = CheckMarkdown.render(report)
        let lines = markdown.split(separator: "\n").map(String.init)
        #expect(lines.first == "### vsockbench check: ❌ FAIL: 1 regression (1 unconfirmed)")
        #expect(lines.contains("| case | figure | baseline | now | change | limit | n | p | verdict |"))
        let separator = try #require(lines.firstIndex { $0.hasPrefix("|:---") })
        let rows = lines[(separator + 1)...].prefix { $0.hasPrefix("| ") }
        #expect(rows.count == report.rows.filter { $0.verdict != .notCompared || $0.note != nil }.count)
        #expect(rows.allSatisfy { $0.filter { $0 == "|" }.count == 10 })
        #expect(rows.contains("| bulk | Mbps tx | 9500 | 8000 | -15.8% | -5% | 1/1 | - | ❌ **regressed** (unconfirmed: too few trials for the test) |"), "\(rows)")
        #expect(markdown.contains("**Regressions**"))
        #expect(markdown.contains("`r.json`"))
    }

    @Test("a passing check says so; pipes and markup in names cannot break the table")
    func escaping() throws {
        var document = ReportFixtures.cliff()
        document.cases[0].name = "a|b<i>"
        let markdown = CheckMarkdown.render(try RegressionCheck.compare(results: [document], baseline: ReportFixtures.asBaseline([document])))
        #expect(markdown.hasPrefix("### vsockbench check: ✅ PASS"))
        #expect(markdown.contains("| a\\|b&lt;i&gt; | Mbps tx |"))
    }
}
