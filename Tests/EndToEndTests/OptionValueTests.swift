import Foundation
import Testing

/// An option's value that starts with '-' reaches the option (ArgumentParser would take it for
/// a flag and say "Missing value"), and is refused saying what is wrong: one line, exit 2.
/// Nothing here runs a case: every refusal comes before a target is started or reached.
@Suite struct OptionValueTests {
    @Test(arguments: [
        (["check", "x.json", "--baseline", "y.json", "--tolerance", "-5%"], "--tolerance -5%: '-5%' is negative; a tolerance is 0% or more"),
        (["check", "x.json", "--baseline", "y.json", "--tolerance", "p99=-5%"], "'-5%' is negative"),
        (["check", "x.json", "--baseline", "y.json", "--count-tolerance", "-2%"], "--count-tolerance -2%: '-2%' is negative"),
        (["check", "x.json", "--baseline", "y.json", "--tolerance", "abc"], "--tolerance abc: 'abc' is not a number; write a percentage such as 10% or 2.5%"),
        (["check", "x.json", "--baseline", "y.json", "--alpha", "-0.1"], "--alpha -0.1: the significance level lies between 0 and 1"),
        (["check", "x.json", "--history", "h.sqlite", "--window", "-2"], "--window -2: give the number of runs to gate against"),
        (["run", "scenarios/cliff.yaml", "--duration", "-1s"], "'--duration <duration>': '-1s' is negative; give a positive duration"),
        (["run", "scenarios/cliff.yaml", "--duration", "1us"], "'1us' is shorter than 10ms: too short to measure anything; give at least 10ms, or --messages N"),
        (["run", "scenarios/cliff.yaml", "--warmup", "-200ms"], "'--warmup <duration>': '-200ms' is negative; give a duration of 0s or more"),
        (["run", "scenarios/cliff.yaml", "--interval", "-1s"], "'-1s' is negative"),
        (["run", "scenarios/cliff.yaml", "--io-timeout", "-5"], "'-5' is negative; give a timeout"),
        (["run", "scenarios/cliff.yaml", "--settle", "-1s"], "'-1s' is negative"),
        (["sweep", "--rates", "-5/s"], "--rates: '-5/s' is not a rate; give requests per second"),
        (["sweep", "--sizes", "-8KiB"], "--sizes: '-8KiB' is negative; a message size is 1 byte or more"),
        (["run", "scenarios/cliff.yaml", "--messages", "-3"], "'--messages <count>': '-3' is negative; give a whole number, 1 or more"),
        (["run", "scenarios/cliff.yaml", "--messages", "0"], "'0' is zero; give a whole number, 1 or more"),
        (["run", "scenarios/cliff.yaml", "--messages", "100", "--duration", "1s"], "use one of --duration and --messages, not both"),
        (["run", "scenarios/cliff.yaml", "--repeat", "-3"], "--repeat -3 is outside 1...1000"),
        (["run", "scenarios/cliff.yaml", "--repeat", "x"], "'--repeat <N>': 'x' is not a whole number"),
        (["run", "scenarios/cliff.yaml", "--messages", "99999999999999999999"], "'99999999999999999999' is out of range (at most 9223372036854775807)"),
        (["run", "scenarios/cliff.yaml", "--repeat", "3", "--seed", "-1"], "'--seed <n>': '-1' is negative; give a whole number, 0 or more"),
        (["compare", "scenarios/cliff.yaml", "--p99-budget", "-1ms"], "'-1ms' is negative"),
        (["diagnose"], "give a scenario to run (vsockbench diagnose scenarios/causes.yaml), or --from RESULTS.json"),
        (["diagnose", "scenarios/cliff.yaml", "--from", "r.json"], "give a scenario to run, or --from RESULTS.json, not both"),
        (["sweep", "--batch-size", "-8KiB"], "'-8KiB' is negative; give a size"),
        (["history", "list", "--last", "-1", "--db", "/nonexistent/h.sqlite"], "--last -1: give the number of most recent runs, 1 or more"),
        (["history", "changes", "--min-change", "-5%", "--db", "/nonexistent/h.sqlite"], "--min-change -5%: it is negative"),
        (["history", "changes", "--seed", "-1", "--db", "/nonexistent/h.sqlite"], "'--seed <n>': '-1' is negative"),
        (["history", "changes", "--significance", "-1", "--db", "/nonexistent/h.sqlite"], "--significance -1: give a p-value between 0 and 1"),
        (["history", "changes", "--permutations", "-3", "--db", "/nonexistent/h.sqlite"], "--permutations -3: give 1 to 9999"),
        (["history", "changes", "--min-runs", "1", "--db", "/nonexistent/h.sqlite"], "--min-runs 1: a level needs 2 or more runs"),
        (["history", "changes", "--significance", "abc", "--db", "/nonexistent/h.sqlite"], "'--significance <p>': 'abc' is not a number"),
        (["history", "changes", "--permutations", "1e3", "--db", "/nonexistent/h.sqlite"], "'--permutations <n>': '1e3' is not a whole number"),
        (["observe", "--port", "-1", "--duration", "1s"], "'--port <PORT>': '-1' is not a service port (a whole number from 1 to 4294967294)"),
        (["observe", "--port", "99999999999", "--duration", "1s"], "'99999999999' is not a service port (a whole number from 1 to 4294967294)"),
        (["observe", "--port", "abc", "--duration", "1s"], "'abc' is not a service port (a whole number from 1 to 4294967294)"),
        // probe takes observe's names for its filters too.
        (["probe", "--port", "-1", "--", "true"], "'-1' is negative; give a whole number, 0 or more"),
        (["probe", "--cid", "x", "--", "true"], "'x' is not a whole number from 0 to 4294967295"),
        // A round trip of 80 is more likely 80us than 80s; observe's --duration takes bare
        // seconds as probe's does, and says "duration" rather than "timeout".
        (["observe", "--port", "5005", "--duration", "1s", "--channel-rtt", "80"], "'80' needs a unit: ns, us, ms, s or m (for example 80us)"),
        (["observe", "--port", "5005", "--duration", "0.0001"], "a duration shorter than 1ms means none at all"),
        (["probe", "--pid", "1", "--duration", "-2"], "'-2' is negative; give a duration from 1ms to one week, such as 10 or 500ms"),
        (["observe", "--port", "0", "--duration", "1s"], "'0' is not a service port (a whole number from 1 to 4294967294)"),
        (["observe", "--port", "4294967295", "--duration", "1s"], "'4294967295' is not a service port (a whole number from 1 to 4294967294)"),
        (["observe", "--port", "5005", "--pid", "-3", "--duration", "1s"], "'-3' is negative; a process ID is 1 or more"),
        (["probe", "--pid", "-5"], "'--pid <PID>': '-5' is negative; a process ID is 1 or more"),
        (["probe", "--vsock-cid", "-1", "--", "true"], "'-1' is negative; give a whole number, 0 or more"),
        (["serve", "--listen", "unix:///nonexistent/t.sock", "--max-connections", "-2"], "'-2' is negative; give a whole number, 1 or more"),
        // A huge value was accepted: the bound is named (each connection a thread and a descriptor).
        (["serve", "--listen", "unix:///nonexistent/t.sock", "--max-connections", "65537"], "--max-connections 65537 is above 65536 (each connection is a thread and a file descriptor)"),
        (["serve", "--listen", "unix:///nonexistent/t.sock", "--max-connections", "9223372036854775807"], "--max-connections 9223372036854775807 is above 65536"),
        (["serve", "--listen", "unix:///nonexistent/t.sock", "--allow-cid", "-1"], "'--allow-cid <cid>': '-1' is negative"),
        (["corpus", "/nonexistent/c", "--framing", "u32be", "--generate", "-4"], "'--generate <count>': '-4' is negative"),
        (["corpus", "/nonexistent/c", "--framing", "u32be", "--generate", "4", "--seed", "-1"], "'--seed <n>': '-1' is negative"),
        (["corpus", "/nonexistent/c", "--framing", "u32be", "--generate", "4", "--size-sigma", "abc"], "'abc' is not a number"),
    ])
    func aNegativeValueIsNamedNotMissing(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments, timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Missing value"), "\(result.stderr)")
        #expect(!result.stderr.contains("could mean"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear line: \(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran: \(result.stdout)")
    }

    /// An output flag given an empty value names the flag, as doctor's did (the others said
    /// "an empty path", naming no flag): exit 2 before anything runs.
    @Test(arguments: [
        (["run", "scenarios/cliff.yaml", "--json", ""], "--json needs a file name (or - for stdout)."),
        (["run", "scenarios/cliff.yaml", "--html", ""], "--html needs a file name."),
        (["compare", "scenarios/cliff.yaml", "--markdown", ""], "--markdown needs a file name."),
        (["compare", "scenarios/cliff.yaml", "--json", ""], "--json needs a file name (or - for stdout)."),
        (["sweep", "--json", ""], "--json needs a file name (or - for stdout)."),
        (["sweep", "--html", ""], "--html needs a file name."),
        (["diagnose", "scenarios/cliff.yaml", "--json", ""], "--json needs a file name (or - for stdout)."),
        (["diagnose", "scenarios/cliff.yaml", "--html", ""], "--html needs a file name."),
        (["observe", "--port", "5005", "--duration", "1s", "--json", ""], "--json needs a file name (or - for stdout)."),
        (["observe", "--port", "5005", "--duration", "1s", "--pcap", ""], "--pcap needs a file name."),
        (["observe", "--port", "5005", "--duration", "1s", "--html", ""], "--html needs a file name."),
        (["probe", "--json", "", "--", "true"], "--json needs a file name (or - for stdout)."),
        (["check", "x.json", "--baseline", "y.json", "--junit", ""], "--junit needs a file name."),
        (["check", "x.json", "--baseline", "y.json", "--markdown", ""], "--markdown needs a file name."),
        (["history", "trend", "cliff", "--db", "/nonexistent/h.sqlite", "--html", ""], "--html needs a file name."),
        (["history", "trend", "cliff", "--db", "/nonexistent/h.sqlite", "--markdown", ""], "--markdown needs a file name."),
        (["doctor", "--json", ""], "--json needs a file name (or - for stdout)."),
    ])
    func anEmptyOutputPathNamesTheFlag(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments, timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("an empty path"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran: \(result.stdout)")
    }

    /// --messages that do not divide over an open-loop case's connections: refused, named as
    /// the flag's (the file, bounded by a duration, has no fault to look for).
    @Test func messagesThatDoNotDivideAnOpenLoopCaseNameTheFlag() throws {
        let scenario = try scenarioFile("name: x\ncases:\n  - {name: a, workload: rr, rate: 100/s, connections: 2, duration: 1s}\n")
        let result = try Tool.run(["run", scenario, "--messages", "5"], timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("--messages 5: case 'a': messages 5 do not divide over 2 connections at a rate"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran: \(result.stdout)")
    }

    /// --messages replaces every case's stop, so the cap on target_cost's total busy work is
    /// checked again (a case bounded by a duration passed the load, and --messages 10^12 then
    /// asked the target for 10^12 s of work); and --messages has the scenario key's bound.
    @Test func messagesOnTheCommandLineKeepTheScenarioLimits() throws {
        let scenario = try scenarioFile("name: cost\ncases:\n  - {name: slow, workload: rr, duration: 5s, target_cost: 1s}\n")
        let capped = try Tool.run(["run", scenario, "--messages", "1000000000", "--target", "unix:///nonexistent/t.sock"], timeout: 30)
        #expect(capped.status == 2, "\(capped.stdout)\n\(capped.stderr)")
        #expect(capped.stderr.contains("--messages 1000000000: case 'slow': target_cost 1s for each of 1000000000 messages a connection sends is more than a week"), "\(capped.stderr)")
        let huge = try Tool.run(["run", scenario, "--messages", "2000000000000", "--target", "unix:///nonexistent/t.sock"], timeout: 30)
        #expect(huge.status == 2, "\(huge.stdout)\n\(huge.stderr)")
        #expect(huge.stderr.contains("--messages 2000000000000 is above 1000000000000"), "\(huge.stderr)")
    }

    /// --seed and --settle shape the trials of --repeat and nothing else: without trials they
    /// would be ignored, so they are refused (one line naming the flag they need, exit 2),
    /// as `corpus --size` is without --generate; so is `corpus --seed` without --generate, and
    /// any flag that shapes a run given to `diagnose --from` without --verify (nothing runs).
    @Test(arguments: [
        (["run", "scenarios/cliff.yaml", "--seed", "5"], "--seed shuffles the case order of the rounds of --repeat: give it with --repeat N (2 or more), or leave it out"),
        (["run", "scenarios/cliff.yaml", "--settle", "1s"], "--settle is the quiet between the trials of --repeat: give it with --repeat N (2 or more), or leave it out"),
        (["run", "scenarios/cliff.yaml", "--repeat", "1", "--seed", "5", "--settle", "1s"], "--seed shuffles the case order of the rounds of --repeat"),
        (["compare", "scenarios/cliff.yaml", "--settle", "0s"], "--settle is the quiet between the trials of --repeat"),
        (["diagnose", "scenarios/cliff.yaml", "--seed", "5"], "--seed shuffles the case order of the rounds of --repeat"),
        (["diagnose", "--from", "/nonexistent/r.json", "--settle", "1s"], "--settle shapes a run, and diagnose --from reads a finished one without running anything: add --verify"),
        (["diagnose", "--from", "/nonexistent/r.json", "--duration", "2s"], "--duration shapes a run, and diagnose --from reads a finished one without running anything: add --verify"),
        (["diagnose", "--from", "/nonexistent/r.json", "--target", "null", "--probe"], "--target shapes a run, and diagnose --from reads a finished one"),
        (["diagnose", "--from", "/nonexistent/r.json", "--repeat", "3"], "--repeat shapes a run, and diagnose --from reads a finished one"),
        (["sweep", "--seed", "5"], "--seed shuffles the case order of the rounds of --repeat"),
        (["sweep", "--sizes", "1KiB", "--rates", "100/s", "--settle", "1s"], "--settle is the quiet between the trials of --repeat"),
        (["corpus", "/nonexistent/c", "--framing", "u32be", "--from", "/nonexistent/msgs", "--seed", "5"], "--seed seeds the generated messages: give it with --generate N, or leave it out"),
        (["corpus", "--inspect", "/nonexistent/c", "--framing", "line", "--seed", "5"], "--seed seeds the generated messages: give it with --generate N"),
    ])
    func aTrialFlagWithoutTrialsIsRefused(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments, timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("vsockbench: error: " + message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear line: \(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran: \(result.stdout)")
    }

    /// A mistyped command names the nearest one (exit 2); `help` of no command is an error,
    /// not the overview with exit 0.
    @Test(arguments: [
        (["runn", "scenarios/cliff.yaml"], "'runn' is not a vsockbench command; did you mean 'run'?"),
        (["help", "nope"], "'nope' is not a vsockbench command (commands: serve, run,"),
        (["diagnoze"], "'diagnoze' is not a vsockbench command; did you mean 'diagnose'?"),
    ])
    func anUnknownCommandIsNamed(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments, timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("vsockbench: error: " + message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func helpOfACommandStillWorks() throws {
        let result = try Tool.run(["help", "run"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: vsockbench run"), "\(result.stdout)")
    }

    /// An interval longer than the duration would give one slice, cut short: refused whether
    /// the interval or the duration comes from the command line.
    @Test func anIntervalLongerThanTheDurationIsRefused() throws {
        let flags = try Tool.run(["run", "scenarios/cliff.yaml", "--duration", "1s", "--interval", "2s", "--target", "null"], timeout: 30)
        #expect(flags.status == 2, "\(flags.stdout)\n\(flags.stderr)")
        #expect(flags.stderr.contains("--interval: interval 2s is longer than the duration (1s)"), "\(flags.stderr)")
        let file = try scenarioFile("name: x\ncases:\n  - {name: a, workload: rr, interval: 2s}\n")
        let shortened = try Tool.run(["run", file, "--duration", "500ms", "--target", "null"], timeout: 30)
        #expect(shortened.status == 2, "\(shortened.stdout)\n\(shortened.stderr)")
        #expect(shortened.stderr.contains("--duration: case 'a': interval 2s is longer than the duration (500ms)"), "\(shortened.stderr)")
        #expect(shortened.stdout.isEmpty, "nothing ran: \(shortened.stdout)")
    }

    /// Taking the next argument as the value does not hide a value that was left out.
    @Test(arguments: [
        (["run", "scenarios/cliff.yaml", "--duration", "--json", "r.json"], "'--json' is the next option, not a value: the value is missing"),
        (["run", "scenarios/cliff.yaml", "--messages", "--probe"], "'--probe' is the next option, not a value"),
        (["check", "x.json", "--baseline", "y.json", "--tolerance", "--junit", "j.xml"], "'--junit' is the next option, not a value"),
        (["sweep", "--rates", "--json", "r.json"], "'--json' is the next option, not a value"),
        (["sweep", "--sizes", "--duration", "1s"], "'--duration' is the next option, not a value"),
        (["run", "scenarios/cliff.yaml", "--duration"], "Missing value for '--duration <duration>'"),
    ])
    func aLeftOutValueIsStillNamedAsMissing(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments, timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran: \(result.stdout)")
    }
}

/// An output that names an input, or another output, is refused before anything runs:
/// `--json` naming the scenario replaced it with the results, and `--json X --html X` kept only
/// the HTML, both with exit 0.
@Suite struct OutputPathTests {
    @Test func anOutputNamingAnInputOrAnotherOutputIsRefused() throws {
        let dir = try Tool.scratch()
        let scenario = dir + "/s.yaml"
        let yaml = "name: s\ncases:\n  - {name: a, workload: rr, messages: 10}\n"
        try Tool.write(yaml, to: scenario)
        for (arguments, message) in [
            (["run", scenario, "--json", scenario], "--json \(scenario) is the scenario: writing it would replace it; give another file"),
            (["run", scenario, "--html", dir + "/../" + URL(fileURLWithPath: dir).lastPathComponent + "/s.yaml"], "is the scenario"),
            (["run", scenario, "--json", dir + "/o", "--html", dir + "/./o"], "--json and --html both name \(dir)/./o: give each output a file of its own"),
            (["compare", scenario, "--markdown", scenario], "--markdown \(scenario) is the scenario"),
            (["check", scenario, "--baseline", dir + "/b.json", "--junit", dir + "/b.json"], "--junit \(dir)/b.json is a --baseline"),
        ] {
            let result = try Tool.run(arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "nothing ran: \(result.stdout)")
        }
        #expect(try String(contentsOfFile: scenario, encoding: .utf8) == yaml, "the scenario is untouched")
    }

    /// The review's cases: the history a check reads, a replay case's corpus, two new files in
    /// one directory reached through a link (the same file); and /dev/null twice is no clash.
    @Test func moreInputsAndOneDirectoryThroughALink() throws {
        let dir = try Tool.scratch()
        try FileManager.default.createDirectory(atPath: dir + "/d", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/d")
        let corpus = dir + "/c.bin"
        try Data([0, 0, 0, 2, 0x68, 0x69]).write(to: URL(fileURLWithPath: corpus))
        let replay = dir + "/replay.yaml"
        try Tool.write("name: r\ncases:\n  - {name: a, workload: replay, framing: u32be, corpus: c.bin, messages: 4}\n", to: replay)
        let scenario = dir + "/s.yaml"
        try Tool.write("name: s\ncases:\n  - {name: a, workload: rr, messages: 10, warmup: 0s}\n", to: scenario)
        for (arguments, message) in [
            (["check", dir + "/r.json", "--history", dir + "/h.sqlite", "--markdown", dir + "/h.sqlite"], "--markdown \(dir)/h.sqlite is the --history database"),
            (["run", replay, "--target", "unix://\(dir)/none.sock", "--json", corpus], "--json \(corpus) is the corpus of case a"),
            (["run", scenario, "--json", dir + "/d/o", "--html", dir + "/link/o"], "--json and --html both name \(dir)/link/o"),
        ] {
            let result = try Tool.run(arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: corpus)) == Data([0, 0, 0, 2, 0x68, 0x69]), "the corpus is untouched")
        let discarded = try Tool.run(["run", scenario, "--json", "/dev/null", "--html", "/dev/null"], timeout: 60)
        #expect(discarded.status == 0, "\(discarded.stdout)\n\(discarded.stderr)")
    }
}
