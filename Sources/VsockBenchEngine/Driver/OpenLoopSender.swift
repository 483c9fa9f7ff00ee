#if canImport(Glibc)
import Glibc
#endif
import VsockBenchModel
import VsockBenchStats
import VsockBenchSupport
import VsockTransport
import VsockWire

/// What an open-loop connection did against what it was asked: the schedule it kept, the
/// requests it could not send on time, how many were outstanding at most.
public struct OpenLoopStats: Sendable, Equatable {
    /// The rate asked of this connection, requests per second.
    public var askedPerSecond: Double = 0
    /// Measured requests that left later than `lateThresholdNanos` after their intended time.
    public var lateSends: UInt64 = 0
    /// Of the late sends, those held back by the target for at least half of their lateness:
    /// waiting for an in-flight slot (no answer came) or in a write the socket blocked (the
    /// target was not reading). The others were late because the driver itself was (woke
    /// late, was descheduled).
    public var lateHeldByTarget: UInt64 = 0
    /// Measured requests sent (on time or late).
    public var measuredSends: UInt64 = 0
    /// The longest a measured request waited past its intended time.
    public var maxSendDelayNanos: UInt64 = 0
    /// Requests outstanding at most (sent, not yet answered).
    public var inFlightMax: UInt64 = 0
    /// The cap on outstanding requests (`inflight`).
    public var inFlightCap: Int = 0
    /// Requests scheduled inside the measured interval that were never sent by its end (the
    /// sender was behind): not in the counts nor in the latency figures, though each would
    /// have waited at least as long as the sender was behind.
    public var unsent: UInt64 = 0
    /// How far behind its schedule the sender was when the interval ended: from the intended
    /// time of the first request not sent to the end (0 when on time).
    public var behindNanos: UInt64 = 0
    /// Answers to measured requests that came in before the interval ended (the receiver's).
    public var answeredInInterval: UInt64 = 0
    /// Answers to measured requests that came in after the interval ended: their latency is
    /// in the figures (a request belongs to the interval by its intended time), their count
    /// is not in the interval's messages.
    public var answeredAfterEnd: UInt64 = 0

    public init() {}
}

/// The open-loop sender of a connection: request k leaves at its intended time t0 + k/rate
/// (or after an exponential gap, for Poisson arrivals) whatever the responses do, and its
/// latency runs from that intended time, so a stall of the target shows in every request that
/// waited through it (as wrk2 and HdrHistogram's corrected recording do), not as one slow
/// sample. When `inflight` requests are outstanding the next one waits for a slot and is
/// counted late: the target is not keeping up. A request belongs to the measured interval by
/// its intended time, not by when it left: requests scheduled during warmup but sent late are
/// not counted, those scheduled inside the interval but never sent by its end are counted as
/// `unsent`, and those answered after its end still have their latency recorded.
public struct OpenLoopSender {
    let rate: ArrivalRate
    /// This connection's share of the case's rate.
    let perSecond: Double
    let seed: UInt64
    let quota: UInt64?
    let control: RunControl
    let source: any RequestSource

    /// A request is late when it leaves more than this after its intended time.
    var lateThresholdNanos: UInt64 { Self.lateThresholdNanos(perSecond: perSecond) }

    /// Half the gap between requests, at least 200 µs (a timer's jitter is not lateness).
    public static func lateThresholdNanos(perSecond: Double) -> UInt64 { max(200_000, UInt64(0.5e9 / perSecond)) }

    func run(_ shared: PipelineShared, sink: any FrameSink, socket: Socket, lane: MeterLane, cap: Int) throws(SystemError) -> OpenLoopStats {
        var stats = OpenLoopStats()
        stats.askedPerSecond = perSecond
        stats.inFlightCap = cap
        var generator = SeededGenerator(seed: seed)
        let gap = 1e9 / perSecond
        var intended = Double(MonotonicClock.nanos())
        var measuring = false
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        // What held late requests back (see `lateHeldByTarget`): of the sender's present
        // lateness, the part it spent blocked by the target (waiting for a slot, or in a write
        // beyond the quickest one seen); back to 0 once a request leaves on time.
        var heldBacklog: UInt64 = 0
        var quickestCommit = UInt64.max
        // Whether the driver's own threads were kept off the CPU: then a wait is not put on
        // the target (a hog on the driver's CPU was blamed on the target).
        var driver = DriverBusy(shared: shared)
        while true {
            if let quota, measuring, measured >= quota {
                // The last request's slot lasts until the next would be due: the connection
                // stays open to then, so that N requests at R/s span N/R s, as a duration does
                // (5 at 2/s spanned 2 s, from the first send to the last, and read 2.5/s).
                try sink.finish()
                shared.scheduleEnd.store(UInt64(intended), ordering: .releasing)
                _ = Self.sleep(until: UInt64(intended), control: control)
                return stats
            }
            let due = UInt64(intended)
            // A pending batch goes before the wait: nothing more joins it before the next is due.
            if sink.pending > 0, MonotonicClock.nanos() < due { try sink.flush() }
            if !Self.sleep(until: due, control: control) { break }
            // Read after the wait, so a request sent here was due before the interval ended
            // (one due after it went out as measured: measured_sends exceeded the schedule).
            let phase = control.phase
            if phase == .stop { break }
            // The stop's time is taken before its phase is published: a request due after it
            // must not slip out as measured in between.
            let stopAt = control.stopStartNanos
            if stopAt != 0, due >= stopAt { break }
            // The interval may have opened during the sleep: a request due inside it is
            // measured (at 5/s one request in ten went out as warmup). One scheduled during
            // warmup stays a warmup request however late it leaves.
            if !measuring, phase == .measure, due >= control.measureStartNanos {
                try shared.openInterval(at: sequence, sink: sink, lane: lane, intended: due)
                measuring = true
                source.measuringStarts(at: sequence)
            }
            var blocked: UInt64 = 0
            if !shared.slots.tryAcquire() {
                let waitStart = MonotonicClock.nanos()
                driver.refresh(now: waitStart)
                // Late already, answers queued for this connection: the slot waits for the
                // driver's own receiver (descheduled on a busy machine), not for the target.
                // (Asked only then: a peek per request cost a system call in the probe's counts.)
                let answersWaiting = waitStart > due &+ lateThresholdNanos && ((try? socket.hasQueuedBytes()) ?? false)
                guard shared.slots.acquire() else { break }
                let waited = MonotonicClock.nanos() &- waitStart
                if !answersWaiting, !driver.wasBusy() { blocked = waited }
            }
            let size = source.prepare(sequence)
            source.write(sequence, into: sink.reserve(size), measured: measuring)
            shared.sendTimes.store(sequence, due)
            shared.sent.store(sequence + 1, ordering: .releasing)
            let commitStart = MonotonicClock.nanos()
            driver.refresh(now: commitStart)
            try sink.commit(size)
            let now = MonotonicClock.nanos()
            let commit = now &- commitStart
            quickestCommit = min(quickestCommit, commit)
            let delay = now > due ? now - due : 0
            // A write that took long blocked on a full socket (the target stopped reading) or
            // waited for the CPU (the driver's was busy).
            let slow = commit - quickestCommit
            if slow > Self.slowWriteNanos, delay > lateThresholdNanos, !driver.wasBusy() { blocked &+= slow }
            // A blocked write or slot wait makes every request after it late until the sender
            // catches up: the backlog it caused carries over, bounded by the lateness left.
            heldBacklog = delay > lateThresholdNanos ? min(delay, heldBacklog &+ blocked) : 0
            if measuring {
                if delay > lateThresholdNanos {
                    stats.lateSends += 1
                    if heldBacklog * 2 >= delay { stats.lateHeldByTarget += 1 }
                }
                stats.maxSendDelayNanos = max(stats.maxSendDelayNanos, delay)
                stats.measuredSends += 1
                measured += 1
            }
            // The receiver never counts an answer with no request behind it, but a bad peer
            // must not be able to trap this subtraction.
            // Measured sends only: a warmup burst is not the interval's queue.
            if measuring {
                let answered = shared.received.load(ordering: .acquiring)
                stats.inFlightMax = max(stats.inFlightMax, sequence + 1 > answered ? sequence + 1 - answered : 0)
            }
            sequence += 1
            intended = Self.next(after: intended, rate.arrivals, gap: gap, &generator)
        }
        try sink.finish()
        // The requests from `intended` on were never sent: those due inside the interval are
        // unsent. Not when the sender was behind by less than a late send: the last request
        // due before the stop, still to leave as it came, is the edge of the interval, not a
        // sender falling behind (1 of 1000 "never sent" understated nothing).
        let start = control.measureStartNanos
        let end = control.stopStartNanos
        if start > 0, end > start, UInt64(intended) < end, end - UInt64(intended) > lateThresholdNanos {
            stats.behindNanos = end - UInt64(intended)
            var due = intended
            while UInt64(due) < end {
                if UInt64(due) >= start { stats.unsent += 1 }
                due = Self.next(after: due, rate.arrivals, gap: gap, &generator)
            }
        }
        return stats
    }

    /// A write longer than its quickest by more than this is looked into (`DriverBusy`).
    static let slowWriteNanos: UInt64 = 100_000

    /// The intended time of the request after the one due at `intended`.
    static func next(after intended: Double, _ arrivals: ArrivalRate.Arrivals, gap: Double, _ generator: inout SeededGenerator) -> Double {
        switch arrivals {
        case .constant: intended + gap
        case .poisson: intended + -log(max(generator.nextUnitDouble(), 1e-12)) * gap
        }
    }

    /// Sleeps until the monotonic clock reads `deadline`: in the kernel for the bulk of a long
    /// wait (in slices of at most 20 ms, so a stop is seen even at one request a second),
    /// spinning the last 50 µs (a timer wakes late by tens of µs on this kind of VM). False
    /// when the run stopped meanwhile.
    static func sleep(until deadline: UInt64, control: RunControl) -> Bool {
        let spin: UInt64 = 50_000
        let slice: UInt64 = 20_000_000
        var now = MonotonicClock.nanos()
        while deadline > now + spin {
            if control.phase == .stop { return false }
            let target = min(deadline - spin, now + slice)
            var ts = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
            now = MonotonicClock.nanos()
        }
        while now < deadline { now = MonotonicClock.nanos() }
        return true
    }
}

/// Whether an open-loop connection's own threads (its sender, and its receiver, which frees
/// the in-flight slots) were kept waiting for a CPU: the share of the time since a recent
/// reading (at most `periodNanos` old when a wait began) they spent ready but not running
/// (`RunQueueDelay`). A thread blocked in a call does not count (a target that stopped
/// reading, or answers slowly); a thread preempted, or woken and queued behind another task,
/// does. The readings are a pread of each thread's schedstat, at most every 10 ms and after a
/// late wait: system calls of the driver's own, which `--probe` counts with the rest.
/// A target that spins on the driver's CPUs (a local one with `target_cost`, on a small
/// machine) keeps the driver off the CPU too, and is then taken for a busy driver.
struct DriverBusy: ~Copyable {
    let shared: PipelineShared
    private let sender = RunQueueDelay.Reader(thread: RunQueueDelay.currentThread())
    private var receiver: RunQueueDelay.Reader?
    private var last: (at: UInt64, delay: UInt64)?

    /// Above this share of the time waiting for a CPU, the driver was busy.
    static let busyShare = 0.1
    static let periodNanos: UInt64 = 10_000_000

    init(shared: PipelineShared) {
        self.shared = shared
    }

    deinit {
        sender?.close()
        receiver?.close()
    }

    private mutating func delay() -> UInt64? {
        guard let sender, var total = sender.nanos() else { return nil }
        if receiver == nil {
            let tid = shared.receiverThread.load(ordering: .acquiring)
            if tid != 0 { receiver = RunQueueDelay.Reader(thread: tid) }
        }
        if let theirs = receiver?.nanos() { total &+= theirs }
        return total
    }

    /// A reading, unless the last is under `periodNanos` old: called before anything that may
    /// block, so that the share a late wait is judged on covers little more than the wait.
    mutating func refresh(now: UInt64) {
        if let last, now &- last.at < Self.periodNanos { return }
        last = delay().map { (now, $0) }
    }

    /// Whether the threads waited for a CPU at least `busyShare` of the time since the last
    /// reading (taken again now). False where the kernel keeps no such count.
    mutating func wasBusy() -> Bool {
        let now = MonotonicClock.nanos()
        guard let delay = delay() else { return false }
        defer { last = (now, delay) }
        guard let last, now > last.at, delay >= last.delay else { return false }
        return Double(delay - last.delay) / Double(now - last.at) >= Self.busyShare
    }
}
