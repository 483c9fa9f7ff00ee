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

    @Test func bidirectionalControlsAreShownEscaped() {
        #expect(Terminal.safe("report\u{202E}fdp.exe") == "report\\u{202e}fdp.exe")
        #expect(Terminal.safe("\u{2066}a\u{2069}\u{200F}") == "\\u{2066}a\\u{2069}\\u{200f}")
        #expect(Terminal.safe("עברית") == "עברית", "right-to-left text itself is printable")
    }

    /// A peer's string in a log line is cut, the cut said with the whole length.
    @Test func aLongPeerStringIsCutInTheLog() {
        let kernel = String(repeating: "k", count: 60_150)
        #expect(Terminal.safe(kernel, limit: 128) == String(repeating: "k", count: 128) + "... (60150 bytes)")
        #expect(Terminal.safe("6.1.0", limit: 128) == "6.1.0")
        #expect(Terminal.safe("a\nb", limit: 3) == "a\\n... (3 bytes)", "cut after escaping, on a whole character")
    }
}
