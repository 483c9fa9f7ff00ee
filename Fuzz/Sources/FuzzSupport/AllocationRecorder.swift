import CFuzzSupport

/// What the code under test allocated while `record` ran (see CFuzzSupport/allocations.c).
/// Empty figures when the sanitizer offers no allocation hooks.
public struct AllocationRecord {
    /// The largest single allocation.
    public var largest: Int
    /// The most bytes allocated inside the window and live at once.
    public var peakLive: Int
    /// Watched blocks freed inside the window, and those of them not all zero.
    public var watchedFreed: Int
    public var watchedDirty: Int
}

public enum AllocationRecorder {
    /// Runs `body` with the allocation hooks recording; not reentrant.
    public static func record<T>(_ body: () throws -> T) rethrows -> (T, AllocationRecord) {
        fuzz_allocations_begin()
        defer { fuzz_allocations_end() }
        let value = try body()
        let record = AllocationRecord(
            largest: fuzz_allocations_largest(), peakLive: fuzz_allocations_peak_live(),
            watchedFreed: fuzz_allocations_watched_freed(), watchedDirty: fuzz_allocations_watched_dirty())
        return (value, record)
    }

    /// Inside `record`: the live block holding `pointer` must be zero when it is freed.
    @discardableResult
    public static func watchBlock(containing pointer: UnsafeRawPointer) -> Bool {
        fuzz_allocations_watch(pointer) != 0
    }

    /// Inside `record`: the bytes of the live block holding `pointer`, from the block's start
    /// to `pointer + count`, must be zero when it is freed (a buffer written only in part: the
    /// rest is the allocator's fill, not data).
    @discardableResult
    public static func watchBlockPrefix(containing pointer: UnsafeRawPointer, through count: Int) -> Bool {
        fuzz_allocations_watch_prefix(pointer, count) != 0
    }
}
