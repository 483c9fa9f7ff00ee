import Testing
import VsockBenchModel
import VsockWire
@testable import VsockBenchEngine

@Suite struct InPlaceFramesTests {
    /// The frame the copying path builds for request `sequence`.
    static func copied(_ source: EchoSource, _ sequence: UInt64, measured: Bool) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: source.prepare(sequence))
        bytes.withUnsafeMutableBytes { source.write(sequence, into: $0.baseAddress!, measured: measured) }
        return bytes
    }

    @Test("a frame built in place is byte for byte the frame the sink would have built", arguments: [0, 1, 100, 8192, 65536])
    func sameBytesAsTheCopy(requestSize: Int) {
        let pool = PayloadPool(seed: 7, maxMessage: max(requestSize, 64 * 1024))
        let source = EchoSource(workload: RequestResponseWorkload(requestSize: requestSize, responseSize: 512), pool: pool)
        // Enough sequences to land windows near the start and the end of the period.
        for sequence: UInt64 in 0..<2000 {
            let measured = sequence % 3 == 0
            let expected = Self.copied(source, sequence, measured: measured)
            let size = source.prepare(sequence)
            guard let frame = source.frameInPlace(sequence, measured: measured) else {
                Issue.record("an rr source builds its frames in place")
                return
            }
            let got = Array(UnsafeRawBufferPointer(start: frame, count: size))
            source.sent()
            if got != expected {
                Issue.record("request \(sequence) differs from the copied frame")
                return
            }
        }
    }

    @Test("putting a header back restores the pool bytes it covered, so later windows stay intact")
    func putBackRestores() {
        let pool = PayloadPool(seed: 3, maxMessage: 64 * 1024)
        let frames = InPlaceFrames(pool: pool, payload: 8192)
        let header = FrameHeader(type: .request, length: 8192, sequence: 0)
        // Send every window twice over, each time checking the payload against the shared pool.
        for round in 0..<2 {
            for sequence: UInt64 in 0..<3000 {
                let frame = frames.frame(header, sequence: sequence)
                let payload = UnsafeRawBufferPointer(start: frame + FrameHeader.size, count: 8192)
                let intact = pool.matches(payload, sequence: sequence)
                frames.putBack()
                if !intact {
                    Issue.record("round \(round), request \(sequence): its window was changed by an earlier header")
                    return
                }
            }
        }
    }
}
