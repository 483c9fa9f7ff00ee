import Foundation
import Testing
import VsockBenchSupport
import VsockWire
@testable import VsockBenchModel

@Suite struct ScenarioLoaderTests {
    static let cliff = """
        name: cliff
        defaults: {duration: 5s, warmup: 1s}
        cases:
          - {name: bulk, workload: stream, write_size: 64KiB}
          - {name: chatty-8k, workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 1}
        """

    @Test func parsesTheDocumentedShape() throws {
        let scenario = try ScenarioLoader.parse(Self.cliff, file: "cliff.yaml")
        #expect(scenario.name == "cliff")
        #expect(scenario.cases.map(\.name) == ["bulk", "chatty-8k"])
        let bulk = scenario.cases[0]
        #expect(bulk.kind == .stream)
        #expect(bulk.writeSize == 65536)
        #expect(bulk.stop == .duration(nanos: 5_000_000_000))
        #expect(bulk.warmupNanos == 1_000_000_000)
        #expect(bulk.sourceLine == 4)
        let chatty = scenario.cases[1]
        #expect(chatty.kind == .rr)
        #expect(chatty.requestSize == 8192 && chatty.responseSize == 8192 && chatty.inflight == 1)
    }

    @Test func caseKeysOverrideDefaultsAndStopKeysReplaceEachOther() throws {
        let text = """
            name: x
            defaults: {duration: 5s, write_size: 4KiB, request_size: 1KiB, connections: 2}
            cases:
              - {name: a, workload: rr, messages: 100}
              - {name: b, workload: stream, bytes: 1MiB, connections: 1}
              - {name: c, workload: rr, request_size: 2KiB}
              - {name: d, workload: stream, verify: full}
              - {name: e, workload: rr, verify: edges}
            """
        let s = try ScenarioLoader.parse(text, file: "x.yaml")
        #expect(s.cases[1].verify == .edges, "stream reads are spot-checked unless asked")
        #expect(s.cases[3].verify == .full)
        #expect(s.cases[0].rrVerify == .full, "every byte of an rr response is checked unless asked")
        #expect(s.cases[4].rrVerify == .edges)
        #expect(s.cases[0].stop == .messages(100))
        #expect(s.cases[0].connections == 2)
        #expect(s.cases[0].requestSize == 1024)
        #expect(s.cases[1].stop == .bytes(1_048_576))
        #expect(s.cases[1].writeSize == 4096)
        #expect(s.cases[1].connections == 1)
        #expect(s.cases[2].requestSize == 2048)
        #expect(s.cases[2].stop == .duration(nanos: 5_000_000_000))
    }

    /// Each bad file yields `file:line: message` naming the problem.
    @Test(arguments: [
        ("name: x\ncases:\n  - {name: a, workload: rr, speed: 3}\n", 3, "unknown key 'speed'"),
        ("name: x\ncases:\n  - {name: a, workload: rr, inflght: 3}\n", 3, "did you mean 'inflight'"),
        ("name: x\ncases:\n  - {name: a, workload: rr, inflight: many}\n", 3, "inflight must be a whole number"),
        ("name: x\ncases:\n  - {name: a, workload: rr, inflight: 0}\n", 3, "inflight 0 is out of range"),
        // A number too large for Int is out of range, not "not a whole number".
        ("name: x\ncases:\n  - {name: a, workload: rr, connections: 1e19}\n", 3, "connections 1e19 is out of range (1 to 1024)"),
        ("name: x\ncases:\n  - {name: a, workload: rr, connections: -99999999999999999999}\n", 3, "connections -99999999999999999999 is out of range (1 to 1024)"),
        ("name: x\ncases:\n  - {name: a, workload: rr, seed: 1e19}\n", 3, "seed 1e19 is out of range (0 to 9223372036854775807)"),
        // A rate so low that the next request's time overflowed the clock (SIGILL).
        ("name: x\ncases:\n  - {name: a, workload: rr, rate: 0.00000000001/s}\n", 3, "rate 0.00000000001/s is below 0.01/s (one request every 100 s)"),
        // A size past any key's range names this key's range too ("too large" alone did not).
        ("name: x\ncases:\n  - {name: a, workload: rr, request_size: 1e19}\n", 3, "request_size 1e19 is out of range (0B to 64MiB)"),
        ("name: x\ncases:\n  - {name: a, workload: rr, seed: 9223372036854775808}\n", 3, "seed 9223372036854775808 is out of range (0 to 9223372036854775807)"),
        ("name: x\ncases:\n  - {name: a, workload: rr, connections: 2.5}\n", 3, "connections must be a whole number, not '2.5'"),
        ("name: x\ncases:\n  - {name: a, workload: rr, request_size: 8KB}\n", 3, "ambiguous unit"),
        ("name: x\ncases:\n  - {name: a, workload: rr, duration: 5}\n", 3, "needs a unit"),
        ("name: x\ncases:\n  - {name: a, workload: rr, duration: 0s}\n", 3, "longer than zero"),
        ("name: x\ncases:\n  - {name: a, workload: teleport}\n", 3, "unknown workload 'teleport'"),
        ("name: x\ncases:\n  - {name: a, workload: rr, write_size: 8KiB}\n", 3, "'write_size' applies to stream cases"),
        ("name: x\ncases:\n  - {name: a, workload: rr, duration: 1s, messages: 10}\n", 3, "not duration and messages"),
        ("name: x\ncases:\n  - {name: a, workload: rr}\n  - {name: a, workload: rr}\n", 4, "duplicate case name 'a'"),
        ("name: x\ncases:\n  - {workload: rr}\n", 3, "has no name"),
        ("name: x\ncases:\n  - {name: a}\n", 3, "has no workload"),
        ("name: x\ncases:\n  - {name: a, workload: stream, direction: up}\n", 3, "direction must be tx, rx or both"),
        ("name: x\ncases:\n  - {name: a, workload: stream, verify: everything}\n", 3, "verify must be edges or full"),
        ("name: x\ncases:\n  - {name: a, workload: masked, verify: full}\n", 3, "'verify' applies to rr/stream cases, not masked"),
        ("name: x\ncases:\n  - {name: a, workload: rr, verify: some}\n", 3, "verify must be edges or full"),
        ("name: x\ncases:\n  - {name: a, workload: rr, request_size: {a: 1}}\n", 3, "single value, not a mapping"),
        ("name: x\ncases:\n  - {name: a, workload: rr, nodelay: maybe}\n", 3, "true or false"),
        ("name: x\ncases:\n  - {name: a, workload: rr, connections: 4, messages: 2}\n", 3, "at least connections"),
        ("name: x\ndefaults: {bogus: 1}\ncases:\n  - {name: a, workload: rr}\n", 2, "unknown key 'bogus' in defaults"),
        ("name: x\ncolor: red\ncases:\n  - {name: a, workload: rr}\n", 2, "unknown top-level key 'color'"),
        ("name: x\ndefualts: {duration: 1s}\ncases:\n  - {name: a, workload: rr}\n", 2, "unknown top-level key 'defualts'; did you mean 'defaults'?"),
        ("name: x\ncases: []\n", 2, "'cases' is empty"),
        ("name: x\ncases:\n  - {<<: 5, name: a, workload: rr}\n", 3, "'<<' merges a mapping or a list of mappings"),
        ("name: x\nx-a: &a {workload: rr}\ncases:\n  - {<<: *a, name: a, bogus: 1}\n", 4, "unknown key 'bogus'"),
        ("name: x\ny-anchors: {}\ncases:\n  - {name: a, workload: rr}\n", 2, "unknown top-level key 'y-anchors'"),
        ("name: x\ncases:\n  - {name: a, workload: rr, duration: -1s}\n", 3, "duration: '-1s' is negative; duration must be longer than zero"),
        ("name: x\ncases:\n  - {name: a, workload: rr, warmup: -1s}\n", 3, "warmup: '-1s' is negative; a duration is 0 or more"),
        ("name: x\ncases: 3\n", 2, "cases must be a list"),
        ("cases:\n  - {name: a, workload: rr}\n", 1, "missing 'name'"),
        ("name: x\ncases:\n  - {name: a, workload: rr\n", 3, "YAML"),
    ])
    func reportsProblemsWithFileAndLine(text: String, line: Int, message: String) {
        do {
            _ = try ScenarioLoader.parse(text, file: "bad.yaml")
            Issue.record("accepted a bad file: \(text)")
        } catch {
            let rendered = error.description
            #expect(rendered.contains("bad.yaml:\(line): "), "\(rendered)")
            #expect(rendered.contains(message), "\(rendered)")
        }
    }

    /// YAML merge keys bring an anchor's keys into a case, defaults or a strategy; a case's own
    /// keys win; `x-` top-level keys hold the anchors and are otherwise ignored.
    @Test func mergeKeysBringInAnAnchorsKeys() throws {
        let text = """
        name: merged
        x-common: &common {workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 2}
        x-long: &long {duration: 3s}
        x-linger: &linger {max_messages: 4, linger: 50us}
        defaults: {<<: *long, warmup: 0s}
        cases:
          - {<<: *common, name: a}
          - <<: [*common, {inflight: 7, request_size: 1KiB}]
            name: b
            inflight: 4
          - {<<: *common, name: c, strategy: {coalesce: {<<: *linger, max_bytes: 16KiB}}}
        """
        let s = try ScenarioLoader.parse(text, file: "m.yaml")
        #expect(s.cases.map(\.name) == ["a", "b", "c"])
        #expect(s.cases.map(\.stop) == Array(repeating: .duration(nanos: 3_000_000_000), count: 3), "from defaults' merge")
        #expect(s.cases.map(\.warmupNanos) == [0, 0, 0])
        let rr = s.cases.map { spec -> RequestResponseWorkload? in if case let .rr(r) = spec.workload { r } else { nil } }
        #expect(rr.map { $0?.requestSize } == [8192, 8192, 8192], "the earlier mapping of a merged list wins")
        #expect(rr.map { $0?.exchange.inflight } == [2, 4, 2], "the case's own key wins")
        #expect(rr[2]?.exchange.strategy == .coalesce(maxMessages: 4, maxBytes: 16384, lingerNanos: 50_000))
    }

    /// A value merged into two cases is wrong at one line: said once.
    @Test func aMergedValueThatIsWrongIsSaidOnce() {
        do {
            _ = try ScenarioLoader.parse("name: x\nx-bad: &bad {workload: rr, request_size: lots}\ncases:\n  - {<<: *bad, name: a}\n  - {<<: *bad, name: b}\n", file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.count == 1, "\(error.description)")
            #expect(error.description.hasPrefix("bad.yaml:2: request_size"), "\(error.description)")
        }
    }

    /// Many cases that each merge an anchor within the per-mapping budget spend the file's
    /// budget: parsing stays bounded however many cases there are (review: the budget was per
    /// mapping, so 300k such cases would each spend a fresh one).
    @Test func manyMergingCasesShareTheFilesBudget() {
        var lines = ["name: x", "x-0: &l0 {}"]
        // Each level merges the one below 9 times: level 4 costs 9+81+729+6561 = 7380 steps.
        for level in 1...4 {
            lines.append("x-\(level): &l\(level) {<<: [\(Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", "))]}")
        }
        lines.append("cases:")
        for i in 0..<300 { lines.append("  - {<<: *l4, name: c\(i), workload: rr}") }
        let started = MonotonicClock.nanos()
        do {
            _ = try ScenarioLoader.parse(lines.joined(separator: "\n") + "\n", file: "many.yaml")
            Issue.record("accepted")
        } catch {
            // 135 cases fit in the file's million steps; the rest are refused, each at its line.
            #expect(error.diagnostics.count == 300 - 135, "\(error.diagnostics.count)")
            #expect(error.diagnostics.first?.line == 8 + 135, "\(error.description)")
        }
        #expect(MonotonicClock.nanos() - started < 10_000_000_000)
    }

    /// A repeated key inside an anchored mapping is one problem, not one per alias (review).
    @Test func aRepeatedKeyInAnAnchorIsSaidOnce() {
        do {
            _ = try ScenarioLoader.parse("name: x\nx-c: &c {workload: rr, inflight: 1, inflight: 2}\ncases:\n  - {<<: *c, name: a}\n  - {<<: *c, name: b}\n", file: "r.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.filter { $0.message.contains("'inflight' appears twice") }.count == 1, "\(error.description)")
        }
    }

    /// A file with a repeated key and aliases of aliases: each anchored node is checked once,
    /// not once per copy (ten aliases a level over seven levels were ten million copies walked).
    @Test func aRepeatedKeyBesideFanningAliasesStaysFast() {
        var lines = ["name: x", "x-0: &l0 [1]"]
        for level in 1...7 {
            lines.append("x-\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", "))]")
        }
        lines.append("cases:\n  - {name: a, workload: rr, inflight: 1, inflight: 2}")
        let started = MonotonicClock.nanos()
        do {
            _ = try ScenarioLoader.parse(lines.joined(separator: "\n") + "\n", file: "lol.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("lol.yaml:11: key 'inflight' appears twice"), "\(error.description)")
        }
        #expect(MonotonicClock.nanos() - started < 5_000_000_000, "took \(Double(MonotonicClock.nanos() - started) / 1e9) s")
    }

    /// Two cases on one line with the same mistake are two problems, each said (review: the
    /// merge's de-duplication by line and message said one).
    @Test func theSameMistakeInTwoCasesOnOneLineIsSaidTwice() {
        do {
            _ = try ScenarioLoader.parse("name: x\ncases: [{name: a, workload: rr, bogus: 1}, {name: b, workload: rr, bogus: 1}]\n", file: "dd.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.filter { $0.message.hasPrefix("unknown key 'bogus'") }.count == 2, "\(error.description)")
        }
    }

    /// Merges of merges fanning out (an alias repeated at every level) are cut at a budget, not
    /// expanded: parsing stays fast and says why; empty anchors too, which bring in no key
    /// (seven levels of ten took 30 s, review).
    @Test(arguments: ["{workload: rr}", "{}"])
    func fanningMergesAreCut(leaf: String) {
        var lines = ["name: x", "x-0: &l0 \(leaf)"]
        for level in 1...7 {
            let refs = Array(repeating: "*l\(level - 1)", count: 12).joined(separator: ", ")
            lines.append("x-\(level): &l\(level) {<<: [\(refs)], k\(level): 1}")
        }
        lines.append("cases:\n  - {<<: *l7, name: a}")
        let started = MonotonicClock.nanos()
        do {
            _ = try ScenarioLoader.parse(lines.joined(separator: "\n") + "\n", file: "fan.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("fan.yaml:11: merge keys bring in more than 10000 keys and mappings here, or more than 1000000 in the whole file"), "\(error.description)")
        }
        #expect(MonotonicClock.nanos() - started < 5_000_000_000)
    }

    /// A file with thousands of problems prints the first 50 and how many more.
    @Test func manyProblemsAreCapped() {
        let cases = (0..<2000).map { "  - {name: c\($0), workload: rr, bogus: 1}" }.joined(separator: "\n")
        do {
            _ = try ScenarioLoader.parse("name: x\ncases:\n\(cases)\n", file: "many.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.count == 2000)
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == ScenarioError.shown + 1)
            #expect(lines.first?.hasPrefix("many.yaml:3: unknown key 'bogus'") == true)
            #expect(lines.last == "... and 1950 more problems (the first 50 are above)")
        }
    }

    /// A UTF-8 byte order mark at the start is read past (YAML allows it), with lines counted
    /// as the editor shows them.
    @Test func aByteOrderMarkIsReadPast() throws {
        let text = "name: x\ncases:\n  - {name: a, workload: rr}\n"
        let scenario = try ScenarioLoader.parse(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), file: "bom.yaml")
        #expect(scenario.cases.map(\.name) == ["a"])
        do {
            _ = try ScenarioLoader.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("name: x\ncases:\n  - {name: a, workload: rr, bogus: 1}\n".utf8), file: "bom.yaml")
            Issue.record("accepted bogus")
        } catch {
            #expect(error.description.contains("bom.yaml:3: unknown key 'bogus'"), "\(error.description)")
        }
    }

    /// The problems of a one-case scenario whose case (named a) has `keys`, as "line: message".
    static func problems(case keys: String) -> [String] {
        problems("name: x\ncases:\n  - {name: a, \(keys)}\n")
    }

    /// The problems of the scenario `text`, as "line: message"; none when it loads.
    static func problems(_ text: String, file: String = "s.yaml") -> [String] {
        diagnostics(text, file: file).map { "\($0.line ?? 0): \($0.message)" }
    }

    /// What loading the scenario `text` says; nothing when it loads.
    static func diagnostics(_ text: String, file: String = "s.yaml") -> [ScenarioDiagnostic] {
        do {
            _ = try ScenarioLoader.parse(text, file: file)
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// target_cost is capped per message (1s) and, with a messages stop, in all: a week of busy
    /// work per connection (10^12 messages of 1s each were taken). Connections share the messages.
    /// Null unsets nothing, not even a default: refused for every key with `file:line:` and
    /// what to write instead (expect: null said "expect must be any or echo, not 'null'", which
    /// did not say that a default cannot be unset so, nor that `expect: any` is the way).
    /// A null in defaults is refused whether or not a case takes the key (`expect: null` in a
    /// file of rr cases was accepted: the key applied to none of them).
    @Test(arguments: ["expect: null", "corpus: ~", "framing: null", "duration: null"])
    func nullInDefaultsIsRefusedEvenWhereNoCaseTakesIt(keys: String) {
        let key = String(keys.prefix { $0 != ":" })
        do {
            _ = try ScenarioLoader.parse("name: x\ndefaults:\n  \(keys)\ncases:\n  - {name: a, workload: rr}\n", file: "d.yaml")
            Issue.record("accepted defaults \(keys)")
        } catch {
            #expect(error.description.contains("d.yaml:3: \(key): null is not a value"), "\(error.description)")
        }
    }

    /// A default that applies to none of the cases sets nothing: said, with its line, not
    /// dropped without a word. One that applies to some case is fine.
    @Test func aDefaultThatAppliesToNoCaseIsRefused() throws {
        do {
            _ = try ScenarioLoader.parse("name: x\ndefaults:\n  duration: 1s\n  expect: any\ncases:\n  - {name: a, workload: rr}\n  - {name: b, workload: masked}\n", file: "d.yaml")
            Issue.record("accepted expect: any for rr and masked cases")
        } catch {
            #expect(error.diagnostics.map { "\($0.line ?? 0): \($0.message)" }
                == ["4: 'expect' in defaults applies to replay cases, and no case here is one (masked, rr): it would set nothing; remove it"], "\(error.description)")
        }
        let scenario = try ScenarioLoader.parse("name: x\ndefaults: {write_size: 8KiB}\ncases:\n  - {name: a, workload: rr}\n  - {name: b, workload: stream}\n", file: "d.yaml")
        #expect(scenario.cases.count == 2)
    }

    @Test(arguments: ["expect: null", "expect: ~", "expect:", "inflight: null", "max_response: ~"])
    func nullIsRefusedForEveryKey(keys: String) throws {
        let dir = FileManager.default.temporaryDirectory.path + "/null-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([0, 0, 0, 2, 0x68, 0x69]).write(to: URL(fileURLWithPath: dir + "/c.u32be"))
        let key = String(keys.prefix { $0 != ":" })
        let text = "name: x\ndefaults: {expect: echo}\ncases:\n  - name: a\n    workload: replay\n    corpus: \(dir)/c.u32be\n    \(keys)\n"
        do {
            _ = try ScenarioLoader.parse(text, file: "x.yaml")
            Issue.record("accepted \(keys)")
        } catch {
            let said = error.description
            #expect(said.contains("x.yaml:7: \(key): null is not a value: it unsets nothing, not even a value from defaults"), "\(said)")
            if key == "expect" { #expect(said.contains("give expect: any for no expectation"), "\(said)") }
            #expect(!said.contains("not 'null'") && !said.contains("not '~'"), "one error, this one: \(said)")
        }
        let fine = text.replacingOccurrences(of: "    \(keys)\n", with: "    expect: any\n")
        let spec = try #require(try ScenarioLoader.parse(fine, file: "x.yaml").cases.first)
        guard case let .replay(r) = spec.workload else { Issue.record("not replay"); return }
        #expect(r.expect == .any, "expect: any overrides the default's echo")
    }

    @Test func targetCostIsBoundedInAll() throws {
        func problems(_ keys: String) -> [String] { Self.problems(case: "workload: rr, \(keys)") }
        #expect(problems("messages: 1000000, target_cost: 1s") == ["3: target_cost 1s for each of 1000000 messages a connection sends is more than a week of busy work at the target; give fewer messages or a shorter target_cost"])
        #expect(problems("messages: 1000000000000, target_cost: 1s").count == 1)
        #expect(problems("messages: 1000000, target_cost: 1s, connections: 4").isEmpty, "250000s a connection is under a week")
        #expect(problems("messages: 1000000000000").isEmpty, "no target_cost, no busy work")
        #expect(problems("duration: 5s, target_cost: 1s").isEmpty, "a duration bounds it")
    }

    /// A connection's requests in flight may queue at most a minute of target_cost together: a
    /// peer can queue them in one write and go quiet, and the target refuses such a hello. An
    /// open-loop case with no inflight of its own gets a cap that fits (1024 at 100 ms: 102 s).
    @Test func inflightTimesTargetCostIsBounded() throws {
        func problems(_ keys: String) -> [String] { Self.problems(case: "workload: rr, \(keys)") }
        #expect(problems("inflight: 4096, target_cost: 1s") == ["3: inflight 4096 x target_cost 1s queues 4096s of busy work on one connection, over the 60s the target accepts; give at most 60 in flight at this target_cost, or a shorter target_cost"])
        #expect(problems("strategy: {window: 61}, target_cost: 1s").count == 1, "a window is in flight too")
        #expect(problems("inflight: 60, target_cost: 1s").isEmpty)
        let spec = try #require(try ScenarioLoader.parse("name: x\ncases:\n  - {name: a, workload: rr, rate: 5/s, target_cost: 100ms}\n", file: "s.yaml").cases.first)
        #expect(spec.exchange?.inflight == 600)
        #expect(spec.limitProblems().isEmpty, "the target takes what the loader built")
        let plain = try #require(try ScenarioLoader.parse("name: x\ncases:\n  - {name: a, workload: rr, rate: 5/s}\n", file: "s.yaml").cases.first)
        #expect(plain.exchange?.inflight == Exchange.openLoopDefaultInflight)
    }

    /// With expect: echo, the corpus's largest message must fit max_response: known when the
    /// scenario loads, it failed mid-run, blaming the service.
    @Test func anEchoOfTheLargestMessageMustFitMaxResponse() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "vsb-echo-\(UUID().uuidString).u32be").path
        var bytes: [UInt8] = []
        MessageFraming.u32be.encode([UInt8](repeating: 7, count: 3000), into: &bytes)
        MessageFraming.u32be.encode([UInt8](repeating: 8, count: 10), into: &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        func problems(_ keys: String) -> [String] { Self.problems(case: "workload: replay, framing: u32be, corpus: \(path), messages: 10, \(keys)") }
        #expect(problems("expect: echo, max_response: 1KiB") == ["3: expect: echo, but the corpus's largest message (3000 bytes) is over max_response (1024 bytes): its echo would be refused; set max_response to at least 3000"])
        #expect(problems("expect: echo, max_response: 4KiB").isEmpty)
        #expect(problems("max_response: 1KiB").isEmpty, "without expect: echo a service may answer smaller")
        // A max_response refused is one error, not a second one about the default (16 MiB) it
        // left in place, which a message above it made.
        let big = FileManager.default.temporaryDirectory.appending(path: "vsb-echo-big-\(UUID().uuidString).u32be").path
        var large: [UInt8] = []
        MessageFraming.u32be.encode([UInt8](repeating: 1, count: (16 << 20) + 1), into: &large)
        try Data(large).write(to: URL(fileURLWithPath: big))
        defer { try? FileManager.default.removeItem(atPath: big) }
        let refused = Self.problems(case: "workload: replay, framing: u32be, corpus: \(big), messages: 10, expect: echo, max_response: 100GiB")
        #expect(refused.count == 1 && refused.first?.contains("max_response") == true, "\(refused)")
        #expect(Self.problems(case: "workload: replay, framing: u32be, corpus: \(big), messages: 10, expect: echo").count == 1, "the default is too small: said")
    }

    /// With expect: echo, the response framing must be able to carry the largest message's echo
    /// (u16be holds 65535 bytes): it failed mid-run, blaming the service.
    @Test func anEchoOfTheLargestMessageMustFitTheResponseFraming() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "vsb-echo16-\(UUID().uuidString).u32be").path
        var bytes: [UInt8] = []
        MessageFraming.u32be.encode([UInt8](repeating: 7, count: 70_000), into: &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        func problems(_ keys: String) -> [String] { Self.problems(case: "workload: replay, framing: u32be, corpus: \(path), messages: 10, \(keys)") }
        #expect(problems("response_framing: u16be, expect: echo") == ["3: expect: echo, but the corpus's largest message (70000 bytes) is over what response_framing u16be can carry (65535 bytes): its echo cannot be framed; use a response framing that holds it, or leave response_framing out"])
        #expect(problems("response_framing: u16be").isEmpty, "without expect: echo a service may answer smaller")
        #expect(problems("response_framing: varint, expect: echo").isEmpty)
    }

    /// A framing refused is one error: the corpus is not then read in the default framing and
    /// reported as a second, knock-on error.
    @Test func aBadFramingIsOneError() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "vsb-lines-\(UUID().uuidString).line").path
        try Data("first\nsecond\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let problems = Self.problems(case: "workload: replay, framing: lines, corpus: \(path), messages: 10")
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.contains("framing") == true, "\(problems)")
        #expect(Self.problems(case: "workload: replay, framing: line, corpus: \(path), messages: 10").isEmpty)
    }

    /// verify on a raw tx or rx stream would check nothing: refused at its line. A raw `both`
    /// stream checks its echo, and takes it.
    @Test func verifyOnARawOneWayStreamIsRefused() throws {
        func problems(_ keys: String) -> [String] { Self.problems(case: "workload: stream, raw: true, \(keys)") }
        #expect(problems("direction: rx, verify: full") == ["3: verify does not apply to a raw rx stream: its bytes come back from no one to check them against (a raw stream is checked with direction: both, against its echo)"])
        #expect(problems("direction: tx, verify: edges").count == 1)
        #expect(problems("direction: tx").isEmpty)
        #expect(problems("direction: both, verify: full").isEmpty)
        // From defaults: left out of the one-way raw case (its config recorded a check not made).
        let scenario = try ScenarioLoader.parse("name: x\ndefaults: {verify: full}\ncases:\n  - {name: r, workload: stream, raw: true, direction: rx}\n  - {name: b, workload: stream, raw: true, direction: both}\n", file: "s.yaml")
        #expect(scenario.cases.map { c -> PayloadVerification? in if case let .stream(s) = c.workload { return s.verify }; return nil } == [StreamWorkload().verify, .full])
    }

    /// An empty list is reported on its own line; a value that is no list gets its one error,
    /// not a second one saying the cases are empty.
    @Test func casesThatAreEmptyOrNoListGetOneErrorOnTheirLine() {
        for (text, line, message) in [
            ("name: x\ncases: []\n", 2, "'cases' is empty: a scenario needs at least one case"),
            ("name: x\ncases: {name: a, workload: rr}\n", 2, "cases must be a list of mappings, each with at least name and workload"),
        ] {
            do {
                _ = try ScenarioLoader.parse(text, file: "f.yaml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.line) == [line], "\(error.diagnostics)")
                #expect(error.diagnostics.map(\.message) == [message], "\(error.diagnostics)")
            }
        }
    }

    @Test func collectsEveryProblemAtOnce() {
        let text = "name: x\ncases:\n  - {name: a, workload: rr, inflight: 0}\n  - {name: b, workload: rr, speed: 1}\n"
        do {
            _ = try ScenarioLoader.parse(text, file: "f.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.count == 2)
            #expect(error.diagnostics.map(\.line) == [3, 4])
        }
    }

    /// A duplicate name is found even when its first case has another problem, and every
    /// later duplicate names the first case's line.
    @Test func duplicateNamesAreFoundOnCasesWithOtherProblems() {
        let text = """
            name: d
            cases:
              - {name: a, workload: rr, requst_size: 1}
              - {name: a, workload: rr}
              - {name: a, workload: teleport}
            """
        do {
            _ = try ScenarioLoader.parse(text, file: "dup2.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics == [
                ScenarioDiagnostic(file: "dup2.yaml", line: 3, message: "unknown key 'requst_size'; did you mean 'request_size'?"),
                ScenarioDiagnostic(file: "dup2.yaml", line: 4, message: "duplicate case name 'a' (first at line 3)"),
                ScenarioDiagnostic(file: "dup2.yaml", line: 5, message: "unknown workload 'teleport'; use one of \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", "))"),
                ScenarioDiagnostic(file: "dup2.yaml", line: 5, message: "duplicate case name 'a' (first at line 3)"),
            ], "\(error.diagnostics)")
        }
    }

    /// A tab where YAML expects indentation is named as a tab, at its line; a scanner error
    /// elsewhere says nothing of tabs.
    @Test(arguments: [
        ("name: t\ncases:\n\t- {name: a, workload: rr}\n", 3),
        ("name: t\ndefaults:\n\tduration: 1s\ncases:\n  - {name: a, workload: rr}\n", 3),
        ("name: t\ncases:\n  - {name: a, workload: rr}\n\t\t\n  - {name: b, workload: rr}\n", 4),
    ])
    func aTabForIndentationIsNamed(text: String, line: Int) {
        do {
            _ = try ScenarioLoader.parse(text, file: "tab.yaml")
            Issue.record("accepted a file indented with a tab: \(text)")
        } catch {
            #expect(error.diagnostics.count == 1, "\(error.diagnostics)")
            let rendered = error.description
            #expect(rendered.hasPrefix("tab.yaml:\(line): YAML syntax error: "), "\(rendered)")
            #expect(rendered.contains("found character that cannot start any token (a tab: YAML indents with spaces)"), "\(rendered)")
        }
    }

    @Test func aScannerErrorAtAnotherCharacterSaysNothingOfTabs() {
        do {
            _ = try ScenarioLoader.parse("name: t\ncases:\n  - {name: a, workload: rr}\n@oops\n", file: "at.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("at.yaml:4: YAML syntax error"), "\(error.description)")
            #expect(!error.description.contains("tab"), "\(error.description)")
        }
    }

    /// A mapping left open runs the parser past the last line: the error names the line where
    /// it opened (it named line 4 of a 3-line file).
    @Test func somethingLeftOpenIsNamedWhereItOpens() {
        do {
            _ = try ScenarioLoader.parse("name: x\ncases:\n  - {name: a, workload: rr\n", file: "open.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("open.yaml:3: YAML syntax error: "), "\(error.description)")
            #expect(error.description.contains("(the file ends before what opens at line 3 is closed)"), "\(error.description)")
        }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: "/nonexistent/s.yaml") }
    }

    @Test func selectingUnknownCaseNamesTheKnownOnes() throws {
        let scenario = try ScenarioLoader.parse(Self.cliff, file: "cliff.yaml")
        #expect(try scenario.selecting(["bulk"]).cases.map(\.name) == ["bulk"])
        #expect { try scenario.selecting(["nope"]) } throws: { "\($0)".contains("bulk, chatty-8k") }
    }

    @Test(arguments: ["cliff", "bulk", "chatty-8k"])
    func shippedScenariosAreValid(name: String) throws {
        let path = packageRoot() + "/scenarios/\(name).yaml"
        let scenario = try ScenarioLoader.load(path: path)
        #expect(!scenario.cases.isEmpty)
    }
}

/// The repository root, from this file's path.
func packageRoot(file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}
