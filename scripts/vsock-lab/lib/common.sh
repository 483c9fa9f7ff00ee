# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_* variables set here are read by lab.sh
# Shared helpers for the vsock lab: messages, exit codes, timing, quoting.

readonly LAB_PROG=vsock-lab

# Exit codes of lab.sh itself. A job's own status passes through unchanged, so these sit
# outside the range jobs normally use (0, 1, 2).
readonly LAB_EX_USAGE=64       # bad arguments
readonly LAB_EX_UNAVAILABLE=69 # host prerequisite missing (qemu, busybox-static, kernel package)
readonly LAB_EX_BOOT=70        # the guest did not boot or its init failed before the job ran
readonly LAB_EX_TIMEOUT=75     # the hard timeout ended the guest before it reported a status
readonly LAB_EX_PROTOCOL=76    # the guest reported, but its result stream was missing or corrupt
# Interrupted: 128 + the signal (SIGHUP 129, SIGINT 130, SIGTERM 143), after stopping the guest.

# LAB_SAY_FD: where lab_say writes when stderr is redirected around it (the KVM probe's wait).
LAB_SAY_FD=""
lab_say() { printf '%s: %s\n' "$LAB_PROG" "$*" >&"${LAB_SAY_FD:-2}"; }

lab_die() {
    local code=$1
    shift
    printf '%s: error: %s\n' "$LAB_PROG" "$*" >&2
    exit "$code"
}

# The `timeout` (running QEMU) that lab.sh waits for, and the console relay reading it. GNU
# timeout puts itself and QEMU in a process group of their own, out of reach of a terminal's
# Ctrl-C: the signal traps (lab_interrupt) and the EXIT trap stop them by pid instead.
LAB_CHILD_PID=""
LAB_RELAY_PID=""

# lab_wait_child: waits for LAB_CHILD_PID (started with & just before) and returns its status.
# A trapped signal ends the wait at once (bash runs the trap during `wait`, not after it).
lab_wait_child() {
    local rc=0
    wait "$LAB_CHILD_PID" || rc=$?
    LAB_CHILD_PID=""
    return "$rc"
}

# Stops LAB_CHILD_PID and LAB_RELAY_PID if they still run: SIGTERM to `timeout` is passed on
# to QEMU, and `timeout -k` sends SIGKILL when QEMU outlives it by the -k grace.
lab_stop_children() {
    local pid=$LAB_CHILD_PID
    LAB_CHILD_PID=""
    if [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
    fi
    pid=$LAB_RELAY_PID
    LAB_RELAY_PID=""
    [[ -z $pid ]] || kill -TERM "$pid" 2>/dev/null || true
}

# lab_interrupt SIGNAL CODE: the INT, TERM and HUP traps: stop the guest, exit CODE.
lab_interrupt() {
    trap '' INT TERM HUP
    if [[ -n $LAB_CHILD_PID ]]; then
        lab_say "interrupted (SIG$1): stopping the guest"
    else
        lab_say "interrupted (SIG$1)"
    fi
    lab_stop_children
    exit "$2"
}

lab_require_command() {
    local cmd=$1 package=$2
    command -v "$cmd" >/dev/null 2>&1 ||
        lab_die "$LAB_EX_UNAVAILABLE" "'$cmd' not found: install it with 'apt-get install $package'"
}

# Seconds since the epoch with nanoseconds, for wall-clock intervals.
lab_now() { date +%s.%N; }

# Prints B - A with two decimals.
lab_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Quotes a string for a POSIX shell (busybox ash has no printf %q).
lab_sh_quote() {
    local s=$1 q="'\\''"
    printf "'%s'" "${s//\'/$q}"
}

# An awk that flushes each line as it reads it: live output from a pipe needs that.
lab_line_awk() {
    if awk -W version 2>/dev/null | grep -q '^mawk'; then
        awk -W interactive "$@"
    else
        awk "$@"
    fi
}
