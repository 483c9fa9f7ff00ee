import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockTransport

/// The phase every worker of a case follows.
public enum Phase: Int, Sendable {
    /// Traffic flows, nothing is measured.
    case warmup = 0
    /// Counted.
    case measure = 1
    /// Wind down: finish what is in flight, say goodbye, report.
    case stop = 2
}

/// Shared by the case runner and its workers: the phase (a relaxed load per message) and
/// the failures that end a case early.
public final class RunControl: Sendable {
    private let phaseValue = Atomic<Int>(Phase.warmup.rawValue)
    private let measureStart = Atomic<UInt64>(0)
    private let stopStart = Atomic<UInt64>(0)
    /// The time series' slice under way (`interval`): the runner moves it on right after it
    /// samples the meters at a boundary, so a response counted before the sample has its
    /// latency in the slice before it.
    private let slice = Atomic<Int>(0)
    private let failureList = LockedValue<[String]>([])
    private let timedOut = Atomic<Bool>(false)
    /// Workers that reached their message quota (count-bounded cases).
    private let finished = Atomic<Int>(0)
    /// Wakes the runner's thread when a worker finishes or the case stops, so it waits on a
    /// condition instead of polling (its sleeps would show in the probe's syscall counts).
    private let signal = ChangeSignal()

    public init() {}

    /// A worker met its quota.
    func workerFinished() {
        finished.wrappingAdd(1, ordering: .releasing)
        signal.broadcast()
    }

    /// Workers that reached their quota so far.
    var finishedWorkers: Int { finished.load(ordering: .acquiring) }

    /// Waits for a change (a finished worker, the stop) or `nanos`, whichever comes first.
    func waitForChange(nanos: UInt64) {
        signal.wait(nanos: nanos)
    }

    @inline(__always)
    public var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .acquiring)) ?? .stop }

    /// When the case entered `measure` (monotonic nanoseconds; 0 before): the origin of its slices.
    public var measureStartNanos: UInt64 { measureStart.load(ordering: .acquiring) }

    /// When the case entered `stop` (monotonic nanoseconds; 0 before): the end of the measured interval.
    public var stopStartNanos: UInt64 { stopStart.load(ordering: .acquiring) }

    /// The slice of the time series under way (0 without one, and before its first boundary).
    @inline(__always)
    public var currentSlice: Int { slice.load(ordering: .acquiring) }

    /// The runner sampled the meters at a boundary: slice `index` begins.
    func enterSlice(_ index: Int) { slice.store(index, ordering: .releasing) }

    public func enter(_ phase: Phase) {
        if phase == .measure { _ = measureStart.compareExchange(expected: 0, desired: MonotonicClock.nanos(), ordering: .acquiringAndReleasing) }
        if phase == .stop { _ = stopStart.compareExchange(expected: 0, desired: MonotonicClock.nanos(), ordering: .acquiringAndReleasing) }
        // Never go back: a failure may already have stopped the case.
        var current = phaseValue.load(ordering: .relaxed)
        while current < phase.rawValue {
            let (exchanged, original) = phaseValue.compareExchange(expected: current, desired: phase.rawValue, ordering: .acquiringAndReleasing)
            if exchanged {
                signal.broadcast()
                return
            }
            current = original
        }
    }

    /// Records what went wrong (without payload bytes) and stops the case.
    public func fail(_ message: String) {
        failureList.withLock { list in
            if list.count < 50 { list.append(message) }
        }
        enter(.stop)
    }

    public var failures: [String] { failureList.value }

    /// A connection's read or write timed out: the peer stopped answering or reading. The
    /// runner then waits for the target's stats only briefly (`CaseRunner.statsAfterTimeoutSeconds`).
    func noteTimeout() { timedOut.store(true, ordering: .releasing) }

    var sawTimeout: Bool { timedOut.load(ordering: .acquiring) }
}

/// A condition without a predicate: `broadcast` wakes every `wait`, which also returns after
/// its timeout. Spurious wake-ups are harmless to its callers (they re-check).
/// `@unchecked Sendable`: `generation` is read and written only under the monitor's mutex.
final class ChangeSignal: @unchecked Sendable {
    private let monitor = PthreadMonitor()
    private var generation: UInt64 = 0

    func broadcast() {
        monitor.withLock {
            generation &+= 1
            monitor.broadcast()
        }
    }

    func wait(nanos: UInt64) {
        let deadline = MonotonicClock.nanos() &+ nanos
        monitor.withLock {
            let seen = generation
            while generation == seen {
                if !monitor.wait(until: deadline) { break }
            }
        }
    }
}
