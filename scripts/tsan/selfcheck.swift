// The ThreadSanitizer self-check of scripts/tsan-check.sh: three tiny multi-threaded programs
// whose verdicts are known, so that a silent pass of the real run means something.
//
//   race         a plain stored property incremented by two threads: a data race, which
//                TSan must report.
//   mutex        a Synchronization.Mutex<Int> incremented by four threads: race-free. Without
//                scripts/tsan/mutex-hb.c TSan reports it on Linux (the contended paths are
//                in the uninstrumented libswiftSynchronization.so); with it, it must not.
//   atomic-bump  IOCounters.bump's pattern (a relaxed load, then a relaxed store) from two
//                threads: updates are lost, yet TSan reports nothing, since atomics never
//                race in its model. It prints how many were lost: this is the blind spot
//                that review, not TSan, has to cover.
import Glibc
import Synchronization

final class Plain: @unchecked Sendable { var count = 0 }

/// Runs `body` on `count` pthreads at once and waits for them all.
func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var threads: [pthread_t] = []
    for _ in 0..<count {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        guard pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, box) == 0 else { fatalError("pthread_create failed") }
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

switch CommandLine.arguments.dropFirst().first {
case "race":
    let shared = Plain()
    onThreads(2) { for _ in 0..<1_000 { shared.count += 1 } }
    print("race: \(shared.count) of \(2 * 1_000)")
case "mutex":
    // Four threads and a little work under the lock, so that the lock is contended (its slow
    // paths taken: the script checks that they were) even on a loaded two-core machine.
    let shared = Mutex<Int>(0)
    let iterations = 20_000
    onThreads(4) {
        for _ in 0..<iterations {
            shared.withLock { value in
                for _ in 0..<8 { value &+= 1 }
                value &-= 7
            }
        }
    }
    print("mutex: \(shared.withLock { $0 }) of \(4 * iterations)")
case "atomic-bump":
    final class Counter: Sendable { let value = Atomic<UInt64>(0) }
    let shared = Counter()
    let iterations = 200_000
    onThreads(2) {
        for _ in 0..<iterations {
            shared.value.store(shared.value.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        }
    }
    let total = shared.value.load(ordering: .relaxed)
    print("atomic-bump: \(total) of \(2 * iterations) (\(UInt64(2 * iterations) - total) lost)")
default:
    print("usage: selfcheck race|mutex|atomic-bump")
    exit(2)
}
