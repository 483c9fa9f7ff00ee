import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// A target that corrupts or loses data (`TargetConfiguration.fault`): the measurement's
/// failures say which message or byte, and the whole-connection loss checks catch the rest.
@Suite struct CaseRunnerFaultTests {
    static func rr(inflight: Int) -> CaseSpec {
        var spec = Specs.rr(exchange: Exchange(inflight: inflight), stop: .messages(50))
        spec.warmupNanos = 0
        return spec
    }

    @Test func aCorruptedResponseInStopAndWaitIsNamed() throws {
        let target = try InProcessServer(fault: .corruptResponse(5))
        defer { target.stop() }
        let m = try CaseRunner.run(Self.rr(inflight: 1), options: target.options())
        #expect(m.failures.first == "connection 0, request sequence 5: response payload differs from what was sent at byte 512 (corrupted)", "\(m.failures)")
        // Five responses verified; the target answered six requests.
        #expect(m.failures.contains("connection 0: 5 requests answered and verified, the target handled 6"), "\(m.failures)")
        #expect(m.workers[0].total.messages == 5)
    }

    /// The last response of a count-bounded run is checked like the others: named, not counted.
    @Test func aCorruptedLastResponseInStopAndWaitIsNamed() throws {
        let target = try InProcessServer(fault: .corruptResponse(49))
        defer { target.stop() }
        let m = try CaseRunner.run(Self.rr(inflight: 1), options: target.options())
        #expect(m.failures.first == "connection 0, request sequence 49: response payload differs from what was sent at byte 512 (corrupted)", "\(m.failures)")
        #expect(m.workers[0].total.messages == 49)
    }

    /// `verify: edges` checks a response's header and its first and last bytes only: the
    /// fault (a byte in the middle) goes unseen, and the result says what was checked.
    @Test func edgeVerificationLetsAByteInsideThrough() throws {
        let target = try InProcessServer(fault: .corruptResponse(5))
        defer { target.stop() }
        var spec = Self.rr(inflight: 1)
        spec.updateRR { $0.verify = .edges }
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        #expect(m.workers[0].messages == 50, "every measured response passed")
    }

    @Test func aCorruptedResponseInAPipelineIsNamed() throws {
        let target = try InProcessServer(fault: .corruptResponse(5))
        defer { target.stop() }
        var spec = Specs.rr(exchange: Specs.coalesce, stop: .messages(50))
        spec.warmupNanos = 0
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.first == "connection 0, request sequence 5: response payload differs from what was sent at byte 512 (corrupted)", "\(m.failures)")
        #expect(m.workers[0].total.messages == 5)
    }

    @Test func aDroppedResponseInAWindowIsLostOrReordered() throws {
        let target = try InProcessServer(fault: .dropResponse(3))
        defer { target.stop() }
        let m = try CaseRunner.run(Self.rr(inflight: 4), options: target.options())
        #expect(m.failures.first == "connection 0, request sequence 3: expected the response to request sequence 3, got sequence 4 (lost or reordered)", "\(m.failures)")
        #expect(m.workers[0].total.messages == 3)
        #expect(m.failures.contains { $0.hasPrefix("connection 0: 3 requests answered and verified, the target handled ") }, "\(m.failures)")
    }

    @Test func aDroppedResponseInStopAndWaitTimesOut() throws {
        let target = try InProcessServer(fault: .dropResponse(3))
        defer { target.stop() }
        let m = try CaseRunner.run(Self.rr(inflight: 1), options: target.options(ioTimeoutSeconds: 1))
        #expect(m.failures.first?.hasPrefix("connection 0, request sequence 3: the target did not answer in time") == true, "\(m.failures)")
        #expect(m.failures.first?.contains("(recv timed out: no data within 1 s)") == true, "the configured timeout is named: \(m.failures)")
        #expect(m.failures.contains("connection 0: 3 requests answered and verified, the target handled 4"), "\(m.failures)")
    }

    @Test(arguments: [1000, 100_000])
    func aCorruptedStreamByteIsFoundAtItsOffset(offset: Int) throws {
        // The finish wait is short: after a failed read the target may be left writing (see
        // aFailedStreamCheckLeavesTheTargetFree below).
        let target = try InProcessServer(fault: .corruptStream(UInt64(offset))) { $0.finishTimeoutNanos = 300_000_000 }
        defer { target.stop() }
        var spec = Specs.stream(direction: .rx, verify: .full, stop: .bytes(1 << 20))
        spec.warmupNanos = 0
        let m = try CaseRunner.run(spec, options: target.options())
        // Byte 1000 may arrive with the hello's ack; the failure names its offset either way.
        #expect(m.failures.first?.hasPrefix("connection 0: stream byte at offset \(offset) is not the expected one (lost, duplicated or altered data)") == true,
                "\(m.failures)")
    }

    @Test func aCorruptedStreamByteInBothDirectionsIsFound() throws {
        let target = try InProcessServer(fault: .corruptStream(50_000)) { $0.finishTimeoutNanos = 300_000_000 }
        defer { target.stop() }
        var spec = Specs.stream(direction: .both, verify: .full, stop: .bytes(1 << 20), connections: 2)
        spec.warmupNanos = 0
        let m = try CaseRunner.run(spec, options: target.options())
        // Every connection's target corrupts its own byte 50000; the first to see it stops the case.
        #expect(m.failures.first?.contains(": stream byte at offset 50000 is not the expected one (lost, duplicated or altered data)") == true,
                "\(m.failures)")
    }

    /// When a stream read fails its check, the driver closes the connection both ways at once,
    /// so a target source blocked inside a write sees the end and its connection finishes: the
    /// stats come back without waiting out the target's finish timeout (0.3 s here; 10 s by
    /// default). A 1 MiB write size makes sure the target is mid-write; the corrupted byte lies
    /// beyond what can arrive with the ack (checked, but drained).
    @Test(arguments: [StreamDirection.rx, .both])
    func aFailedStreamCheckLeavesTheTargetFree(direction: StreamDirection) throws {
        let target = try InProcessServer(fault: .corruptStream(400_000)) { $0.finishTimeoutNanos = 300_000_000 }
        defer { target.stop() }
        var spec = Specs.stream(direction: direction, writeSize: 1 << 20, verify: .full, stop: .bytes(4 << 20))
        spec.warmupNanos = 0
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.first?.contains("stream byte at offset 400000 is not the expected one") == true, "\(m.failures)")
        #expect(!m.failures.contains { $0.contains("not every data connection finished") }, "\(m.failures)")
        #expect(m.target?.errors.allSatisfy { $0.contains("Broken pipe") || $0.contains("reset") } == true,
                "the target's only complaint is that the driver went away: \(m.target?.errors ?? [])")
        #expect(!m.failures.contains { $0.contains("lost data") }, "a failed check is not also reported as lost bytes: \(m.failures)")
    }

    @Test func cleanStreamsPassEdgeVerification() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.stream(direction: .both, verify: .edges, stop: .messages(64)), options: target.options())
        BothSides.expectStreamTotalsAgree(m)
    }
}
