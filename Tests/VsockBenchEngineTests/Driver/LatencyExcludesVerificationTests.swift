#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockWire
@testable import VsockBenchEngine

/// Latency is from a request's being ready to its response's arrival: verifying the response
/// is the driver's own work (the masked verifier takes about 17 µs a message in a release
/// build), which the stop-and-wait loop read as channel latency (review).
@Suite struct LatencyExcludesVerificationTests {
    /// Answers every request at once with a header-only response.
    final class InstantChannel: RoundTripChannel, @unchecked Sendable {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
        deinit { buffer.deallocate() }
        func reserve(_ size: Int) -> UnsafeMutableRawPointer { buffer }
        func roundTrip(_ size: Int) throws(DriverError) -> Frame {
            Frame(header: FrameHeader(type: .response, length: 0), payload: UnsafeRawBufferPointer(start: buffer, count: 0),
                  wholeFrame: UnsafeMutableRawBufferPointer(start: buffer, count: FrameHeader.size))
        }
        func roundTrip(sending frame: UnsafeRawPointer, _ size: Int) throws(DriverError) -> Frame { try roundTrip(size) }
    }

    /// Each verification takes `nanos` (a sleep), as a slow verifier would.
    final class SlowVerifySource: RequestSource, @unchecked Sendable {
        let nanos: UInt32
        init(micros: UInt32) { nanos = micros }
        func prepare(_ sequence: UInt64) -> Int { FrameHeader.size }
        func write(_ sequence: UInt64, into destination: UnsafeMutableRawPointer, measured: Bool) {}
        func verify(_ frame: Frame, _ sequence: UInt64) throws(DriverError) -> Int {
            usleep(nanos)
            return 0
        }
    }

    @Test func aSlowVerificationIsNotLatency() {
        let control = RunControl()
        control.enter(.measure)
        let source = SlowVerifySource(micros: 20_000)
        let loop = StopAndWaitLoop(index: 0, source: source, control: control, quota: 5)
        let meter = IntervalMeter(io: nil)
        let (latency, sent) = loop.run(InstantChannel(), lane: meter.lane(owning: []))
        #expect(sent == 5 && latency.total.totalCount == 5, "\(sent) sent, \(latency.total.totalCount) recorded")
        // Each verification sleeps 20 ms; an instant channel's round trip is microseconds
        // (10 ms leaves room for a stalled machine).
        let p50 = latency.total.valueAtPercentile(50)
        #expect(p50 < 10_000_000, "p50 \(p50) ns includes the 20 ms verification")
    }
}
