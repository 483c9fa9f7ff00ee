#if canImport(Glibc)
import Glibc
#endif

/// The nice value of observe's draining thread: it yields to the processes it watches, and
/// catches up at the normal priority when it falls behind.
///
/// The thread starts at nice 19, so the reader takes the CPU when the observed processes leave
/// it rather than preempting them when its timer fires. Measured in the vsock lab (rr 8 KiB
/// over AF_VSOCK on one vCPU, `-icount`), this took observe's cost from 6.2% to 3.3% of the
/// run's throughput. When one poll takes more than a quarter of what the ring buffer holds, the
/// reader is falling behind: it goes back to nice 0 until a poll takes less than a sixteenth.
/// Linux's nice value belongs to the thread, so the command observe starts (forked before) and
/// observe's other threads keep theirs.
struct DrainPriority {
    static let yielding: Int32 = 19
    static let catchingUp: Int32 = 0

    /// Events the ring buffer holds.
    let capacity: Int
    private(set) var current: Int32?
    /// Polls after which the thread went back to nice 0.
    private(set) var catchUps = 0
    /// Why a change of priority failed (the thread then stays where it was).
    private(set) var problem: String?

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
    }

    /// Lowers the calling thread's priority; only with the right to raise it again (root or
    /// CAP_SYS_NICE), which catching up needs.
    mutating func yield() {
        guard geteuid() == 0 else { return }
        set(Self.yielding)
    }

    /// Called with the number of events one poll took.
    mutating func adjust(afterTaking count: Int) {
        guard let current else { return }
        if current == Self.yielding && count > capacity / 4 {
            set(Self.catchingUp)
            if self.current == Self.catchingUp { catchUps += 1 }
        } else if current == Self.catchingUp && count < capacity / 16 {
            set(Self.yielding)
        }
    }

    /// What the observation's warnings say about it: a failed change, or falling behind.
    var notes: [String] {
        var notes: [String] = []
        if let problem { notes.append(problem) }
        if catchUps > 0 {
            notes.append("observe's reader fell behind \(catchUps) time(s) (a poll took more than a quarter of its buffer) and caught up at nice 0, taking CPU from the processes observed")
        }
        return notes
    }

    private mutating func set(_ nice: Int32) {
        // PRIO_PROCESS with 0: the calling thread (the nice value is per thread on Linux).
        if setpriority(__priority_which_t(0), 0, nice) == 0 {
            current = nice
        } else if problem == nil {
            problem = "setpriority(\(nice)) on the draining thread: \(String(cString: strerror(errno)))"
        }
    }
}
