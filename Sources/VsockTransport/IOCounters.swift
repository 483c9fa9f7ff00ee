import Synchronization

/// Syscall and byte counts for one socket, as our own socket layer sees them.
///
/// Each counter has one writer (the thread that owns that direction of the socket), so updates
/// are a relaxed load and store, which cost nothing on x86; other threads may read a snapshot.
public final class IOCounters: Sendable {
    @usableFromInline let reads = Atomic<UInt64>(0)
    @usableFromInline let writes = Atomic<UInt64>(0)
    @usableFromInline let bytesRead = Atomic<UInt64>(0)
    @usableFromInline let bytesWritten = Atomic<UInt64>(0)
    @usableFromInline let readNanos = Atomic<UInt64>(0)
    @usableFromInline let writeNanos = Atomic<UInt64>(0)
    /// Writes the kernel took only part of (the socket buffer was full): flow control at work.
    @usableFromInline let shortWrites = Atomic<UInt64>(0)
    /// When the last timed read and write returned (MonotonicClock; 0 before the first, and
    /// always 0 on a socket that does not time its syscalls), so that a caller timing the work
    /// between them need not read the clock again.
    @usableFromInline let lastReadEnd = Atomic<UInt64>(0)
    @usableFromInline let lastWriteEnd = Atomic<UInt64>(0)

    public init() {}

    @inline(__always)
    package static func bump(_ counter: borrowing Atomic<UInt64>, by value: UInt64) {
        counter.store(counter.load(ordering: .relaxed) &+ value, ordering: .relaxed)
    }

    @inline(__always)
    package func recordRead(bytes: Int, nanos: UInt64, end: UInt64 = 0) {
        Self.bump(reads, by: 1)
        Self.bump(bytesRead, by: UInt64(bytes))
        Self.bump(readNanos, by: nanos)
        lastReadEnd.store(end, ordering: .relaxed)
    }

    @inline(__always)
    package func recordWrite(bytes: Int, nanos: UInt64, short: Bool = false, end: UInt64 = 0) {
        Self.bump(writes, by: 1)
        Self.bump(bytesWritten, by: UInt64(bytes))
        Self.bump(writeNanos, by: nanos)
        if short { Self.bump(shortWrites, by: 1) }
        lastWriteEnd.store(end, ordering: .relaxed)
    }

    /// Single counters, for the per-message checks that need one of them, not all seven.
    /// Inlinable: called across the module boundary on every message, where an out-of-line
    /// getter costs a call each (about 50 instructions a round trip on the target, callgrind).
    @inlinable package var writeNanosNow: UInt64 { writeNanos.load(ordering: .relaxed) }
    @inlinable package var bytesWrittenNow: UInt64 { bytesWritten.load(ordering: .relaxed) }
    @inlinable package var bytesReadNow: UInt64 { bytesRead.load(ordering: .relaxed) }
    @inlinable package var readsNow: UInt64 { reads.load(ordering: .relaxed) }
    @inlinable package var readNanosNow: UInt64 { readNanos.load(ordering: .relaxed) }
    @inlinable package var writesNow: UInt64 { writes.load(ordering: .relaxed) }
    /// When the last read and write returned (0: not timed; see `lastReadEnd`).
    @inlinable package var lastReadEndNanos: UInt64 { lastReadEnd.load(ordering: .relaxed) }
    @inlinable package var lastWriteEndNanos: UInt64 { lastWriteEnd.load(ordering: .relaxed) }

    public func snapshot() -> IOSnapshot {
        IOSnapshot(
            reads: reads.load(ordering: .relaxed),
            writes: writes.load(ordering: .relaxed),
            bytesRead: bytesRead.load(ordering: .relaxed),
            bytesWritten: bytesWritten.load(ordering: .relaxed),
            readNanos: readNanos.load(ordering: .relaxed),
            writeNanos: writeNanos.load(ordering: .relaxed),
            shortWrites: shortWrites.load(ordering: .relaxed)
        )
    }
}

/// A point-in-time copy of `IOCounters`; subtract two to get an interval.
public struct IOSnapshot: Sendable, Equatable, Codable {
    public var reads: UInt64 = 0
    public var writes: UInt64 = 0
    public var bytesRead: UInt64 = 0
    public var bytesWritten: UInt64 = 0
    /// Time spent inside read syscalls (blocked or copying).
    public var readNanos: UInt64 = 0
    /// Time spent inside write syscalls.
    public var writeNanos: UInt64 = 0
    /// Writes that moved fewer bytes than asked (a full socket buffer).
    public var shortWrites: UInt64 = 0

    public init() {}

    public init(reads: UInt64, writes: UInt64, bytesRead: UInt64, bytesWritten: UInt64, readNanos: UInt64, writeNanos: UInt64, shortWrites: UInt64 = 0) {
        self.reads = reads
        self.writes = writes
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.readNanos = readNanos
        self.writeNanos = writeNanos
        self.shortWrites = shortWrites
    }

    public static func - (lhs: IOSnapshot, rhs: IOSnapshot) -> IOSnapshot {
        IOSnapshot(
            reads: lhs.reads &- rhs.reads, writes: lhs.writes &- rhs.writes,
            bytesRead: lhs.bytesRead &- rhs.bytesRead, bytesWritten: lhs.bytesWritten &- rhs.bytesWritten,
            readNanos: lhs.readNanos &- rhs.readNanos, writeNanos: lhs.writeNanos &- rhs.writeNanos,
            shortWrites: lhs.shortWrites &- rhs.shortWrites)
    }

    public static func + (lhs: IOSnapshot, rhs: IOSnapshot) -> IOSnapshot {
        IOSnapshot(
            reads: lhs.reads &+ rhs.reads, writes: lhs.writes &+ rhs.writes,
            bytesRead: lhs.bytesRead &+ rhs.bytesRead, bytesWritten: lhs.bytesWritten &+ rhs.bytesWritten,
            readNanos: lhs.readNanos &+ rhs.readNanos, writeNanos: lhs.writeNanos &+ rhs.writeNanos,
            shortWrites: lhs.shortWrites &+ rhs.shortWrites)
    }

    /// Time blocked in (or copying through) I/O syscalls.
    public var ioNanos: UInt64 { readNanos &+ writeNanos }
}
