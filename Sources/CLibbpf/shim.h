#ifndef VSOCKBENCH_CLIBBPF_SHIM_H
#define VSOCKBENCH_CLIBBPF_SHIM_H

/* libbpf 1.1 (Debian bookworm: apt install libbpf-dev). Pointer-returning calls give NULL and
 * set errno; int-returning calls return -errno. */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#endif
