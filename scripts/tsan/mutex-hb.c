// Teaches ThreadSanitizer that Synchronization.Mutex orders what it protects, on Linux.
//
// Why: Mutex's fast paths (one compare-exchange to lock, one to unlock) are inlined into our
// code and instrumented, but its contended paths are not: `_lockSlow` spins with plain
// cmpxchg and then sleeps in FUTEX_LOCK_PI, and `_unlockSlow` hands the lock over in
// FUTEX_UNLOCK_PI, all inside libswiftSynchronization.so, which is not TSan-instrumented.
// TSan then sees no happens-before between two holders and reports every contended
// `withLock` body as a "Swift access race" (shown by scripts/tsan-check.sh's self-check with
// a four-thread Mutex<Int> counter that never loses an update). The reports come and go with
// contention, so without this the pass would be flaky as well as wrong. No suppression can be
// narrow here: `withLock` is @_transparent, so the reports' stacks hold only our own frames.
//
// How: LD_PRELOAD this library into the TSan-built processes. It interposes the three
// out-of-line entry points (the executable calls them through the PLT), calls the real ones,
// and adds the edge a mutex has: release before the slow unlock, acquire after a slow lock
// (or a successful slow try-lock), on the lock word's address: the same address the inlined
// fast paths' atomics synchronize on. It adds no edge a real mutex does not have, so it hides
// no race. Without a TSan runtime in the process (__tsan_* absent) it only forwards.
//
// ABI (checked with Swift 6.3 on x86_64 Linux): `borrowing func _lockSlow(_ selfId: UInt32)` on
// the address-only `_MutexHandle` takes selfId in edi and self in the Swift self register (r13,
// x20 on arm64), which is where clang's `swiftcall` passes a `swift_context` parameter. If a
// toolchain changes any of this, the self-check's contended-Mutex case fails (or the library
// aborts naming the missing symbol), rather than hiding anything.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SWIFTCALL __attribute__((swiftcall))
#define SWIFT_SELF __attribute__((swift_context))

#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

extern void __tsan_acquire(void *address) __attribute__((weak));
extern void __tsan_release(void *address) __attribute__((weak));

typedef SWIFTCALL void (*LockSlow)(uint32_t selfId, void *SWIFT_SELF handle);
typedef SWIFTCALL bool (*TryLockSlow)(void *SWIFT_SELF handle);
typedef SWIFTCALL void (*UnlockSlow)(void *SWIFT_SELF handle);

// Counts the slow paths taken, so the self-check can tell that the interposition is live.
static atomic_ulong slowPaths;

static void *real(const char *name) {
    void *function = dlsym(RTLD_NEXT, name);
    if (function == NULL) {
        fprintf(stderr, "tsan mutex-hb: %s not found (the Swift runtime changed?): %s\n", name, dlerror());
        abort();
    }
    return function;
}

SWIFTCALL void tsanLockSlow(uint32_t selfId, void *SWIFT_SELF handle) __asm__(LOCK_SLOW);
SWIFTCALL void tsanLockSlow(uint32_t selfId, void *SWIFT_SELF handle) {
    static _Atomic(LockSlow) function;
    LockSlow call = atomic_load_explicit(&function, memory_order_acquire);
    if (call == NULL) {
        call = (LockSlow)real(LOCK_SLOW);
        atomic_store_explicit(&function, call, memory_order_release);
    }
    call(selfId, handle);
    atomic_fetch_add_explicit(&slowPaths, 1, memory_order_relaxed);
    if (__tsan_acquire) __tsan_acquire(handle);
}

SWIFTCALL bool tsanTryLockSlow(void *SWIFT_SELF handle) __asm__(TRY_LOCK_SLOW);
SWIFTCALL bool tsanTryLockSlow(void *SWIFT_SELF handle) {
    static _Atomic(TryLockSlow) function;
    TryLockSlow call = atomic_load_explicit(&function, memory_order_acquire);
    if (call == NULL) {
        call = (TryLockSlow)real(TRY_LOCK_SLOW);
        atomic_store_explicit(&function, call, memory_order_release);
    }
    bool locked = call(handle);
    atomic_fetch_add_explicit(&slowPaths, 1, memory_order_relaxed);
    if (locked && __tsan_acquire) __tsan_acquire(handle);
    return locked;
}

SWIFTCALL void tsanUnlockSlow(void *SWIFT_SELF handle) __asm__(UNLOCK_SLOW);
SWIFTCALL void tsanUnlockSlow(void *SWIFT_SELF handle) {
    static _Atomic(UnlockSlow) function;
    UnlockSlow call = atomic_load_explicit(&function, memory_order_acquire);
    if (call == NULL) {
        call = (UnlockSlow)real(UNLOCK_SLOW);
        atomic_store_explicit(&function, call, memory_order_release);
    }
    if (__tsan_release) __tsan_release(handle);
    atomic_fetch_add_explicit(&slowPaths, 1, memory_order_relaxed);
    call(handle);
}

// With TSAN_MUTEX_HB_REPORT set, says at exit how many slow paths went through here.
__attribute__((destructor)) static void reportSlowPaths(void) {
    if (getenv("TSAN_MUTEX_HB_REPORT") != NULL) {
        fprintf(stderr, "tsan mutex-hb: %lu contended Mutex operations annotated\n",
                atomic_load_explicit(&slowPaths, memory_order_relaxed));
    }
}
