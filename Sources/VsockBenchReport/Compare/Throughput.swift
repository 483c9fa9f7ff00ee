import VsockBenchModel

/// Which figure says how fast a case is, so that like is compared with like.
///
/// An exchange (rr, masked) is judged by messages per second: one message is one request and
/// its verified response. A stream's "message" is only a write of `write_size` bytes, so a
/// stream is judged by its payload Mbps in the direction its `mbps` follows (``MbpsDirection``:
/// the busier one, driver to target when both move alike). Between a stream and an
/// exchange only Mbps per direction compares; messages, latency and CPU per message do not.
enum Throughput {
    /// The figure a case is judged by on its own (its Pareto front, the budget's choice).
    static func figure(of c: CaseResult) -> Figure {
        guard c.workload == .stream else { return .msgsPerSecond }
        return MbpsDirection(c.figures).figure
    }

    /// Whether per-message figures (msgs/s, latency, CPU per message) of the two compare:
    /// both exchanges, or both streams.
    static func perMessageComparable(_ a: CaseResult, _ b: CaseResult) -> Bool {
        (a.workload == .stream) == (b.workload == .stream)
    }

    /// The one figure two cases are compared on for the noise verdict: messages per second
    /// between exchanges, otherwise Mbps in a direction both move: the one the case's `mbps`
    /// follows where the baseline moves it too, else the case's other direction (nil when they
    /// share none: a tx stream against an rx stream).
    static func shared(_ baseline: CaseResult, _ c: CaseResult) -> Figure? {
        if baseline.workload != .stream, c.workload != .stream { return .msgsPerSecond }
        // The direction the case's `mbps` follows, else its other one: a `both` stream whose
        // rx happened to be busier still compares with a tx stream on tx.
        let first = MbpsDirection(c.figures).figure
        let other: Figure = first == .mbpsTx ? .mbpsRx : .mbpsTx
        return [first, other].first { f in [c, baseline].allSatisfy { (f.value(in: $0.figures) ?? 0) > 0 } }
    }

    /// A case that can stand on a front or meet a budget: it ran, moved something, and every
    /// message was verified.
    static func isCandidate(_ c: CaseResult) -> Bool {
        c.skipped == nil && c.verified && c.messages > 0 && (figure(of: c).value(in: c.figures) ?? 0) > 0
    }

    /// The trials the case's medians are made of (`CaseSummary.medianTrials`: a trial
    /// interrupted before its first message has no figures, a failed one stopped at its error).
    static func trialValues(_ figure: Figure, _ c: CaseResult) -> [Double] {
        c.trialsInMedians.compactMap { figure.value(in: $0) }.filter(\.isFinite)
    }
}
