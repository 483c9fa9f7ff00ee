# shellcheck shell=bash
# For the scripts that wrap lab.sh (bench.sh, test-bench.sh, test-observe.sh,
# bench-observe-cost.sh, bench-rr-peer.sh): runs lab.sh so that an interrupt of the wrapper
# reaches it.
#
#   lab_wrapped DIR CMD...   runs CMD in DIR in the background and waits for it. SIGINT,
#                            SIGTERM or SIGHUP to the wrapper sends SIGTERM to CMD (lab.sh then
#                            stops the guest and removes its temporary files), waits for it to
#                            end, and returns 128 + the wrapper's signal (129, 130, 143);
#                            otherwise returns CMD's status.
#   lab_interrupted STATUS   STATUS is 129, 130 or 143: an interrupt, the guest stopped early.
#
# Why: a wrapper that only traps EXIT dies of the signal at once (status "killed by signal
# 15", not 143), and lab.sh, left running, keeps QEMU going: SIGTERM from `timeout` or a CI
# runner reaches the wrapper's pid alone. (A terminal's Ctrl-C reaches lab.sh too, in the
# wrapper's process group: lab.sh stops the guest once, whichever signal comes first. CMD runs
# from a subshell, not as a simple command run with &, which non-interactive bash would start
# with SIGINT ignored, out of reach of lab.sh's trap.)

LAB_WRAPPED_PID=""
LAB_WRAPPED_SIGNAL=""
LAB_WRAPPED_TRAPS=0

# shellcheck disable=SC2317 # called by the signal traps
lab_wrapped_forward() {
    [[ -n $LAB_WRAPPED_SIGNAL ]] || LAB_WRAPPED_SIGNAL=$1
    LAB_WRAPPED_TRAPS=$((LAB_WRAPPED_TRAPS + 1))
    [[ -z $LAB_WRAPPED_PID ]] || kill -TERM "$LAB_WRAPPED_PID" 2>/dev/null || true
}

lab_wrapped() {
    local dir=$1 rc=0
    shift
    LAB_WRAPPED_SIGNAL=""
    LAB_WRAPPED_PID=""
    trap 'lab_wrapped_forward 129' HUP
    trap 'lab_wrapped_forward 130' INT
    trap 'lab_wrapped_forward 143' TERM
    # exec: the pid waited for and signalled is lab.sh's own, not a subshell's.
    (cd "$dir" && exec "$@") &
    LAB_WRAPPED_PID=$!
    # A signal that came before the pid was known.
    [[ -z $LAB_WRAPPED_SIGNAL ]] || kill -TERM "$LAB_WRAPPED_PID" 2>/dev/null || true
    # A trapped signal ends `wait` early (status > 128): wait again until CMD itself has ended.
    while :; do
        local seen=$LAB_WRAPPED_TRAPS
        rc=0
        wait "$LAB_WRAPPED_PID" || rc=$?
        [[ $LAB_WRAPPED_TRAPS -ne $seen ]] || break
    done
    LAB_WRAPPED_PID=""
    trap - HUP INT TERM
    if [[ -n $LAB_WRAPPED_SIGNAL ]]; then return "$LAB_WRAPPED_SIGNAL"; fi
    return "$rc"
}

lab_interrupted() { [[ $1 -eq 129 || $1 -eq 130 || $1 -eq 143 ]]; }
