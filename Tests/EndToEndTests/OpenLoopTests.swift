import Foundation
import Testing

/// Open-loop load (`rate:`): a stall of the target shows in every request that waited through
/// it, not as one slow sample; a target that cannot keep up is said to.
@Suite(.serialized) struct OpenLoopTests {
    /// Runs `case` against a target of its own that is stopped (SIGSTOP) for `stallMillis` in
    /// the middle of the measured interval, and returns the case's JSON.
    static func runWithStall(_ caseYAML: String, stallMillis: UInt32 = 200) throws -> [String: Any] {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let scenario = try scenarioFile("name: stall\ncases:\n  - \(caseYAML)\n")
        let json = dir + "/r.json"
        let pid = server.pid
        let stall = Thread {
            // The run starts, warms up for 300 ms and measures for 3 s: 1.5 s in is well inside.
            usleep(1_500_000)
            kill(pid, SIGSTOP)
            usleep(stallMillis * 1000)
            kill(pid, SIGCONT)
        }
        stall.start()
        let out = try Tool.run(["run", scenario, "--target", "unix://\(dir)/t.sock", "--json", json])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let cases = try #require(document["cases"] as? [[String: Any]])
        return try #require(cases.first)
    }

    /// At 5/s with 100 ms of warmup, the interval's first request falls due during the sleep
    /// that opens the interval: it went out as warmup, so 9 of the 10 scheduled were measured,
    /// none unsent, and the case "did NOT keep up" (review).
    @Test func aLowRateMeasuresEveryRequestTheIntervalScheduled() throws {
        let scenario = try scenarioFile("name: low\ncases:\n  - {name: r5, workload: rr, rate: 5/s, duration: 2s, warmup: 100ms, request_size: 1KiB, response_size: 1KiB}\n")
        let json = try Tool.scratch() + "/r.json"
        let out = try Tool.run(["run", scenario, "--json", json])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let c = try #require((document["cases"] as? [[String: Any]])?.first)
        let report = try #require(c["open_loop"] as? [String: Any])
        let sent = try #require(report["measured_sends"] as? Int)
        let unsent = try #require(report["unsent"] as? Int)
        #expect(sent + unsent == 10, "2 s at 5/s: \(report)")
        #expect(c["messages"] as? Int == sent, "\(c)")
    }

    static func latency(_ c: [String: Any], _ key: String) -> Double {
        ((c["latency_us"] as? [String: Any])?[key] as? Double) ?? -1
    }

    /// At 1000/s a 200 ms stall holds back about 200 requests, each from its intended send
    /// time: the slowest 1% of 3000 waited well over 100 ms. Closed loop, the same stall is
    /// one slow request among thousands: its p99 stays small while its maximum shows the stall.
    @Test func aStallShowsInTheOpenLoopP99AndAsOneSampleClosedLoop() throws {
        let open = try Self.runWithStall("{name: open, workload: rr, request_size: 256, response_size: 256, rate: 1000/s, duration: 3s, warmup: 300ms}")
        let openP99 = Self.latency(open, "p99")
        #expect(openP99 >= 100_000, "open-loop p99 \(openP99) us: the stall should hold back ~200 requests")
        #expect(Self.latency(open, "max") >= 150_000)
        let report = try #require(open["open_loop"] as? [String: Any])
        #expect(report["asked_per_s"] as? Double == 1000)
        let sent = try #require(report["measured_sends"] as? Int)
        #expect((2700...3300).contains(sent), "3 s at 1000/s sends about 3000 requests, stall or not: \(sent)")
        #expect((report["in_flight_max"] as? Int ?? 0) >= 100, "requests pile up during the stall: \(report)")

        // With at most 8 in flight the sender itself is held back during the stall: the ~190
        // requests it could not send count from their intended times (measured from when they
        // finally left, the stall would show in 8 of them, not in the p99).
        let capped = try Self.runWithStall("{name: capped, workload: rr, request_size: 256, response_size: 256, rate: 1000/s, inflight: 8, duration: 3s, warmup: 300ms}")
        #expect(Self.latency(capped, "p99") >= 100_000, "capped open-loop p99 \(Self.latency(capped, "p99")) us")
        let cappedReport = try #require(capped["open_loop"] as? [String: Any])
        #expect(cappedReport["in_flight_max"] as? Int == 8)
        #expect((cappedReport["late_sends"] as? Int ?? 0) >= 100, "requests held back by the cap are late: \(cappedReport)")

        let closed = try Self.runWithStall("{name: closed, workload: rr, request_size: 256, response_size: 256, duration: 3s, warmup: 300ms}")
        #expect(closed["open_loop"] is NSNull, "a closed-loop case has no open-loop report")
        #expect(Self.latency(closed, "max") >= 150_000, "the stalled request itself waited")
        #expect(Self.latency(closed, "p99") < 50_000, "closed loop, the stall is one sample: p99 \(Self.latency(closed, "p99")) us")
    }

    /// A target that needs 5 ms per request cannot answer 1000/s: the case says it did not keep
    /// up, the queue reaches its cap, and the run still succeeds (the figures are honest).
    @Test func aTargetThatCannotKeepUpIsSaidToFallBehind() throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("""
            name: behind
            cases:
              - {name: slow, workload: rr, request_size: 256, response_size: 256, rate: 1000/s, inflight: 16, target_cost: 5ms, duration: 1s, warmup: 200ms}
            """)
        let out = try Tool.run(["run", scenario, "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        #expect(out.stdout.contains("slow: open loop at 1000/s"), "\(out.stdout)")
        #expect(out.stdout.contains("did NOT keep up"), "\(out.stdout)")
        #expect(out.stdout.contains("the queue grew to the in-flight cap of 16"), "\(out.stdout)")
        let document = try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))
        let c = try #require((document["cases"] as? [[String: Any]])?.first)
        let report = try #require(c["open_loop"] as? [String: Any])
        #expect(report["kept_up"] as? Bool == false)
        #expect(report["in_flight_max"] as? Int == 16)
        let achieved = try #require(report["achieved_per_s"] as? Double)
        #expect(achieved < 400, "5 ms per request allows at most 200/s: \(achieved)")
        // The sender waited for a slot: its late sends were the target's doing.
        let late = try #require(report["late_sends"] as? Int)
        let held = try #require(report["late_held_by_target"] as? Int, "\(report)")
        #expect(late > 0 && held * 2 >= late, "\(report)")
        // The 16 in flight at the end are answered after it (their waits recorded), and one
        // more, due before the end, that took the slot the first of them freed.
        let afterEnd = try #require(report["answered_after_end"] as? Int, "\(report)")
        #expect((1...17).contains(afterEnd), "\(report)")
        let answered = try #require(report["answered"] as? Int, "\(report)")
        #expect(c["messages"] as? Int == answered, "the interval's messages are the answers it counted: \(c)")
    }

    /// 64 KiB requests into a target stopped for 500 ms, with room for 1024 in flight: the
    /// window never fills, the socket does, and the sender blocks in its writes. The late sends
    /// are the target's doing, and the verdict says so (it blamed the driver's own schedule).
    @Test func aFullSocketIsBlamedOnTheTarget() throws {
        let c = try Self.runWithStall("{name: big, workload: rr, request_size: 64KiB, response_size: 64, rate: 1000/s, inflight: 1024, duration: 3s, warmup: 300ms}", stallMillis: 500)
        let report = try #require(c["open_loop"] as? [String: Any])
        let late = try #require(report["late_sends"] as? Int)
        let held = try #require(report["late_held_by_target"] as? Int, "\(report)")
        #expect(late >= 300, "a 500 ms stall at 1000/s holds back about 500 requests: \(report)")
        #expect(held * 2 >= late, "\(report)")
        let verdict = try #require(report["verdict"] as? String)
        #expect(verdict.contains("waited mostly for the target"), "\(verdict)")
        #expect(!verdict.contains("the driver did not keep its own schedule"), "\(verdict)")
    }

    /// A target stopped across the end of the interval: the answers it owes come after the
    /// end, and the measured span still ends with the interval (it ran on to the first answer
    /// after the stall, 2.9 s for a 2 s case, and msgs/s fell with it) (review).
    @Test func aStallAcrossTheEndDoesNotStretchTheInterval() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let scenario = try scenarioFile("name: end\ncases:\n  - {name: end, workload: rr, request_size: 1KiB, response_size: 1KiB, rate: 1000/s, strategy: {window: 4}, duration: 2s, warmup: 300ms}\n")
        let pid = server.pid
        let stall = Thread {
            // 300 ms of warmup and 2 s measured: stopped from 1.5 s in to well past the end
            // (the run's own start-up, a few tens of ms here, has 1.2 s of margin either way).
            usleep(1_500_000)
            kill(pid, SIGSTOP)
            usleep(2_500_000)
            kill(pid, SIGCONT)
        }
        stall.start()
        let out = try Tool.run(["run", scenario, "--target", "unix://\(dir)/t.sock", "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let c = try #require((try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))["cases"] as? [[String: Any]])?.first)
        let seconds = try #require(c["duration_s"] as? Double)
        #expect(seconds <= 2.1, "the interval lasts 2 s (the runner's timer may add a little): \(seconds)")
        let report = try #require(c["open_loop"] as? [String: Any])
        #expect((report["answered_after_end"] as? Int ?? 0) >= 1, "\(report)")
        let messages = try #require(c["messages"] as? Int)
        let rate = try #require(c["msgs_per_s"] as? Double)
        #expect(abs(rate - Double(messages) / seconds) <= 1, "\(rate) msgs/s against \(messages) in \(seconds) s")
    }

    /// A CPU hog beside the driver (both on CPU 0, the target alone on CPU 1): the sends are
    /// late because the driver is preempted, and the verdict says so. The waits for a slot
    /// (`window: 1`) and the writes it was preempted in were put on the target (review).
    /// CPUs 0 and 1 usable by this process (taskset can pin to them), and the tools.
    static var canPinTwoCPUs: Bool {
        guard ["/usr/bin/taskset", "/usr/bin/prlimit", "/usr/bin/yes", "/usr/bin/timeout", "/usr/bin/nice", "/usr/bin/true"].allSatisfy(FileManager.default.isExecutableFile(atPath:)) else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        probe.arguments = ["-c", "0,1", "/usr/bin/true"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    @Test(.enabled(if: Self.canPinTwoCPUs, "needs CPUs 0 and 1, taskset, prlimit, timeout, nice and yes"))
    func aBusyDriverCPUIsNotBlamedOnTheTarget() throws {
        // The claim holds while the target's CPU is its own. Once in CI (1 run in 8 that day)
        // 895 of 955 late sends were put on the target, late by up to 222 ms where they are
        // by up to 6 ms here: the whole machine stalled (a VM whose host may take its CPUs,
        // or another process on CPU 1), and a target kept off its CPU does hold the sender
        // back. A run during which CPU 1 was busy or stolen more than a quarter of the time
        // (the target alone takes a few percent), or the machine lost a tenth of its time to
        // the hypervisor, is measured again (twice at most) and says so. Where /proc/stat
        // cannot be read the first run is judged as it is.
        var disturbed: [String] = []
        while true {
            let before = MachineLoad.now()
            let report = try Self.runBesideAHog()
            let after = MachineLoad.now()
            let shares = before.flatMap { before in after.map { ($0, before) } }
            if let (after, before) = shares, disturbed.count < 2,
               (after.shares(of: "cpu1", since: before).map { $0.busy + $0.steal > 0.25 } ?? false) || (after.shares(of: "cpu", since: before).map { $0.steal > 0.1 } ?? false) {
                disturbed.append(after.describe(since: before))
                print("aBusyDriverCPUIsNotBlamedOnTheTarget: the target's CPU 1 was not its own, or the host took the CPUs (\(disturbed.last!)); \(report)\n\(MachineLoad.busiestProcesses())")
                MachineLoad.waitForQuiet(upTo: 10)
                continue
            }
            let late = try #require(report["late_sends"] as? Int)
            let held = try #require(report["late_held_by_target"] as? Int)
            let machine = "the machine: \(shares.map { $0.0.describe(since: $0.1) } ?? "not read"); runs measured again: \(disturbed)"
            #expect(late > 0, "a hog on the driver's CPU makes sends late: \(report); \(machine)")
            #expect(held * 2 < late, "\(report); \(machine)")
            let verdict = try #require(report["verdict"] as? String)
            #expect(!verdict.contains("waited mostly for the target (no free"), "\(verdict)")
            if report["kept_up"] as? Bool == false {
                #expect(verdict.contains("the driver did not keep its own schedule"), "\(verdict)")
                #expect(!verdict.contains("the queue grew to the in-flight cap"), "\(verdict)")
            }
            return
        }
    }

    /// The target alone on CPU 1, the driver at nice 10 beside `yes` on CPU 0: the case's
    /// `open_loop` report.
    static func runBesideAHog() throws -> [String: Any] {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", prefix: ["/usr/bin/taskset", "-c", "1"])
        defer { server.stop() }
        let scenario = try scenarioFile("name: hog\ncases:\n  - {name: w1, workload: rr, request_size: 1KiB, response_size: 1KiB, rate: 500/s, strategy: {window: 1}, duration: 2s, warmup: 300ms}\n")
        // `yes` on CPU 0, killed at the end (SIGKILL: this process's children may inherit
        // SIGTERM ignored), and by the kernel after 9 s of CPU whatever happens here.
        let hog = Process()
        hog.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        hog.arguments = ["--cpu=8:9", "/usr/bin/taskset", "-c", "0", "/usr/bin/yes"]
        hog.standardOutput = FileHandle.nullDevice
        try hog.run()
        defer {
            kill(hog.processIdentifier, SIGKILL)
            hog.waitUntilExit()
        }
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        // The driver at nice 10 (a tenth of the hog's weight): at nice 0 the kernel's scheduler
        // (EEVDF, 6.18) lets a driver that sleeps between sends preempt the hog on each wake-up,
        // and the sends were not late at all (CI, 4 December); at nice 10 about 80 of 1000 are,
        // by up to 6 ms, every time.
        driver.arguments = ["-c", "0", "/usr/bin/nice", "-n", "10", "/usr/bin/timeout", "60", Tool.path, "run", scenario, "--target", "unix://\(dir)/t.sock", "--json", dir + "/r.json"]
        driver.standardOutput = FileHandle.nullDevice
        try driver.run()
        driver.waitUntilExit()
        #expect(driver.terminationStatus == 0)
        let c = try #require((try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))["cases"] as? [[String: Any]])?.first)
        return try #require(c["open_loop"] as? [String: Any])
    }

    /// A target that needs 1 ms per request answers under 1000/s: asked 2000/s for 2 s, the
    /// sender falls further behind all along and about half the 4000 requests the interval
    /// scheduled are never sent. They are counted (`unsent`, with how far behind the sender was
    /// at the end), sent + unsent is the interval's schedule (requests scheduled during warmup
    /// and sent late are not in it), and the verdict and the table say so.
    @Test func requestsNeverSentAreCountedAndNamed() throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("""
            name: unsent
            cases:
              - {name: slow, workload: rr, request_size: 8KiB, response_size: 8KiB, rate: 2000/s, inflight: 16, target_cost: 1ms, duration: 2s, warmup: 200ms}
            """)
        let out = try Tool.run(["run", scenario, "--json", dir + "/r.json"])
        #expect(out.status == 0, "falling behind is reported, not a failure: \(out.stdout)\n\(out.stderr)")
        let document = try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))
        let c = try #require((document["cases"] as? [[String: Any]])?.first)
        let report = try #require(c["open_loop"] as? [String: Any])
        let sent = try #require(report["measured_sends"] as? Int)
        let unsent = try #require(report["unsent"] as? Int, "\(report)")
        let behind = try #require(report["behind_s"] as? Double, "\(report)")
        #expect(unsent > 1000, "1 ms per request answers under half of 2000/s: \(report)")
        #expect(behind > 0.3, "the sender ends far behind: \(report)")
        // The interval lasts 2 s (and a few ms more on a busy machine: the runner's timer).
        #expect((3995...4040).contains(sent + unsent), "2 s at 2000/s schedules 4000: \(sent) sent + \(unsent) unsent")
        #expect(report["kept_up"] as? Bool == false)
        let verdict = try #require(report["verdict"] as? String)
        #expect(verdict.contains("\(unsent) of \(sent + unsent) scheduled requests were never sent"), "\(verdict)")
        #expect(verdict.contains("the latency percentiles cover the \(sent) sent and understate the wait"), "\(verdict)")
        #expect(out.stdout.contains("NOTE slow: \(unsent) of \(sent + unsent) scheduled requests were never sent"), "\(out.stdout)")
        let messages = try #require(c["messages"] as? Int)
        #expect(messages <= sent, "only requests scheduled inside the interval are counted: \(messages) answered of \(sent) sent")
        // The span is the interval's, from its first request's intended time: the sender,
        // behind since the warmup, sent it late, and a span opened then read more answers a
        // second than the target gave (87,097/s where 30% of 200,000/s were answered, review).
        let seconds = try #require(c["duration_s"] as? Double)
        #expect(seconds >= 1.99, "the interval is 2 s, not from the first late send: \(seconds)")
        let achieved = try #require(report["achieved_per_s"] as? Double)
        let answered = try #require(report["answered"] as? Int)
        let share = Double(answered) / Double(sent + unsent)
        #expect(abs(achieved / 2000 - share) < 0.02, "answered/s of the rate asked (\(achieved / 2000)) is the share of the schedule answered (\(share))")
    }

    /// A rate the target meets easily: answered at the rate asked (constant and Poisson).
    @Test(arguments: ["200/s", "{rate: 200/s, arrivals: poisson}"])
    func anEasyRateIsKept(rate: String) throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("""
            name: easy
            cases:
              - {name: easy, workload: rr, request_size: 64, response_size: 64, rate: \(rate), duration: 2s, warmup: 200ms}
            """)
        let out = try Tool.run(["run", scenario, "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let document = try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))
        let c = try #require((document["cases"] as? [[String: Any]])?.first)
        let report = try #require(c["open_loop"] as? [String: Any])
        let sent = try #require(report["measured_sends"] as? Int)
        // Constant spacing sends 400 in 2 s; Poisson arrivals vary by about sqrt(400) = 20.
        #expect((320...480).contains(sent), "\(sent) sends in 2 s at 200/s")
        let unsent = try #require(report["unsent"] as? Int, "\(report)")
        #expect(unsent <= 1, "a rate easily kept leaves nothing unsent: \(report)")
        #expect(report["behind_s"] as? Double ?? 1 < 0.01, "\(report)")
        if rate == "200/s" {
            #expect((399...404).contains(sent + unsent), "2 s at 200/s schedules 400: \(sent) sent + \(unsent) unsent")
        }
        let achieved = try #require(report["achieved_per_s"] as? Double)
        #expect(achieved > 160 && achieved < 240, "\(achieved)/s answered of 200/s")
    }

    /// A case bounded by a count: N requests at R/s span N/R seconds, the last one's slot
    /// included, as a duration does; they spanned (N-1)/R plus a round trip, and 10 at 20/s
    /// read about 22/s.
    @Test func aCountAtARateSpansItsSlots() throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("name: count\ncases:\n  - {name: ten, workload: rr, request_size: 64, response_size: 64, rate: 20/s, messages: 10, warmup: 0s}\n")
        let out = try Tool.run(["run", scenario, "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let c = try #require((try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))["cases"] as? [[String: Any]])?.first)
        #expect(c["messages"] as? Int == 10, "\(c)")
        let seconds = try #require(c["duration_s"] as? Double)
        // 10 slots of 50 ms; the bye's round trip and a slow start may add a little.
        #expect(seconds >= 0.49 && seconds < 0.7, "10 at 20/s span 0.5 s: \(seconds)")
        let rate = try #require(c["msgs_per_s"] as? Double)
        #expect(rate > 14 && rate <= 20.5, "\(rate) msgs/s of 20/s")
        let report = try #require(c["open_loop"] as? [String: Any])
        #expect(report["kept_up"] as? Bool == true, "\(report)")

        // A target at 5 ms a request (about 200/s) asked 100 at 500/s: the schedule ends after
        // 200 ms, and what it answers after that is after the interval. The span ran on to the
        // last answer, and it "kept up: answered 195/s of 500/s" (review).
        let slow = try scenarioFile("name: count\ncases:\n  - {name: slow, workload: rr, request_size: 300B, response_size: 300B, target_cost: 5ms, rate: 500/s, messages: 100, warmup: 0s}\n")
        let behind = try Tool.run(["run", slow, "--json", dir + "/s.json"])
        #expect(behind.status == 0, "\(behind.stdout)\n\(behind.stderr)")
        let s = try #require((try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/s.json"))["cases"] as? [[String: Any]])?.first)
        let late = try #require(s["open_loop"] as? [String: Any])
        #expect(late["kept_up"] as? Bool == false, "\(late)")
        #expect((late["answered_after_end"] as? Int ?? 0) > 30, "\(late)")
        #expect((s["duration_s"] as? Double ?? 0) < 0.3, "the interval is the schedule's 200 ms: \(s)")
    }
}
