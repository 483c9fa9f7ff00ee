import Synchronization

/// A one-way flag shared between threads: set once, checked often (a relaxed load on the hot path).
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    public init() {}

    public func set() { value.store(true, ordering: .releasing) }

    @inline(__always)
    public var isSet: Bool { value.load(ordering: .relaxed) }
}
