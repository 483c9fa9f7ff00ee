import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport

/// What an open-loop case was asked and what it did: the rate it offered, the rate answered,
/// the requests that could not leave on time, the queue. `kept_up` is false when the target
/// fell behind, and then the latency figures are those of a saturated target, not of the
/// rate asked.
public struct OpenLoopReport: Codable, Sendable, Equatable {
    /// Requests per second asked of the case (all connections), and how they arrive.
    public var askedPerSecond: Double
    public var arrivals: ArrivalRate.Arrivals
    /// Requests sent per second over the measured interval.
    public var sentPerSecond: Double
    /// Verified responses per second over the measured interval (`msgs_per_s`).
    public var achievedPerSecond: Double
    /// Measured requests sent, and those that left later than `late_threshold_us` after their
    /// intended time (the sender was held back: the in-flight cap was reached, or a full socket).
    public var measuredSends: UInt64
    public var lateSends: UInt64
    /// Of the late sends, those the target held back for at least half of their lateness (no
    /// free in-flight slot, or a write blocked on a full socket); the others were late because
    /// the driver was. Nil in documents written before it was counted.
    public var lateHeldByTarget: UInt64?
    public var lateThresholdMicros: Double
    /// The longest a measured request waited past its intended time.
    public var maxSendDelayMicros: Double
    /// Requests outstanding at most on one connection, and the cap (`inflight`).
    public var inFlightMax: UInt64
    public var inFlightCap: Int
    /// Requests scheduled inside the measured interval but never sent by its end (the sender
    /// was behind): in neither `measured_sends` nor the latency figures, which then understate
    /// the wait. `measured_sends + unsent` is the number the interval scheduled.
    public var unsent: UInt64
    /// How far behind its schedule the sender was at the end of the interval, seconds (the
    /// most behind of the connections); every unsent request would have waited at least this.
    public var behindSeconds: Double
    /// Measured requests answered before the interval ended (nil in older documents), and
    /// those answered after it: the latter's latency is in the figures (a request belongs to
    /// the interval by its intended time), not their count in `msgs_per_s`.
    public var answered: UInt64?
    public var answeredAfterEnd: UInt64?
    public var keptUp: Bool
    /// One sentence: kept up, or how it fell behind.
    public var verdict: String

    enum CodingKeys: String, CodingKey {
        case askedPerSecond = "asked_per_s", arrivals, sentPerSecond = "sent_per_s", achievedPerSecond = "achieved_per_s"
        case measuredSends = "measured_sends", lateSends = "late_sends", lateThresholdMicros = "late_threshold_us"
        case maxSendDelayMicros = "max_send_delay_us", inFlightMax = "in_flight_max", inFlightCap = "in_flight_cap"
        case keptUp = "kept_up", verdict, unsent, behindSeconds = "behind_s"
        case lateHeldByTarget = "late_held_by_target", answered, answeredAfterEnd = "answered_after_end"
        case grace = "forgivable_after_end"
    }

    /// Every key written, null where not counted (as the rest of the document).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(askedPerSecond, forKey: .askedPerSecond)
        try c.encode(arrivals, forKey: .arrivals)
        try c.encode(sentPerSecond, forKey: .sentPerSecond)
        try c.encode(achievedPerSecond, forKey: .achievedPerSecond)
        try c.encode(measuredSends, forKey: .measuredSends)
        try c.encode(lateSends, forKey: .lateSends)
        try c.encode(lateHeldByTarget, forKey: .lateHeldByTarget)
        try c.encode(lateThresholdMicros, forKey: .lateThresholdMicros)
        try c.encode(maxSendDelayMicros, forKey: .maxSendDelayMicros)
        try c.encode(inFlightMax, forKey: .inFlightMax)
        try c.encode(inFlightCap, forKey: .inFlightCap)
        try c.encode(unsent, forKey: .unsent)
        try c.encode(behindSeconds, forKey: .behindSeconds)
        try c.encode(answered, forKey: .answered)
        try c.encode(answeredAfterEnd, forKey: .answeredAfterEnd)
        try c.encode(grace, forKey: .grace)
        try c.encode(keptUp, forKey: .keptUp)
        try c.encode(verdict, forKey: .verdict)
    }

    public init(askedPerSecond: Double, arrivals: ArrivalRate.Arrivals, sentPerSecond: Double, achievedPerSecond: Double,
                measuredSends: UInt64, lateSends: UInt64, lateThresholdMicros: Double, maxSendDelayMicros: Double,
                inFlightMax: UInt64, inFlightCap: Int, unsent: UInt64 = 0, behindSeconds: Double = 0,
                lateHeldByTarget: UInt64? = nil, answered: UInt64? = nil, answeredAfterEnd: UInt64? = nil, keptUp: Bool, verdict: String) {
        self.askedPerSecond = askedPerSecond
        self.arrivals = arrivals
        self.sentPerSecond = sentPerSecond
        self.achievedPerSecond = achievedPerSecond
        self.measuredSends = measuredSends
        self.lateSends = lateSends
        self.lateThresholdMicros = lateThresholdMicros
        self.maxSendDelayMicros = maxSendDelayMicros
        self.inFlightMax = inFlightMax
        self.inFlightCap = inFlightCap
        self.unsent = unsent
        self.behindSeconds = behindSeconds
        self.lateHeldByTarget = lateHeldByTarget
        self.answered = answered
        self.answeredAfterEnd = answeredAfterEnd
        self.keptUp = keptUp
        self.verdict = verdict
    }

    /// Documents written before `unsent` and `behind_s` existed read as nothing unsent; before
    /// `late_held_by_target`, `answered` and `answered_after_end`, as not counted (nil); before
    /// `forgivable_after_end`, as forgiving none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            askedPerSecond: try c.decode(Double.self, forKey: .askedPerSecond), arrivals: try c.decode(ArrivalRate.Arrivals.self, forKey: .arrivals),
            sentPerSecond: try c.decode(Double.self, forKey: .sentPerSecond), achievedPerSecond: try c.decode(Double.self, forKey: .achievedPerSecond),
            measuredSends: try c.decode(UInt64.self, forKey: .measuredSends), lateSends: try c.decode(UInt64.self, forKey: .lateSends),
            lateThresholdMicros: try c.decode(Double.self, forKey: .lateThresholdMicros), maxSendDelayMicros: try c.decode(Double.self, forKey: .maxSendDelayMicros),
            inFlightMax: try c.decode(UInt64.self, forKey: .inFlightMax), inFlightCap: try c.decode(Int.self, forKey: .inFlightCap),
            unsent: try c.decodeIfPresent(UInt64.self, forKey: .unsent) ?? 0,
            behindSeconds: try c.decodeIfPresent(Double.self, forKey: .behindSeconds) ?? 0,
            lateHeldByTarget: try c.decodeIfPresent(UInt64.self, forKey: .lateHeldByTarget),
            answered: try c.decodeIfPresent(UInt64.self, forKey: .answered),
            answeredAfterEnd: try c.decodeIfPresent(UInt64.self, forKey: .answeredAfterEnd),
            keptUp: try c.decode(Bool.self, forKey: .keptUp), verdict: try c.decode(String.self, forKey: .verdict))
        grace = try c.decodeIfPresent(UInt64.self, forKey: .grace) ?? 0
    }

    /// Kept up: answered, before the interval ended, at least this share of the requests it
    /// scheduled (of the rate asked, in documents that did not count them)...
    public static let achievedShare = 0.95
    /// ...with at most this share of the sends late.
    public static let lateShare = 0.05

    /// The case's report from its connections' schedules, or nil for a closed-loop case.
    /// `failed`: the case failed (its errors); then it claims nothing about keeping up.
    /// `peer`: what answered, as the verdict names it: "the target", or "the service" for a
    /// replay of the user's own (helper review: a replay's verdict said "the target answered").
    public static func summarize(_ rate: ArrivalRate?, workers: [WorkerResult], seconds: Double, achieved: Double, failed: Bool = false,
                                 peer: String = "the target") -> OpenLoopReport? {
        guard let rate else { return nil }
        let stats = workers.compactMap(\.openLoop)
        guard !stats.isEmpty else { return nil }
        let sends = stats.reduce(0) { $0 + $1.measuredSends }
        let late = stats.reduce(0) { $0 + $1.lateSends }
        let perConnection = rate.perSecond / Double(max(workers.count, 1))
        var report = OpenLoopReport(
            askedPerSecond: rate.perSecond, arrivals: rate.arrivals,
            sentPerSecond: seconds > 0 ? (Double(sends) / seconds).rounded(toPlaces: 1) : 0,
            achievedPerSecond: achieved, measuredSends: sends, lateSends: late,
            lateThresholdMicros: (Double(OpenLoopSender.lateThresholdNanos(perSecond: perConnection)) / 1e3).rounded(toPlaces: 1),
            maxSendDelayMicros: (Double(stats.map(\.maxSendDelayNanos).max() ?? 0) / 1e3).rounded(toPlaces: 1),
            inFlightMax: stats.map(\.inFlightMax).max() ?? 0, inFlightCap: stats.first?.inFlightCap ?? 0,
            unsent: stats.reduce(0) { $0 + $1.unsent },
            behindSeconds: (Double(stats.map(\.behindNanos).max() ?? 0) / 1e9).rounded(toPlaces: 6),
            lateHeldByTarget: stats.reduce(0) { $0 + $1.lateHeldByTarget },
            answered: stats.reduce(0) { $0 + $1.answeredInInterval },
            answeredAfterEnd: stats.reduce(0) { $0 + $1.answeredAfterEnd },
            keptUp: false, verdict: "")
        report.judge(grace: UInt64(workers.count), peer: peer)
        if failed { report.notJudged() }
        return report
    }

    /// The requests the measured interval scheduled: those sent and those never sent.
    public var scheduled: UInt64 { measuredSends &+ unsent }

    /// What the unsent requests mean, or nil when every scheduled request was sent.
    public var unsentText: String? {
        guard unsent > 0 else { return nil }
        // Under a second in ms: "0.00 s behind" for nine unsent requests said nothing.
        let behindText = behindSeconds >= 1 ? "\(Format.fixed(behindSeconds, 2)) s" : "\(Format.compact(behindSeconds * 1e3)) ms"
        let behind = "(the sender was \(behindText) behind at the end)"
        guard measuredSends > 0 else { return "none of the \(scheduled) scheduled requests was sent \(behind): no latency was measured" }
        return "\(unsent) of \(scheduled) scheduled requests were never sent \(behind): "
            + "the latency percentiles cover the \(measuredSends) sent and understate the wait"
    }

    /// The share of what was asked that was answered in the interval: of the requests it
    /// scheduled (a count: Poisson arrivals schedule more or fewer than the mean rate, and a
    /// short case at a low rate a whole request more or less), or, in documents that did not
    /// count them, of the rate asked.
    var answeredShare: Double {
        if let answered, scheduled > 0 { return Double(answered) / Double(scheduled) }
        return askedPerSecond > 0 ? achievedPerSecond / askedPerSecond : 0
    }

    /// Answers after the end forgiven, one per connection: the request in flight when a short
    /// interval ended (17 of 18 answered in 300 ms at 20 ms a request was "did NOT keep up",
    /// the same case over 3 s kept up). Set by `summarize` (`judge`); `forgivable_after_end` in
    /// the JSON (0 in documents written before it), so that a document read back is judged as
    /// it was written and compares equal to the report it came from.
    public internal(set) var grace: UInt64 = 0

    /// `answeredShare` with the grace: what kept up is judged on.
    var judgedShare: Double {
        guard let answered, scheduled > 0, grace > 0 else { return answeredShare }
        return Double(answered &+ min(answeredAfterEnd ?? 0, grace)) / Double(scheduled)
    }

    /// The share of measured sends that left late.
    var lateSendShare: Double { measuredSends > 0 ? Double(lateSends) / Double(measuredSends) : 0 }

    /// The in-flight cap was reached.
    var capReached: Bool { inFlightCap > 0 && inFlightMax >= UInt64(inFlightCap) }

    /// Who held the late sends back, as the sender timed it (at least half of them the
    /// target); older documents: a guess from the answers and the queue.
    var lateByTarget: Bool {
        lateHeldByTarget.map { $0 * 2 >= lateSends } ?? (judgedShare < Self.achievedShare || capReached)
    }

    /// Too many late sends, most of them the driver's own: then the cap reached and the few
    /// answers follow from its lateness (a `window: 1` case always reaches its cap), and are
    /// not reasons against the target.
    var lateWasDriver: Bool { lateSendShare > Self.lateShare && !lateByTarget }

    /// A failed case did not complete its schedule as asked (the run stopped at the failure,
    /// or what was answered cannot be trusted): no verdict either way, so the text never says
    /// "kept up" beside FAILED (it did, for an open-loop replay that failed).
    mutating func notJudged() {
        keptUp = false
        verdict = "schedule not completed: the case failed (see its errors), so whether it kept up is not judged; "
            + "\(measuredSends) measured requests sent, \(answered.map { "\($0) answered in the interval" } ?? "answers not counted")"
    }

    mutating func judge(grace: UInt64 = 0, peer: String = "the target") {
        self.grace = grace
        let lateShare = lateSendShare
        let unsentShare = scheduled > 0 ? Double(unsent) / Double(scheduled) : 0
        let answeredShare = judgedShare
        keptUp = answeredShare >= Self.achievedShare && lateShare <= Self.lateShare && unsentShare <= Self.lateShare
        let asked = ArrivalRate(perSecond: askedPerSecond).summary
        let late = "\(lateSends) of \(measuredSends) sends left late (more than \(Format.compact(lateThresholdMicros)) us after their time"
            + (lateSends > 0 ? ", up to \(Format.compact(maxSendDelayMicros / 1e3)) ms)" : ")")
        let afterEnd = (answeredAfterEnd ?? 0) > 0
            ? "; \(answeredAfterEnd ?? 0) answered only after the interval ended (their waits are in the latency figures)" : ""
        if keptUp {
            // A stall shorter than the cap's worth of requests is absorbed: every answer comes
            // within the interval, yet the target fell behind for a while. Said, not hidden
            // behind "kept up" (review: a 1 s stall at a low rate read as kept up, nothing more).
            // Reaching a small cap is chance (a `window: 1` case always does): the note needs a
            // send the target held back past the late threshold as well.
            let capNote = capReached && (lateHeldByTarget ?? 0) > 0 ? " (the cap: \(peer) fell behind for a while and caught up; the wait is in p99 and max, and --interval shows when)" : ""
            verdict = "kept up: answered \(Format.compact(achievedPerSecond))/s of \(asked); \(late); at most \(inFlightMax) in flight per connection" + capNote
                + (unsent > 0 ? "; \(unsent) of \(scheduled) scheduled requests not sent by the end" : "") + afterEnd
            return
        }
        var why: [String] = []
        if let unsentText { why.append(unsentText) }
        let driverLate = lateWasDriver
        if answeredShare < Self.achievedShare {
            let sentNote = driverLate ? ", of the \(measuredSends) the driver sent" : ""
            if let answered, scheduled > 0 {
                why.append("\(driverLate ? "" : peer + " ")answered \(answered) of the \(scheduled) requests the interval scheduled (\(Format.fixed(self.answeredShare * 100, 0))%\(sentNote); \(Format.compact(achievedPerSecond))/s of \(asked))")
            } else {
                why.append("\(driverLate ? "" : peer + " ")answered \(Format.compact(achievedPerSecond))/s of \(asked) (\(Format.fixed(answeredShare * 100, 0))%\(sentNote))")
            }
        }
        if capReached, !driverLate { why.append("the queue grew to the in-flight cap of \(inFlightCap) per connection") }
        if lateShare > Self.lateShare {
            if !driverLate {
                let held = lateHeldByTarget.map { "; \($0) of them waited mostly for \(peer) (no free in-flight slot, or a write blocked on a full socket: it did not take requests as fast as asked)" } ?? ""
                why.append(late + held)
            } else {
                let held = lateHeldByTarget.map { " (\($0) of them waited mostly for \(peer))" } ?? ""
                why.append("\(late)\(held) while at most \(inFlightMax) were in flight per connection: the driver did not keep its own schedule (its threads waited for a CPU: a busy machine? try pinning, or a lower rate)")
            }
        }
        let latencyNote = measuredSends == 0 ? "" : unsent > 0 ? "; the latency figures of those sent include their wait" : "; the latency figures include that wait"
        verdict = "did NOT keep up: " + why.joined(separator: "; ") + latencyNote + afterEnd
    }
}
