import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// `CaseRunner` against a `TargetServer` in this process (a Unix socket, no spawned binary):
/// every workload, both sides' counts compared exactly where the case is count-bounded.
@Suite struct CaseRunnerTests {
    @Test func rrStopAndWaitCountsTheSameOnBothSides() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(stop: .messages(200)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 200)
        #expect(m.workers[0].reading.tally.bytesOut == 200 * 1024)
        #expect(m.workers[0].reading.tally.bytesIn == 200 * 1024)
        // Stop-and-wait on one thread: one write per request, one read (at least) per response.
        #expect(m.workers[0].reading.io.writes == 200)
        #expect(m.target?.writes == 200)
        #expect(m.targetAck.mode == "echo")
        #expect(m.targetAck.target.pid == HostFacts.current().pid, "the target is this process")
    }

    /// The stats reply carries a record per connection: 300 connections make about 90 KB, past
    /// the 64 KiB of other control frames (a case of 250 failed "fetching the target's stats").
    /// And a target's default takes a case of the most connections with its control connection.
    @Test func aCaseOfManyConnectionsGetsItsStats() throws {
        #expect(TargetConfiguration(listen: .unix(path: "/x")).maxConnections >= CaseSpec.maxConnections + 1)
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(request: 16, response: 16, stop: .messages(600), connections: 300), options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        #expect(m.target?.connections.count == 300)
        BothSides.expectExactAgreement(m, messages: 600)
    }

    @Test func rrStopAndWaitForADurationAlsoAgreesExactly() throws {
        // Stop-and-wait answers every request it sends before its interval closes, and the
        // target's interval runs from the first flagged request to the bye: the same messages.
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(request: 512, response: 2048, stop: Specs.shortDuration), options: target.options())
        let messages = m.workers.reduce(0) { $0 + $1.messages }
        #expect(messages > 0)
        BothSides.expectExactAgreement(m, messages: Int(messages))
    }

    @Test func rrPipelinedWithCoalescingCountsTheSameOnBothSides() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        // 301 over two connections: quotas of 151 and 150.
        let spec = Specs.rr(request: 700, response: 1500, exchange: Specs.coalesce, stop: .messages(301), connections: 2)
        let m = try CaseRunner.run(spec, options: target.options())
        BothSides.expectExactAgreement(m, messages: 301)
        #expect(m.workers.map(\.messages) == [151, 150])
        #expect(m.workers.map(\.reading.tally.bytesOut) == [151 * 700, 150 * 700])
        #expect(m.workers.map(\.reading.tally.bytesIn) == [151 * 1500, 150 * 1500])
    }

    @Test(arguments: [
        Exchange(inflight: 8, strategy: .writev(maxMessages: 8)),
        Exchange(inflight: 8, strategy: .writerThread(queueDepth: 8, maxBytes: 64 * 1024)),
        Exchange(inflight: 4, strategy: .window(4)),
        Exchange(splitWrites: true),
        Exchange(writeChunk: 300),
    ])
    func rrOtherStrategiesCountTheSameOnBothSides(exchange: Exchange) throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(exchange: exchange, stop: .messages(120)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 120)
    }

    @Test func rrNormalizedFramesAddTheirPaddingOnTheWireOnly() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let strategy = BatchingStrategy.normalize(size: 4096)
        let m = try CaseRunner.run(Specs.rr(request: 1000, response: 3000, exchange: Exchange(strategy: strategy), stop: .messages(100)),
                                   options: target.options())
        BothSides.expectExactAgreement(m, messages: 100, padded: true)
        let request = UInt64(strategy.wireSize(ofFrame: FrameHeader.size + 1000))
        let response = UInt64(strategy.wireSize(ofFrame: FrameHeader.size + 3000))
        #expect(request > UInt64(FrameHeader.size + 1000), "the request frame is padded")
        #expect(m.workers[0].reading.io.bytesWritten == 100 * request)
        #expect(m.workers[0].reading.io.bytesRead == 100 * response)
        #expect(m.workers[0].reading.tally.bytesOut == 100 * 1000, "payload bytes exclude the padding")
    }

    @Test func theTargetsCostPerMessageIsItsProcessingTime() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(exchange: Exchange(targetCostNanos: 200_000), stop: .messages(20)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 20)
        // The target spins at least its cost on every message, inside its processing time.
        #expect((m.target?.processingSeconds ?? 0) >= 20 * 200e-6)
    }

    @Test func maskedStopAndWaitAgainstAnAgentCountsTheSameOnBothSides() throws {
        let target = try InProcessServer(mode: .agent)
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.masked(sizes: .uniform(min: 1024, max: 4096), stop: .messages(40)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 40)
        #expect(m.targetAck.mode == "agent")
        #expect(m.target?.agentMicrosPerMessage != nil, "the agent's phases are timed")
    }

    @Test func maskedPipelinedAgainstAnAgentCountsTheSameOnBothSides() throws {
        let target = try InProcessServer(mode: .agent)
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.masked(exchange: Specs.coalesce, stop: .messages(41), connections: 2), options: target.options())
        BothSides.expectExactAgreement(m, messages: 41)
        #expect(m.workers.map(\.messages) == [21, 20])
    }

    @Test func rrCaseAgainstAnAgentIsServedToo() throws {
        let target = try InProcessServer(mode: .agent)
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(stop: .messages(50)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 50)
    }

    @Test func streamTxWithTwoConnectionsMovesExactlyItsQuota() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        // 64 writes of 16 KiB over two connections: 32 each.
        let m = try CaseRunner.run(Specs.stream(direction: .tx, stop: .messages(64), connections: 2), options: target.options())
        BothSides.expectStreamTotalsAgree(m)
        #expect(m.workers.map(\.messages) == [32, 32])
        #expect(m.workers.map(\.reading.tally.bytesOut) == [32 * 16384, 32 * 16384])
        #expect(m.workers.map(\.reading.io.bytesWritten) == [32 * 16384, 32 * 16384], "a stream's wire bytes are its bytes")
        for worker in m.workers {
            let theirs = m.target?.connections.first { $0.index == worker.index }
            // The target's interval opens at the mark, before the driver's: it may hold warmup
            // bytes still in flight, never fewer than the driver measured.
            #expect((theirs?.payloadBytesRx ?? 0) >= worker.reading.tally.bytesOut)
            #expect(theirs?.payloadBytesTx == 0)
        }
    }

    @Test func streamTxBoundedByBytesRoundsUpToWholeWrites() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.stream(direction: .tx, stop: .bytes(100_000)), options: target.options())
        BothSides.expectStreamTotalsAgree(m)
        // ceil(100000 / 16384) = 7 writes.
        #expect(m.workers.map(\.reading.tally.bytesOut) == [7 * 16384])
    }

    @Test func streamRxWithTwoConnectionsReadsItsQuotaAndDrainsTheRest() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.stream(direction: .rx, stop: .messages(64), connections: 2), options: target.options())
        BothSides.expectStreamTotalsAgree(m)
        #expect(m.workers.map(\.messages) == [32, 32])
        for worker in m.workers {
            // Reads take what is there: the quota, plus less than one write's worth.
            #expect(worker.reading.tally.bytesIn >= 32 * 16384 && worker.reading.tally.bytesIn < 33 * 16384)
            #expect(worker.reading.tally.bytesOut == 0)
            #expect(worker.total.bytesIn >= worker.reading.tally.bytesIn, "the drain after the interval is counted in the totals")
        }
    }

    /// `messages: N` on a `both` stream is N in all: each direction carries half (before, each
    /// carried N, and the case counted about 2N).
    @Test func streamBothCountsItsQuotaOnce() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.stream(direction: .both, stop: .messages(64)), options: target.options())
        BothSides.expectStreamTotalsAgree(m)
        let worker = try #require(m.workers.first)
        #expect(worker.reading.tally.bytesOut == 32 * 16384, "the driver writes its half")
        // Reads take what is there: its half, plus less than one write's worth.
        #expect(worker.reading.tally.bytesIn >= 32 * 16384 && worker.reading.tally.bytesIn < 33 * 16384)
        #expect(worker.messages == 64, "\(worker.messages) messages for a quota of 64")

        // An odd count: the driver's writes take the larger half; still 7 in all.
        let odd = try CaseRunner.run(Specs.stream(direction: .both, stop: .messages(7)), options: target.options())
        let oddWorker = try #require(odd.workers.first)
        #expect(oddWorker.reading.tally.bytesOut == 4 * 16384)
        #expect(oddWorker.messages == 7, "\(oddWorker.messages) messages for a quota of 7")
    }

    @Test func streamBothWithTwoConnectionsForADuration() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.stream(direction: .both, stop: Specs.shortDuration, connections: 2), options: target.options())
        BothSides.expectStreamTotalsAgree(m)
        #expect(m.workers.count == 2)
        for worker in m.workers {
            #expect(worker.reading.tally.bytesOut > 0 && worker.reading.tally.bytesIn > 0, "both directions moved")
            #expect(worker.messages == (worker.reading.tally.bytesIn + worker.reading.tally.bytesOut) / 16384)
        }
        #expect(m.target.map { $0.payloadBytesRx ?? 0 > 0 && $0.payloadBytesTx ?? 0 > 0 } == true)
    }

    @Test func progressIsReportedWhileACaseRuns() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let seen = LockedValue<[CaseProgress]>([])
        var options = target.options()
        options.onProgress = { progress in seen.withLock { $0.append(progress) } }
        _ = try CaseRunner.run(Specs.rr("progress", stop: .duration(nanos: 50_000_000)), options: options)
        let progress = seen.value
        #expect(progress.contains { $0.phase == .warmup })
        #expect(progress.contains { $0.phase == .measure })
        #expect(progress.allSatisfy { $0.caseName == "progress" })
    }

    @Test func aMaskedCaseAgainstAnEchoTargetIsRefusedWithItsReason() throws {
        let target = try InProcessServer(mode: .echo)
        defer { target.stop() }
        do {
            _ = try CaseRunner.run(Specs.masked(), options: target.options())
            Issue.record("an echo target ran a masked case")
        } catch {
            guard case let .rejected(message) = error else {
                Issue.record("expected a refusal, got \(error)")
                return
            }
            #expect(message.code == "wrong_mode")
            #expect(message.message.contains("--mode agent"))
            #expect(error.description.hasPrefix("the target refused:"))
        }
        let logged = target.log.entries("bad hello", atLeast: .warning)
        #expect(logged.count == 1 && logged.first?.metadata["code"] == "wrong_mode", "\(target.log.all)")
    }

    /// A replay's corpus gone by the time its case starts is the corpus's error, not "local
    /// target: corpus ..." (review).
    @Test func aCorpusGoneAtTheCasesStartIsSaidToBeTheCorpus() throws {
        var replay = ReplayWorkload()
        replay.corpus = "/nonexistent/vsb-corpus-\(HostFacts.current().pid)"
        let spec = CaseSpec(name: "agent", workload: .replay(replay))
        var options = DriverOptions(target: .unix(path: "/tmp/vsb-engine-nobody-\(HostFacts.current().pid).sock"))
        options.ioTimeoutSeconds = 1
        do {
            _ = try CaseRunner.run(spec, options: options)
            Issue.record("ran without a corpus")
        } catch {
            guard case .corpus = error else {
                Issue.record("expected the corpus's error, got \(error)")
                return
            }
            #expect(error.description.hasPrefix("corpus /nonexistent/vsb-corpus-"), "\(error)")
            #expect(!error.description.contains("local target"), "\(error)")
        }
    }

    @Test func noTargetIsATransportError() throws {
        var options = DriverOptions(target: .unix(path: "/tmp/vsb-engine-nobody-\(HostFacts.current().pid).sock"))
        options.ioTimeoutSeconds = 1
        do {
            _ = try CaseRunner.run(Specs.rr(), options: options)
            Issue.record("ran without a target")
        } catch {
            guard case .transport = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
        }
    }
}
