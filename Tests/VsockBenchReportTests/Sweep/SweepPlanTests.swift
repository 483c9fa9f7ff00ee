import Testing

@testable import VsockBenchModel
@testable import VsockBenchReport

@Suite struct SweepPlanTests {
    let stop = StopCondition.duration(nanos: 300_000_000)

    @Test("sizes parse from a comma list with units, in bytes")
    func parseSizes() throws {
        #expect(try SweepPlan.parseSizes("64B,512B,4KiB,8KiB,64KiB,256KiB") == [64, 512, 4096, 8192, 65536, 262144])
        #expect(try SweepPlan.parseSizes("4096, 1MiB") == [4096, 1 << 20])
        #expect(throws: SweepError.self) { try SweepPlan.parseSizes("64B,,512B") }
        #expect(throws: SweepError.self) { try SweepPlan.parseSizes("8KB") }
    }

    @Test("rr: one case per size, request = response = size, one in flight, one connection, ascending")
    func rrCases() throws {
        let plan = try SweepPlan(workload: .rr, sizes: [8192, 512, 65536], stop: stop, warmupNanos: 50_000_000)
        #expect(plan.sizes == [512, 8192, 65536])
        #expect(plan.scenario.cases.map(\.name) == ["rr-512B", "rr-8KiB", "rr-64KiB"])
        for (spec, size) in zip(plan.scenario.cases, plan.sizes) {
            #expect(spec.workload == .rr(RequestResponseWorkload(requestSize: size, responseSize: size)))
            #expect(spec.exchange?.inflight == 1 && spec.connections == 1)
            #expect(spec.stop == stop && spec.warmupNanos == 50_000_000)
        }
        #expect(plan.scenario.path.contains("--sizes 512B,8KiB,64KiB"))
    }

    @Test("stream: writes of size, driver to target")
    func streamCases() throws {
        let plan = try SweepPlan(workload: .stream, sizes: [4096, 65536], stop: stop, warmupNanos: 0)
        #expect(plan.scenario.cases.map(\.stream?.writeSize) == [4096, 65536])
        #expect(plan.scenario.cases.allSatisfy { $0.stream?.direction == .tx })
    }

    @Test("masked fragments of each size, one in flight")
    func maskedCases() throws {
        let plan = try SweepPlan(workload: .masked, sizes: [512, 8192], stop: stop, warmupNanos: 0)
        #expect(plan.scenario.cases.map(\.workload) == [.masked(MaskedWorkload(requestSizes: .fixed(512))), .masked(MaskedWorkload(requestSizes: .fixed(8192)))])
        #expect(plan.scenario.cases.allSatisfy { $0.exchange?.inflight == 1 })
    }

    /// Each workload's default sizes make a plan: `sweep --workload masked`, an example of
    /// its help, failed on the default's 64B (review).
    @Test(arguments: [SweepWorkload.rr, .stream, .masked])
    func theDefaultSizesFitEachWorkload(workload: SweepWorkload) throws {
        let plan = try SweepPlan(workload: workload, sizes: SweepPlan.parseSizes(SweepPlan.defaultSizes(for: workload)), stop: stop, warmupNanos: 0)
        #expect(plan.scenario.cases.count >= 5)
    }

    @Test("masked sizes outside 512B-4MiB, duplicate, empty and zero sizes are errors")
    func errors() {
        do {
            _ = try SweepPlan(workload: .masked, sizes: [64, 8192], stop: stop, warmupNanos: 0)
            Issue.record("accepted a 64-byte masked fragment")
        } catch {
            #expect(error.description.contains("masked fragments are 512B to 4MiB"))
        }
        #expect(throws: SweepError.self) { try SweepPlan(workload: .rr, sizes: [512, 512], stop: stop, warmupNanos: 0) }
        #expect(throws: SweepError.self) { try SweepPlan(workload: .rr, sizes: [], stop: stop, warmupNanos: 0) }
        #expect(throws: SweepError.self) { try SweepPlan(workload: .rr, sizes: [0, 512], stop: stop, warmupNanos: 0) }
    }

    @Test("--case: the sizes left out are marked, not run; fewer than 2 left is refused before anything runs")
    func selecting() throws {
        let plan = try SweepPlan(workload: .rr, sizes: [512, 8192, 65536], stop: stop, warmupNanos: 0)
        #expect(try plan.selecting([]) == plan)
        let two = try plan.selecting(["rr-8KiB", "rr-64KiB"])
        #expect(two.unselected == ["rr-512B"])
        #expect(two.selectedScenario.cases.map(\.name) == ["rr-8KiB", "rr-64KiB"])
        #expect(two.scenario.cases.count == 3 && two.sizes == plan.sizes)
        do {
            _ = try plan.selecting(["rr-8KiB"])
            Issue.record("accepted a selection of one size")
        } catch {
            #expect(error == .badSelection("--case leaves 1 size to measure (rr-8KiB); the latency-bandwidth fit needs at least 2: select another of rr-512B, rr-8KiB, rr-64KiB"))
        }
        #expect(throws: SweepError.self) { try plan.selecting(["rr-9KiB"]) }
    }

    @Test("a sweep's fit describes its own workload's cases only; a sweep that describes none of them is refused")
    func describedCases() throws {
        #expect(SweepWorkload.stream.describes(.stream) && !SweepWorkload.stream.describes(.rr))
        #expect(SweepWorkload.rr.describes(.rr) && !SweepWorkload.rr.describes(.masked))
        let mixed: [(name: String, kind: WorkloadKind)] = [("chatty", .rr), ("bulk", .stream)]
        #expect(try SweepWorkload.stream.casesNotDescribed(mixed, sweep: "st.json") == ["chatty"])
        do {
            _ = try SweepWorkload.stream.casesNotDescribed([("chatty", .rr), ("windowed", .rr)], sweep: "st.json")
            Issue.record("a stream sweep accepted for rr cases only")
        } catch {
            #expect(error.description.contains("st.json is a stream sweep (its alpha is the fixed cost of one write)"), "\(error)")
            #expect(error.description.contains("these cases are rr: give the output of sweep --workload rr --json FILE"), "\(error)")
        }
    }

    @Test("a negative size and a zero size break one rule, said the same way")
    func sizeRuleIsSaidOnce() {
        for (text, what) in [("-5", "'-5' is negative"), ("512B,0B", "'0B' is zero"), ("-8KiB,8KiB", "'-8KiB' is negative")] {
            do {
                _ = try SweepPlan.parseSizes(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description == "--sizes: \(what); a message size is 1 byte or more: 512B, 8KiB, 1MiB")
            }
        }
        do {
            _ = try SweepPlan(workload: .rr, sizes: [0, 512], stop: stop, warmupNanos: 0)
            Issue.record("accepted size 0")
        } catch {
            #expect(error.description.hasSuffix("; a message size is 1 byte or more: 512B, 8KiB, 1MiB"))
        }
    }

    @Test("sizes the target would refuse are refused before anything runs: the local frame limit, the limits of every target")
    func sizesOverTheTargetsLimits() throws {
        let rr = try SweepPlan(workload: .rr, sizes: [64, 16 << 20], stop: stop, warmupNanos: 0)
        do {
            try rr.checkLimits(maxFrame: 4 << 20)
            Issue.record("16MiB accepted by a 4MiB frame limit")
        } catch {
            #expect(error.description.hasPrefix("rr-16MiB is more than the target takes: request_size 16777216 is outside 0...4194304 bytes (the frame limit)"), "\(error)")
            #expect(error.description.contains("--max-frame"))
        }
        // A --target's frame limit is its own: only what every target refuses is refused here.
        try rr.checkLimits(maxFrame: nil)
        let stream = try SweepPlan(workload: .stream, sizes: [64, 99999 << 30], stop: stop, warmupNanos: 0)
        #expect(throws: SweepError.self) { try stream.checkLimits(maxFrame: nil) }
        do {
            try stream.checkLimits(maxFrame: 4 << 20)
            Issue.record("a 99999GiB write accepted")
        } catch {
            #expect(error.description.contains("is outside 1 B...64 MiB") && !error.description.contains("--max-frame"), "\(error)")
        }
        // A size --case leaves out never runs, so it is not checked.
        let three = try SweepPlan(workload: .rr, sizes: [64, 512, 16 << 20], stop: stop, warmupNanos: 0)
        try three.selecting(["rr-64B", "rr-512B"]).checkLimits(maxFrame: 4 << 20)
    }

    @Test("the basis of t and n is stated for each workload; rr counts both directions")
    func bases() {
        #expect(SweepWorkload.rr.timeBasis.contains("round-trip"))
        #expect(SweepWorkload.stream.timeBasis.contains("per write"))
        #expect(SweepWorkload.rr.wireFactor == 2 && SweepWorkload.stream.wireFactor == 1)
    }
}
