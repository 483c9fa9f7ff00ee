import Testing

@testable import VsockBenchSupport

/// A followed command in a banner reads back as the shell would take it: where one argument
/// ends and the next begins is visible.
@Suite struct ShellWordsTests {
    @Test func plainArgumentsStayAndTheOthersAreQuoted() {
        #expect(Format.shellWords(["/usr/bin/sleep", "13"]) == "/usr/bin/sleep 13")
        #expect(Format.shellWords(["sh", "-c", "trap \"\" INT; sleep 12"]) == "sh -c 'trap \"\" INT; sleep 12'")
        #expect(Format.shellWords(["echo", "it's", ""]) == "echo 'it'\\''s' ''")
        #expect(Format.shellWords(["run", "--target=unix:///tmp/t.sock", "a,b+c@d%e"]) == "run --target=unix:///tmp/t.sock a,b+c@d%e")
    }
}
