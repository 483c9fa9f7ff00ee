import VsockBenchSupport

extension CaseSpec {
    /// The messages a case may be bounded by (the scenario key and `--messages` alike).
    public static let messagesRange = 1...1_000_000_000_000

    /// The fewest messages a case bounded by messages may send: one a connection, two for a
    /// `both` stream (it counts both directions, so one message would move nothing back).
    public var minimumMessages: Int { max(connections, 1) * (stream?.direction == .both ? 2 : 1) }

    /// The messages a case bounded by a count sends in all: `messages`, or a stream's `bytes`
    /// in writes of `write_size` (rounded up, as the runner shares them); nil otherwise.
    public var boundedMessages: Int? {
        switch stop {
        case .duration: nil
        case let .messages(count): count
        case let .bytes(count): stream.map { (count + $0.writeSize - 1) / $0.writeSize }
        }
    }

    /// Why the case's count (`messages`, or `bytes` in writes) is below `minimumMessages`, or nil.
    public var stopMinimumProblem: String? {
        guard let count = boundedMessages, count < minimumMessages else { return nil }
        let need = stream?.direction == .both
            ? "at least twice connections (\(connections)) for a both-way stream: every connection needs work each way"
            : "at least connections (\(connections)): every connection needs work"
        if case let .bytes(bytes) = stop, let size = stream?.writeSize {
            return "bytes (\(Quantities.formatSize(bytes))) is \(count) write\(count == 1 ? "" : "s") of write_size \(Quantities.formatSize(size)), and must be \(need)"
        }
        return "messages (\(count)) must be \(need)"
    }

    /// The most busy work `target_cost` may add up to on one connection of a case bounded by
    /// messages: a week, as for a duration (each message's cost is capped at 1s, but 10^12
    /// messages of 1s each were taken: the target would spin for millennia).
    public static let maximumTotalCostNanos: UInt64 = 7 * 86_400 * 1_000_000_000

    /// Why `target_cost` times the messages each connection sends is too much, or nil. Checked
    /// when a scenario loads and again once `--messages` has replaced a case's stop.
    public var targetCostTotalProblem: String? {
        guard case let .messages(count) = stop, let cost = exchange?.targetCostNanos, cost > 0 else { return nil }
        let perConnection = UInt64((count + max(connections, 1) - 1) / max(connections, 1))
        let (total, overflow) = cost.multipliedReportingOverflow(by: perConnection)
        guard overflow || total > Self.maximumTotalCostNanos else { return nil }
        return "target_cost \(Quantities.formatDuration(cost)) for each of \(perConnection) messages a connection sends is more than a week of busy work at the target; give fewer messages or a shorter target_cost"
    }
}

extension Exchange {
    /// The most busy work a connection's requests in flight may queue at the target together,
    /// inflight x target_cost. A peer can queue that much in one write and go quiet: the target
    /// works through at most `inflight` requests between two reads of the peer's bytes, so this
    /// bounds the CPU one write can buy (4096 requests of 1 s each had bought 68 minutes).
    public static let maximumQueuedCostNanos: UInt64 = 60 * 1_000_000_000

    /// Why inflight x target_cost is more than the target accepts, or nil. Checked where a
    /// scenario loads and by the target on each hello.
    public var queuedCostProblem: String? {
        guard targetCostNanos > 0 else { return nil }
        let (total, overflow) = UInt64(max(inflight, 1)).multipliedReportingOverflow(by: targetCostNanos)
        guard overflow || total > Self.maximumQueuedCostNanos else { return nil }
        let limit = Quantities.formatDuration(Self.maximumQueuedCostNanos)
        let most = Self.maximumQueuedCostNanos / targetCostNanos
        return "inflight \(inflight) x target_cost \(Quantities.formatDuration(targetCostNanos)) queues \(overflow ? "centuries" : Quantities.formatDuration(total)) of busy work on one connection, over the \(limit) the target accepts; give at most \(most) in flight at this target_cost, or a shorter target_cost"
    }

    /// The in-flight cap of an open-loop case whose scenario sets none: 1024, or fewer where
    /// its target_cost would queue more than ``maximumQueuedCostNanos`` of work.
    public var openLoopDefaultCap: Int {
        guard targetCostNanos > 0 else { return Self.openLoopDefaultInflight }
        return Int(max(1, min(UInt64(Self.openLoopDefaultInflight), Self.maximumQueuedCostNanos / targetCostNanos)))
    }
}

extension CaseSpec {
    /// An open-loop case whose measured duration holds no request of its schedule (0.25/s for
    /// 500 ms): nothing falls due in the interval, and the case failed as if the target were
    /// too slow ("offer less", in a sweep). A count-bounded one whose count does not divide
    /// over its connections: each paces its share at rate/connections, so the one with more
    /// ends a gap later (5 at 10/s on 2 connections spanned 0.6 s and read 8.3/s), and shares
    /// in proportion start their schedules out of phase (a review read 6.7 to 10/s). Nil when
    /// the case has no rate.
    public var openLoopScheduleProblem: String? {
        guard let rate = exchange?.rate else { return nil }
        // (Fewer than the connections is its own problem, said elsewhere.)
        if case let .messages(count) = stop, connections > 1, count >= connections, count % connections != 0 {
            let below = count / connections * connections
            let choices = below > 0 ? "\(below) or \(below + connections)" : "\(connections)"
            return "messages \(count) do not divide over \(connections) connections at a rate: each paces an equal share of \(rate.summary), so that the requests span messages / rate; give a multiple of \(connections) (\(choices))"
        }
        guard case let .duration(nanos) = stop else { return nil }
        let expected = rate.perSecond * Double(nanos) / 1e9
        guard expected < 1 else { return nil }
        let gap = UInt64((1e9 / rate.perSecond).rounded(.up))
        return "rate \(rate.summary) schedules fewer than one request in its \(Quantities.formatDuration(nanos)) (one every \(Quantities.formatDuration(gap))): give a duration of at least \(Quantities.formatDuration(gap)), or a higher rate"
    }
}
