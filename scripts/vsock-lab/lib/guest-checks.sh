# shellcheck shell=sh
# The helpers every lab job shares, shipped into each guest as /lab/checks.sh by lab.sh; a job
# sets OUT (where checks.txt goes) and then sources it:
#   check NAME CMD [ARG...]   runs CMD; appends "PASS NAME" or "FAIL NAME" to $OUT/checks.txt
#                             (and prints it), counting into $passed and $failed
#   uptime_s                  seconds since the guest booted (from /proc/uptime)
#   wait_for FILE PATTERN SECONDS
#                             until FILE has a line matching PATTERN (grep); 1 after SECONDS,
#                             saying on stderr what it waited for
#   running PID               PID runs (an exited child not yet waited for does not)
#   await PID SECONDS         waits up to SECONDS for the background PID to exit by itself;
#                             past that, stops it (SIGTERM, then SIGKILL 5 s later) and
#                             returns 1
#   stop PID [SECONDS]        SIGTERM to PID, SIGKILL when it has not ended SECONDS (default
#                             10) later; returns its exit status (137 when it was killed)
# busybox sh: POSIX only.

passed=0
failed=0

check() {
    name=$1
    shift
    if "$@"; then
        echo "PASS $name" | tee -a "$OUT/checks.txt"
        passed=$((passed + 1))
    else
        echo "FAIL $name" | tee -a "$OUT/checks.txt"
        failed=$((failed + 1))
    fi
}

uptime_s() {
    read -r up _ </proc/uptime
    echo "$up"
}

# (The loops count in their own variable: a job's own $i may be in use around a call.)
wait_for() {
    _n=0
    while [ "$_n" -lt $(($3 * 10)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        _n=$((_n + 1))
    done
    echo "wait_for: timed out after $3 s waiting for a line matching '$2' in $1" >&2
    return 1
}

running() {
    [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

await() {
    _n=0
    while running "$1" && [ "$_n" -lt $(($2 * 10)) ]; do
        sleep 0.1
        _n=$((_n + 1))
    done
    if running "$1"; then
        echo "$1 had not ended after $2 s: stopped" >&2
        stop "$1" 5
        return 1
    fi
    wait "$1" 2>/dev/null
    return 0
}

stop() {
    kill -TERM "$1" 2>/dev/null
    _n=0
    while running "$1" && [ "$_n" -lt $((${2:-10} * 10)) ]; do
        sleep 0.1
        _n=$((_n + 1))
    done
    if running "$1"; then
        echo "$1 had not ended ${2:-10} s after SIGTERM: SIGKILL" >&2
        kill -KILL "$1" 2>/dev/null
    fi
    wait "$1" 2>/dev/null
}
