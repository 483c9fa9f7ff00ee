import Foundation
import Testing
import VsockBenchSupport
import VsockTransport

/// A peer that stops reading, or never answers, bounds a run by `--io-timeout` once, and a
/// signal by its one grace second: a write blocked on such a peer waited out its whole
/// SO_SNDTIMEO after Ctrl-C, and each piece of a short write took a new timeout (review).
@Suite(.serialized) struct StalledPeerTests {
    /// Runs `scenario` against `peer`, sends SIGINT `signalAfter` seconds after the case
    /// started (nil: no signal); returns the status, stderr, the JSON's first case, and the
    /// seconds from the signal (or from the start) to the exit.
    static func run(_ yaml: String, against peer: Endpoint, ioTimeout: String, signalAfter: Double?, cue: (() -> Bool)? = nil) throws
        -> (status: Int32, stderr: String, errors: [String], interrupted: Bool?, seconds: Double) {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile(yaml)
        let started = Date()
        let (process, _, err) = try Tool.start(["run", scenario, "--target", peer.description, "--io-timeout", ioTimeout, "--json", dir + "/r.json"])
        var from = started
        if let signalAfter {
            // From the cue (the peer accepted the driver's connection: its signal handling is
            // in place), else from the start; a fixed wait from the start raced a loaded
            // machine's start-up, where the first signal would quit without a report (review).
            if let cue {
                for _ in 0..<400 where !cue() { usleep(50_000) }
                usleep(UInt32(signalAfter * 1e6))
            } else {
                usleep(UInt32((signalAfter + 0.3) * 1e6))
            }
            from = Date()
            kill(process.processIdentifier, SIGINT)
        }
        let deadline = Date().addingTimeInterval(40)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        let seconds = Date().timeIntervalSince(from)
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the run did not end within 40 s")
        }
        process.waitUntilExit()
        var errors: [String] = []
        var interrupted: Bool?
        if let data = FileManager.default.contents(atPath: dir + "/r.json"),
           let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
           let first = (object["cases"] as? [[String: Any]])?.first {
            errors = first["errors"] as? [String] ?? []
            interrupted = first["interrupted"] as? Bool
        }
        return (process.terminationStatus, err.text(), errors, interrupted, seconds)
    }

    /// Ctrl-C while the driver is blocked writing to a peer that stopped reading: the write is
    /// cut off about a second after the signal, as a read is, not at the 30 s --io-timeout.
    @Test func aSignalCutsAWriteBlockedOnAPeerThatStoppedReading() throws {
        let peer = try RawPeer.silent(path: try Tool.scratch() + "/sink.sock")
        defer { peer.stop() }
        let r = try Self.run("name: stall\ncases:\n  - {name: tx, workload: stream, raw: true, direction: tx, write_size: 64KiB, duration: 20s, warmup: 0s}\n",
                             against: peer.endpoint, ioTimeout: "30", signalAfter: 1.0, cue: { peer.accepted >= 1 })
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.seconds < 5, "the run ended \(r.seconds) s after the signal: \(r.stderr)")
        #expect(r.errors.first == "interrupted", "\(r.errors)")
    }

    /// A peer that stops reading fails the case after one --io-timeout, not one per short
    /// write plus one more waiting for it to close (a 1 s case at --io-timeout 3 took 9.5 s).
    @Test func aStalledPeerFailsTheCaseAfterOneTimeout() throws {
        let peer = try RawPeer.silent(path: try Tool.scratch() + "/sink.sock")
        defer { peer.stop() }
        let r = try Self.run("name: stall\ncases:\n  - {name: tx, workload: stream, raw: true, direction: tx, write_size: 64KiB, duration: 1s, warmup: 0s}\n",
                             against: peer.endpoint, ioTimeout: "3", signalAfter: nil)
        #expect(r.status == 1, "\(r.stderr)")
        // The write blocks at once: 3 s of timeout and the start, well under the 9.5 s it took.
        #expect(r.seconds < 7.5, "the run took \(r.seconds) s: \(r.stderr)")
        #expect(r.errors.contains { $0.contains("timed out") }, "\(r.errors)")
    }

    /// Ctrl-C while the target has not answered the hello: the case was stopped, not failed by
    /// the target (it read "the target did not answer in time (... no data within 1 s)", the
    /// grace time's cut, and no "interrupted").
    @Test func aSignalDuringTheHelloIsAnInterruptionNotTheTargets() throws {
        let peer = try RawPeer.silent(path: try Tool.scratch() + "/mute.sock")
        defer { peer.stop() }
        let r = try Self.run("name: mute\ncases:\n  - {name: rr, workload: rr, request_size: 1KiB, response_size: 1KiB, duration: 5s, warmup: 0s}\n",
                             against: peer.endpoint, ioTimeout: "30", signalAfter: 0.5, cue: { peer.accepted >= 1 })
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.seconds < 5, "the run ended \(r.seconds) s after the signal: \(r.stderr)")
        #expect(r.errors == ["interrupted"], "\(r.errors)\n\(r.stderr)")
        // Read as cut short, as a case stopped mid-run is, not as a failure of the target's.
        #expect(r.interrupted == true, "\(r.stderr)")
        #expect(!r.stderr.contains("FAILED"), "\(r.stderr)")
    }

    /// Ctrl-C while a replay waits on a service that never answers: the read the interrupt
    /// cut after its grace second is the interrupt's, not the service's timeout (it added
    /// "connection 0, request 1: the service did not answer in time (recv timed out: no data
    /// within 1 s)", 1 s being the grace, not --io-timeout). Pipelined and stop-and-wait alike.
    @Test(arguments: ["inflight: 4", "inflight: 1"]) func aSignalDuringAReplayIsTheInterruptsNotTheServices(knob: String) throws {
        let dir = try Tool.scratch()
        _ = try Tool.run(["corpus", dir + "/c.u32be", "--framing", "u32be", "--generate", "2", "--size", "512B"])
        let peer = try RawPeer.silent(path: dir + "/never.sock")
        defer { peer.stop() }
        let r = try Self.run("name: never\ncases:\n  - {name: never, workload: replay, framing: u32be, corpus: \(dir)/c.u32be, duration: 20s, warmup: 0s, \(knob)}\n",
                             against: peer.endpoint, ioTimeout: "30", signalAfter: 0.5, cue: { peer.accepted >= 1 })
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.errors == ["interrupted"], "\(knob): \(r.errors)\n\(r.stderr)")
        #expect(r.interrupted == true, "\(r.stderr)")
    }
}

/// The quit path (a second Ctrl-C) does not wait for a local target that does not answer.
@Suite(.serialized) struct QuitPathTests {
    /// The pids whose parent is `parent` (from /proc).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }

    /// The local target stopped (SIGSTOP: it takes no SIGTERM until continued), then Ctrl-C
    /// twice: vsockbench quits at once, the target killed, not 2 s of SIGTERM's grace later.
    @Test func aSecondSignalKillsAnUnresponsiveLocalTargetAtOnce() throws {
        let scenario = try scenarioFile("name: quit\ncases:\n  - {name: long, workload: rr, request_size: 1KiB, response_size: 1KiB, duration: 30s, warmup: 0s}\n")
        let (process, _, err) = try Tool.start(["run", scenario])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var target: Int32?
        for _ in 0..<200 where target == nil {
            usleep(50_000)
            target = Self.children(of: process.processIdentifier).first
        }
        let pid = try #require(target, "no local target started")
        defer { kill(pid, SIGKILL) }
        usleep(500_000)
        kill(pid, SIGSTOP)
        kill(process.processIdentifier, SIGINT)
        usleep(700_000)
        let start = Date()
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        let seconds = Date().timeIntervalSince(start)
        process.waitUntilExit()
        let stderr = err.text()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("quitting now"), "\(stderr)")
        #expect(seconds < 1.0, "vsockbench quit \(seconds) s after the second signal: \(stderr)")
        // Gone (reaped by vsockbench), not left stopped.
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)/stat") || (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z") == true)
    }
}

/// Ctrl-C during --repeat's settle between trials ends it: the settle was one sleep, so a
/// 30 s settle kept the report 30 s from the signal (review).
@Suite(.serialized) struct SettleInterruptTests {
    @Test func aSignalDuringTheSettleEndsItAtOnce() throws {
        let scenario = try scenarioFile("name: settle\ncases:\n  - {name: a, workload: rr, request_size: 1KiB, response_size: 1KiB, messages: 20, warmup: 0s}\n")
        let (process, _, err) = try Tool.start(["run", scenario, "--target", "null", "--repeat", "3", "--settle", "30s"])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        for _ in 0..<400 where !err.text(waitingUpTo: 0).contains("[1/3] a") { usleep(50_000) }
        usleep(300_000)
        let start = Date()
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(40)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        let seconds = Date().timeIntervalSince(start)
        process.waitUntilExit()
        let stderr = err.text()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(seconds < 5, "the report came \(seconds) s after the signal, in a 30 s settle: \(stderr)")
        #expect(!stderr.contains("[2/3]"), "no trial ran after the signal: \(stderr)")
    }
}

/// A relay on 127.0.0.1 in front of a target: the first connection (a case's control
/// connection) is relayed both ways; every later one (its data connections) stops relaying
/// what the driver sends `stallAfter` seconds after it was accepted, and holds on (bounded:
/// 20 s, or until `stop()`), as a peer that stopped reading does.
final class StallingRelay: Sendable {
    let endpoint: Endpoint
    private let listener: Listener
    private let stopped = StopFlag()

    init(upstream: Endpoint, stallAfter: Double) throws {
        listener = try Listener(endpoint: try Endpoint(parsing: "tcp://127.0.0.1:0"))
        endpoint = listener.endpoint
        let listener = self.listener
        let stopped = self.stopped
        _ = NativeThread.spawn(name: "relay-accept") {
            var accepted = 0
            while let client = try? listener.accept() {
                accepted += 1
                guard let server = try? Socket.connect(to: upstream) else {
                    client.close()
                    continue
                }
                let stallAt = accepted == 1 ? nil : Date().addingTimeInterval(stallAfter)
                let done = LockedValue(0)
                for (from, to, stall) in [(client, server, stallAt), (server, client, nil)] {
                    _ = NativeThread.spawn(name: "relay-pump") {
                        Self.pump(from: from, to: to, stallAt: stall, stopped: stopped)
                        // The second pump to end closes both (neither is in use by then).
                        if done.withLock({ $0 += 1; return $0 }) == 2 {
                            client.close()
                            server.close()
                        }
                    }
                }
            }
        }
    }

    private static func pump(from: Socket, to: Socket, stallAt: Date?, stopped: StopFlag) {
        let end = Date().addingTimeInterval(20)
        try? from.setReceiveTimeout(seconds: 0.1)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
        defer { buffer.deallocate() }
        while !stopped.isSet, Date() < end {
            if let stallAt, Date() >= stallAt {
                usleep(50_000)
                continue
            }
            do {
                let n = try from.read(into: buffer, count: 65536)
                if n == 0 { break }
                try to.writeAll(buffer, count: n)
            } catch {
                if !error.isTimeout { break }
            }
        }
        to.shutdownBoth()
        from.shutdownBoth()
    }

    func stop() {
        stopped.set()
        listener.stop()
        listener.close()
    }
}

extension StalledPeerTests {
    /// A tx stream whose data connection stalls behind a relay (the target's control
    /// connection still answers): the case fails after one --io-timeout, without a further
    /// timeout waiting for the target to finish the stream, nor a whole one for its stats (it
    /// took 0.5 + 4 + 4 + 4 s at --io-timeout 4).
    @Test func aStalledDataConnectionCostsOneTimeoutNotThree() throws {
        let target = try ServeProcess(listen: "tcp://127.0.0.1:0")
        defer { target.stop() }
        let relay = try StallingRelay(upstream: target.endpoint, stallAfter: 0.5)
        defer { relay.stop() }
        // At --io-timeout 8, so that the gap between one timeout and three is wide on a loaded
        // machine: about 0.5 + 8 + 1 + 2 s now, 24 s and more before.
        let r = try Self.run("name: stall\ncases:\n  - {name: tx, workload: stream, direction: tx, write_size: 64KiB, duration: 3s, warmup: 0s}\n",
                             against: relay.endpoint, ioTimeout: "8", signalAfter: nil)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.seconds < 17, "the run took \(r.seconds) s: \(r.errors)\n\(r.stderr)")
        #expect(r.errors.first?.contains("stream write failed") == true && r.errors.first?.contains("timed out") == true, "\(r.errors)")
        #expect(!r.errors.contains { $0.contains("waiting for the target to finish") }, "\(r.errors)")
    }
    /// The same for rr stop-and-wait (the default rr): its timed-out read did not note the
    /// timeout, so the target's stats were waited for a whole --io-timeout more (review).
    @Test func aStalledRrConnectionWaitsBrieflyForTheStats() throws {
        let target = try ServeProcess(listen: "tcp://127.0.0.1:0")
        defer { target.stop() }
        let relay = try StallingRelay(upstream: target.endpoint, stallAfter: 0.5)
        defer { relay.stop() }
        let r = try Self.run("name: stall\ncases:\n  - {name: rr, workload: rr, request_size: 8KiB, response_size: 8KiB, duration: 3s, warmup: 0s}\n",
                             against: relay.endpoint, ioTimeout: "8", signalAfter: nil)
        #expect(r.status == 1, "\(r.stderr)")
        // 0.5 s, the read's 8 s, then 2 s at most for the stats (about 11.5 s): it was 8 s
        // more for them (about 17.5 s).
        #expect(r.seconds < 14.5, "the run took \(r.seconds) s: \(r.errors)\n\(r.stderr)")
        #expect(r.errors.first?.contains("did not answer in time") == true, "\(r.errors)")
    }
}
