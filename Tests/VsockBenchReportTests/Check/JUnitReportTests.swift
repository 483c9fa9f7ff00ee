import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import VsockBenchReport

@Suite struct JUnitReportTests {
    /// What the XML parses back to: testcases with their failure or skip, and the suite counts.
    final class Collected: NSObject, XMLParserDelegate {
        struct TestCase { var classname: String; var name: String; var outcome = "passed"; var message = "" }
        var cases: [TestCase] = []
        var suite: [String: String] = [:]

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            switch element {
            case "testsuite": suite = attributes
            case "testcase": cases.append(TestCase(classname: attributes["classname"] ?? "", name: attributes["name"] ?? ""))
            case "failure", "skipped":
                cases[cases.count - 1].outcome = element
                cases[cases.count - 1].message = attributes["message"] ?? ""
            default: break
            }
        }
    }

    static func parse(_ xml: String) throws -> Collected {
        let parser = XMLParser(data: Data(xml.utf8))
        let collected = Collected()
        parser.delegate = collected
        let ok = parser.parse()
        try #require(ok, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        return collected
    }

    @Test("well-formed; one testcase per case x gated figure plus verified; failures and skips counted")
    func structure() throws {
        var results = ReportFixtures.cliff(bulkMbps: 8000)
        results.cases[1].verified = false
        results.cases[1].errors = ["lost <3> responses & more"]
        let report = try RegressionCheck.compare(results: [results], baseline: ReportFixtures.asBaseline([ReportFixtures.cliff()]), resultsPaths: ["r.json"], baselinePaths: ["b.json"])
        let xml = JUnitReport.render(report)
        let parsed = try Self.parse(xml)
        #expect(parsed.cases.count == report.rows.count + 2)
        #expect(parsed.cases.filter { $0.classname == "vsockbench.bulk" }.first?.name == "mbps_tx", "a tx stream's throughput is its Mbps tx")
        let failures = parsed.cases.filter { $0.outcome == "failure" }
        #expect(failures.map { "\($0.classname) \($0.name)" } == ["vsockbench.bulk mbps_tx", "vsockbench.chatty-8k verified"])
        #expect(failures.first?.message.hasPrefix("bulk: Mbps tx 9500 -> 8000 (-15.8%, limit -5%") == true)
        let skipped = report.rows.filter { $0.verdict == .notCompared }.count
        #expect(parsed.suite["failures"] == "2" && parsed.suite["skipped"] == "\(skipped)")
        #expect(xml.contains("lost &lt;3&gt; responses &amp; more"))
    }

    @Test("case names with markup stay well-formed and come back intact")
    func escaping() throws {
        let hostile = "a<b>&\"c'"
        var document = ReportFixtures.cliff()
        document.cases[0].name = hostile
        let report = try RegressionCheck.compare(results: [document], baseline: ReportFixtures.asBaseline([document]))
        let parsed = try Self.parse(JUnitReport.render(report))
        #expect(parsed.cases.first?.classname == "vsockbench." + hostile)
    }
}
