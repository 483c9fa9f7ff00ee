import Testing

@testable import VsockObserve

/// Exchanges rebuilt from packet sequences whose truth is known.
@Suite struct ConnectionTrackerTests {
    @Test("stop-and-wait: every exchange found, sizes exact, turnaround and think time to the nanosecond, 1 in flight")
    func stopAndWait() {
        var script = PacketScript()
        script.handshake()
        for _ in 0..<50 { script.exchange(request: 8224, response: 5000, work: 2_000_000, think: 300_000) }
        let (exchanges, tracker) = script.run()
        #expect(exchanges.count == 50)
        #expect(exchanges.allSatisfy { $0.requestBytes == 8224 && $0.responseBytes == 5000 })
        #expect(exchanges.allSatisfy { $0.turnaroundNanos == 2_000_000 })
        #expect(exchanges.first?.thinkNanos == nil)
        #expect(exchanges.dropFirst().allSatisfy { $0.thinkNanos == 300_000 })
        #expect(exchanges.allSatisfy { $0.inFlight == 1 })
        // Each exchange: the request and the parent's credit update out; the peer's update and answer back.
        #expect(exchanges.allSatisfy { $0.packetsFromParent == 2 && $0.packetsToParent == 2 && $0.creditUpdates == 2 })
        #expect(tracker.totals.payloadFromParent == 50 * 8224)
        #expect(tracker.totals.unansweredRequests == 0)
    }

    @Test("a request in many small packets is one turn: one exchange, its packets counted")
    func smallPiecesAreOneTurn() {
        var script = PacketScript()
        for _ in 0..<10 { script.exchange(request: 8192, response: 100, work: 1_000_000, think: 10_000, requestPieces: 17) }
        let (exchanges, _) = script.run()
        #expect(exchanges.count == 10)
        #expect(exchanges.allSatisfy { $0.requestDataPackets == 17 && $0.requestBytes == 8192 })
        #expect(exchanges.allSatisfy { $0.turnaroundNanos == 1_000_000 })
    }

    @Test("pipelined: requests the peer has not read when it answers are in flight")
    func pipelinedDepth() {
        var script = PacketScript()
        script.handshake()
        for _ in 0..<4 { script.parentSends(1000) }
        script.wait(100_000)
        // The peer reads and answers one request at a time; the parent sends one more per answer.
        for _ in 0..<20 {
            script.peerReads(1000)
            script.peerSends(1000)
            script.wait(1000)
            script.parentSends(1000)
            script.wait(100_000)
        }
        let (exchanges, _) = script.run()
        #expect(exchanges.map(\.inFlight).max() == 4)
        #expect(exchanges.dropFirst().allSatisfy { $0.inFlight == 4 })
    }

    @Test("observed from the middle of a connection: fwd_cnt's start is unknown, stop-and-wait still reads as 1")
    func midConnectionCalibrates() {
        var script = PacketScript()
        script.peerRead = 3_000_000_000
        script.sentToPeer = 3_000_000_000
        for _ in 0..<20 { script.exchange(request: 8224, response: 8224, work: 50_000, think: 5_000) }
        let (exchanges, _) = script.run()
        #expect(exchanges.count == 20)
        #expect(exchanges.allSatisfy { $0.inFlight == 1 })
    }

    @Test("a one-way stream has no exchange; a request left unanswered at the end is counted as such")
    func streamAndUnanswered() {
        var script = PacketScript()
        script.handshake()
        for index in 0..<100 {
            script.parentSends(65536)
            script.wait(10_000)
            if index % 3 == 0 { script.peerReadsAll() }
        }
        let (exchanges, tracker) = script.run()
        #expect(exchanges.isEmpty)
        #expect(tracker.totals.payloadFromParent == 100 * 65536)
        #expect(tracker.totals.unansweredRequests == 1)
    }

    @Test("data from the peer before any request is not an exchange")
    func greetingIsNotAnExchange() {
        var script = PacketScript()
        script.peerSends(64)
        script.wait(1000)
        script.exchange(request: 10, response: 20, work: 1000, think: 1000)
        let (exchanges, tracker) = script.run()
        #expect(exchanges.count == 1)
        #expect(exchanges.first?.responseBytes == 20)
        #expect(tracker.totals.unansweredTurnBytes == 64)
    }

    @Test("the same ends reused by a new connection (a handshake after data): fresh fwd_cnt, no think time across the gap")
    func reusedEnds() {
        var script = PacketScript()
        script.handshake()
        for _ in 0..<5 { script.exchange(request: 8224, response: 5000, work: 1_000_000, think: 200_000) }
        // The parent closes; two seconds later a new connection comes from the same port to the same port.
        script.packets.append(ObservedPacket(timestampNanos: script.now, direction: .fromParent, connection: PacketScript.connection, op: 4, length: 0))
        script.wait(1000)
        script.packets.append(ObservedPacket(timestampNanos: script.now, direction: .toParent, connection: PacketScript.connection, op: 3, length: 0))
        script.wait(2_000_000_000)
        script.peerRead = 0
        script.sentToPeer = 0
        script.handshake()
        for _ in 0..<5 { script.exchange(request: 8224, response: 5000, work: 1_000_000, think: 200_000) }
        let (exchanges, tracker) = script.run()
        #expect(exchanges.count == 10)
        #expect(exchanges.allSatisfy { $0.inFlight == 1 }, "\(exchanges.map(\.inFlight))")
        // The new connection's first exchange has no previous answer on it: no think time.
        #expect(exchanges[5].thinkNanos == nil, "\(String(describing: exchanges[5].thinkNanos))")
        #expect(exchanges.dropFirst(6).allSatisfy { $0.thinkNanos == 200_000 })
        // The last exchange of the first connection ends with its shutdown and reset, not with the
        // next connection's handshake.
        #expect(exchanges[4].packetsFromParent == 3 && exchanges[4].packetsToParent == 3, "\(exchanges[4])")
        #expect(exchanges.allSatisfy { $0.turnaroundNanos == 1_000_000 })
        #expect(tracker.totals.payloadFromParent == 10 * 8224)
    }
}
