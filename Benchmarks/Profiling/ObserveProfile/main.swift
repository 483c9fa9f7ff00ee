// A plain executable that feeds observe's reader N synthetic exchanges, for profilers:
//
//   swift build --package-path Benchmarks -c release --product ObserveProfile
//   valgrind --tool=callgrind Benchmarks/.build/release/ObserveProfile 20000
//   valgrind --tool=callgrind Benchmarks/.build/release/ObserveProfile 40000
//
// The difference between the two runs, divided by 4 x 20000, is the reader's instructions per
// packet event (setup and the final report cancel out). Each exchange is what rr 8 KiB
// stop-and-wait puts on one loopback connection, as the tap delivers it: the parent's RW
// request, the peer's credit update, the peer's RW response, the parent's credit update,
// 100 µs apart, in batches of 200 events (20 ms of polling at 2500 exchanges/s), in time
// order (the ring buffer's callback in `VsockTap`, and batches out of order, are not profiled).
import VsockObserve
import VsockProbe

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2, let exchanges = Int(arguments[1]), exchanges >= 0 else {
    print("usage: ObserveProfile EXCHANGES [BATCH]")
    exit(2)
}
let batchSize = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200

let parent = (cid: UInt32(1), port: UInt32(49152))
let peer = (cid: UInt32(1), port: UInt32(5005))
let message: UInt32 = 8224

func event(_ index: Int) -> TapEvent {
    let exchange = index / 4
    let nanos = 1_000_000 + UInt64(exchange) * 100_000 + UInt64(index % 4) * 20_000
    let read = UInt32(truncatingIfNeeded: (exchange + 1) * Int(message))
    switch index % 4 {
    case 0:
        return TapEvent(
            timestampNanos: nanos, kind: .sent, sourceCID: parent.cid, sourcePort: parent.port,
            destinationCID: peer.cid, destinationPort: peer.port, length: message, op: VsockOp.rw.rawValue)
    case 1:
        return TapEvent(
            timestampNanos: nanos, kind: .received, sourceCID: peer.cid, sourcePort: peer.port,
            destinationCID: parent.cid, destinationPort: parent.port, length: 0, op: VsockOp.creditUpdate.rawValue,
            bufferAllocation: 262_144, forwardCount: read)
    case 2:
        return TapEvent(
            timestampNanos: nanos, kind: .received, sourceCID: peer.cid, sourcePort: peer.port,
            destinationCID: parent.cid, destinationPort: parent.port, length: message, op: VsockOp.rw.rawValue,
            bufferAllocation: 262_144, forwardCount: read)
    default:
        return TapEvent(
            timestampNanos: nanos, kind: .sent, sourceCID: parent.cid, sourcePort: parent.port,
            destinationCID: peer.cid, destinationPort: peer.port, length: 0, op: VsockOp.creditUpdate.rawValue)
    }
}

/// In a function: top-level variables are globals, whose accesses Swift checks for exclusivity
/// at run time, which the reader in `ObserveSession` does not pay.
func feed(exchanges: Int, batchSize: Int) throws -> ObservationBuilder {
    var builder = ObservationBuilder()
    var batch: [TapEvent] = []
    batch.reserveCapacity(batchSize)
    for index in 0..<(exchanges * 4) {
        batch.append(event(index))
        if batch.count == batchSize {
            try builder.take(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
    try builder.take(batch)
    try builder.finish()
    return builder
}

let builder = try feed(exchanges: exchanges, batchSize: batchSize)
let total = builder.total
print("exchanges \(total.exchanges) packets \(builder.packets) turnaround p50 \(total.turnaround.valueAtPercentile(50)) ns")
