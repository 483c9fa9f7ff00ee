/* vsockbench probe: the layout both sides share.
 *
 * Included by the BPF programs (bpf/NAME.bpf.c) and, through the CVsockProbe C module, by
 * the Swift side (Sources/VsockProbe). The tracepoint context structs here are the single
 * statement of which field sits where: the BPF programs read through them, and Swift checks
 * their offsets and sizes against /sys/kernel/tracing/events/<cat>/<name>/format at load
 * time, switching a program off when the running kernel disagrees. The same goes for the
 * arguments the raw tracepoint programs read (struct vsb_vsock_pkt): their positions and sizes
 * are checked against the order and sizes of the format file's fields.
 */
#ifndef VSOCKBENCH_BPF_H
#define VSOCKBENCH_BPF_H

#include <linux/types.h>

/* ---- Filters (.rodata, set before load) ------------------------------------------ */

/* Processes named in the configuration before load; more go into the followed map. */
#define VSB_MAX_TARGETS 8
/* IRQ numbers of the vsock virtio device's queues (rx, tx, event, config). */
#define VSB_MAX_IRQS 8

/* The read-only global of vsockbench.bpf.c: `const volatile struct vsb_config vsb_config`. */
struct vsb_config {
	__u32 target_tgids[VSB_MAX_TARGETS];
	__u32 target_count;
	__u32 follow_children;
	__u32 vsock_filter_port; /* 1: match vsock_port on src or dst port */
	__u32 vsock_port;
	__u32 vsock_filter_cid; /* 1: match vsock_cid on src or dst CID */
	__u32 vsock_cid;
	__u32 irq_count;
	__u32 irqs[VSB_MAX_IRQS];
	__u32 count_kvm_run; /* 1: count_syscall also counts KVM_RUN ioctls */
	__u32 capture_writes; /* 1: count_syscall sends each write's size to the `events` ring buffer */
};

/* The only global of virtqueue_kick.bpf.c. */
struct vsb_kick_config {
	__s32 virtio_index; /* N of the vsock device's virtioN, or -1 for every device */
	__u32 reserved;
};

/* ---- Counters (per-CPU maps; Swift sums the CPUs) -------------------------------- */

/* Keys of the `scalars` per-CPU array. */
enum vsb_scalar {
	VSB_SCALAR_KVM_RUN = 0,
	VSB_SCALAR_VSOCK_IRQ = 1,
	VSB_SCALAR_FOLLOW_OVERFLOW = 2, /* children not followed because the map was full */
	VSB_SCALAR_WRITES_LOST = 3, /* writes not sent to `events`: the ring buffer was full */
	VSB_SCALAR_COUNT = 4,
};

/* `syscalls` per-CPU array: index = syscall number; the last slot takes numbers out of range. */
#define VSB_SYSCALL_SLOTS 512

/* `vsock_packets` per-CPU array: index = direction * VSB_VSOCK_OPS + op (op 0 = unknown). */
#define VSB_VSOCK_OPS 8
#define VSB_VSOCK_TX 0
#define VSB_VSOCK_RX 1
struct vsb_packet_count {
	__u64 packets;
	__u64 bytes;
};

/* `kvm_exits` per-CPU hash key: (isa << 32) | reason (VMX reasons masked with 0xffff). */
#define VSB_MAX_EXIT_REASONS 1024
/* `userspace_exits` per-CPU hash key: reason, or VSB_USERSPACE_ERRNO | -errno when KVM_RUN failed. */
#define VSB_USERSPACE_ERRNO 0x10000u

#define VSB_MAX_FOLLOWED 8192

/* The programs that run on every system call of the machine (raw_tp/sys_enter) reject the tasks
 * they do not follow without a hash lookup: each CPU remembers the last process it found not
 * followed, under the `followed_generation` it saw then. Any insertion into `followed` bumps the
 * generation, which voids every remembered verdict. One 64-byte slot per CPU (no false sharing);
 * CPUs beyond the slots share them, which costs a lookup, never a wrong verdict. */
#define VSB_VERDICT_SLOTS 256
struct vsb_verdict {
	__u64 key; /* (generation << 32) | tgid of a process that is not followed */
	__u64 pad[7];
};
/* Keys of the `followed_generation` array: BPF programs bump one slot, Swift (the only writer
 * of the other, under the probe's lock) the other, so neither can lose the other's bump. */
enum vsb_generation_slot {
	VSB_GENERATION_KERNEL = 0,
	VSB_GENERATION_USER = 1,
	VSB_GENERATION_SLOTS = 2,
};

/* ---- Tracepoint contexts (classic tracepoints; offsets as in events/<cat>/<name>/format) ---- */

struct vsb_trace_common {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
};

/* The user registers a system call entered with, as raw_tp/sys_enter hands them over
 * (struct pt_regs *): only the second argument is read (ioctl's cmd). */
#if defined(__TARGET_ARCH_arm64)
#define VSB_NR_IOCTL 29
#define VSB_NR_WRITE 64
#define VSB_NR_WRITEV 66
#define VSB_NR_PWRITE64 68
#define VSB_NR_PWRITEV 70
#define VSB_NR_SENDTO 206
#define VSB_NR_SENDMSG 211
#define VSB_NR_SENDMMSG 269
#define VSB_NR_PWRITEV2 287
struct vsb_syscall_regs {
	__u64 regs[31];
};
#define VSB_SYSCALL_ARG2(r) ((r)->regs[1])
/* The first three arguments lie side by side, x0 to x2: one read from here gets them, at these slots. */
#define VSB_SYSCALL_ARGS123(r) (&(r)->regs[0])
#define VSB_ARG1_SLOT 0
#define VSB_ARG2_SLOT 1
#define VSB_ARG3_SLOT 2
#else
#define VSB_NR_IOCTL 16
#define VSB_NR_WRITE 1
#define VSB_NR_PWRITE64 18
#define VSB_NR_WRITEV 20
#define VSB_NR_SENDTO 44
#define VSB_NR_SENDMSG 46
#define VSB_NR_PWRITEV 296
#define VSB_NR_SENDMMSG 307
#define VSB_NR_PWRITEV2 328
struct vsb_syscall_regs { /* x86_64 struct pt_regs, in order */
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
};
#define VSB_SYSCALL_ARG2(r) ((r)->si)
/* The first three arguments lie side by side, dx, si, di (third to first): one read from here gets them, at these slots. */
#define VSB_SYSCALL_ARGS123(r) (&(r)->dx)
#define VSB_ARG1_SLOT 2
#define VSB_ARG2_SLOT 1
#define VSB_ARG3_SLOT 0
#endif

/* kvm/kvm_userspace_exit */
struct vsb_ctx_kvm_userspace_exit {
	struct vsb_trace_common common;
	__u32 reason;
	__s32 errno_value; /* "errno" in the format file */
};

/* kvm/kvm_exit */
struct vsb_ctx_kvm_exit {
	struct vsb_trace_common common;
	__u32 exit_reason;
	__u32 pad;
	__u64 guest_rip;
	__u32 isa;
};

/* irq/irq_handler_entry */
struct vsb_ctx_irq_handler_entry {
	struct vsb_trace_common common;
	__s32 irq;
	__u32 name_data_loc;
};

/* sched/sched_process_fork changed layout when its comms became __data_loc strings (seen on
 * 6.18). One program per layout: the kernel refuses to attach a program whose reads reach past
 * the record (EACCES), so a single program cannot carry both. */

/* sched/sched_process_fork with fixed-size comms (6.1 and earlier kernels) */
struct vsb_ctx_sched_fork_fixed_comm {
	struct vsb_trace_common common;
	char parent_comm[16];
	__s32 parent_pid;
	char child_comm[16];
	__s32 child_pid;
};

/* sched/sched_process_fork with __data_loc comms (recent kernels, 6.18 here) */
struct vsb_ctx_sched_fork_data_loc {
	struct vsb_trace_common common;
	__u32 parent_comm_data_loc;
	__s32 parent_pid;
	__u32 child_comm_data_loc;
	__s32 child_pid;
};


/* ---- observe: events through a ring buffer (observe.bpf.c, and count_syscall's writes) ---- */

/* The only global of observe.bpf.c. */
struct vsb_observe_config {
	__u32 port; /* the service port: packets from or to it */
	__u32 filter_cid; /* 1: only packets from or to `cid` */
	__u32 cid;
	__u32 reserved;
};

enum vsb_event_kind {
	VSB_EVENT_SENT = 1, /* vsock/virtio_transport_alloc_pkt: a packet built to be sent */
	VSB_EVENT_RECEIVED = 2, /* vsock/virtio_transport_recv_pkt: a packet received */
	VSB_EVENT_WRITE = 3, /* a followed process entered a write-family system call */
};

/* One event. Packets: the header fields the tracepoint's arguments carry (buf_alloc and
 * fwd_cnt only when received). Writes: the bytes asked for (`len`; writev and sendmsg: the first
 * VSB_MAX_IOVECS iovecs), the system call number and the descriptor. */
struct vsb_event {
	__u64 timestamp_ns; /* bpf_ktime_get_ns: CLOCK_MONOTONIC */
	__u32 kind;
	__u32 src_cid;
	__u32 src_port;
	__u32 dst_cid;
	__u32 dst_port;
	__u32 len;
	__u16 type;
	__u16 op;
	__u32 flags;
	__u32 buf_alloc;
	__u32 fwd_cnt;
	__u32 tgid; /* writes: the process; packets: 0 (it would be whoever ran, often a kworker) */
	__u32 syscall_nr; /* writes */
	__s32 fd; /* writes */
	__u32 reserved;
};
_Static_assert(sizeof(struct vsb_event) == 64, "no padding in vsb_event: the programs write every field, and no byte is left unwritten");

#define VSB_MAX_IOVECS 8
/* Bytes of the `events` ring buffer (a power of two, a multiple of the page size). Events are
 * submitted without waking the reader, which drains the buffer every 20 ms (ObserveSession):
 * 8 MiB holds about 116,000 events (64 bytes and an 8-byte header each), so events are lost
 * (and counted) only beyond 5.8 million a second or when the reader is held up that long. A
 * wake-up decision per event (bpf_ringbuf_query) cost a helper call on every packet. */
#define VSB_EVENTS_BYTES (8u << 20)

/* Keys of observe.bpf.c's `observe_lost` per-CPU array. */
enum vsb_lost_slot {
	VSB_LOST_PACKETS = 0, /* the ring buffer was full when a packet came */
	VSB_LOST_SLOTS = 1,
};

/* ---- vsock packets (raw tracepoints: the tracepoints' arguments, no record) ------------ */

/* The arguments of vsock/virtio_transport_alloc_pkt and vsock/virtio_transport_recv_pkt by
 * position in their prototype (TP_PROTO in include/trace/events/vsock_virtio_transport_common.h):
 * a raw tracepoint program gets argument i as ctx->args[i], widened to 64 bits. recv_pkt has two
 * more than alloc_pkt, at the end. The prototype is not in tracefs, but for these two events the
 * record copies each argument in order (TP_fast_assign), so Swift checks these positions against
 * the order of the format file's fields, and the sizes against the fields of struct vsb_vsock_pkt
 * (a kernel that adds an argument at the end is fine, as 6.18's alloc_pkt adds `bool zcopy`;
 * one that reorders, renames or resizes one gets the program switched off). */
enum vsb_vsock_pkt_arg {
	VSB_PKT_ARG_SRC_CID = 0,
	VSB_PKT_ARG_SRC_PORT = 1,
	VSB_PKT_ARG_DST_CID = 2,
	VSB_PKT_ARG_DST_PORT = 3,
	VSB_PKT_ARG_LEN = 4,
	VSB_PKT_ARG_TYPE = 5,
	VSB_PKT_ARG_OP = 6,
	VSB_PKT_ARG_FLAGS = 7,
	VSB_PKT_ARG_BUF_ALLOC = 8, /* recv_pkt only */
	VSB_PKT_ARG_FWD_CNT = 9, /* recv_pkt only */
};

/* One packet's header as the programs keep it, read once from the arguments (truncated to the
 * prototype's types). buf_alloc and fwd_cnt are 0 for a packet built to be sent: alloc_pkt does
 * not have them. */
struct vsb_vsock_pkt {
	__u32 src_cid;
	__u32 src_port;
	__u32 dst_cid;
	__u32 dst_port;
	__u32 len;
	__u16 type;
	__u16 op;
	__u32 flags;
	__u32 buf_alloc;
	__u32 fwd_cnt;
};

#if defined(__bpf__)
/* BPF side only (the programs include <linux/bpf.h> first). Reads the eight arguments both
 * tracepoints have, no more: the kernel refuses to attach a raw tracepoint program that reads
 * past the tracepoint's last argument, so alloc_pkt's programs must not read buf_alloc. */
static __always_inline void vsb_read_pkt(const struct bpf_raw_tracepoint_args *ctx, struct vsb_vsock_pkt *pkt)
{
	pkt->src_cid = (__u32)ctx->args[VSB_PKT_ARG_SRC_CID];
	pkt->src_port = (__u32)ctx->args[VSB_PKT_ARG_SRC_PORT];
	pkt->dst_cid = (__u32)ctx->args[VSB_PKT_ARG_DST_CID];
	pkt->dst_port = (__u32)ctx->args[VSB_PKT_ARG_DST_PORT];
	pkt->len = (__u32)ctx->args[VSB_PKT_ARG_LEN];
	pkt->type = (__u16)ctx->args[VSB_PKT_ARG_TYPE];
	pkt->op = (__u16)ctx->args[VSB_PKT_ARG_OP];
	pkt->flags = (__u32)ctx->args[VSB_PKT_ARG_FLAGS];
	pkt->buf_alloc = 0;
	pkt->fwd_cnt = 0;
}

/* recv_pkt's ten arguments: alloc_pkt's eight, then the header's buf_alloc and fwd_cnt. */
static __always_inline void vsb_read_recv_pkt(const struct bpf_raw_tracepoint_args *ctx, struct vsb_vsock_pkt *pkt)
{
	vsb_read_pkt(ctx, pkt);
	pkt->buf_alloc = (__u32)ctx->args[VSB_PKT_ARG_BUF_ALLOC];
	pkt->fwd_cnt = (__u32)ctx->args[VSB_PKT_ARG_FWD_CNT];
}
#endif

#endif
