#!/usr/bin/env bash
# Interrupt test of the lab's wrappers: starts bench.sh in a session of its own, waits until
# the guest's job has started, then interrupts it, twice: SIGTERM to bench.sh's pid alone
# (what `timeout` and CI runners do), and SIGINT to its process group (a terminal's Ctrl-C).
# Asserts that bench.sh exits 143, then 130, after stopping the guest: no QEMU booted from
# that run's initramfs and no lab.sh left running, their temporary files gone, and that it
# says nothing came back rather than listing results. Prints "N passed, M failed". About
# 40 s: each guest is stopped once its job starts.
#
# Needs a release build (.build/release/vsockbench, or --binary), qemu-system-x86,
# busybox-static, cpio and python3. When something is missing it skips with the reason, except under
# CI=true or VSOCKBENCH_LAB_REQUIRE=1, where a skip is a failure.
# Usage: scripts/vsock-lab/test-interrupt.sh [--binary PATH] [--keep DIR]
#   --keep DIR    keep bench.sh's output and its --out in DIR (default: a temporary directory)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$root/.build/release/vsockbench
# shellcheck source-path=SCRIPTDIR source=lib/test-cli.sh
. "$here/lib/test-cli.sh"
lab_test_parse test-interrupt.sh 14 "$@"
skip() { lab_test_skip "vsock-lab interrupt test" "$*"; }
[[ -z $result ]] || {
    echo "test-interrupt.sh: --result does not apply (this test needs a run to interrupt)" >&2
    exit 2
}
for need in qemu-system-x86_64:qemu-system-x86 cpio:cpio busybox:busybox-static python3:python3 pgrep:procps; do
    command -v "${need%%:*}" >/dev/null || skip "${need%%:*} not found (apt-get install ${need#*:})"
done
[[ -x $binary ]] || skip "no release build at $binary (swift build -c release --static-swift-stdlib --product vsockbench)"

# Bounds, in seconds: the guest's job starting (a first run also fetches the kernel and probes
# KVM), bench.sh ending once signalled (lab.sh's stop gives QEMU 5 s before SIGKILL).
up_limit=${VSOCKBENCH_LAB_TEST_UP_LIMIT:-300}
stop_limit=20

out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-interrupt.XXXXXX")}
mkdir -p "$out"
out=$(cd "$out" && pwd)
pid=""
runner=""
run=""
run_tmp=""

# Pids of the current run's QEMU (booted from an initramfs under its run_tmp) and lab.sh.
qemu_pids() { pgrep -d ' ' -f "qemu-system-x86_64 .*-initrd $run_tmp/" || true; }
lab_pids() { pgrep -d ' ' -f "lab\.sh .*--out $run/result" || true; }

# Whatever this test started and left behind is stopped by pid (QEMU runs in `timeout`'s own
# process group, out of reach of the session's).
cleanup() {
    local p
    [[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
    [[ -z $run ]] || for p in $(lab_pids) $(qemu_pids); do kill -KILL "$p" 2>/dev/null || true; done
    [[ -z $runner ]] || wait "$runner" 2>/dev/null || true
    [[ -n $keep ]] || rm -rf "$out"
}
trap cleanup EXIT

# shellcheck source-path=SCRIPTDIR source=lib/expect.sh
. "$here/lib/expect.sh"

# lab.sh's record of the guest events as they arrive (in its temporary directory; written
# line by line, unlike _lab/console.log).
job_started() { cat "$run_tmp"/vsock-lab.*/host-events 2>/dev/null | grep -q '^job-start '; }
alive() { kill -0 "$pid" 2>/dev/null; }

# interrupt NAME SIGNAL WHOM STATUS: runs bench.sh into $out/NAME, sends SIGNAL to its pid
# (WHOM pid) or its process group (WHOM group) once the guest's job has started, and asserts
# how it ended.
interrupt() {
    local name=$1 signal=$2 whom=$3 want=$4 before left ended deadline
    run=$out/$name
    rm -rf "$run"
    # bench.sh's and lab.sh's temporary directories (the initramfs among them) go under
    # run_tmp, so this run's QEMU is the one whose command line names it.
    run_tmp=$run/tmp
    mkdir -p "$run_tmp"
    echo "== SIG$signal to bench.sh's $whom"
    # bench.sh in a session of its own, started by a python3 parent that writes its pid, then
    # how it ended: "exit N", or "signal N" when the signal killed it (a shell's $? reads 143
    # for both). SIGINT back to its default first: a background job of this script starts
    # with it ignored, and a shell cannot trap a signal ignored on entry (Ctrl-C would not be
    # what a terminal's is).
    TMPDIR=$run_tmp python3 -c '
import signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
p = subprocess.Popen(sys.argv[2:], start_new_session=True)
with open(sys.argv[1] + ".pid", "w") as f:
    f.write(str(p.pid))
rc = p.wait()
with open(sys.argv[1] + ".end", "w") as f:
    f.write(f"signal {-rc}" if rc < 0 else f"exit {rc}")
' "$run/bench" "$here/bench.sh" --binary "$binary" --out "$run/result" --timeout 300 \
        >"$run/bench.stdout" 2>"$run/bench.stderr" &
    runner=$!
    for _ in $(seq 50); do [[ -s $run/bench.pid ]] && break; sleep 0.1; done
    pid=$(cat "$run/bench.pid" 2>/dev/null || true)
    [[ -n $pid ]] || {
        echo "test-interrupt.sh: bench.sh did not start" >&2
        exit 1
    }

    deadline=$((SECONDS + up_limit))
    until job_started || ! alive || ((SECONDS >= deadline)); do sleep 0.2; done
    expect "the guest's job started within $up_limit s, bench.sh still running" eval 'job_started && alive'
    before=$(qemu_pids)
    expect "a QEMU booted from this run's initramfs is running (pid ${before:-none})" test -n "$before"

    if [[ $whom == group ]]; then kill "-$signal" -- "-$pid" 2>/dev/null || true; else kill "-$signal" "$pid" 2>/dev/null || true; fi
    deadline=$((SECONDS + stop_limit))
    while alive && ((SECONDS < deadline)); do sleep 0.1; done
    expect "bench.sh ended within $stop_limit s of SIG$signal" eval '! alive'
    wait "$runner" || true
    runner=""
    ended=$(cat "$run/bench.end" 2>/dev/null || echo "still running")
    pid=""

    expect "bench.sh exits $want, not killed by the signal (got: $ended)" test "$ended" = "exit $want"
    left=$(qemu_pids)
    expect "no QEMU of this run left (${left:-none})" test -z "$left"
    left=$(lab_pids)
    expect "no lab.sh of this run left (${left:-none})" test -z "$left"
    expect "lab.sh said it stopped the guest" grep -q 'interrupted (SIG[A-Z]*): stopping the guest' "$run/bench.stderr"
    left=$(find "$run_tmp" -mindepth 1 -maxdepth 1 -printf '%f ')
    expect "bench.sh's and lab.sh's temporary files removed (${left:-none left})" test -z "$left"
    # Nothing came back from the guest: bench.sh says so and lists no results.
    expect "bench.sh says nothing came back from the guest" grep -q 'nothing came back from the guest' "$run/bench.stderr"
    expect "bench.sh lists no results" eval "! grep -q '^results:' '$run/bench.stdout'"
}

interrupt term TERM pid 143
interrupt int INT group 130

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
