// The bridge from a harness's main to libFuzzer. The harness defines LLVMFuzzerTestOneInput
// with @_cdecl; referring to it here, by its C name, keeps Swift from emitting a second copy of
// the symbol in the file that would otherwise take its address (a duplicate at link time).
#include "CFuzzSupport.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// Weak: the seed generator links this library without being a harness.
extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) __attribute__((weak));

int fuzz_run_driver(int *argc, char ***argv) {
    if (!LLVMFuzzerTestOneInput) return 2;
    return LLVMFuzzerRunDriver(argc, argv, LLVMFuzzerTestOneInput);
}
