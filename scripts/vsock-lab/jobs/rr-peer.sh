#!/bin/sh
# shellcheck shell=sh
# rr against sockperf, or stream against iperf3, in the vsock lab (bench-rr-peer.sh runs it; see
# scripts/vsock-lab/README.md). TCP loopback inside the guest (neither peer has AF_VSOCK), both
# peers as scripts/bench-peers.sh runs them on the host: `vsockbench serve` and the peer's
# server, then ROUNDS times each of, for rr,
#   vsockbench  vsockbench run: rr 8 KiB/8 KiB, inflight 1, WARMUP s + DURATION s
#   sockperf    sockperf ping-pong --tcp -m 8224 -t WARMUP+DURATION (8224: our 32-byte header
#               + 8 KiB, so both put the same bytes on the wire)
# or, for stream,
#   vsockbench  vsockbench run: stream tx, 64 KiB writes, WARMUP s + DURATION s
#   iperf3      iperf3 -c -P 1 -l 64K -N -t WARMUP+DURATION -O WARMUP (client sends)
# in alternating order (vsockbench first in odd rounds). The server of the other arm is stopped
# (SIGSTOP) while an arm runs, so that nothing but the pair under test is runnable.
# Environment: RRPEER_WORKLOAD (rr, the default, or stream), RRPEER_ROUNDS (default 3),
# RRPEER_DURATION (whole seconds, default 6), RRPEER_WARMUP (whole seconds, default 1),
# RRPEER_VERIFY (the case's verify: full, rr's default, or edges, which checks what sockperf
# checks: the header and a response's ends; stream's default is edges).
# Results in /out: rounds/R-vsockbench.json (the run's JSON), rounds/R-sockperf.txt (sockperf's
# output) or rounds/R-iperf3.json (iperf3's JSON), rounds/R-ARM.stderr, order.txt ("round arm
# status" per run), checks.txt.
# Exits 1 when a run failed.
set -u

OUT=${LAB_OUT:-/out}
ROUNDS=${RRPEER_ROUNDS:-3}
DURATION=${RRPEER_DURATION:-6}
WARMUP=${RRPEER_WARMUP:-1}
WORKLOAD=${RRPEER_WORKLOAD:-rr}
VERIFY=${RRPEER_VERIFY:-}
VSB_PORT=5005
SP_PORT=11111
IPERF_PORT=5201
SCENARIO=/tmp/rr-peer.yaml
R=$OUT/rounds
mkdir -p "$R"
: >"$OUT/checks.txt"
: >"$OUT/order.txt"

# shellcheck source=../lib/guest-checks.sh
. /lab/checks.sh

limit=$((DURATION + WARMUP + 90))
case $WORKLOAD in
    rr)
        PEER=sockperf
        printf '%s\n' 'name: rr-peer' 'cases:' \
            "  - {name: rr, workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 1, verify: ${VERIFY:-full}, warmup: ${WARMUP}s, duration: ${DURATION}s}" \
            >"$SCENARIO"
        ;;
    stream)
        PEER=iperf3
        printf '%s\n' 'name: stream-peer' 'cases:' \
            "  - {name: stream, workload: stream, direction: tx, write_size: 64KiB, verify: ${VERIFY:-edges}, warmup: ${WARMUP}s, duration: ${DURATION}s}" \
            >"$SCENARIO"
        ;;
    *)
        echo "RRPEER_WORKLOAD must be rr or stream (got '$WORKLOAD')" >&2
        exit 2
        ;;
esac
uname -r >"$OUT/kernel-release"
cat /sys/devices/system/clocksource/clocksource0/current_clocksource >"$OUT/clocksource" 2>/dev/null
grep -o -w -e constant_tsc -e nonstop_tsc -e tsc_known_freq /proc/cpuinfo | sort -u | tr "\n" " " >>"$OUT/clocksource" 2>/dev/null
nproc >"$OUT/guest-cpus"

vsockbench serve --listen "tcp://127.0.0.1:$VSB_PORT" >"$OUT/serve.stdout" 2>"$OUT/serve.stderr" &
vsb_server=$!
if [ "$PEER" = sockperf ]; then
    sockperf server --tcp -i 127.0.0.1 -p "$SP_PORT" >"$OUT/sockperf-server.log" 2>&1 &
else
    iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" >"$OUT/iperf3-server.log" 2>&1 &
fi
sp_server=$!
wait_for "$OUT/serve.stdout" '^listening on ' 60
check "vsockbench serve listens on tcp port $VSB_PORT" grep -q '^listening on tcp://' "$OUT/serve.stdout"
check "$PEER server is running" kill -0 "$sp_server"

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
        iperf3)
            kill -STOP "$vsb_server"
            kill -CONT "$sp_server"
            timeout "$limit" iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -P 1 -l 64K -N -t $((DURATION + WARMUP)) -O "$WARMUP" -J \
                >"$R/$1-$2.json" 2>"$R/$1-$2.stderr"
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
    order="vsockbench $PEER"
    [ $((round % 2)) -eq 0 ] && order="$PEER vsockbench"
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
