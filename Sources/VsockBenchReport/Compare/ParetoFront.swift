/// The cases nothing beats on both throughput and p99 latency: the ones worth choosing among.
///
/// One front per workload kind, since only like cases compare: rr and masked cases by
/// messages per second and p99; streams by Mbps alone (a stream has no per-message latency),
/// one front per direction (`stream tx`, `stream rx`, `stream both` by its busier direction),
/// so each front is its fastest stream: a tx stream beaten by an rx stream did another job
/// (review; compare's ratios refuse that pair too). A case is beaten when
/// another of its kind is at least as good on both figures and better on one; equal cases
/// beat neither, so ties all stay on the front. The figures are the medians. Only cases that
/// ran, moved data and verified every message stand: the others are on no front (nil).
public enum ParetoFront {
    /// For each case, in order: true on its workload's front, false beaten, nil not a candidate.
    public static func members(_ cases: [CaseResult]) -> [Bool?] {
        let points = cases.map(point)
        return points.enumerated().map { i, p in
            guard let p else { return nil }
            let beaten = points.enumerated().contains { j, q in
                guard j != i, let q, q.kind == p.kind else { return false }
                return q.dominates(p)
            }
            return !beaten
        }
    }

    struct Point {
        var kind: String
        var throughput: Double
        /// nil for a stream: every stream is level on latency.
        var p99: Double?

        func dominates(_ other: Point) -> Bool {
            let latencyNoWorse = (p99 ?? 0) <= (other.p99 ?? 0)
            let latencyBetter = (p99 ?? 0) < (other.p99 ?? 0)
            return throughput >= other.throughput && latencyNoWorse && (throughput > other.throughput || latencyBetter)
        }
    }

    /// The front `c` stands on: its workload kind, a stream's with its direction.
    public static func front(of c: CaseResult) -> String {
        if case let .stream(stream) = c.spec.workload { return "stream \(stream.direction.rawValue)" }
        return c.workload.rawValue
    }

    static func point(_ c: CaseResult) -> Point? {
        guard Throughput.isCandidate(c), let throughput = Throughput.figure(of: c).value(in: c.figures) else { return nil }
        if c.workload == .stream { return Point(kind: front(of: c), throughput: throughput, p99: nil) }
        guard let p99 = c.latencyMicros?.p99, p99.isFinite else { return nil }
        return Point(kind: front(of: c), throughput: throughput, p99: p99)
    }
}
