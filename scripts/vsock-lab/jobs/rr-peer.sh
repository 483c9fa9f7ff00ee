#!/bin/sh
# shellcheck shell=sh
# rr against sockperf in the vsock lab (bench-rr-peer.sh runs it; see scripts/vsock-lab/README.md).
# TCP loopback inside the guest (sockperf has no AF_VSOCK), both peers as scripts/bench-peers.sh
# runs them on the host: `vsockbench serve` and `sockperf server`, then ROUNDS times each of
#   vsockbench  vsockbench run: rr 8 KiB/8 KiB, inflight 1, WARMUP s + DURATION s
#   sockperf    sockperf ping-pong --tcp -m 8224 -t WARMUP+DURATION (8224: our 32-byte header
#               + 8 KiB, so both put the same bytes on the wire)
# in alternating order (vsockbench first in odd rounds). The server of the other arm is stopped
# (SIGSTOP) while an arm runs, so that nothing but the pair under test is runnable.
# Environment: RRPEER_ROUNDS (default 3), RRPEER_DURATION (whole seconds, default 6),
# RRPEER_WARMUP (whole seconds, default 1), RRPEER_VERIFY (the rr case's verify: full, the
# default, or edges, which checks what sockperf checks: the header and a response's ends).
# Results in /out: rounds/R-vsockbench.json (the run's JSON), rounds/R-sockperf.txt (sockperf's
# output), rounds/R-ARM.stderr, order.txt ("round arm status" per run), checks.txt.
# Exits 1 when a run failed.
set -u

OUT=${LAB_OUT:-/out}
ROUNDS=${RRPEER_ROUNDS:-3}
DURATION=${RRPEER_DURATION:-6}
WARMUP=${RRPEER_WARMUP:-1}
VERIFY=${RRPEER_VERIFY:-full}
VSB_PORT=5005
SP_PORT=11111
SCENARIO=/tmp/rr-peer.yaml
R=$OUT/rounds
mkdir -p "$R"
: >"$OUT/checks.txt"
: >"$OUT/order.txt"

# shellcheck source=../lib/guest-checks.sh
. /lab/checks.sh

limit=$((DURATION + WARMUP + 90))
printf '%s\n' 'name: rr-peer' 'cases:' \
    "  - {name: rr, workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 1, verify: $VERIFY, warmup: ${WARMUP}s, duration: ${DURATION}s}" \
    >"$SCENARIO"
uname -r >"$OUT/kernel-release"
nproc >"$OUT/guest-cpus"

vsockbench serve --listen "tcp://127.0.0.1:$VSB_PORT" >"$OUT/serve.stdout" 2>"$OUT/serve.stderr" &
vsb_server=$!
sockperf server --tcp -i 127.0.0.1 -p "$SP_PORT" >"$OUT/sockperf-server.log" 2>&1 &
sp_server=$!
wait_for "$OUT/serve.stdout" '^listening on ' 60
check "vsockbench serve listens on tcp port $VSB_PORT" grep -q '^listening on tcp://' "$OUT/serve.stdout"
check "sockperf server is running" kill -0 "$sp_server"

# arm ROUND NAME: one run, in the foreground, with only its own server runnable.
arm() {
    case $2 in
        vsockbench)
            kill -STOP "$sp_server"
            kill -CONT "$vsb_server"
            timeout "$limit" vsockbench run "$SCENARIO" --target "tcp://127.0.0.1:$VSB_PORT" --json "$R/$1-$2.json" \
                >"$R/$1-$2.txt" 2>"$R/$1-$2.stderr"
            ;;
        sockperf)
            kill -STOP "$vsb_server"
            kill -CONT "$sp_server"
            timeout "$limit" sockperf ping-pong --tcp -i 127.0.0.1 -p "$SP_PORT" -m 8224 -t $((DURATION + WARMUP)) \
                >"$R/$1-$2.txt" 2>"$R/$1-$2.stderr"
            ;;
    esac
    status=$?
    echo "$1 $2 $status" >>"$OUT/order.txt"
    [ "$status" -eq 0 ] || {
        echo "round $1 $2: exit status $status" >&2
        tail -5 "$R/$1-$2.stderr" | sed 's/^/  /' >&2
    }
    return "$status"
}

bad=0
round=1
while [ "$round" -le "$ROUNDS" ]; do
    order="vsockbench sockperf"
    [ $((round % 2)) -eq 0 ] && order="sockperf vsockbench"
    echo "round $round of $ROUNDS: $order"
    for name in $order; do
        arm "$round" "$name" || bad=$((bad + 1))
    done
    round=$((round + 1))
done
kill -CONT "$vsb_server" "$sp_server" 2>/dev/null
check "every run exited 0 ($bad failed)" test "$bad" -eq 0
kill "$vsb_server" "$sp_server" 2>/dev/null
wait "$vsb_server" "$sp_server" 2>/dev/null
[ "$failed" -eq 0 ]
