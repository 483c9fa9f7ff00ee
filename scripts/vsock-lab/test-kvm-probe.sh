#!/usr/bin/env bash
# Host-side test of the lab's KVM probe (lib/qemu.sh, lab_kvm_boot_probe), no guest booted: a
# stand-in qemu-system-x86_64 first PATH that aborts (SIGABRT), as QEMU does on hosts where
# KVM cannot run a Linux guest. Asserts the probe answers "no" and says so in one line of its
# own, without bash's job-status report ("line N: PID Aborted timeout -k 2 ...") that reads
# like a crash. Prints "N passed, M failed". Needs busybox-static and cpio (else skips; a
# failure under CI=true or VSOCKBENCH_LAB_REQUIRE=1).
# Usage: scripts/vsock-lab/test-kvm-probe.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/test-cli.sh
. "$here/lib/test-cli.sh"
lab_test_parse test-kvm-probe.sh 8 "$@"
for need in cpio:cpio busybox:busybox-static; do
    command -v "${need%%:*}" >/dev/null || lab_test_skip "vsock-lab KVM probe test" "${need%%:*} not found (apt-get install ${need#*:})"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-kvm-probe.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/probe"
printf '#!/bin/sh\necho "qemu-system-x86_64: stand-in: aborting" >&2\nkill -ABRT $$\n' >"$work/bin/qemu-system-x86_64"
chmod +x "$work/bin/qemu-system-x86_64"

# shellcheck source-path=SCRIPTDIR source=lib/expect.sh
. "$here/lib/expect.sh"

# The probe in a bash of its own, as lab.sh runs it (non-interactive, the lab's libraries).
status=0
PATH=$work/bin:$PATH LAB_KERNEL_IMAGE=/nonexistent bash -c '
    set -euo pipefail
    . "$1/lib/common.sh"; . "$1/lib/initramfs.sh"; . "$1/lib/qemu.sh"
    lab_kvm_boot_probe "$2"
' probe "$here" "$work/probe" >"$work/stdout" 2>"$work/stderr" || status=$?
echo "-- the probe's stderr:"
cat "$work/stderr"
echo "--"

expect "the probe answers no (status $status)" test "$status" -ne 0
expect "the stand-in QEMU ran and aborted" grep -q 'stand-in: aborting' "$work/probe/kvm-probe.out"
expect "no job-status report from bash (Aborted ...)" eval "! grep -q 'Aborted' '$work/stderr'"
expect "one line says KVM did not boot the guest here, TCG instead" \
    test "$(grep -c 'KVM did not boot .*TCG' "$work/stderr")" -eq 1

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
