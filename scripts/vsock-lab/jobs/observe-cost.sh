#!/bin/sh
# shellcheck shell=sh
# observe's own cost over real AF_VSOCK, in the vsock lab (bench-observe-cost.sh runs it; see
# scripts/vsock-lab/README.md). One target on vsock port 5005; then, ROUNDS times, the same
# rr 8 KiB/8 KiB stop-and-wait run against vsock://local:5005 (CID 1) in each arm:
#   off      vsockbench run ...                                  (nothing attached)
#   observe  vsockbench observe --port 5005 --json F -- vsockbench run ...
#            (observe's packet programs on both vsock tracepoints, its ring buffer drained,
#            the run followed: its system calls counted and its writes captured)
#   probe    vsockbench run ... --probe                          (when OBSCOST_PROBE=1)
#   idle     vsockbench observe --port 5999 --json F -- vsockbench run ...   (when OBSCOST_IDLE=1)
#            (every program attached and the run followed, but nothing uses port 5999: no
#            packet event, only the run's writes)
#   passive  vsockbench observe --port 5005 --duration D --json F &   (when OBSCOST_PASSIVE=1)
#            then vsockbench run ... (as off), then observe stopped with SIGTERM
#            (the way users run observe against a live agent: watching the port with no
#            --pid and no command, so no process is followed and only the packet programs
#            and the ring buffer's reader run, no system-call counting, no write capture.
#            observe prints nothing when it has attached, so the run starts once observe's
#            main thread waits in epoll_wait (/proc/PID/syscall), its drain loop, which comes
#            after every program is attached, with its BPF links in /proc/PID/fdinfo; both
#            are recorded in rounds/R-passive.attach. D covers the run with a wide margin;
#            SIGTERM, not SIGINT: a background job of this non-interactive sh has SIGINT
#            ignored (POSIX), and observe without a command ends on either, reporting)
# The order is reversed every round (off, observe, probe; then probe, observe, off), so each
# arm runs before and after the others equally often and a drift within a round cancels out.
# Environment: OBSCOST_ROUNDS (default 6), OBSCOST_DURATION (default 10s), OBSCOST_WARMUP
# (default 1s), OBSCOST_PROBE (1: the third arm; default 1), OBSCOST_IDLE (1: the idle-port
# arm; default 0), OBSCOST_PASSIVE (1: the passive arm; default 0),
# OBSCOST_NO_WAKEUP_PREEMPTION (1: CFS's wake-up preemption off; default 0).
# Results in /out: rounds/R-ARM.json (the run's JSON), rounds/R-observe-observe.json
# (observe's; R-idle-observe.json, R-passive-observe.json for those arms), rounds/R-ARM.stderr,
# rounds/R-passive-observe.{txt,stderr,status,attach} (the passive observe's own output, exit
# status and attach record), order.txt (one "round arm status start end" line per run, guest
# uptimes), checks.txt. The host script reads them; timings under TCG are emulated.
# Exits 1 when a run failed (for the passive arm also: observe did not attach, or did not end
# with 0, 143 or 130).
set -u

OUT=${LAB_OUT:-/out}
ROUNDS=${OBSCOST_ROUNDS:-6}
DURATION=${OBSCOST_DURATION:-10s}
WARMUP=${OBSCOST_WARMUP:-1s}
PROBE=${OBSCOST_PROBE:-1}
IDLE=${OBSCOST_IDLE:-0}
PASSIVE=${OBSCOST_PASSIVE:-0}
PORT=5005
# The passive arm's port: the run's (5005) by default; another (OBSCOST_PASSIVE_PORT=5999)
# leaves observe's two packet programs attached and run on every packet, but none of them
# watched: no event, no reader work, the dispatch's own cost.
PASSIVE_PORT=${OBSCOST_PASSIVE_PORT:-5005}
IDLE_PORT=5999
SCENARIO=/tmp/observe-cost.yaml
R=$OUT/rounds
mkdir -p "$R"
: >"$OUT/checks.txt"
: >"$OUT/order.txt"

# shellcheck source=../lib/guest-checks.sh
. /lab/checks.sh

# Seconds in a duration like 10s, 1500ms or 2m (whole seconds, rounded up), for the timeouts.
seconds_of() {
    case $1 in
        *ms) echo $(((${1%ms} + 999) / 1000)) ;;
        *s) echo "${1%s}" ;;
        *m) echo $((${1%m} * 60)) ;;
        *) echo "$1" ;;
    esac
}
# Each run: its warmup and duration, plus the start-up of a 40 MB binary and of the BPF
# programs under emulation, with a wide margin; a stuck run is stopped and counts as failed.
run_limit=$(($(seconds_of "$DURATION") + $(seconds_of "$WARMUP") + 90))
# The passive arm: observe's own --duration outlasts the run's limit (it is stopped by a signal
# as soon as the run ends), its start-up (BPF objects loaded under emulation: about 7 s) is
# waited for up to ATTACH_LIMIT s, its stop up to STOP_LIMIT s (then SIGKILL).
ATTACH_LIMIT=90
STOP_LIMIT=30
passive_seconds=$((run_limit + 30))

# attached PID: whether observe (PID) is in its drain loop: its main thread waits in
# epoll_wait/epoll_pwait/epoll_pwait2 (x86_64 232, 281, 441: ring_buffer__poll), which it
# reaches only after the tap and the probe attached every program, and it holds BPF links.
attached() {
    [ -r "/proc/$1/syscall" ] || return 1
    read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
    case $nr in
        232 | 281 | 441) ;;
        *) return 1 ;;
    esac
    grep -q '^link_type:' /proc/"$1"/fdinfo/* 2>/dev/null
}

# alive PID: running and not yet a zombie (an unwaited child answers kill -0 after it exited).
alive() {
    [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# cpu_ticks PID: its user and system clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() {
    awk '{ print $14, $15 }' "/proc/$1/stat" 2>/dev/null || echo "0 0"
}

# passive ROUND JSON: observe on the port with no process followed, then the run alone.
passive() {
    obs=$R/$1-passive-observe
    vsockbench observe --port "$PASSIVE_PORT" --duration "${passive_seconds}s" --json "$obs.json" \
        >"$obs.txt" 2>"$obs.stderr" &
    observer=$!
    t0=$(uptime_s)
    i=0
    ready=0
    # (Checked once a poll: the main thread leaves epoll_wait whenever it takes events.)
    while [ "$i" -lt $((ATTACH_LIMIT * 10)) ]; do
        attached "$observer" && ready=1 && break
        alive "$observer" || break
        sleep 0.1
        i=$((i + 1))
    done
    if [ "$ready" -eq 0 ]; then
        echo "observe did not attach within $ATTACH_LIMIT s (or exited)" >"$obs.attach"
        kill -KILL "$observer" 2>/dev/null
        wait "$observer" 2>/dev/null
        echo "observe did not attach within $ATTACH_LIMIT s" >"$R/$1-passive.stderr"
        return 1
    fi
    {
        echo "attached after $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }') s of guest time"
        # fdinfo lines, e.g. link_type raw_tracepoint, prog_tag: what observe holds.
        grep -h '^link_type:' /proc/"$observer"/fdinfo/* 2>/dev/null | sort | uniq -c |
            awk '{ printf "  %s bpf links of type %s\n", $1, $3 }'
        echo "  main thread was in system call $nr"
    } >"$obs.attach"
    cpu_before=$(cpu_ticks "$observer")
    run_start=$(uptime_s)
    timeout "$run_limit" vsockbench run "$SCENARIO" --target "vsock://local:$PORT" --json "$2" \
        >"$R/$1-passive.txt" 2>"$R/$1-passive.stderr"
    run_status=$?
    # observe's own CPU time (user, system: all its threads) over the run, beside the run's span.
    echo "$cpu_before $(cpu_ticks "$observer") $run_start $(uptime_s) $(getconf CLK_TCK 2>/dev/null || echo 100)" |
        awk '{ printf "  observe used %.2f s user, %.2f s system over the run'"'"'s %.2f s (%.1f%%)\n",
            ($3 - $1) / $7, ($4 - $2) / $7, $6 - $5, 100 * ($3 - $1 + $4 - $2) / $7 / ($6 - $5) }' >>"$obs.attach"
    kill -TERM "$observer" 2>/dev/null
    i=0
    while alive "$observer" && [ "$i" -lt $((STOP_LIMIT * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if alive "$observer"; then
        kill -KILL "$observer" 2>/dev/null
        echo "observe had not ended $STOP_LIMIT s after SIGTERM: killed" >>"$obs.attach"
    fi
    wait "$observer"
    observe_status=$?
    echo "$observe_status" >"$obs.status"
    [ "$run_status" -eq 0 ] || return "$run_status"
    case $observe_status in
        0 | 130 | 143) return 0 ;;
        *)
            echo "observe (passive) exited $observe_status" >>"$R/$1-passive.stderr"
            sed 's/^/  observe: /' "$obs.stderr" | tail -5 >>"$R/$1-passive.stderr"
            return 1
            ;;
    esac
}

printf '%s\n' 'name: observe-cost' 'cases:' \
    "  - {name: rr-8k, workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 1, warmup: $WARMUP, duration: $DURATION}" \
    >"$SCENARIO"

# OBSCOST_NO_WAKEUP_PREEMPTION=1: every arm with CFS's wake-up preemption off (the
# scheduler feature NO_WAKEUP_PREEMPTION, in debugfs): a woken task waits until the running
# one sleeps or its slice ends, so the guest does not switch between interleavings of the
# driver, the target, the loopback kworker and observe's reader from one run to the next (on
# one vCPU a few instructions more or less in one of them can), and the ratio is the
# instructions observe adds. Users' kernels preempt on wake-up: this is a second figure, not
# the one a user sees.
if [ "${OBSCOST_NO_WAKEUP_PREEMPTION:-0}" = 1 ]; then
    mount -t debugfs none /sys/kernel/debug 2>/dev/null
    echo NO_WAKEUP_PREEMPTION 2>/dev/null >/sys/kernel/debug/sched/features
    # Without it every figure would be labelled wrongly: stop (no CONFIG_SCHED_DEBUG, or a
    # kernel whose scheduler has no such feature, as EEVDF's from 6.6).
    check "wake-up preemption is off (sched feature NO_WAKEUP_PREEMPTION)" \
        grep -qw NO_WAKEUP_PREEMPTION /sys/kernel/debug/sched/features
    grep -qw NO_WAKEUP_PREEMPTION /sys/kernel/debug/sched/features 2>/dev/null || exit 1
fi
uname -r >"$OUT/kernel-release"
nproc >"$OUT/guest-cpus"
vsockbench serve --listen "vsock://any:$PORT" >"$OUT/serve.stdout" 2>"$OUT/serve.stderr" &
target=$!
wait_for "$OUT/serve.stdout" '^listening on ' 60
check "target listens on vsock port $PORT" grep -q '^listening on vsock://' "$OUT/serve.stdout"

# arm ROUND NAME: one run of that arm; records its status and guest uptimes in order.txt.
arm() {
    json=$R/$1-$2.json
    start=$(uptime_s)
    case $2 in
        off)
            timeout "$run_limit" vsockbench run "$SCENARIO" --target "vsock://local:$PORT" --json "$json" \
                >"$R/$1-$2.txt" 2>"$R/$1-$2.stderr"
            ;;
        observe)
            timeout "$run_limit" vsockbench observe --port "$PORT" --json "$R/$1-observe-observe.json" -- \
                vsockbench run "$SCENARIO" --target "vsock://local:$PORT" --json "$json" \
                >"$R/$1-$2.txt" 2>"$R/$1-$2.stderr"
            ;;
        idle)
            timeout "$run_limit" vsockbench observe --port "$IDLE_PORT" --json "$R/$1-idle-observe.json" -- \
                vsockbench run "$SCENARIO" --target "vsock://local:$PORT" --json "$json" \
                >"$R/$1-$2.txt" 2>"$R/$1-$2.stderr"
            ;;
        probe)
            timeout "$run_limit" vsockbench run "$SCENARIO" --target "vsock://local:$PORT" --probe --json "$json" \
                >"$R/$1-$2.txt" 2>"$R/$1-$2.stderr"
            ;;
        passive)
            passive "$1" "$json"
            ;;
    esac
    status=$?
    echo "$1 $2 $status $start $(uptime_s)" >>"$OUT/order.txt"
    [ "$status" -eq 0 ] || {
        echo "round $1 $2: exit status $status" >&2
        sed 's/^/  /' "$R/$1-$2.stderr" | tail -5 >&2
    }
    return "$status"
}

arms="off observe"
[ "$PROBE" = 1 ] && arms="$arms probe"
[ "$IDLE" = 1 ] && arms="$arms idle"
[ "$PASSIVE" = 1 ] && arms="$arms passive"
reversed=$(echo "$arms" | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "\n") }')
bad=0
round=1
while [ "$round" -le "$ROUNDS" ]; do
    order=$arms
    [ $((round % 2)) -eq 0 ] && order=$reversed
    echo "round $round of $ROUNDS: $order"
    for name in $order; do
        arm "$round" "$name" || bad=$((bad + 1))
    done
    round=$((round + 1))
done
check "every run exited 0 ($bad failed)" test "$bad" -eq 0
kill "$target" 2>/dev/null
wait "$target" 2>/dev/null
[ "$failed" -eq 0 ]
