#!/usr/bin/env bash
# The vsock lab: runs a job inside a QEMU guest that has real AF_VSOCK (Debian's cloud kernel
# with vsock_loopback, CID 1) and brings the job's /out back. See usage() below.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$LAB_DIR/lib/common.sh"
# shellcheck source=lib/kernel.sh
. "$LAB_DIR/lib/kernel.sh"
# shellcheck source=lib/initramfs.sh
. "$LAB_DIR/lib/initramfs.sh"
# shellcheck source=lib/qemu.sh
. "$LAB_DIR/lib/qemu.sh"
# shellcheck source=lib/results.sh
. "$LAB_DIR/lib/results.sh"
# shellcheck source=lib/outcome.sh
. "$LAB_DIR/lib/outcome.sh"

usage() {
    cat <<'USAGE'
Usage: lab.sh --job JOB.sh --out DIR [options]

Boots Debian's cloud kernel under qemu-system-x86_64 with a busybox initramfs, loads vsock,
vmw_vsock_virtio_transport_common and vsock_loopback, runs JOB.sh as root, and copies what
the job wrote to /out back into DIR. Inside the guest, CID 1 (VMADDR_CID_LOCAL) is real
AF_VSOCK with the virtio credit logic and the vsock/* tracepoints. Never touches the host's
own /dev/vsock. Timing under TCG is emulated and not representative: counts are what the lab
is for.

Options:
  --job FILE            shell script run in the guest by busybox sh, cwd /lab (required)
  --out DIR             where /out lands (required; created; must be empty, see --force)
  --binary PATH         copy an executable to /lab/bin (first on PATH), with the shared
                        libraries and loader ldd reports, at their host paths (repeatable)
  --include SRC[:DEST]  copy a file or directory to /lab/DEST; without DEST a relative SRC
                        keeps its path (scenarios/lab.yaml -> /lab/scenarios/lab.yaml),
                        anything else its base name (repeatable)
  --env NAME=VALUE      export to the job (repeatable)
  --module NAME         load an extra module of the guest kernel, with its dependencies
  --timeout SECONDS     hard limit for the whole guest run (default 300); the job itself
                        gets SECONDS-30 (SECONDS/2 below 60) so /out still comes back
  --accel auto|tcg|kvm  auto (default) uses KVM only where a probe boot shows that KVM
                        boots Linux here (answer cached), TCG otherwise
  --memory MIB          guest memory (default 1024)
  --cpus N              guest vCPUs (default 1)
  --icount SHIFT        guest time from instructions executed (QEMU -icount shift=SHIFT,
                        sleep=off: each instruction 2^SHIFT ns, idle time skipped): timings
                        then count instructions and do not depend on the host's load
                        (needs --accel tcg)
  --keep-initramfs      keep the image as DIR/_lab/initramfs.cpio (then DIR/_lab/qemu.cmd
                        boots the same guest again by hand)
  --force               empty DIR first if it holds an earlier lab result (DIR/_lab)
  --console             show the guest's kernel console on stderr
  -h, --help            this text

In the guest: the job runs as root with cwd /lab; PATH starts with /lab/bin; LAB_OUT=/out,
LAB_DIR=/lab, LAB_ACCEL=tcg|kvm. /lab/checks.sh holds the helpers jobs share (`check NAME
CMD...` records PASS/FAIL lines in $OUT/checks.txt; `uptime_s`; `wait_for`; `await PID
SECONDS` and `stop PID [SECONDS]`, bounded waits): set OUT, then source it. tracefs is at /sys/kernel/tracing, debugfs at
/sys/kernel/debug, bpffs at /sys/fs/bpf. The job's stdout and stderr stream to this
script's stdout and stderr as they come. Stop background processes you start (or send their
output to a file): the lab stops relaying output 2 s after the job exits.

Results in DIR: the job's /out, plus DIR/_lab/ (reserved name):
  summary.json       kernel, accelerator, timings (boot to job, job, wall), exit status
  console.log        the raw serial console;  job.stdout, job.stderr   the job's output
  guest/             dmesg.txt, events.txt (guest uptimes), kernel-release, modules.txt
  qemu.cmd           the exact QEMU command line

Exit status: the job's own status, or
  64 usage error   69 host prerequisite missing (qemu, busybox-static, kernel package)
  70 the guest did not boot or its init failed   75 timeout   76 result stream damaged
  129, 130, 143 interrupted by SIGHUP, SIGINT (Ctrl-C), SIGTERM: the guest is stopped first

Cache: the kernel package and its extracted tree live outside the repository, in
${VSOCKBENCH_LAB_CACHE:-$HOME/.cache/vsockbench-lab}. VSOCKBENCH_LAB_KERNEL_PACKAGE pins a
package (default: what linux-image-cloud-amd64 depends on).
USAGE
}

LAB_JOB=""
LAB_OUT_DIR=""
LAB_BINARIES=()
LAB_INCLUDES=()
LAB_ENV=()
LAB_MODULES=(vsock vmw_vsock_virtio_transport_common vsock_loopback)
LAB_TIMEOUT=300
LAB_ACCEL_MODE=auto
LAB_MEMORY_MIB=1024
LAB_CPUS=1
LAB_ICOUNT=""
LAB_KEEP_INITRAMFS=0
LAB_FORCE=0
LAB_SHOW_CONSOLE=0

lab_usage_error() {
    printf '%s: %s\n' "$LAB_PROG" "$*" >&2
    printf 'Try: %s --help\n' "$0" >&2
    exit "$LAB_EX_USAGE"
}

lab_parse_args() {
    while [[ $# -gt 0 ]]; do
        case $1 in
            -h | --help)
                usage
                exit 0
                ;;
            --keep-initramfs) LAB_KEEP_INITRAMFS=1 ;;
            --force) LAB_FORCE=1 ;;
            --console) LAB_SHOW_CONSOLE=1 ;;
            --job | --out | --binary | --include | --env | --module | --timeout | --accel | --memory | --cpus | --icount)
                [[ $# -ge 2 ]] || lab_usage_error "$1 needs a value"
                case $1 in
                    --job) LAB_JOB=$2 ;;
                    --out) LAB_OUT_DIR=$2 ;;
                    --binary) LAB_BINARIES+=("$2") ;;
                    --include) LAB_INCLUDES+=("$2") ;;
                    --env) LAB_ENV+=("$2") ;;
                    --module) LAB_MODULES+=("$2") ;;
                    --timeout) LAB_TIMEOUT=$2 ;;
                    --accel) LAB_ACCEL_MODE=$2 ;;
                    --memory) LAB_MEMORY_MIB=$2 ;;
                    --cpus) LAB_CPUS=$2 ;;
                    --icount) LAB_ICOUNT=$2 ;;
                esac
                shift
                ;;
            *) lab_usage_error "unknown argument: $1" ;;
        esac
        shift
    done
    [[ -n $LAB_JOB ]] || lab_usage_error "--job is required"
    [[ -n $LAB_OUT_DIR ]] || lab_usage_error "--out is required"
    [[ -f $LAB_JOB ]] || lab_usage_error "--job $LAB_JOB: no such file"
    [[ $LAB_TIMEOUT =~ ^[0-9]+$ && $LAB_TIMEOUT -ge 20 ]] || lab_usage_error "--timeout must be a whole number of seconds, at least 20"
    [[ $LAB_MEMORY_MIB =~ ^[0-9]+$ && $LAB_MEMORY_MIB -ge 256 ]] || lab_usage_error "--memory must be at least 256 (MiB)"
    [[ $LAB_CPUS =~ ^[1-9][0-9]*$ ]] || lab_usage_error "--cpus must be a positive whole number"
    [[ $LAB_ACCEL_MODE =~ ^(auto|tcg|kvm)$ ]] || lab_usage_error "--accel must be auto, tcg or kvm"
    if [[ -n $LAB_ICOUNT ]]; then
        [[ $LAB_ICOUNT =~ ^([0-9]|10)$ ]] || lab_usage_error "--icount must be a shift from 0 to 10"
        [[ $LAB_ACCEL_MODE == tcg ]] || lab_usage_error "--icount needs --accel tcg (QEMU counts instructions only under TCG)"
    fi
    local setting
    for setting in "${LAB_ENV[@]}"; do
        [[ $setting =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || lab_usage_error "--env $setting: expected NAME=VALUE"
    done
}

# Creates DIR and DIR/_lab; refuses a non-empty DIR unless --force and it is a lab result.
lab_prepare_out_dir() {
    if [[ -d $LAB_OUT_DIR && -n $(ls -A "$LAB_OUT_DIR") ]]; then
        if [[ $LAB_FORCE -eq 1 && -d $LAB_OUT_DIR/_lab ]]; then
            find "$LAB_OUT_DIR" -mindepth 1 -delete
        elif [[ $LAB_FORCE -eq 1 ]]; then
            lab_usage_error "--out $LAB_OUT_DIR is not empty and holds no earlier lab result (_lab/): refusing to empty it"
        else
            lab_usage_error "--out $LAB_OUT_DIR is not empty (use --force to replace an earlier lab result)"
        fi
    fi
    mkdir -p "$LAB_OUT_DIR/_lab"
    LAB_OUT_DIR=$(cd "$LAB_OUT_DIR" && pwd)
    LAB_META="$LAB_OUT_DIR/_lab"
}

lab_job_budget() {
    if [[ $LAB_TIMEOUT -ge 60 ]]; then echo $((LAB_TIMEOUT - 30)); else echo $((LAB_TIMEOUT / 2)); fi
}

# shellcheck disable=SC2317 # called by the EXIT trap
lab_cleanup() {
    lab_stop_children
    [[ -z ${LAB_PARTIAL:-} ]] || rm -rf "$LAB_PARTIAL"
    [[ -z ${LAB_WORK:-} ]] || rm -rf "$LAB_WORK"
}

main() {
    trap lab_cleanup EXIT
    trap 'lab_interrupt INT 130' INT
    trap 'lab_interrupt TERM 143' TERM
    trap 'lab_interrupt HUP 129' HUP
    lab_parse_args "$@"
    LAB_T_START=$(lab_now)
    lab_require_command "$LAB_QEMU" qemu-system-x86
    lab_require_command cpio cpio
    lab_require_command flock util-linux
    lab_require_command timeout coreutils
    lab_prepare_out_dir
    LAB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab.XXXXXX")

    lab_kernel_fetch
    lab_accel_resolve "$LAB_ACCEL_MODE" "$LAB_WORK"

    local nonce t0
    nonce=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
    LAB_TAG="@@VSOCKLAB:$nonce@@"
    t0=$(lab_now)
    local cpio="$LAB_WORK/initramfs.cpio"
    # Kept images are built in place, so _lab/qemu.cmd boots the guest again as it is.
    if [[ $LAB_KEEP_INITRAMFS -eq 1 ]]; then cpio="$LAB_META/initramfs.cpio"; fi
    lab_initramfs_build "$LAB_WORK/stage" "$cpio" "$nonce" "$(lab_job_budget)" "$LAB_ACCEL_USED"
    LAB_INITRAMFS_S=$(lab_elapsed "$t0" "$(lab_now)")
    LAB_INITRAMFS_BYTES=$(stat -c %s "$cpio")

    lab_qemu_command "$cpio"
    printf '%q ' "${LAB_QEMU_CMD[@]}" >"$LAB_META/qemu.cmd"
    echo >>"$LAB_META/qemu.cmd"
    lab_say "booting $LAB_KERNEL_PACKAGE ($LAB_KERNEL_VERSION) under $LAB_ACCEL_USED${LAB_ICOUNT:+ -icount shift=$LAB_ICOUNT} ($LAB_ACCEL_REASON); initramfs $((LAB_INITRAMFS_BYTES / 1024)) KiB; timeout $LAB_TIMEOUT s"

    : >"$LAB_META/console.log"
    LAB_T_QEMU=$(lab_now)
    # QEMU and the relay run in the background, joined by a FIFO, and are waited for: a
    # foreground pipeline would hold the signal traps until `timeout` ended it, since a
    # terminal's Ctrl-C does not reach QEMU in timeout's own process group.
    local console="$LAB_WORK/console.fifo" qemu_rc=0
    mkfifo "$console"
    lab_console_relay "$LAB_TAG" "$LAB_META/console.log" "$LAB_WORK/host-events" "$LAB_SHOW_CONSOLE" <"$console" &
    LAB_RELAY_PID=$!
    timeout -k 5 "$LAB_TIMEOUT" "${LAB_QEMU_CMD[@]}" </dev/null >"$console" 2>"$LAB_META/qemu.stderr" &
    LAB_CHILD_PID=$!
    lab_wait_child || qemu_rc=$?
    wait "$LAB_RELAY_PID" || true
    LAB_RELAY_PID=""
    LAB_T_QEMU_END=$(lab_now)
    lab_finish "$qemu_rc"
}

main "$@"
