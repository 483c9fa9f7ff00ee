import Testing
import VsockBenchModel
import VsockWire
@testable import VsockBenchEngine

/// Checks that compare what the driver measured with what the target reported.
enum BothSides {
    /// A request/response case: connection by connection, the target's interval counts equal
    /// the driver's exactly (messages, payload bytes each way, bytes on the wire each way),
    /// and the messages add up to `messages`. `wire: false` for the in-process target (no socket);
    /// `padded: true` when the strategy pads frames (their wire bytes are checked by the caller).
    static func expectExactAgreement(_ m: CaseMeasurement, messages: Int, wire: Bool = true, padded: Bool = false,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(m.failures.isEmpty, "\(m.failures)", sourceLocation: sourceLocation)
        guard let target = m.target else {
            Issue.record("no stats from the target", sourceLocation: sourceLocation)
            return
        }
        #expect(m.workers.map(\.index) == Array(0..<m.spec.connections), sourceLocation: sourceLocation)
        #expect(target.connections.map(\.index) == Array(0..<m.spec.connections), sourceLocation: sourceLocation)
        #expect(m.workers.reduce(0) { $0 + $1.messages } == UInt64(messages), "driver messages", sourceLocation: sourceLocation)
        #expect(target.messages == UInt64(messages), "target messages", sourceLocation: sourceLocation)
        for worker in m.workers {
            guard let theirs = target.connections.first(where: { $0.index == worker.index }) else { continue }
            let mine = worker.reading
            let c = "connection \(worker.index)"
            #expect(theirs.messages == mine.tally.messages, "\(c): messages", sourceLocation: sourceLocation)
            #expect(theirs.payloadBytesRx == mine.tally.bytesOut, "\(c): request payload bytes", sourceLocation: sourceLocation)
            #expect(theirs.payloadBytesTx == mine.tally.bytesIn, "\(c): response payload bytes", sourceLocation: sourceLocation)
            #expect(worker.latency?.totalCount == mine.tally.messages, "\(c): one latency sample per measured message", sourceLocation: sourceLocation)
            #expect(theirs.totalMessages == worker.total.messages, "\(c): whole-connection messages", sourceLocation: sourceLocation)
            #expect(theirs.error == nil, "\(c): \(theirs.error ?? "")", sourceLocation: sourceLocation)
            if wire {
                #expect(theirs.bytesRx == mine.io.bytesWritten, "\(c): request bytes on the wire", sourceLocation: sourceLocation)
                #expect(theirs.bytesTx == mine.io.bytesRead, "\(c): response bytes on the wire", sourceLocation: sourceLocation)
                if !padded {
                    // Frames carry a header and nothing else besides the payload.
                    #expect(mine.io.bytesWritten == mine.tally.bytesOut + mine.tally.messages * UInt64(FrameHeader.size),
                            "\(c): the interval's writes are its requests' frames, no warmup or bye", sourceLocation: sourceLocation)
                    #expect(mine.io.bytesRead == mine.tally.bytesIn + mine.tally.messages * UInt64(FrameHeader.size),
                            "\(c): the interval's reads are its responses' frames", sourceLocation: sourceLocation)
                }
            } else {
                #expect(theirs.bytesRx == 0 && theirs.bytesTx == 0 && theirs.reads == 0 && theirs.writes == 0, sourceLocation: sourceLocation)
            }
        }
    }

    /// A stream case: whole-connection totals agree both ways, connection by connection.
    static func expectStreamTotalsAgree(_ m: CaseMeasurement, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(m.failures.isEmpty, "\(m.failures)", sourceLocation: sourceLocation)
        guard let target = m.target else {
            Issue.record("no stats from the target", sourceLocation: sourceLocation)
            return
        }
        #expect(target.connections.map(\.index) == Array(0..<m.spec.connections), sourceLocation: sourceLocation)
        for worker in m.workers {
            guard let theirs = target.connections.first(where: { $0.index == worker.index }) else { continue }
            #expect(theirs.totalStreamBytesRx == worker.total.bytesOut, "connection \(worker.index): bytes the driver sent", sourceLocation: sourceLocation)
            #expect(theirs.totalStreamBytesTx == worker.total.bytesIn, "connection \(worker.index): bytes the target sent", sourceLocation: sourceLocation)
            #expect(theirs.error == nil, "connection \(worker.index): \(theirs.error ?? "")", sourceLocation: sourceLocation)
        }
    }
}
