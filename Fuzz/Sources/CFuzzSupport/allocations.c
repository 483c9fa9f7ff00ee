// Allocation hooks for the fuzz harnesses: ASan calls them on every malloc and free (after
// the allocation, before the memory is released), which lets a harness bound what the code
// under test allocates for one input and check that watched buffers are zeroed before they go
// back to the allocator.
//
// Only the recording thread's allocations count (libFuzzer runs the input on its main thread;
// other threads, such as libFuzzer's RSS monitor, are ignored), so plain variables suffice.
#include "CFuzzSupport.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

// Weak: a build without ASan links, and the checks then see nothing.
extern int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *)) __attribute__((weak));

#define MAX_BLOCKS 256

struct block {
    const volatile void *pointer;
    size_t size;
    // How many bytes from the block's start must be zero when it is freed (0: not watched).
    size_t watched;
};

static int recording;
static pthread_t recorder;
static size_t largest;
static size_t live;
static size_t peak_live;
static size_t watched_freed;
static size_t watched_dirty;
static struct block blocks[MAX_BLOCKS];
static int block_count;

static void on_malloc(const volatile void *pointer, size_t size) {
    if (!recording || pointer == NULL || !pthread_equal(pthread_self(), recorder)) return;
    if (size > largest) largest = size;
    live += size;
    if (live > peak_live) peak_live = live;
    if (block_count < MAX_BLOCKS) {
        blocks[block_count].pointer = pointer;
        blocks[block_count].size = size;
        blocks[block_count].watched = 0;
        block_count += 1;
    }
}

static void on_free(const volatile void *pointer) {
    if (!recording || pointer == NULL || !pthread_equal(pthread_self(), recorder)) return;
    for (int i = 0; i < block_count; i++) {
        if (blocks[i].pointer != pointer) continue;
        if (blocks[i].watched) {
            const volatile unsigned char *bytes = (const volatile unsigned char *)pointer;
            watched_freed += 1;
            for (size_t j = 0; j < blocks[i].watched; j++) {
                if (bytes[j] != 0) {
                    watched_dirty += 1;
                    break;
                }
            }
        }
        live -= blocks[i].size;
        blocks[i] = blocks[block_count - 1];
        block_count -= 1;
        return;
    }
}

int fuzz_allocations_install(void) {
    if (!__sanitizer_install_malloc_and_free_hooks) return 0;
    return __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
}

void fuzz_allocations_begin(void) {
    largest = 0;
    live = 0;
    peak_live = 0;
    watched_freed = 0;
    watched_dirty = 0;
    block_count = 0;
    recorder = pthread_self();
    recording = 1;
}

void fuzz_allocations_end(void) { recording = 0; }

size_t fuzz_allocations_largest(void) { return largest; }

size_t fuzz_allocations_peak_live(void) { return peak_live; }

int fuzz_allocations_watch(const void *pointer) {
    return fuzz_allocations_watch_prefix(pointer, SIZE_MAX);
}

int fuzz_allocations_watch_prefix(const void *pointer, size_t count) {
    const unsigned char *p = (const unsigned char *)pointer;
    for (int i = 0; i < block_count; i++) {
        const unsigned char *start = (const unsigned char *)blocks[i].pointer;
        if (p >= start && p < start + blocks[i].size) {
            size_t offset = (size_t)(p - start);
            size_t end = count > blocks[i].size - offset ? blocks[i].size : offset + count;
            if (end > blocks[i].watched) blocks[i].watched = end;
            return 1;
        }
    }
    return 0;
}

size_t fuzz_allocations_watched_freed(void) { return watched_freed; }

size_t fuzz_allocations_watched_dirty(void) { return watched_dirty; }
