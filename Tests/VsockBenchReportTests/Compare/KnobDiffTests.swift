import Foundation
import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockTransport

extension CompareTests {
    /// The knobs in which a case differs from the first: every key of its config, both values.
    @Suite struct KnobDiffTests {
        static func diff(_ a: CaseSpec, _ b: CaseSpec) -> [KnobDiff] { KnobDiff.between(CaseConfig(a), CaseConfig(b)) }

        static func rr(_ name: String, _ exchange: Exchange = Exchange()) -> CaseSpec {
            CaseSpec(name: name, workload: .rr(RequestResponseWorkload(requestSize: 8192, responseSize: 8192, exchange: exchange)))
        }

        @Test("a TCP or vsock option over a transport that lacks it is noted as not applied (nagle.yaml on the default unix target)")
        func familyOnlyOptionsAreNotedOffTheirTransport() throws {
            var on = Self.rr("nodelay-on")
            on.socket.noDelay = true
            var off = Self.rr("nagle-stall")
            off.socket.noDelay = false
            let unix = KnobDiff.between(CaseConfig(on), CaseConfig(off), transports: ("unix", "unix"))
            #expect(unix.map(\.text) == ["socket.nodelay true -> false (TCP only: not applied over unix)"])
            #expect(KnobDiff.between(CaseConfig(on), CaseConfig(off), transports: ("tcp", "tcp")).map(\.note) == [nil])
            var vsock = on
            vsock.socket.vsockBufferSize = 1 << 20
            #expect(KnobDiff.between(CaseConfig(on), CaseConfig(vsock), transports: ("unix", "tcp")).map(\.note) == ["vsock only: not applied over unix and tcp"])
            #expect(KnobDiff.between(CaseConfig(on), CaseConfig(vsock), transports: ("vsock+seqpacket", "vsock+seqpacket")).map(\.note) == [nil])
            // The note is a key of its own in the JSON, absent where the knob applies.
            let json = String(decoding: try JSONEncoder().encode(unix), as: UTF8.self)
            #expect(json.contains("\"note\":\"TCP only: not applied over unix\""), "\(json)")
            #expect(!String(decoding: try JSONEncoder().encode(Self.diff(on, off)), as: UTF8.self).contains("note"))
        }

        @Test("a corpus's measured stats are no knob: the corpus that differs is named once, by its key")
        func corpusStatsAreNoKnob() {
            var replay = ReplayWorkload()
            replay.corpus = "agent.u32be"
            replay.corpusStats = CorpusStats(messages: 20, payloadBytes: 20 * 8000, largest: 8314)
            let agent = CaseSpec(name: "agent", workload: .replay(replay))
            #expect(CaseConfig(agent).corpusStats != nil, "the config carries the stats (the diagnosis reads them)")
            let keys = Self.diff(Self.rr("rr"), agent).map(\.key)
            #expect(keys.contains("corpus") && keys.contains("workload"), "\(keys)")
            #expect(!keys.contains("corpus_stats"), "\(keys)")
            var other = replay
            other.corpus = "other.u32be"
            other.corpusStats = CorpusStats(messages: 5, payloadBytes: 5 * 100, largest: 100)
            #expect(Self.diff(agent, CaseSpec(name: "other", workload: .replay(other))).map(\.key) == ["corpus"])
        }

        @Test("a window: inflight and strategy, with both values, in the scenario's words")
        func windowKnobs() {
            let knobs = Self.diff(Self.rr("none"), Self.rr("window-8", Exchange(inflight: 8, strategy: .window(8))))
            #expect(knobs.map(\.key) == ["inflight", "strategy"])
            #expect(knobs.map(\.text) == ["inflight 1 -> 8", "strategy none -> {window: 8}"])
            #expect(knobs[0].from == .int(1) && knobs[0].to == .int(8))
            #expect(knobs[1].to == .object(["name": .string("window"), "window": .int(8)]))
        }

        @Test("a replay's config holds only what applies to replay: not the target's knobs its scenario refuses")
        func replayConfigHasOnlyReplayKnobs() throws {
            let replay = CaseSpec(name: "agent", workload: .replay(ReplayWorkload()))
            let json = String(decoding: try JSONEncoder().encode(CaseConfig(replay)), as: UTF8.self)
            for key in ["target_cost_ns", "split_writes", "response_size", "request_size", "request_sizes", "verify", "write_size", "direction"] {
                #expect(!json.contains("\"\(key)\""), "\(key) in \(json)")
            }
            for key in ["inflight", "strategy", "write_chunk", "rate", "framing", "expect", "max_response"] {
                #expect(json.contains("\"\(key)\""), "\(key) missing from \(json)")
            }
            // Read back (a file without them), the same config.
            #expect(CaseConfig(try JSONDecoder().decode(CaseConfig.self, from: Data(json.utf8)).spec) == CaseConfig(replay))
            var split = Exchange()
            split.splitWrites = true
            let knobs = Self.diff(replay, Self.rr("rr", split)).map(\.text)
            // Against an rr case the knob is rr's alone (it read "split_writes false -> true").
            #expect(knobs.contains("split_writes (unset) -> true"), "\(knobs)")
        }

        @Test("rr verification is a knob: full by default, read back from files that lack it")
        func rrVerification() throws {
            var edges = Self.rr("edges")
            edges.updateRR { $0.verify = .edges }
            #expect(Self.diff(Self.rr("full"), edges).map(\.text) == ["verify full -> edges"])
            let json = try JSONEncoder().encode(CaseConfig(edges))
            #expect(String(decoding: json, as: UTF8.self).contains("\"verify\":\"edges\""))
            #expect(try JSONDecoder().decode(CaseConfig.self, from: json).spec == edges)
            let old = #"{"name":"a","workload":"rr","request_size":8192,"response_size":8192}"#
            let read = try JSONDecoder().decode(CaseConfig.self, from: Data(old.utf8)).spec
            guard case let .rr(r) = read.workload else { Issue.record("not rr: \(read)"); return }
            #expect(r.verify == .full)
        }

        @Test("a masked case's sizes are one knob, request_size as the scenario names it, not its median beside the config's request_sizes")
        func maskedSizesAreOneKnob() {
            let lognormal = CaseSpec(name: "a", workload: .masked(MaskedWorkload(requestSizes: .lognormal(median: 8192, sigma: 0.7))))
            let uniform = CaseSpec(name: "b", workload: .masked(MaskedWorkload(requestSizes: .uniform(min: 2048, max: 32768))))
            let knobs = Self.diff(lognormal, uniform)
            #expect(knobs.map(\.key) == ["request_size"], "\(knobs.map(\.text))")
            #expect(knobs.first?.text.hasPrefix("request_size {dist: lognormal") == true, "\(knobs.map(\.text))")
            // Against rr: the fixed size and the distribution side by side, under one key.
            let rrKnobs = Self.diff(Self.rr("rr"), lognormal)
            #expect(rrKnobs.filter { $0.key.hasPrefix("request_size") }.map(\.text).count == 1, "\(rrKnobs.map(\.text))")
            // A fixed size is its one size: rr 8KiB and masked {fixed 8KiB} do not differ there
            // (they read `request_size 8KiB -> {dist: fixed, bytes: 8KiB}`: review).
            var rr8 = Self.rr("rr")
            rr8.updateRR { $0.requestSize = 8192 }
            let fixed8 = CaseSpec(name: "m", workload: .masked(MaskedWorkload(requestSizes: .fixed(8192))))
            #expect(!Self.diff(rr8, fixed8).contains { $0.key == "request_size" }, "\(Self.diff(rr8, fixed8).map(\.text))")
            let fixed16 = CaseSpec(name: "m16", workload: .masked(MaskedWorkload(requestSizes: .fixed(16384))))
            #expect(Self.diff(fixed8, fixed16).map(\.text) == ["request_size 8KiB -> 16KiB"], "\(Self.diff(fixed8, fixed16).map(\.text))")
            // check's warning about a config that differs from the baseline says the same.
            let differences = CaseConfig(lognormal).differences(from: CaseConfig(uniform))
            #expect(differences.count == 1 && differences.first?.hasPrefix("request_size ") == true, "\(differences)")
        }

        @Test("check's differences: in the scenario's units, exact where the units round alike")
        func differencesInTheScenariosWords() {
            var a = Self.rr("a"), b = Self.rr("b")
            a.updateRR { $0.requestSize = 4200; $0.exchange.targetCostNanos = 1_000_000 }
            b.updateRR { $0.requestSize = 4220; $0.exchange.targetCostNanos = 3_000_000 }
            #expect(CaseConfig(a).differences(from: CaseConfig(b)) == ["request_size 4200B -> 4220B", "target_cost 1ms -> 3ms"])
            // compare's knobs the same way.
            #expect(Self.diff(a, b).map(\.text) == ["request_size 4200B -> 4220B", "target_cost 1ms -> 3ms"])
            // A strategy whose summary rounds alike still differs, and is given by its fields.
            var c = Self.rr("c"), d = Self.rr("d")
            c.updateRR { $0.exchange.strategy = .coalesce(maxMessages: 16, maxBytes: 4200, lingerNanos: 200_000) }
            d.updateRR { $0.exchange.strategy = .coalesce(maxMessages: 16, maxBytes: 4220, lingerNanos: 200_000) }
            let strategy = CaseConfig(c).differences(from: CaseConfig(d))
            #expect(strategy.count == 1 && strategy.first?.hasPrefix("strategy {") == true && strategy.first?.contains("4200") == true
                    && strategy.first?.contains("4220") == true, "\(strategy)")
        }

        @Test("the same config under another name differs in nothing: the name is not a knob")
        func nameIsNotAKnob() {
            #expect(Self.diff(Self.rr("a"), Self.rr("b")).isEmpty)
        }

        @Test("every key, not only the strategy: sizes, durations, connections, socket options, seed")
        func everyKey() {
            var a = Self.rr("a")
            var b = CaseSpec(name: "b", workload: .rr(RequestResponseWorkload(requestSize: 8192, responseSize: 1024,
                                                                             exchange: Exchange(targetCostNanos: 100_000, writeChunk: 1024))))
            a.stop = .duration(nanos: 5_000_000_000)
            b.stop = .duration(nanos: 2_000_000_000)
            b.connections = 2
            b.socket = SocketOptions(sendBuffer: 65536)
            b.seed = 7
            let knobs = Self.diff(a, b)
            #expect(knobs.map(\.text) == [
                "duration 5s -> 2s", "connections 1 -> 2", "response_size 8KiB -> 1KiB", "target_cost 0s -> 100us",
                "write_chunk (unset) -> 1KiB", "seed 1 -> 7", "socket.sndbuf (unset) -> 64KiB",
            ])
        }

        @Test("a coalescing strategy shows its parameters with units")
        func coalesceText() {
            let knobs = Self.diff(Self.rr("a"), Self.rr("b", Exchange(inflight: 10, strategy: .coalesce(maxMessages: 10, maxBytes: 262_144, lingerNanos: 200_000))))
            #expect(knobs.map(\.text) == ["inflight 1 -> 10", "strategy none -> {coalesce: {linger: 200us, max_bytes: 256KiB, max_messages: 10}}"])
        }

        @Test("a stream against an rr case: the workload and each key only one of them has")
        func streamAgainstRR() {
            let knobs = Self.diff(Self.rr("rr"), CaseSpec(name: "bulk", workload: .stream(StreamWorkload(writeSize: 65536))))
            let keys = knobs.map(\.key)
            #expect(keys.first == "workload")
            #expect(keys.contains("write_size") && keys.contains("request_size") && keys.contains("strategy"))
            #expect(!keys.contains("write_chunk"), "null in one, absent in the other: no difference")
            #expect(knobs.first { $0.key == "request_size" }?.text == "request_size 8KiB -> (unset)")
        }
    }
}
