import VsockBenchModel

/// Which figures `check` gates for a case, and how.
///
/// Throughput is gated once per flow: msgs/s for request/response (its Mbps moves with it, and
/// one slowdown is not two regressions), p99 with it; for a stream, Mbps in the direction it
/// moves (`mbps_tx` for tx, `mbps_rx` for rx), application payload per direction as everywhere.
/// A `both` stream gates each direction, two figures with a verdict each: they are two flows,
/// and one can slow while the other holds (their sum would show rx halving as a quarter off,
/// under a name that is no direction's Mbps). Counts per
/// message are gated tightly where the code alone decides them: the writes of a strategy that
/// writes each frame at once (not in a `both` stream, where they follow the directions'
/// split), the bytes on the wire; reads (and what follows them: syscalls,
/// credit updates, exits) only in stop-and-wait, where nothing else can arrive with a frame.
/// Elsewhere a count depends on arrival timing and is gated like a timing.
enum CheckGate {
    /// How one figure of one case is judged.
    enum Kind: Equatable {
        /// Deterministic: tight bound, no test needed.
        case count
        /// Noisy: minimum effect and beyond the noise.
        case timing
        /// A count that depends on timing in this case; `why` says so in the report.
        case variableCount(why: String)
    }

    static func figures(for spec: CaseSpec) -> [(Figure, Kind)] {
        var gated: [(Figure, Kind)] = []
        if let stream = spec.stream {
            gated += mbps(for: stream.direction).map { ($0, .timing) }
        } else {
            gated += [(.msgsPerSecond, .timing), (.latencyP99, .timing)]
        }
        let stopAndWait = spec.exchange?.isStopAndWait ?? false
        let frameAtOnce = spec.exchange.map { $0.strategy.writesEachFrameAtOnce } ?? true
        let batchNote = "a batching strategy writes what has arrived: writes per message depend on timing"
        let readNote = stopAndWait ? "" : "reads return what has arrived: with more than one message in flight (or a stream) reads per message depend on timing"
        // A both-ways stream counts both directions' messages, and each side writes one of them.
        let bothNote = "a both-ways stream: each side writes one direction's messages, and how they split between the directions depends on timing"
        let writes: Kind = spec.stream?.direction == .both ? .variableCount(why: bothNote) : frameAtOnce ? .count : .variableCount(why: batchNote)
        gated.append((.writesPerMessage, writes))
        gated.append((.targetWritesPerMessage, writes))
        gated.append((.wireBytesPerMessage, .count))
        for figure in [Figure.readsPerMessage, .targetReadsPerMessage, .syscalls, .vsockPackets, .creditUpdates, .exits] {
            gated.append((figure, stopAndWait ? .count : .variableCount(why: readNote)))
        }
        return gated
    }

    /// The Mbps figures of a stream that moves `direction`: one per direction it moves.
    static func mbps(for direction: StreamDirection) -> [Figure] {
        switch direction {
        case .tx: return [.mbpsTx]
        case .rx: return [.mbpsRx]
        case .both: return [.mbpsTx, .mbpsRx]
        }
    }
}
