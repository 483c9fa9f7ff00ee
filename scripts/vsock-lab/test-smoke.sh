#!/usr/bin/env bash
# End-to-end test of the vsock lab: boots the guest with jobs/smoke.sh and socat, then checks
# what came back (real AF_VSOCK echo, vsock tracepoints with the offsets the probe expects,
# BPF readiness, the lab's own summary). Prints "N passed, M failed".
#
# Needs qemu-system-x86, busybox-static, socat, cpio and Debian's apt archive (the kernel
# package is cached after the first run). When something is missing it skips with the reason,
# except under CI=true or VSOCKBENCH_LAB_REQUIRE=1, where a skip is a failure.
# Usage: scripts/vsock-lab/test-smoke.sh [--keep DIR]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
keep=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --keep)
            [[ $# -ge 2 ]] || {
                echo "test-smoke.sh: --keep needs a directory" >&2
                exit 2
            }
            keep=$2
            shift 2
            ;;
        -h | --help)
            sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "test-smoke.sh: unknown argument $1 (see --help)" >&2
            exit 2
            ;;
    esac
done

skip() {
    if [[ ${CI:-} == true || ${VSOCKBENCH_LAB_REQUIRE:-} == 1 ]]; then
        echo "vsock-lab smoke: cannot run: $*" >&2
        exit 1
    fi
    echo "vsock-lab smoke: skipped: $*"
    exit 0
}

for need in qemu-system-x86_64:qemu-system-x86 socat:socat cpio:cpio busybox:busybox-static; do
    command -v "${need%%:*}" >/dev/null || skip "${need%%:*} not found (apt-get install ${need#*:})"
done

out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-smoke.XXXXXX")}
[[ -n $keep ]] || trap 'rm -rf "$out"' EXIT
rm -rf "$out/result"

# shellcheck source-path=SCRIPTDIR source=lib/expect.sh
. "$here/lib/expect.sh"

# bpf-count (tools/bpf-count.c) loads and attaches a real BPF program in the guest.
binaries=(--binary "$(command -v socat)")
cc=$(command -v cc || command -v clang || true)
bpf_count=0
if [[ -n $cc ]] && "$cc" -static -O2 -o "$out/bpf-count" "$here/tools/bpf-count.c" 2>"$out/bpf-count.build.log"; then
    binaries+=(--binary "$out/bpf-count")
    bpf_count=1
else
    echo "note: could not build tools/bpf-count.c statically (no cc or no libc.a): BPF load not tried"
fi

status=0
"$here/lab.sh" --job "$here/jobs/smoke.sh" "${binaries[@]}" --out "$out/result" --timeout 180 || status=$?
r=$out/result

expect "lab.sh exits 0 (got $status)" test "$status" -eq 0
expect "summary says completed" grep -q '"outcome": "completed"' "$r/_lab/summary.json"
expect "guest runs a Debian cloud kernel" grep -q -- '-cloud-amd64$' "$r/kernel-release"
value_of() { awk -v k="$1" '$1 == k { print $2 }' "$2" 2>/dev/null; }
echo_intact() {
    local sent
    sent=$(value_of sha256_sent "$r/echo.txt")
    [[ -n $sent && $sent == "$(value_of sha256_echoed "$r/echo.txt")" ]]
}
# jobs/smoke.sh's checks: 14, and the BPF count when bpf-count went in.
guest_checks=$((14 + bpf_count))
expect "every check in the guest passed ($(guest_checks_summary "$r/checks.txt" $guest_checks))" \
    all_guest_checks_passed "$r/checks.txt" $guest_checks
expect "echo checksums match" echo_intact

# Tracepoint field offsets the probe relies on (DESIGN.md); the probe also reads them at run time.
field_offset() { sed -n "s/.*field:[^;]* $2;[[:space:]]*offset:\([0-9]*\);.*/\1/p" "$r/formats/$1.format"; }
for spec in alloc_pkt:src_cid:8 alloc_pkt:src_port:12 alloc_pkt:dst_cid:16 alloc_pkt:dst_port:20 \
    alloc_pkt:len:24 alloc_pkt:type:28 alloc_pkt:op:30 alloc_pkt:flags:32 \
    recv_pkt:src_cid:8 recv_pkt:op:30 recv_pkt:buf_alloc:36 recv_pkt:fwd_cnt:40; do
    IFS=: read -r event field want <<<"$spec"
    got=$(field_offset "vsock.virtio_transport_$event" "$field" || true)
    expect "vsock/virtio_transport_$event $field at offset $want (got ${got:-none})" test "${got:-x}" = "$want"
done
for spec in fd:16 cmd:24 arg:32; do
    got=$(field_offset syscalls.sys_enter_ioctl "${spec%%:*}" || true)
    expect "syscalls/sys_enter_ioctl ${spec%%:*} at offset ${spec#*:} (got ${got:-none})" test "${got:-x}" = "${spec#*:}"
done

count() { awk -v e="$1" -v o="$2" '$1 == e && $2 == o { print $3 }' "$r/trace-counts.txt"; }
rw=$(count virtio_transport_recv_pkt RW)
credit=$(count virtio_transport_recv_pkt CREDIT_UPDATE)
expect "recv_pkt saw RW packets (${rw:-0})" test "${rw:-0}" -ge 288
expect "recv_pkt saw CREDIT_UPDATE packets (${credit:-0})" test "${credit:-0}" -gt 0
trace_complete() { [[ -s $r/trace-counts.txt ]] && ! grep -q overflowed "$r/trace-counts.txt"; }
expect "trace buffer did not overflow (trace-counts.txt present, no overflow line)" trace_complete
expect "closed port answered with a reset" grep -qi 'reset' "$r/refused.txt"
if [[ $bpf_count -eq 1 ]]; then
    hits=$(sed -n 's/^count //p' "$r/bpf-count.txt" 2>/dev/null)
    expect "BPF program attached to a vsock tracepoint counted packets (${hits:-none})" test "${hits:-0}" -ge 32
fi
expect "BPF: kernel BTF present" test "$(value_of btf_vmlinux_bytes "$r/bpf.txt")" -gt 0
expect "lab recorded boot-to-job time" grep -q '"guest_uptime_at_job_start_s": [0-9]' "$r/_lab/summary.json"
expect "job stdout captured" grep -q 'passed, 0 failed' "$r/_lab/job.stdout"

echo "vsock-lab smoke: $(grep -h -E '"(guest_uptime_at_job_start_s|job_s|wall_s|accel)"' "$r/_lab/summary.json" 2>/dev/null | tr -d ' \n')"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
