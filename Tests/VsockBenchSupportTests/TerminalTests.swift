import Testing
@testable import VsockBenchSupport

/// Text from outside reaches a terminal or a log line with its control characters shown, not obeyed.
@Suite struct TerminalTests {
    @Test func controlCharactersAreShownEscaped() {
        #expect(Terminal.safe("plain name-1 µs") == "plain name-1 µs")
        #expect(Terminal.safe("a\nb\tc\r") == "a\\nb\\tc\\r")
        #expect(Terminal.safe("\u{1B}[2J\u{1B}]0;owned\u{07}") == "\\x1b[2J\\x1b]0;owned\\x07")
        #expect(Terminal.safe("\u{7F}\u{85}\u{2028}") == "\\x7f\\x85\\u{2028}")
        #expect(Terminal.safe("\0") == "\\x00")
    }
}
