#!/bin/sh
# shellcheck shell=sh
# Smoke job for the vsock lab: proves that the guest has real AF_VSOCK on CID 1 (an echo over
# socat with checksums), that the vsock/* tracepoints exist and fire, and that BPF is there.
# Run it with socat (and optionally tools/bpf-count.c, built static) in the guest:
#   scripts/vsock-lab/lab.sh --job scripts/vsock-lab/jobs/smoke.sh \
#       --binary "$(command -v socat)" [--binary bpf-count] --out /tmp/smoke
# Writes to /out: checks.txt (PASS/FAIL lines), kernel-release, modules.txt, vsock-events.txt,
# formats/<group>.<event>.format, trace-counts.txt, trace-sample.txt, bpf.txt, echo.txt,
# refused.txt and, with bpf-count, bpf-count.txt.
set -u

OUT=${LAB_OUT:-/out}
TRACING=/sys/kernel/tracing
PORT=5005

# check and uptime_s (lab.sh ships them into every guest).
# shellcheck source=../lib/guest-checks.sh
. /lab/checks.sh

: >"$OUT/checks.txt"
uname -r >"$OUT/kernel-release"
grep vsock /proc/modules >"$OUT/modules.txt"
check "vsock modules loaded" grep -q '^vsock_loopback ' "$OUT/modules.txt"
check "/dev/vsock exists" test -c /dev/vsock

# Tracepoints: list them and keep the format files (field offsets) for the probe.
ls "$TRACING/events/vsock/" >"$OUT/vsock-events.txt" 2>/dev/null
check "vsock/virtio_transport_alloc_pkt exists" test -f "$TRACING/events/vsock/virtio_transport_alloc_pkt/format"
check "vsock/virtio_transport_recv_pkt exists" test -f "$TRACING/events/vsock/virtio_transport_recv_pkt/format"
mkdir -p "$OUT/formats"
for format in "$TRACING"/events/vsock/*/format \
    "$TRACING"/events/raw_syscalls/*/format \
    "$TRACING"/events/syscalls/sys_enter_ioctl/format \
    "$TRACING"/events/syscalls/sys_enter_write/format \
    "$TRACING"/events/syscalls/sys_enter_read/format \
    "$TRACING"/events/irq/irq_handler_entry/format; do
    [ -f "$format" ] || continue
    event_dir=${format%/format}
    cp "$format" "$OUT/formats/$(basename "$(dirname "$event_dir")").$(basename "$event_dir").format"
done

# Echo server on CID 1 (VMADDR_CID_LOCAL); fork serves each connection with its own cat.
socat -t 30 "VSOCK-LISTEN:$PORT,reuseaddr,fork" EXEC:cat &
server=$!
ready=no
i=0
while [ "$i" -lt 50 ]; do
    if socat -u /dev/null "VSOCK-CONNECT:1:$PORT" 2>/dev/null; then
        ready=yes
        break
    fi
    sleep 0.1
    i=$((i + 1))
done
check "echo server listening on vsock port $PORT" test "$ready" = yes

echo 16384 >"$TRACING/buffer_size_kb"
: >"$TRACING/trace"
echo 1 >"$TRACING/events/vsock/enable"
echo 1 >"$TRACING/tracing_on"

# 8 MiB each way: at least 128 RW packets per direction (tx packets are split at 64 KiB).
dd if=/dev/urandom of=/tmp/tx.bin bs=65536 count=128 2>/dev/null
start=$(uptime_s)
socat -t 30 - "VSOCK-CONNECT:1:$PORT" </tmp/tx.bin >/tmp/rx.bin
echo_status=$?
end=$(uptime_s)
tx_sum=$(sha256sum </tmp/tx.bin)
rx_sum=$(sha256sum </tmp/rx.bin)
{
    echo "bytes_sent $(wc -c </tmp/tx.bin)"
    echo "bytes_echoed $(wc -c </tmp/rx.bin)"
    echo "sha256_sent ${tx_sum%% *}"
    echo "sha256_echoed ${rx_sum%% *}"
    echo "socat_status $echo_status"
    echo "seconds $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') (emulated CPU: not a real figure)"
} >"$OUT/echo.txt"
check "8 MiB echoed over AF_VSOCK CID 1 intact" test "$echo_status" -eq 0 -a "${tx_sum%% *}" = "${rx_sum%% *}"

# A second connection to the same forking server, 1 MiB. With bpf-count in the guest
# (test-smoke.sh builds it), a BPF program attached to vsock/virtio_transport_alloc_pkt
# counts the packets: proof that the probe's kind of program loads and fires here.
dd if=/dev/urandom of=/tmp/tx2.bin bs=65536 count=16 2>/dev/null
if command -v bpf-count >/dev/null; then
    bpf-count vsock/virtio_transport_alloc_pkt socat -t 30 - "VSOCK-CONNECT:1:$PORT" \
        </tmp/tx2.bin >/tmp/rx2.bin 2>/tmp/bpf-count.txt
    bpf_hits=$(sed -n 's/^count //p' /tmp/bpf-count.txt)
    cp /tmp/bpf-count.txt "$OUT/bpf-count.txt"
    check "BPF program on vsock/virtio_transport_alloc_pkt counted ${bpf_hits:-0} packets (>= 32)" \
        test "${bpf_hits:-0}" -ge 32
else
    echo "bpf-count not in the guest: BPF load and attach not tried"
    socat -t 30 - "VSOCK-CONNECT:1:$PORT" </tmp/tx2.bin >/tmp/rx2.bin
fi
check "second connection echoed intact" cmp -s /tmp/tx2.bin /tmp/rx2.bin

echo 0 >"$TRACING/events/vsock/enable"
cat "$TRACING/trace" >/tmp/trace.txt
head -n 60 /tmp/trace.txt >"$OUT/trace-sample.txt"
# One line per event and op: "virtio_transport_alloc_pkt RW 262".
sed -n 's/.* \(virtio_transport_[a-z_]*\): .* op=\([A-Z_]*\).*/\1 \2/p' /tmp/trace.txt |
    sort | uniq -c | awk '{ print $2, $3, $1 }' >"$OUT/trace-counts.txt"
grep -q 'LOST.*EVENTS' /tmp/trace.txt && echo "trace buffer overflowed" >>"$OUT/trace-counts.txt"
count_of() { awk -v e="$1" -v o="$2" '$1 == e && $2 == o { print $3 }' "$OUT/trace-counts.txt"; }
rw=$(count_of virtio_transport_alloc_pkt RW)
credit=$(count_of virtio_transport_alloc_pkt CREDIT_UPDATE)
check "tracepoints counted RW packets (${rw:-0} >= 288)" test "${rw:-0}" -ge 288
check "tracepoints counted CREDIT_UPDATE packets (${credit:-0} > 0)" test "${credit:-0}" -gt 0

# Nobody listens on this port: the connect must fail quickly with a reset, not hang.
timeout 20 socat -u /dev/null "VSOCK-CONNECT:1:5999" 2>"$OUT/refused.txt"
refused_status=$?
echo "status $refused_status" >>"$OUT/refused.txt"
check "connect to a closed port fails fast (status $refused_status)" \
    test "$refused_status" -ne 0 -a "$refused_status" -ne 143
check "connect to a closed port says reset or refused" grep -qiE 'reset|refused' "$OUT/refused.txt"

kill "$server" 2>/dev/null
wait "$server" 2>/dev/null

# BPF readiness, as far as a shell can see it (the probe's own tests load programs).
{
    echo "unprivileged_bpf_disabled $(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>&1)"
    echo "bpf_jit_enable $(cat /proc/sys/net/core/bpf_jit_enable 2>&1)"
    echo "btf_vmlinux_bytes $(wc -c </sys/kernel/btf/vmlinux 2>&1)"
    echo "bpffs $(grep -c ' /sys/fs/bpf bpf ' /proc/mounts)"
    echo "tracefs $(grep -c ' /sys/kernel/tracing tracefs ' /proc/mounts)"
} >"$OUT/bpf.txt"
check "BPF sysctl readable" test -r /proc/sys/kernel/unprivileged_bpf_disabled
check "kernel BTF present (/sys/kernel/btf/vmlinux)" test -s /sys/kernel/btf/vmlinux
check "bpffs mounted" grep -q ' /sys/fs/bpf bpf ' /proc/mounts

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
