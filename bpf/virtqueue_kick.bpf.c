// SPDX-License-Identifier: GPL-2.0
/* vsockbench probe: virtqueue kicks (guest-to-host notifications) of the vsock device.
 *
 * A separate object from vsockbench.bpf.c because fentry needs kernel BTF and is refused
 * on some kernels (EPERM): then only this object fails to load and the other programs
 * still count. The struct fields below are relocated against the kernel's BTF (CO-RE).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vsockbench.h"

struct virtio_device {
	int index;
} __attribute__((preserve_access_index));

struct virtqueue {
	struct virtio_device *vdev;
} __attribute__((preserve_access_index));

const volatile struct vsb_kick_config vsb_kick_config = { .virtio_index = -1 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kicks SEC(".maps");

SEC("fentry/virtqueue_notify")
int BPF_PROG(count_virtqueue_kick, struct virtqueue *vq)
{
	__u32 key = 0;
	__u64 *count;

	if (vsb_kick_config.virtio_index >= 0 &&
	    BPF_CORE_READ(vq, vdev, index) != vsb_kick_config.virtio_index)
		return 0;
	count = bpf_map_lookup_elem(&kicks, &key);
	if (count)
		*count += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
