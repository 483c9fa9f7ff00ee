#ifndef CFUZZSUPPORT_H
#define CFUZZSUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer on the harness's LLVMFuzzerTestOneInput (found by the linker) through
/// LLVMFuzzerRunDriver, libFuzzer's entry point for a program that has a main of its own:
/// the fuzzer, or a replay of the files named on the command line, with the usual flags.
int fuzz_run_driver(int *argc, char ***argv);

/// Installs the allocation hooks (ASan's __sanitizer_install_malloc_and_free_hooks); 0 when the
/// sanitizer does not offer them, and the allocation checks then report nothing.
int fuzz_allocations_install(void);

/// Starts recording the allocations of the calling code: the largest single allocation, the
/// peak of live recorded bytes, and each live block (up to 256 of them).
void fuzz_allocations_begin(void);

/// Stops recording.
void fuzz_allocations_end(void);

/// The largest allocation made since fuzz_allocations_begin.
size_t fuzz_allocations_largest(void);

/// The peak of bytes allocated since fuzz_allocations_begin and not yet freed.
size_t fuzz_allocations_peak_live(void);

/// Marks the recorded live block that contains `pointer` (if any) as one that must be all
/// zero bytes when it is freed; returns 1 when such a block was found.
int fuzz_allocations_watch(const void *pointer);

/// Like fuzz_allocations_watch, for the block's first bytes only: those from its start to
/// `pointer + count` must be zero when it is freed (a buffer only partly written, whose other
/// bytes are the allocator's). Watching again widens the range, never narrows it.
int fuzz_allocations_watch_prefix(const void *pointer, size_t count);

/// How many watched blocks were freed, and how many of those held a non-zero byte.
size_t fuzz_allocations_watched_freed(void);
size_t fuzz_allocations_watched_dirty(void);

#endif
