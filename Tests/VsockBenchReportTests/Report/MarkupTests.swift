import Testing

@testable import VsockBenchReport

@Suite struct MarkupTests {
    @Test("the five markup characters become entities; XML-forbidden controls are dropped")
    func escape() {
        #expect(Markup.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(Markup.escape("tab\there\nline\u{1}\u{7}") == "tab\there\nline")
        #expect(Markup.escape("µs ✓") == "µs ✓")
    }

    @Test("markdown cells: pipes, emphasis and newlines cannot escape the cell")
    func markdownCell() {
        #expect(Markup.markdownCell("a|b") == "a\\|b")
        #expect(Markup.markdownCell("*x* _y_") == "\\*x\\* \\_y\\_")
        #expect(Markup.markdownCell("one\ntwo") == "one<br>two")
        #expect(Markup.markdownCell("the workload's \"knee\" <b>") == "the workload's \"knee\" &lt;b&gt;", "quotes stay quotes in a markdown file")
    }
}
