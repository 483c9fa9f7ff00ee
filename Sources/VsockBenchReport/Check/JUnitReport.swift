import VsockBenchSupport

/// A check as JUnit XML for CI systems: one testcase per case x metric (`classname` the case,
/// `name` the metric) plus one `verified` testcase per case. Regressions are failures; figures
/// not measured on both sides are skipped.
public enum JUnitReport {
    public static func render(_ report: CheckReport) -> String {
        var cases: [String] = []
        var failures = 0
        var skipped = 0
        let verifiedFailures = Dictionary(report.unverified.map { ($0.caseName, $0) }, uniquingKeysWith: { first, _ in first })
        // The gated cases, then any unverified case that has no rows (not in the baseline).
        var names = report.caseNames
        for u in report.unverified where !names.contains(u.caseName) { names.append(u.caseName) }
        for name in names {
            for row in report.rows where row.caseName == name {
                var body = ""
                switch row.verdict {
                case .regressed, .unconfirmed:
                    failures += 1
                    body = "<failure type=\"\(row.verdict == .regressed ? "regression" : "unconfirmed-regression")\" message=\"\(Markup.escape(row.sentence))\">"
                        + Markup.escape("baseline \(Format.compact(row.baseline)), now \(Format.compact(row.now)), change \(CheckReport.changeText(row.change, baseline: row.baseline, now: row.now)), limit \(CheckReport.limitText(row))")
                        + "</failure>"
                case .notCompared:
                    skipped += 1
                    body = "<skipped message=\"\(Markup.escape(row.note ?? "not measured in either run"))\"/>"
                case .held, .improved, .withinNoise, .notSignificant, .explained:
                    body = "<system-out>\(Markup.escape(row.sentence))</system-out>"
                }
                cases.append(testcase(name, row.figure.rawValue, body))
            }
            if let unverified = verifiedFailures[name] {
                failures += 1
                let why = unverified.errors.isEmpty ? "not verified" : unverified.errors.joined(separator: "\n")
                cases.append(testcase(name, "verified", "<failure type=\"unverified\" message=\"\(Markup.escape("\(name) was not verified"))\">\(Markup.escape(why))</failure>"))
            } else {
                cases.append(testcase(name, "verified", ""))
            }
            if report.unprobed.contains(name) {
                failures += 1
                cases.append(testcase(name, "probe", "<failure type=\"unprobed\" message=\"\(Markup.escape("\(name): the baseline has the probe's counts, the results none"))\">\(Markup.escape(report.unprobedText ?? ""))</failure>"))
            }
        }
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"vsockbench check\" \(counts)>\n"
        out += "  <testsuite name=\"vsockbench check\" \(counts)>\n"
        out += "    <properties>\n"
        out += "      <property name=\"results\" value=\"\(Markup.escape(report.resultsPath))\"/>\n"
        out += "      <property name=\"baseline\" value=\"\(Markup.escape(report.baselinePath))\"/>\n"
        out += "      <property name=\"tolerance\" value=\"\(Markup.escape(report.tolerances.summary))\"/>\n"
        out += "    </properties>\n"
        out += cases.map { "    " + $0 + "\n" }.joined()
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    private static func testcase(_ caseName: String, _ name: String, _ body: String) -> String {
        let open = "<testcase classname=\"vsockbench.\(Markup.escape(caseName))\" name=\"\(Markup.escape(name))\""
        return body.isEmpty ? open + "/>" : open + ">" + body + "</testcase>"
    }
}
