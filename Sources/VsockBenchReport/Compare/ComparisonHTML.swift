extension Comparison {
    /// The comparison as a section of the HTML report: the tables and notes of ``text(width:)``
    /// and ``markdown(title:)``, from the same layout, so `compare --html` carries the ratios,
    /// the intervals and the noise verdicts, not only the run's figures.
    func htmlSection() -> HTMLNode {
        let l = layout
        func table(_ columns: [String], _ right: Set<Int>, _ rows: [[String]]) -> HTMLNode {
            ReportSections.table(columns, numeric: right, rows.map { (cells: $0, cssClass: nil) })
        }
        var body: [HTMLNode] = [table(l.main.columns, l.main.rightAligned, l.main.rows)]
        body.append(.el("ul", [], l.legend.map { .el("li", text: $0) }))
        body.append(.el("h3", text: Self.costsHeading))
        body.append(table(l.costs.columns, l.costs.rightAligned, l.costs.rows))
        for section in l.sections {
            body.append(.el("h3", text: section.heading))
            body.append(.el("ul", [], section.lines.map { line in
                .el("li", [], (line.name.map { [.el("b", text: $0 + ": ")] } ?? []) + [.text(line.text)])
            }))
        }
        return ReportSections.section("comparison", "Comparison against \(baseline)", caption: l.preamble, body)
    }
}
