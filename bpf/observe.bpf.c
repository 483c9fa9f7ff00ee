// SPDX-License-Identifier: GPL-2.0
/* vsockbench observe: every vsock packet to or from one port, as an event in a ring buffer.
 *
 * `vsockbench observe` rebuilds the exchange from these (turns, exchanges, turnaround, think
 * time); the probe's count_syscall adds the followed processes' writes to the same ring buffer.
 * Packets are filtered by connection, never by process: they are received in kworkers. Only the
 * header fields the tracepoints carry leave the kernel, never a payload byte.
 *
 * Raw tracepoints: the programs read the tracepoints' arguments (struct vsb_vsock_pkt, read once
 * by vsb_read_pkt / vsb_read_recv_pkt), so the kernel builds no perf record for them.
 *
 * Loopback (both ends in this kernel: src_cid == dst_cid, the lab's CID 1) shows every packet
 * twice, built by its sender and received by its receiver. The side connecting to the port is
 * taken as the parent: its packets are kept when built (their send time), the other side's
 * when received (their arrival at the parent), so each packet comes once.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "vsockbench.h"

const volatile struct vsb_observe_config vsb_observe_config = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VSB_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSB_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} observe_lost SEC(".maps");

static __always_inline int watched(const struct vsb_vsock_pkt *pkt)
{
	__u32 port = vsb_observe_config.port;
	__u32 cid = vsb_observe_config.cid;

	if (pkt->src_port != port && pkt->dst_port != port)
		return 0;
	if (vsb_observe_config.filter_cid && pkt->src_cid != cid && pkt->dst_cid != cid)
		return 0;
	return 1;
}

static __always_inline void emit(const struct vsb_vsock_pkt *pkt, __u32 kind)
{
	struct vsb_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);

	if (!event) {
		__u32 slot = VSB_LOST_PACKETS;
		__u64 *lost = bpf_map_lookup_elem(&observe_lost, &slot);

		if (lost)
			*lost += 1;
		return;
	}
	/* Every field written once (no memset first); no process: it would be a kworker's, often. */
	event->timestamp_ns = bpf_ktime_get_ns();
	event->kind = kind;
	event->src_cid = pkt->src_cid;
	event->src_port = pkt->src_port;
	event->dst_cid = pkt->dst_cid;
	event->dst_port = pkt->dst_port;
	event->len = pkt->len;
	event->type = pkt->type;
	event->op = pkt->op;
	event->flags = pkt->flags;
	event->buf_alloc = pkt->buf_alloc; /* 0 when sent */
	event->fwd_cnt = pkt->fwd_cnt;
	event->tgid = 0;
	event->syscall_nr = 0;
	event->fd = 0;
	event->reserved = 0;
	/* No wake-up: the reader drains the buffer on a timer (see VSB_EVENTS_BYTES). */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}

/* vsock/virtio_transport_alloc_pkt, raw: its first eight arguments (later kernels add zcopy after them). */
SEC("raw_tp/virtio_transport_alloc_pkt")
int observe_sent(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 port = vsb_observe_config.port;
	struct vsb_vsock_pkt pkt;

	vsb_read_pkt(ctx, &pkt);
	if (!watched(&pkt))
		return 0;
	if (pkt.src_cid == pkt.dst_cid && pkt.src_port == port && pkt.dst_port != port)
		return 0; /* loopback: the service side's packet, kept when the parent receives it */
	emit(&pkt, VSB_EVENT_SENT);
	return 0;
}

/* vsock/virtio_transport_recv_pkt, raw: its ten arguments. */
SEC("raw_tp/virtio_transport_recv_pkt")
int observe_received(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 port = vsb_observe_config.port;
	struct vsb_vsock_pkt pkt;

	vsb_read_recv_pkt(ctx, &pkt);
	if (!watched(&pkt))
		return 0;
	if (pkt.src_cid == pkt.dst_cid && pkt.dst_port == port && pkt.src_port != port)
		return 0; /* loopback: the parent's packet, kept when it was built */
	emit(&pkt, VSB_EVENT_RECEIVED);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
