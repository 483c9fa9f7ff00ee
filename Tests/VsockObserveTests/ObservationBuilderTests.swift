import Testing
import VsockProbe

@testable import VsockObserve

/// From tap events, as the ring buffer hands them over, to connections and writes.
@Suite struct ObservationBuilderTests {
    static func sent(_ nanos: UInt64, from port: UInt32, op: UInt16 = 5, length: UInt32 = 100) -> TapEvent {
        TapEvent(timestampNanos: nanos, kind: .sent, sourceCID: 3, sourcePort: port, destinationCID: 16, destinationPort: 5005, length: length, op: op)
    }

    static func received(_ nanos: UInt64, to port: UInt32, op: UInt16 = 5, length: UInt32 = 200, read: UInt32 = 0) -> TapEvent {
        TapEvent(
            timestampNanos: nanos, kind: .received, sourceCID: 16, sourcePort: 5005, destinationCID: 3, destinationPort: port,
            length: length, op: op, bufferAllocation: 262_144, forwardCount: read)
    }

    @Test("events from two CPUs out of order within the horizon are taken in time order, per connection")
    func reordersAndSeparatesConnections() throws {
        var builder = ObservationBuilder()
        var events: [TapEvent] = []
        var t: UInt64 = 1_000_000_000
        var sent: [UInt32: UInt32] = [50000: 0, 50001: 0]
        for _ in 0..<30 {
            for port: UInt32 in [50000, 50001] {
                events.append(Self.sent(t, from: port))
                sent[port, default: 0] += 100
                events.append(Self.received(t + 1_000_000, to: port, read: sent[port] ?? 0))
                t += 10
            }
            t += 3_000_000
        }
        // A received event reaches the buffer before the send it answers (another CPU).
        for index in stride(from: 0, to: events.count - 1, by: 2) { events.swapAt(index, index + 1) }
        for chunk in stride(from: 0, to: events.count, by: 7) {
            try builder.take(Array(events[chunk..<min(chunk + 7, events.count)]))
        }
        try builder.finish()
        #expect(builder.connections.count == 2)
        for record in builder.connections.values {
            #expect(record.statistics.exchanges == 30)
            #expect(record.statistics.requestBytes.distribution.p50 == 100)
            #expect(record.statistics.responseBytes.distribution.max == 200)
            #expect(record.statistics.inFlightMax == 1)
        }
        #expect(builder.total.exchanges == 60)
        #expect(builder.packets == UInt64(events.count))
    }

    @Test("writes: sizes exact, counted by system call")
    func writes() throws {
        var builder = ObservationBuilder { _, _ in .socket(family: 40) }
        let sizes: [UInt32] = [4, 8192, 4, 8192, 4, 8192, 100]
        try builder.take(sizes.enumerated().map { index, size in
            TapEvent(timestampNanos: UInt64(index), kind: .write, length: size, tgid: 42, syscallNumber: index == 6 ? 20 : 1, descriptor: 5)
        })
        try builder.finish()
        #expect(builder.writes == 7)
        #expect(builder.writesBySyscall == ["write": 6, "writev": 1])
        let distribution = builder.writeSizes.distribution
        #expect(distribution.p50 == 100 && distribution.max == 8192 && distribution.p90 == 8192)
        #expect(builder.writeSizes.isExact)
    }

    @Test("events from before the observation's start (observe was still attaching) are left out: its span is the counters' and the rates'")
    func eventsBeforeTheStartAreLeftOut() throws {
        let start: UInt64 = 5_000_000_000
        var builder = ObservationBuilder { _, _ in .socket(family: 40) }
        builder.startNanos = start
        var before: [TapEvent] = []
        var after: [TapEvent] = []
        for index in 0..<10 {
            let t = start - 1_000_000_000 + UInt64(index) * 50_000_000
            before += [Self.sent(t, from: 50000), Self.received(t + 1_000_000, to: 50000, read: UInt32(index + 1) * 100)]
            before.append(TapEvent(timestampNanos: t + 2_000_000, kind: .write, length: 100, tgid: 42, syscallNumber: 1, descriptor: 5))
        }
        for index in 0..<4 {
            let t = start + 1_000 + UInt64(index) * 50_000_000
            after += [Self.sent(t, from: 50001), Self.received(t + 1_000_000, to: 50001, read: UInt32(index + 1) * 100)]
            after.append(TapEvent(timestampNanos: t + 2_000_000, kind: .write, length: 100, tgid: 42, syscallNumber: 1, descriptor: 5))
        }
        // The first batch holds both (the buffer drained at the start), the next what came after.
        try builder.take(Array(before.suffix(6)) + Array(after.prefix(3)))
        try builder.take(Array(after.dropFirst(3)))
        try builder.finish()
        #expect(builder.total.exchanges == 4, "\(builder.total.exchanges)")
        #expect(builder.packets == 8 && builder.writes == 4, "packets \(builder.packets), writes \(builder.writes)")
        #expect(Array(builder.connections.keys).map(\.parentPort) == [50001])
        #expect(builder.totals.payloadFromParent == 400)
    }

    @Test("an event later than the horizon (a CPU held up between reserving and stamping it) is taken late: no crash, no time going backwards")
    func eventLaterThanTheHorizon() throws {
        var builder = ObservationBuilder()
        // Connection 50000: a request at 1.000 s taken (the newest event, 1.1 s, is far ahead);
        // its answer, stamped 0.999 s by a CPU held up, comes in the next batch.
        try builder.take([Self.sent(1_000_000_000, from: 50000), Self.sent(1_100_000_000, from: 50001)])
        try builder.take([Self.received(999_000_000, to: 50000, read: 100), Self.received(1_101_000_000, to: 50001, read: 100)])
        try builder.finish()
        let record = try #require(builder.connections.values.first { $0.tracker.connection.parentPort == 50000 })
        let totals = record.tracker.totals
        let first = try #require(totals.firstNanos), last = try #require(totals.lastNanos)
        #expect(first <= last, "first \(first), last \(last)")
        // Its exchange is counted, and its turnaround with it (not wrapped around beyond the histogram).
        #expect(record.statistics.exchanges == 1)
        #expect(record.statistics.turnaround.totalCount == 1)
        let observation = Observation(
            options: ObserveOptions(port: 5005, durationSeconds: 1), connections: builder.connections, writeSizes: SizeDistribution(),
            writesBySyscall: [:], counters: nil, seconds: 1, lostPackets: 0, lostWrites: 0, contextSwitches: nil, pids: [],
            exitStatus: nil, warnings: [], sources: [], kernel: "test", startedAt: "now", pcapPackets: nil)
        let document = ObserveDocument(observation)
        #expect(document.connections.allSatisfy { $0.seconds >= 0 })
    }

    @Test("only the followed process's writes to vsock sockets are its writes; each descriptor is looked at once")
    func writesToOtherDescriptorsAreLeftOut() throws {
        var asked: [Int32] = []
        // Descriptor 7 is the vsock socket; 1 (its log) and 9 are not.
        var builder = ObservationBuilder { _, fd in
            asked.append(fd)
            return fd == 7 ? .socket(family: 40) : fd == 1 ? .notSocket : .socket(family: 1)
        }
        builder.horizonNanos = 0
        let descriptors: [Int32] = [1, 7, 7, 1, 9, 7, 1]
        try builder.take(descriptors.enumerated().map { index, fd in
            TapEvent(timestampNanos: UInt64(index + 1) * 1000, kind: .write, length: fd == 7 ? 8192 : 40, tgid: 4242, syscallNumber: 1, descriptor: fd)
        })
        try builder.finish()
        #expect(builder.writes == 3 && builder.otherWrites == 4)
        #expect(builder.writeSizes.distribution.max == 8192 && builder.writeSizes.distribution.p50 == 8192)
        #expect(asked == [1, 7, 9], "each descriptor once: \(asked)")
    }

    @Test("a descriptor is looked at as its write arrives, again after a second, and not remembered once gone")
    func descriptorAnswersExpireAndGoneIsAskedAgain() throws {
        var answers: [DescriptorKind] = [.gone, .socket(family: 40), .notSocket]
        var asked = 0
        var builder = ObservationBuilder { _, _ in
            asked += 1
            return answers.removeFirst()
        }
        builder.horizonNanos = 10_000_000_000
        func write(at seconds: Double) -> TapEvent {
            TapEvent(timestampNanos: UInt64(seconds * 1e9), kind: .write, length: 100, tgid: 4242, syscallNumber: 1, descriptor: 5)
        }
        // Gone at the first write (not remembered); a vsock socket at the next two, asked once;
        // a second later the number is a file's.
        try builder.take([write(at: 1.0)])
        try builder.take([write(at: 1.1), write(at: 1.2)])
        try builder.take([write(at: 2.5)])
        #expect(asked == 3, "asked \(asked) times")
        try builder.finish()
        #expect(builder.writes == 2 && builder.otherWrites == 2, "writes \(builder.writes), other \(builder.otherWrites)")
    }

    @Test("a loopback event pair becomes one connection seen from the side that connects to the port")
    func loopbackDirections() {
        let out = TapEvent(timestampNanos: 1, kind: .sent, sourceCID: 1, sourcePort: 40000, destinationCID: 1, destinationPort: 5005, length: 10, op: 5)
        let back = TapEvent(timestampNanos: 2, kind: .received, sourceCID: 1, sourcePort: 5005, destinationCID: 1, destinationPort: 40000, length: 20, op: 5)
        let a = ObservedPacket(out)
        let b = ObservedPacket(back)
        #expect(a?.connection == b?.connection)
        #expect(a?.direction == .fromParent && b?.direction == .toParent)
        #expect(a?.connection.peerPort == 5005)
    }
}

/// observe says when its reader fell behind the events it took (its work then ran after what
/// it observed), and not when it kept up.
@Suite struct ReaderLagTests {
    static func event(at nanos: UInt64) -> TapEvent {
        TapEvent(timestampNanos: nanos, kind: .write, length: 8192, tgid: 1, syscallNumber: 1, descriptor: 3)
    }

    @Test func aReaderThatKeptUpIsNotWarned() {
        var lag = ReaderLag()
        lag.note([Self.event(at: 1_000_000_000), Self.event(at: 1_010_000_000)], takenAt: 1_020_000_000)
        lag.note([], takenAt: 9_000_000_000)
        #expect(lag.maxNanos == 20_000_000)
        #expect(lag.warning == nil)
    }

    @Test func aReaderBehindIsWarnedWithHowFar() throws {
        var lag = ReaderLag()
        // The oldest of the batch counts, wherever it lies in it.
        lag.note([Self.event(at: 2_000_000_000), Self.event(at: 1_000_000_000)], takenAt: 2_250_000_000)
        lag.note([Self.event(at: 3_000_000_000)], takenAt: 3_010_000_000)
        #expect(lag.maxNanos == 1_250_000_000)
        let warning = try #require(lag.warning)
        #expect(warning.contains("fell up to 1.25 s behind"))
    }

    @Test func eventsFromBeforeTheStartAreLeftOut() {
        var lag = ReaderLag(since: 5_000_000_000)
        lag.note([Self.event(at: 1_000_000_000), Self.event(at: 5_100_000_000)], takenAt: 5_120_000_000)
        #expect(lag.maxNanos == 20_000_000)
        #expect(lag.warning == nil)
    }

    @Test func justAtTheLimitIsNotWarned() {
        var lag = ReaderLag()
        lag.note([Self.event(at: 1_000_000_000)], takenAt: 1_500_000_000)
        #expect(lag.warning == nil)
    }
}
