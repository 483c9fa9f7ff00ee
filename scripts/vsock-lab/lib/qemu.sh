# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_* variables set here are read by lab.sh
# Chooses the accelerator and boots the guest under a hard timeout.

readonly LAB_QEMU=qemu-system-x86_64

lab_kvm_usable_device() { [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; }

# Boots the lab kernel under KVM with a one-line init and says whether it got to userspace.
# /dev/kvm can be fine for tiny guests and still not boot Linux (it hangs in the firmware on
# some nested hosts), so only a real boot answers the question.
lab_kvm_boot_probe() {
    local work=$1 stage="$1/kvm-probe" bb
    bb=$(lab_busybox)
    mkdir -p "$stage/bin"
    cp "$bb" "$stage/bin/busybox"
    printf '#!/bin/busybox sh\n/bin/busybox echo VSOCKLAB-KVM-PROBE-OK\n/bin/busybox poweroff -f\n' >"$stage/init"
    chmod 0755 "$stage/init"
    (cd "$stage" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$work/kvm-probe.cpio"
    # In the background and waited for, so that Ctrl-C or SIGTERM stops it (lab_interrupt).
    timeout -k 2 "${VSOCKBENCH_LAB_KVM_PROBE_TIMEOUT:-10}" "$LAB_QEMU" -accel kvm -cpu host \
        -m 256 -nographic -no-user-config -nic none -vga none -monitor none -serial stdio -no-reboot \
        -kernel "$LAB_KERNEL_IMAGE" -initrd "$work/kvm-probe.cpio" \
        -append "console=ttyS0 quiet panic=-1" </dev/null >"$work/kvm-probe.out" 2>&1 &
    LAB_CHILD_PID=$!
    # QEMU aborting (SIGABRT) is how a "no" often comes: bash's own report of it ("line N:
    # PID Aborted timeout -k 2 ...") read like the lab crashing, so the wait's stderr is
    # dropped and the line below says what it means. lab_say (an interrupt's message during
    # the wait) still reaches stderr, through a copy of it.
    local rc=0 how err
    exec {err}>&2
    LAB_SAY_FD=$err
    lab_wait_child 2>/dev/null || rc=$?
    LAB_SAY_FD=""
    exec {err}>&-
    grep -q VSOCKLAB-KVM-PROBE-OK "$work/kvm-probe.out" && return 0
    if [[ $rc -eq 124 ]]; then
        how="no answer within ${VSOCKBENCH_LAB_KVM_PROBE_TIMEOUT:-10} s"
    elif [[ $rc -gt 128 ]]; then
        how="QEMU ended by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
    else
        how="QEMU exit status $rc"
    fi
    lab_say "KVM did not boot the probe guest here ($how; an expected answer on many hosts): TCG it is"
    return 1
}

# Sets LAB_ACCEL_USED (kvm or tcg) and LAB_ACCEL_REASON from the requested mode.
lab_accel_resolve() {
    local mode=$1 work=$2 cache key_file
    case $mode in
        tcg)
            LAB_ACCEL_USED=tcg
            LAB_ACCEL_REASON="requested"
            ;;
        kvm)
            lab_kvm_usable_device || lab_die "$LAB_EX_UNAVAILABLE" "--accel kvm: /dev/kvm is missing or not read-writable"
            LAB_ACCEL_USED=kvm
            LAB_ACCEL_REASON="requested"
            ;;
        auto)
            if ! lab_kvm_usable_device; then
                LAB_ACCEL_USED=tcg
                LAB_ACCEL_REASON="no usable /dev/kvm"
                return
            fi
            cache=$(lab_cache_dir)
            mkdir -p "$cache/kvm-probe"
            # The answer depends on the host kernel and CPU, QEMU and the guest kernel.
            key_file="$cache/kvm-probe/$({
                uname -r
                "$LAB_QEMU" --version | head -1
                grep -m1 '^model name' /proc/cpuinfo
                printf '%s\n' "$LAB_KERNEL_RELEASE"
            } | sha256sum | cut -c1-16)"
            if [[ ! -f $key_file ]]; then
                lab_say "probing whether KVM boots a Linux guest here (once; the answer is cached)"
                if lab_kvm_boot_probe "$work"; then echo kvm >"$key_file"; else echo tcg >"$key_file"; fi
            fi
            LAB_ACCEL_USED=$(cat "$key_file")
            if [[ $LAB_ACCEL_USED == kvm ]]; then
                LAB_ACCEL_REASON="KVM boots Linux guests here"
            else
                LAB_ACCEL_REASON="KVM cannot boot a Linux guest on this host (probe cached in $key_file)"
            fi
            ;;
        *) lab_die "$LAB_EX_USAGE" "--accel must be auto, tcg or kvm (got '$mode')" ;;
    esac
}

# lab_qemu_command CPIO: fills the LAB_QEMU_CMD array.
lab_qemu_command() {
    local cpio=$1
    LAB_QEMU_CMD=("$LAB_QEMU" -accel "$LAB_ACCEL_USED")
    if [[ $LAB_ACCEL_USED == kvm ]]; then LAB_QEMU_CMD+=(-cpu host); fi
    # Virtual time from the instruction count; idle time skipped rather than waited for.
    if [[ -n $LAB_ICOUNT ]]; then LAB_QEMU_CMD+=(-icount "shift=$LAB_ICOUNT,sleep=off"); fi
    LAB_QEMU_CMD+=(
        -m "$LAB_MEMORY_MIB" -smp "$LAB_CPUS"
        -nographic -no-user-config -nic none -vga none -monitor none -serial stdio -no-reboot
        -kernel "$LAB_KERNEL_IMAGE" -initrd "$cpio"
        -append "console=ttyS0 quiet panic=-1 rdinit=/init"
    )
}
