import VsockBenchModel

/// Which figure says how fast a case is, so that like is compared with like.
///
/// An exchange (rr, masked) is judged by messages per second: one message is one request and
/// its verified response. A stream's "message" is only a write of `write_size` bytes, so a
/// stream is judged by its payload Mbps in its busier direction. Between a stream and an
/// exchange only Mbps per direction compares; messages, latency and CPU per message do not.
enum Throughput {
    /// The figure a case is judged by on its own (its Pareto front, the budget's choice).
    static func figure(of c: CaseResult) -> Figure {
        guard c.workload == .stream else { return .msgsPerSecond }
        return c.mbpsRx > c.mbpsTx ? .mbpsRx : .mbpsTx
    }

    /// Whether per-message figures (msgs/s, latency, CPU per message) of the two compare:
    /// both exchanges, or both streams.
    static func perMessageComparable(_ a: CaseResult, _ b: CaseResult) -> Bool {
        (a.workload == .stream) == (b.workload == .stream)
    }

    /// The one figure two cases are compared on for the noise verdict: messages per second
    /// between exchanges, otherwise Mbps in the case's busier direction, which the baseline
    /// must also move (nil when it does not: a tx stream against an rx stream).
    static func shared(_ baseline: CaseResult, _ c: CaseResult) -> Figure? {
        if baseline.workload != .stream, c.workload != .stream { return .msgsPerSecond }
        let figure: Figure = c.workload == .stream ? figure(of: c) : (c.mbpsRx > c.mbpsTx ? .mbpsRx : .mbpsTx)
        return (figure.value(in: baseline.figures) ?? 0) > 0 ? figure : nil
    }

    /// A case that can stand on a front or meet a budget: it ran, moved something, and every
    /// message was verified.
    static func isCandidate(_ c: CaseResult) -> Bool {
        c.skipped == nil && c.verified && c.messages > 0 && (figure(of: c).value(in: c.figures) ?? 0) > 0
    }

    /// The trials that ran (a trial interrupted before its first message has no figures).
    static func trialValues(_ figure: Figure, _ c: CaseResult) -> [Double] {
        c.trials.filter { $0.messages > 0 }.compactMap { figure.value(in: $0) }.filter(\.isFinite)
    }
}
