/*
 * bpf-count: proves that BPF programs load and attach to tracepoints in the lab guest.
 * Loads a tracepoint program (a handful of raw instructions, no libbpf) that adds 1 to an
 * array map on every hit, attaches it to GROUP/EVENT through perf_event_open and
 * PERF_EVENT_IOC_SET_BPF, runs COMMAND, and prints "count N".
 *
 *   bpf-count vsock/virtio_transport_alloc_pkt socat - VSOCK-CONNECT:1:5005 < file
 *
 * Exit status: COMMAND's, or 3 when BPF could not be set up (the reason on stderr).
 * Built static by test-smoke.sh (cc -static -O2), so the guest needs no libraries for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "bpf-count: %s: %s\n", what, strerror(errno));
    return 3;
}

static long bpf(int cmd, union bpf_attr *attr) {
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int tracepoint_id(const char *event) {
    char path[512];
    snprintf(path, sizeof path, "/sys/kernel/tracing/events/%s/id", event);
    FILE *file = fopen(path, "r");
    if (!file) return -1;
    int id = -1;
    if (fscanf(file, "%d", &id) != 1) id = -1;
    fclose(file);
    return id;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bpf-count GROUP/EVENT COMMAND [ARGS...]\n");
        return 2;
    }
    int id = tracepoint_id(argv[1]);
    if (id < 0) return fail("no such tracepoint (is tracefs mounted?)");

    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 8;
    attr.max_entries = 1;
    int map = (int)bpf(BPF_MAP_CREATE, &attr);
    if (map < 0) return fail("BPF_MAP_CREATE");

    struct bpf_insn program[] = {
        /* *(u32 *)(r10 - 4) = 0; r2 = r10 - 4; r1 = map */
        {.code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0},
        {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10},
        {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4},
        {.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = BPF_PSEUDO_MAP_FD, .imm = map},
        {.code = 0},
        /* r0 = bpf_map_lookup_elem(r1, r2); if (r0 == 0) goto out */
        {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem},
        {.code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 2, .imm = 0},
        /* r1 = 1; lock *(u64 *)(r0 + 0) += r1 */
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1},
        {.code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1, .imm = BPF_ADD},
        /* out: return 0 */
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    static char log[4096];
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
    attr.insns = (uint64_t)(uintptr_t)program;
    attr.insn_cnt = sizeof program / sizeof program[0];
    attr.license = (uint64_t)(uintptr_t)"GPL";
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = sizeof log;
    attr.log_level = 1;
    int prog = (int)bpf(BPF_PROG_LOAD, &attr);
    if (prog < 0) {
        fprintf(stderr, "%s", log);
        return fail("BPF_PROG_LOAD");
    }

    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_TRACEPOINT;
    pe.size = sizeof pe;
    pe.config = (uint64_t)id;
    pe.sample_period = 1;
    pe.wakeup_events = 1;
    int event = (int)syscall(__NR_perf_event_open, &pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    if (event < 0) return fail("perf_event_open");
    if (ioctl(event, PERF_EVENT_IOC_SET_BPF, prog) < 0) return fail("PERF_EVENT_IOC_SET_BPF");
    if (ioctl(event, PERF_EVENT_IOC_ENABLE, 0) < 0) return fail("PERF_EVENT_IOC_ENABLE");

    pid_t child = fork();
    if (child < 0) return fail("fork");
    if (child == 0) {
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int status = 0;
    if (waitpid(child, &status, 0) < 0) return fail("waitpid");

    uint32_t key = 0;
    uint64_t count = 0;
    memset(&attr, 0, sizeof attr);
    attr.map_fd = (uint32_t)map;
    attr.key = (uint64_t)(uintptr_t)&key;
    attr.value = (uint64_t)(uintptr_t)&count;
    if (bpf(BPF_MAP_LOOKUP_ELEM, &attr) < 0) return fail("BPF_MAP_LOOKUP_ELEM");
    fprintf(stderr, "count %llu\n", (unsigned long long)count);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
