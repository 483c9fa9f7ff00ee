import VsockBenchSupport
import VsockProbe

/// How far behind the events observe's reader fell: for each batch it took, the time from the
/// oldest event's timestamp (`bpf_ktime_get_ns`, CLOCK_MONOTONIC) to the moment it was taken.
/// A reader that keeps up takes each event within about one poll period (20 ms). One that
/// falls behind does its work later than what it observed, so its cost on the observed
/// processes looks smaller than it was, and a longer observation fills the ring buffer and
/// loses events: the observation then carries a warning (and the lab's cost bench flags it).
struct ReaderLag {
    /// More than this behind is worth a warning.
    static let warnAboveNanos: UInt64 = 500_000_000

    /// Events before this (CLOCK_MONOTONIC nanoseconds) are left out: those that came while
    /// observe was still setting up (loading the probe takes a while) wait by design.
    let since: UInt64
    private(set) var maxNanos: UInt64 = 0

    init(since: UInt64 = 0) {
        self.since = since
    }

    mutating func note(_ events: [TapEvent], takenAt now: UInt64 = MonotonicClock.nanos()) {
        let since = self.since
        guard let oldest = events.lazy.map(\.timestampNanos).filter({ $0 >= since }).min(), now > oldest else { return }
        maxNanos = max(maxNanos, now - oldest)
    }

    var warning: String? {
        guard maxNanos > Self.warnAboveNanos else { return nil }
        let seconds = (Double(maxNanos) / 1e7).rounded() / 100
        return "observe's reader fell up to \(seconds) s behind the events it took (it keeps within about 20 ms "
            + "when it keeps up): part of its work ran after what it observed, so its cost there is understated, "
            + "and a longer observation may lose events (lost_events counts them)"
    }
}
