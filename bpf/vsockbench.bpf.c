// SPDX-License-Identifier: GPL-2.0
/* vsockbench probe: what a message costs below the application.
 *
 * Classic tracepoints with the hand-written contexts of vsockbench.h, and raw tracepoints where
 * a program runs often: sys_enter (every system call of every task on the machine) and the two
 * vsock packet tracepoints (every packet, twice on loopback), whose arguments are read into
 * struct vsb_vsock_pkt. Every counter is a per-CPU map slot (no ring buffer, no per-event
 * allocation), summed by the Swift side.
 * Process filters: the tgids in vsb_config plus the `followed` hash map (children added by
 * the fork program, more pids added by Swift after load), consulted only when the CPU's
 * remembered verdict does not already say "not followed" (see struct vsb_verdict).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "vsockbench.h"

const volatile struct vsb_config vsb_config = {};

/* Per-CPU "not followed" verdicts (.bss: plain loads and stores, no map lookup). */
struct vsb_verdict vsb_verdicts[VSB_VERDICT_SLOTS] = {};

/* Bumped on every insertion into `followed`, by slot (enum vsb_generation_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VSB_GENERATION_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} followed_generation SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSB_MAX_FOLLOWED);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* observe's ring buffer (observe.bpf.c creates it; this object reuses its descriptor). Not
 * created when vsb_config.capture_writes is 0: the verifier drops the code that uses it. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VSB_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSB_SCALAR_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} scalars SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSB_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * VSB_VSOCK_OPS);
	__type(key, __u32);
	__type(value, struct vsb_packet_count);
} vsock_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VSB_MAX_EXIT_REASONS);
	__type(key, __u64);
	__type(value, __u64);
} kvm_exits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VSB_MAX_EXIT_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} userspace_exits SEC(".maps");

static __always_inline int is_target_tgid(__u32 tgid)
{
	__u32 count = vsb_config.target_count;

#pragma unroll
	for (int i = 0; i < VSB_MAX_TARGETS; i++) {
		if (i < count && vsb_config.target_tgids[i] == tgid)
			return 1;
	}
	return 0;
}

static __always_inline int is_followed_tgid(__u32 tgid)
{
	__u32 kernel_slot = VSB_GENERATION_KERNEL, user_slot = VSB_GENERATION_USER;
	__u64 *by_kernel, *by_user;
	struct vsb_verdict *verdict;
	__u64 key;

	if (is_target_tgid(tgid))
		return 1;
	by_kernel = bpf_map_lookup_elem(&followed_generation, &kernel_slot);
	by_user = bpf_map_lookup_elem(&followed_generation, &user_slot);
	if (!by_kernel || !by_user)
		return bpf_map_lookup_elem(&followed, &tgid) != NULL;
	key = ((*by_kernel + *by_user) << 32) | tgid;
	verdict = &vsb_verdicts[bpf_get_smp_processor_id() & (VSB_VERDICT_SLOTS - 1)];
	if (verdict->key == key)
		return 0;
	if (bpf_map_lookup_elem(&followed, &tgid))
		return 1;
	verdict->key = key;
	return 0;
}

static __always_inline void bump_generation(void)
{
	__u32 slot = VSB_GENERATION_KERNEL;
	__u64 *generation = bpf_map_lookup_elem(&followed_generation, &slot);

	if (generation)
		__sync_fetch_and_add(generation, 1);
}

static __always_inline int current_is_followed(void)
{
	return is_followed_tgid(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void add_scalar(__u32 key)
{
	__u64 *slot = bpf_map_lookup_elem(&scalars, &key);

	if (slot)
		*slot += 1;
}

static __always_inline void count_in_hash(void *map, const void *key)
{
	__u64 one = 1;
	__u64 *slot = bpf_map_lookup_elem(map, key);

	if (slot) {
		*slot += 1;
		return;
	}
	/* Another CPU may have inserted the key meanwhile: then increment its slot for this CPU. */
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST) != 0) {
		slot = bpf_map_lookup_elem(map, key);
		if (slot)
			*slot += 1;
	}
}

/* KVM_RUN = _IO(0xAE, 0x80): the exact command, not every ioctl of the KVM magic. */
#define VSB_KVM_RUN 0xAE80u

struct vsb_iovec {
	__u64 base;
	__u64 len;
};

/* The start of struct msghdr (LP64): name, namelen (padded), iov, iovlen. */
struct vsb_msghdr {
	__u64 name;
	__u64 namelen;
	__u64 iov;
	__u64 iovlen;
};

static __always_inline __u64 iovec_bytes(__u64 iov, __u64 count)
{
	__u64 total = 0;

#pragma unroll
	for (int i = 0; i < VSB_MAX_IOVECS; i++) {
		struct vsb_iovec vector;

		if (i >= count)
			break;
		if (bpf_probe_read_user(&vector, sizeof(vector), (void *)(iov + i * sizeof(vector))) != 0)
			break;
		total += vector.len;
	}
	return total;
}

/* The bytes a write-family system call asks to send, from its arguments: what `observe` shows
 * as the size distribution of the process's writes. sendmmsg is sent with 0 bytes. */
static __always_inline void capture_write(struct vsb_syscall_regs *regs, __s64 id)
{
	__u64 args[3] = {}, fd, buffer, count, bytes = 0;
	struct vsb_msghdr message = {};
	struct vsb_event *event;

	if (id != VSB_NR_WRITE && id != VSB_NR_PWRITE64 && id != VSB_NR_SENDTO && id != VSB_NR_WRITEV &&
	    id != VSB_NR_PWRITEV && id != VSB_NR_PWRITEV2 && id != VSB_NR_SENDMSG && id != VSB_NR_SENDMMSG)
		return;
	/* One helper call for the three (they are adjacent in pt_regs); zeros if it fails. */
	if (bpf_probe_read_kernel(args, sizeof(args), VSB_SYSCALL_ARGS123(regs)) != 0)
		args[0] = args[1] = args[2] = 0;
	fd = args[VSB_ARG1_SLOT];
	buffer = args[VSB_ARG2_SLOT];
	count = args[VSB_ARG3_SLOT];
	if (id == VSB_NR_WRITE || id == VSB_NR_PWRITE64 || id == VSB_NR_SENDTO)
		bytes = count;
	else if (id == VSB_NR_WRITEV || id == VSB_NR_PWRITEV || id == VSB_NR_PWRITEV2)
		bytes = iovec_bytes(buffer, count);
	else if (id == VSB_NR_SENDMSG && bpf_probe_read_user(&message, sizeof(message), (void *)buffer) == 0)
		bytes = iovec_bytes(message.iov, message.iovlen);

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		add_scalar(VSB_SCALAR_WRITES_LOST);
		return;
	}
	/* Every field written once (no memset first), as observe.bpf.c's emit does. */
	event->timestamp_ns = bpf_ktime_get_ns();
	event->kind = VSB_EVENT_WRITE;
	event->src_cid = 0;
	event->src_port = 0;
	event->dst_cid = 0;
	event->dst_port = 0;
	event->len = bytes > 0xffffffffull ? 0xffffffffu : (__u32)bytes;
	event->type = 0;
	event->op = 0;
	event->flags = 0;
	event->buf_alloc = 0;
	event->fwd_cnt = 0;
	event->tgid = bpf_get_current_pid_tgid() >> 32;
	event->syscall_nr = (__u32)id;
	event->fd = (__s32)fd;
	event->reserved = 0;
	/* No wake-up: the reader drains the buffer on a timer (see VSB_EVENTS_BYTES). */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}

/* A raw tracepoint: no record is built (the classic tracepoint copies six arguments into a
 * perf buffer on every system call of the machine before the program runs). The arguments are
 * the prototype's (struct pt_regs *regs, long id). KVM_RUN is counted here too: a second
 * program on a system call tracepoint (syscalls/sys_enter_ioctl) costs every system call of
 * the machine again, about as much as this one. */
SEC("raw_tp/sys_enter")
int count_syscall(struct bpf_raw_tracepoint_args *ctx)
{
	__s64 id = (__s64)ctx->args[1];
	__u32 slot = VSB_SYSCALL_SLOTS - 1;
	__u64 *count;

	if (!current_is_followed())
		return 0;
	if (id >= 0 && id < VSB_SYSCALL_SLOTS - 1)
		slot = (__u32)id;
	count = bpf_map_lookup_elem(&syscalls, &slot);
	if (count)
		*count += 1;
	if (vsb_config.capture_writes)
		capture_write((struct vsb_syscall_regs *)ctx->args[0], id);
	if (vsb_config.count_kvm_run && id == VSB_NR_IOCTL) {
		struct vsb_syscall_regs *regs = (struct vsb_syscall_regs *)ctx->args[0];
		__u64 cmd = 0;

		/* The kernel takes cmd as unsigned int: compare the low 32 bits only. */
		if (bpf_probe_read_kernel(&cmd, sizeof(cmd), &VSB_SYSCALL_ARG2(regs)) == 0 && (__u32)cmd == VSB_KVM_RUN)
			add_scalar(VSB_SCALAR_KVM_RUN);
	}
	return 0;
}

SEC("tracepoint/kvm/kvm_userspace_exit")
int count_userspace_exit(struct vsb_ctx_kvm_userspace_exit *ctx)
{
	__u32 key = ctx->reason;

	if (!current_is_followed())
		return 0;
	if (ctx->errno_value < 0)
		key = VSB_USERSPACE_ERRNO | (__u32)(-ctx->errno_value);
	count_in_hash(&userspace_exits, &key);
	return 0;
}

/* Fires in the kernel on the vcpu thread of the VMM, so the process filter applies. */
SEC("tracepoint/kvm/kvm_exit")
int count_kvm_exit(struct vsb_ctx_kvm_exit *ctx)
{
	__u32 isa = ctx->isa;
	__u32 reason = ctx->exit_reason;
	__u64 key;

	if (!current_is_followed())
		return 0;
	if (isa == 1) /* KVM_ISA_VMX: the low 16 bits are the basic exit reason */
		reason &= 0xffff;
	key = ((__u64)isa << 32) | reason;
	count_in_hash(&kvm_exits, &key);
	return 0;
}

/* Packets are built and received in kworkers too: filter on the connection, never on pid. */
static __always_inline void count_vsock_packet(const struct vsb_vsock_pkt *pkt, __u32 direction)
{
	struct vsb_packet_count *count;
	__u32 op = pkt->op;
	__u32 key;

	if (vsb_config.vsock_filter_port &&
	    pkt->src_port != vsb_config.vsock_port && pkt->dst_port != vsb_config.vsock_port)
		return;
	if (vsb_config.vsock_filter_cid &&
	    pkt->src_cid != vsb_config.vsock_cid && pkt->dst_cid != vsb_config.vsock_cid)
		return;
	if (op >= VSB_VSOCK_OPS)
		op = 0;
	key = direction * VSB_VSOCK_OPS + op;
	count = bpf_map_lookup_elem(&vsock_packets, &key);
	if (!count)
		return;
	count->packets += 1;
	count->bytes += pkt->len;
}

/* vsock/virtio_transport_alloc_pkt, raw: the arguments, no record built (see vsb_vsock_pkt). */
SEC("raw_tp/virtio_transport_alloc_pkt")
int count_vsock_tx(struct bpf_raw_tracepoint_args *ctx)
{
	struct vsb_vsock_pkt pkt;

	vsb_read_pkt(ctx, &pkt);
	count_vsock_packet(&pkt, VSB_VSOCK_TX);
	return 0;
}

/* vsock/virtio_transport_recv_pkt, raw: the eight arguments both tracepoints have are enough here. */
SEC("raw_tp/virtio_transport_recv_pkt")
int count_vsock_rx(struct bpf_raw_tracepoint_args *ctx)
{
	struct vsb_vsock_pkt pkt;

	vsb_read_pkt(ctx, &pkt);
	count_vsock_packet(&pkt, VSB_VSOCK_RX);
	return 0;
}

SEC("tracepoint/irq/irq_handler_entry")
int count_vsock_irq(struct vsb_ctx_irq_handler_entry *ctx)
{
	__u32 count = vsb_config.irq_count;
	__s32 irq = ctx->irq;

#pragma unroll
	for (int i = 0; i < VSB_MAX_IRQS; i++) {
		if (i < count && (__s32)vsb_config.irqs[i] == irq) {
			add_scalar(VSB_SCALAR_VSOCK_IRQ);
			return 0;
		}
	}
	return 0;
}

static __always_inline void follow_child(__s32 child_pid)
{
	__u32 child = (__u32)child_pid;
	__u8 yes = 1;

	if (!vsb_config.follow_children || !current_is_followed())
		return;
	/* Threads get added too (their tid is not their tgid); the exit program removes them. */
	if (bpf_map_update_elem(&followed, &child, &yes, BPF_ANY) != 0)
		add_scalar(VSB_SCALAR_FOLLOW_OVERFLOW);
	else
		bump_generation();
}

/* Two programs for the two layouts of this tracepoint; Swift loads the one the kernel has. */
SEC("tracepoint/sched/sched_process_fork")
int follow_fork_data_loc(struct vsb_ctx_sched_fork_data_loc *ctx)
{
	follow_child(ctx->child_pid);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int follow_fork_fixed_comm(struct vsb_ctx_sched_fork_fixed_comm *ctx)
{
	follow_child(ctx->child_pid);
	return 0;
}

/* A thread's tid must not stay in the map: once reused as a process id it would be counted. */
SEC("tracepoint/sched/sched_process_exit")
int forget_thread(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (tid != (__u32)(id >> 32))
		bpf_map_delete_elem(&followed, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
