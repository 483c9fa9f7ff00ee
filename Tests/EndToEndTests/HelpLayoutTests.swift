import Foundation
import Testing

/// `--help` reads well in an 80-column terminal: prose is wrapped by ArgumentParser, but lines
/// laid out by hand (the lists and the examples, indented) are not rewrapped with their
/// alignment; each must fit 80 columns as written (an example continues with ` \`).
@Suite struct HelpLayoutTests {
    /// Every command whose help is checked: the tool's, each subcommand's, history's.
    static let commands: [[String]] = [
        [], ["run"], ["compare"], ["diagnose"], ["sweep"], ["serve"], ["observe"], ["probe"], ["corpus"], ["check"],
        ["doctor"], ["history"], ["history", "add"], ["history", "list"], ["history", "show"], ["history", "trend"],
        ["history", "changes"],
    ]

    /// The help's lines above USAGE (the overview and discussion) at `columns` columns.
    static func discussion(_ command: [String], columns: Int) throws -> [Substring] {
        let result = try Tool.run(command + ["--help"], timeout: 30, environment: ["COLUMNS": "\(columns)"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout.components(separatedBy: "\nUSAGE:").first ?? ""
        #expect(text.contains("OVERVIEW:"), "\(result.stdout)")
        return text.split(separator: "\n")
    }

    @Test(arguments: commands)
    func linesLaidOutByHandFit80Columns(command: [String]) throws {
        // As wide as it gets, every line comes out as written; at 80 columns the indented ones
        // must come out the same.
        let narrow = Set(try Self.discussion(command, columns: 80))
        for line in try Self.discussion(command, columns: 1000) where line.first == " " {
            #expect(narrow.contains(line), "vsockbench \(command.joined(separator: " ")) --help rewraps this \(line.count)-column line at 80 columns: \(line)")
        }
    }

    /// Every example command comes out whole at 80 columns, on a line of its own (or continued
    /// by hand with ` \`): serve's `Message-oriented: vsockbench serve --listen
    /// unix+seqpacket:///...` was prose to ArgumentParser, wrapped after `--listen`, and its
    /// first line pasted said "Missing value". An example is `vsockbench <command> ` at the
    /// start of a line, after `sudo` or an environment setting, or after a label's colon.
    @Test(arguments: commands)
    func everyExampleCommandComesOutWholeAt80Columns(command: [String]) throws {
        let commands = "run|compare|diagnose|sweep|serve|observe|probe|corpus|check|doctor|history"
        let example = try Regex("(^\\s*|:\\s+|^\\s*sudo\\s+|^\\s*[A-Z_]+=\\S+\\s+)vsockbench (\(commands)) ")
        let narrow = Set(try Self.discussion(command, columns: 80))
        let examples = try Self.discussion(command, columns: 1000).filter { $0.contains(example) }
        if !command.isEmpty && command != ["history"] { #expect(!examples.isEmpty, "no example found in vsockbench \(command.joined(separator: " ")) --help") }
        for line in examples {
            #expect(narrow.contains(line), "vsockbench \(command.joined(separator: " ")) --help cuts this example at 80 columns: \(line)")
        }
    }

    /// `--pcap`'s help says what the file lacks: sent packets' buf_alloc and fwd_cnt are
    /// written as 0 (their tracepoint does not carry them; the help did not say).
    @Test func observeHelpSaysSentPacketsCreditFieldsAreZero() throws {
        let result = try Tool.run(["observe", "--help"], timeout: 30, environment: ["COLUMNS": "1000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Sent packets' buf_alloc and fwd_cnt are not recorded (their tracepoint does not carry them): they are written as 0."), "\(result.stdout)")
    }

    /// A user with their own service finds, from `run --help` alone, the workloads that drive it.
    @Test func runHelpTeachesReplayAndRawStreams() throws {
        let result = try Tool.run(["run", "--help"], timeout: 30, environment: ["COLUMNS": "1000"])
        #expect(result.status == 0, "\(result.stderr)")
        for phrase in ["workload: replay", "vsockbench corpus", "raw: true", "expect: echo"] {
            #expect(result.stdout.contains(phrase), "run --help does not mention \(phrase)")
        }
    }

    /// The help's exit codes agree with the run's (review): a target nothing listens at fails
    /// its cases, exit 1 (FailureReportingTests), and only a malformed endpoint is bad input.
    @Test func runHelpSaysWhichEndpointErrorExits2() throws {
        let result = try Tool.run(["run", "--help"], timeout: 30, environment: ["COLUMNS": "1000"])
        #expect(result.stdout.contains("as does a target nothing listens at"), "\(result.stdout)")
        #expect(result.stdout.contains("a malformed endpoint) exits 2"), "\(result.stdout)")
    }
}
