#!/bin/sh
# shellcheck shell=sh
# The vsockbench job of the vsock lab (bench.sh runs it; see scripts/vsock-lab/README.md):
# real AF_VSOCK on CID 1 inside the guest.
#   1. serve --mode agent on vsock port 5005, then `run scenarios/lab.yaml --probe` against it
#      (the table streams to the terminal; JSON in lab.json);
#   2. transport behaviours, each leaving its evidence in /out/behaviours/:
#      refused (no listener), peer-closed (target killed mid-run), vsock-buffer-64k
#      (SO_VM_SOCKETS_BUFFER_SIZE from a scenario, read back and seen on the wire),
#      allow-cid (serve --allow-cid 3 refuses the CID 1 peer), rr-1m (1 MiB messages),
#      budget (a 512 MiB vsock_buffer_size refused by --max-memory 64MiB);
#   3. doctor --json in the guest.
# Needs vsockbench in /lab/bin and scenarios/lab.yaml, scenarios/behaviours.yaml in /lab.
# Every step is bounded by `timeout`; checks.txt holds one PASS or FAIL line per guest-side
# check (the host's test-bench.sh asserts more from the evidence). Exits 1 when one failed.
set -u

OUT=${LAB_OUT:-/out}
B=$OUT/behaviours
TRACING=/sys/kernel/tracing
LAB=scenarios/lab.yaml
BEHAVIOURS=scenarios/behaviours.yaml
IO_TIMEOUT=5
mkdir -p "$B"
: >"$OUT/checks.txt"

# check, uptime_s, wait_for and stop (SIGTERM, SIGKILL after 10 s: a target ignoring SIGTERM
# does not hold the job; lab.sh ships them into every guest).
# shellcheck source=../lib/guest-checks.sh
. /lab/checks.sh

# Seconds between two uptimes, two decimals.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# step NAME: one line per step in timings.txt (guest uptime), for the lab's wall-time breakdown.
step() { echo "$1 $(uptime_s)" >>"$OUT/timings.txt"; }

# serve PORT LOG [FLAGS...]: starts a target on vsock PORT, logs to LOG.{stdout,stderr}; sets
# $served to its pid; returns 1 when it does not say "listening on" within 30 s.
serve() {
    port=$1
    log=$2
    shift 2
    vsockbench serve --listen "vsock://any:$port" "$@" >"$log.stdout" 2>"$log.stderr" &
    served=$!
    wait_for "$log.stdout" '^listening on ' 30
}

step job-start
uname -r >"$OUT/kernel-release"

# 1. The benchmark: every workload over vsock://local (CID 1), with the probe.
serve 5005 "$OUT/serve" --mode agent
main_target=$served
check "target listens on vsock port 5005" grep -q '^listening on vsock://' "$OUT/serve.stdout"
step lab-run
echo "== vsockbench run $LAB --target vsock://local:5005 --probe (timings under TCG are not representative)"
timeout 240 vsockbench run "$LAB" --target vsock://local:5005 --probe --json "$OUT/lab.json" \
    --io-timeout 30 >"$OUT/lab.txt" 2>"$OUT/lab.stderr"
lab_status=$?
# The table, then what the run said on stderr (both on stdout, so they stay in this order).
cat "$OUT/lab.txt"
sed 's/^/(run, stderr) /' "$OUT/lab.stderr"
check "run $LAB exits 0 (status $lab_status)" test "$lab_status" -eq 0
check "lab.json written" test -s "$OUT/lab.json"
step lab-run-end

# 2a. Nobody listens on port 5999: vsock answers the connect with a reset; the run must say
# so and exit 1 quickly, not hang.
start=$(uptime_s)
timeout 60 vsockbench run "$LAB" --case rr-8k --target vsock://local:5999 --io-timeout "$IO_TIMEOUT" \
    >"$B/refused.stdout" 2>"$B/refused.stderr"
status=$?
seconds=$(elapsed "$start" "$(uptime_s)")
printf 'status %s\nseconds %s\n' "$status" "$seconds" >"$B/refused.txt"
check "no listener: run exits 1 (status $status, ${seconds}s)" test "$status" -eq 1
check "no listener: says reset or refused" grep -qiE 'reset|refused' "$B/refused.stdout" "$B/refused.stderr"
step refused-end

# 2b. The peer closes mid-stream: a second target is killed (SIGKILL, so the kernel closes its
# sockets) while an rr case runs against it; the run must report it and exit 1 within the
# io-timeout.
if serve 5006 "$B/peer-closed-serve" --mode echo; then
    victim=$served
    vsockbench run "$BEHAVIOURS" --case rr-until-killed --target vsock://local:5006 \
        --io-timeout "$IO_TIMEOUT" --json "$B/peer-closed.json" \
        >"$B/peer-closed.stdout" 2>"$B/peer-closed.stderr" &
    runner=$!
    wait_for "$B/peer-closed-serve.stderr" 'data connection' 60
    sleep 2
    killed_at=$(uptime_s)
    kill -KILL "$victim"
    # Bounded: a run that hangs is stopped after 60 s (status 143 then).
    (sleep 60 && kill "$runner" 2>/dev/null) &
    watchdog=$!
    wait "$runner"
    status=$?
    seconds=$(elapsed "$killed_at" "$(uptime_s)")
    kill "$watchdog" 2>/dev/null
    wait "$victim" 2>/dev/null
    printf 'status %s\nseconds_after_kill %s\nio_timeout %s\n' "$status" "$seconds" "$IO_TIMEOUT" >"$B/peer-closed.txt"
    check "peer closed: run exits 1 (status $status)" test "$status" -eq 1
    check "peer closed: reported within the io-timeout (${seconds}s <= ${IO_TIMEOUT}s)" \
        awk -v s="$seconds" -v t="$IO_TIMEOUT" 'BEGIN { exit !(s <= t) }'
    check "peer closed: says the target closed the connection" \
        grep -qiE 'closed the connection|reset by peer' "$B/peer-closed.stdout" "$B/peer-closed.stderr"
else
    check "peer closed: second target listens on port 5006" false
fi
step peer-closed-end

# 2c. SO_VM_SOCKETS_BUFFER_SIZE: 64KiB from the scenario. The JSON reads it back; the trace
# shows the buf_alloc every packet carries (driver to target: dst_port 5005).
events=$TRACING/events/vsock/virtio_transport_recv_pkt
echo 'src_port == 5005 || dst_port == 5005' >"$events/filter"
: >"$TRACING/trace"
echo 1 >"$events/enable"
timeout 120 vsockbench run "$BEHAVIOURS" --case vsock-buffer-64k --target vsock://local:5005 --probe \
    --json "$B/vsock-buffer-64k.json" >"$B/vsock-buffer-64k.stdout" 2>"$B/vsock-buffer-64k.stderr"
status=$?
echo 0 >"$events/enable"
echo 0 >"$events/filter"
# "src_port dst_port op buf_alloc" for every packet of the case's two connections.
sed -n 's/.* \([0-9]*\):\([0-9]*\) -> \([0-9]*\):\([0-9]*\) .*op=\([A-Z_]*\) .*buf_alloc=\([0-9]*\).*/\2 \4 \5 \6/p' \
    "$TRACING/trace" >"$B/vsock-buffer-64k.packets.txt"
# "to_target 65536 12": packets of each direction by the buf_alloc they announced.
awk '{ print ($2 == 5005 ? "to_target" : "to_driver"), $4 }' "$B/vsock-buffer-64k.packets.txt" | sort | uniq -c |
    awk '{ print $2, $3, $1 }' >"$B/vsock-buffer-64k.buf_alloc.txt"
# "to_driver RW 65536 51": the data connection (the driver port with the most packets; the
# other is the control connection, which keeps the default size) by direction, op, buf_alloc.
data_port=$(awk '{ print ($2 == 5005 ? $1 : $2) }' "$B/vsock-buffer-64k.packets.txt" | sort | uniq -c | sort -rn |
    awk 'NR == 1 { print $2 }')
awk -v p="${data_port:-0}" '$1 == p || $2 == p { print ($2 == 5005 ? "to_target" : "to_driver"), $3, $4 }' \
    "$B/vsock-buffer-64k.packets.txt" | sort | uniq -c | awk '{ print $2, $3, $4, $1 }' >"$B/vsock-buffer-64k.data.txt"
: >"$TRACING/trace"
check "vsock_buffer_size 64KiB: run exits 0 (status $status)" test "$status" -eq 0
check "vsock_buffer_size 64KiB: the driver's packets announce buf_alloc 65536" \
    grep -q '^to_target 65536 ' "$B/vsock-buffer-64k.buf_alloc.txt"
step vsock-buffer-end

# 2d. --allow-cid 3: the loopback peer is CID 1, so the target must refuse it with its reason.
# The target sends its error frame and closes before the driver's hello may have gone out, so
# the driver sees either the frame or EPIPE on the send first: three attempts try both orders.
if serve 5007 "$B/allow-cid-serve" --mode agent --allow-cid 3; then
    refuser=$served
    : >"$B/allow-cid.txt"
    for attempt in 1 2 3; do
        timeout 60 vsockbench run "$LAB" --case rr-8k --target vsock://local:5007 --io-timeout "$IO_TIMEOUT" \
            >"$B/allow-cid.$attempt.stdout" 2>"$B/allow-cid.$attempt.stderr"
        status=$?
        reason=no
        grep -q 'peer CID 1 is not in --allow-cid 3' "$B/allow-cid.$attempt.stdout" "$B/allow-cid.$attempt.stderr" && reason=yes
        echo "attempt $attempt status $status reason $reason" >>"$B/allow-cid.txt"
        check "--allow-cid 3, attempt $attempt: exits 1 (status $status)" test "$status" -eq 1
        check "--allow-cid 3, attempt $attempt: the target's reason names CID 1" test "$reason" = yes
    done
    stop "$refuser"
else
    check "--allow-cid 3: target listens on port 5007" false
fi
step allow-cid-end

# 2e. Large messages: 1 MiB each way, verified.
timeout 120 vsockbench run "$BEHAVIOURS" --case rr-1m --target vsock://local:5005 --probe \
    --json "$B/rr-1m.json" >"$B/rr-1m.stdout" 2>"$B/rr-1m.stderr"
status=$?
check "1 MiB messages: run exits 0 (status $status)" test "$status" -eq 0
step rr-1m-end

# 2f. The vsock receive buffer a hello asks for counts in --max-memory: a 512 MiB
# vsock_buffer_size is refused by a target with 64 MiB (over_budget, before any buffer is
# granted), and the budget is whole again for a case that fits.
if serve 5008 "$B/budget-serve" --mode echo --max-memory 64MiB; then
    budgeted=$served
    timeout 60 vsockbench run "$BEHAVIOURS" --case vsock-buffer-huge --target vsock://local:5008 \
        --io-timeout "$IO_TIMEOUT" >"$B/budget-huge.stdout" 2>"$B/budget-huge.stderr"
    status=$?
    check "vsock_buffer_size 512MiB against --max-memory 64MiB: run exits 1 (status $status)" test "$status" -eq 1
    check "vsock_buffer_size 512MiB: refused as over_budget, the 512 MiB counted" \
        grep -qE 'needs about 51[0-9][.0-9]*MiB per data connection.*\[over_budget\]' "$B/budget-huge.stdout" "$B/budget-huge.stderr"
    timeout 60 vsockbench run "$BEHAVIOURS" --case vsock-buffer-64k --target vsock://local:5008 \
        --io-timeout "$IO_TIMEOUT" >"$B/budget-after.stdout" 2>"$B/budget-after.stderr"
    status=$?
    check "after the refusal a case that fits runs (status $status)" test "$status" -eq 0
    stop "$budgeted"
else
    check "--max-memory 64MiB: target listens on port 5008" false
fi
step budget-end

stop "$main_target"
status=$?
check "main target stops cleanly on SIGTERM (status $status)" test "$status" -eq 0

# 3. doctor, in the guest.
timeout 60 vsockbench doctor --json "$OUT/doctor.json" >"$OUT/doctor.txt" 2>"$OUT/doctor.stderr"
status=$?
check "doctor exits 0 (status $status)" test "$status" -eq 0
check "doctor.json written" test -s "$OUT/doctor.json"
step job-end

echo "guest checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
