#!/bin/sh
# shellcheck shell=sh
# observe's ground-truth job in the vsock lab (test-observe.sh runs it; see
# scripts/vsock-lab/README.md): `vsockbench observe` watches real AF_VSOCK traffic on CID 1
# that something else drives, and the driver's own figures are the truth it must find.
#   1. vsockbench cases (scenarios/observe.yaml: rr, masked, stream, a window of 4) against a
#      target on port 5005, each run as observe's command: observe-CASE.json, run-CASE.json;
#   2. framed-rr, a small C client and server that are not vsockbench (4-byte length frames,
#      a known server delay and client think time), observed the same way, with vsockmon
#      capturing the same port (vsockmon.txt) and vsock_diag listing its connection (diag.txt);
#      observe also writes a pcap (framed.pcap);
#   3. replay over vsock+seqpacket: `vsockbench run` replays a corpus to framed-rr's
#      seqpacket echo (a service that is not vsockbench), one packet per message without its
#      framing: replay-seqpacket.json, and what the echo counted in seqpacket-echo.txt.
# Needs vsockbench, framed-rr and vsock-crosscheck in /lab/bin, scenarios/observe.yaml in /lab,
# and the modules vsockmon and vsock_diag. Exits 1 when a guest-side check failed.
set -u

OUT=${LAB_OUT:-/out}
SCENARIO=scenarios/observe.yaml
mkdir -p "$OUT"
: >"$OUT/checks.txt"

# shellcheck source=../lib/guest-checks.sh
. /lab/checks.sh

step() { echo "$1 $(uptime_s)" >>"$OUT/timings.txt"; }

step job-start
uname -r >"$OUT/kernel-release"

# 1. vsockbench drives, observe watches from outside (the driver is observe's command).
vsockbench serve --listen vsock://any:5005 --mode agent >"$OUT/serve.stdout" 2>"$OUT/serve.stderr" &
target=$!
wait_for "$OUT/serve.stdout" '^listening on ' 30
check "target listens on vsock port 5005" grep -q '^listening on vsock://' "$OUT/serve.stdout"
for case in rr-8k masked-none stream-64k rr-window-4; do
    step "observe-$case"
    echo "== observe --port 5005 -- vsockbench run $SCENARIO --case $case"
    timeout 180 vsockbench observe --port 5005 --json "$OUT/observe-$case.json" -- \
        vsockbench run "$SCENARIO" --case "$case" --target vsock://local:5005 --json "$OUT/run-$case.json" \
        >"$OUT/observe-$case.txt" 2>"$OUT/observe-$case.stderr"
    status=$?
    cat "$OUT/observe-$case.txt"
    check "observe -- run --case $case exits 0 (status $status)" test "$status" -eq 0
    check "observe-$case.json and run-$case.json written" test -s "$OUT/observe-$case.json" -a -s "$OUT/run-$case.json"
done
stop "$target"
step vsockbench-end

# 2. framed-rr: 200 exchanges of 300-byte requests and 5000-byte answers, 20 ms server delay,
# 1 ms client think time; vsockmon and vsock_diag watch the same port.
vsock-crosscheck mon 5010 "$OUT/vsockmon.txt" >"$OUT/vsockmon.stdout" 2>"$OUT/vsockmon.stderr" &
monitor=$!
wait_for "$OUT/vsockmon.stdout" '^ready' 30
check "vsockmon0 captures (vsockmon module)" grep -q '^ready' "$OUT/vsockmon.stdout"
framed-rr server 5010 5000 20000 >"$OUT/framed-server.txt" 2>&1 &
server=$!
wait_for "$OUT/framed-server.txt" '^listening' 30
# vsock_diag while the connection lives: polled until the server's accepted socket (1:5010 to
# the client's port) is listed; the client takes at least 200 x 21 ms, observe starts it first.
(
    i=0
    while [ "$i" -lt 600 ]; do
        vsock-crosscheck diag 5010 >/tmp/diag.txt 2>"$OUT/diag.stderr"
        grep -q '^socket 1:5010 1:' /tmp/diag.txt && break
        sleep 0.1
        i=$((i + 1))
    done
    cp /tmp/diag.txt "$OUT/diag.txt"
) &
lister=$!
echo "== observe --port 5010 --pcap -- framed-rr client 1 5010 200 300 1000"
timeout 120 vsockbench observe --port 5010 --json "$OUT/observe-framed.json" --pcap "$OUT/framed.pcap" -- \
    framed-rr client 1 5010 200 300 1000 >"$OUT/observe-framed.txt" 2>"$OUT/observe-framed.stderr"
status=$?
cat "$OUT/observe-framed.txt"
check "observe -- framed-rr client exits 0 (status $status)" test "$status" -eq 0
wait "$lister"
# The server exits at the client's EOF; one the client never reached waits in accept().
check "framed-rr server ended at the client's EOF (within 30 s)" await "$server" 30
stop "$monitor"
check "vsockmon counts written" test -s "$OUT/vsockmon.txt"
check "vsock_diag listed the connection" grep -q '^socket 1:5010 1:' "$OUT/diag.txt"
# The client's own figures are in observe's command output (it prints key value lines).
grep -E '^(exchanges|request_frame_bytes|response_frame_bytes|latency_us_p50|think_us_p50|think_us_asked|elapsed_s) ' \
    "$OUT/observe-framed.txt" >"$OUT/framed-client.txt"
step framed-end

# 3. replay over vsock+seqpacket: 100 messages of a generated u32be corpus, each one packet
# holding only its payload, echoed packet for packet by framed-rr and verified (expect: echo).
framed-rr seqpacket-echo 5011 >"$OUT/seqpacket-echo.txt" 2>&1 &
echo_server=$!
wait_for "$OUT/seqpacket-echo.txt" '^listening' 30
check "framed-rr seqpacket-echo listens on vsock port 5011" grep -q '^listening' "$OUT/seqpacket-echo.txt"
vsockbench corpus /tmp/replay.u32be --framing u32be --generate 20 --size-median 2KiB --size-sigma 0.5 >"$OUT/replay-corpus.txt" 2>&1
printf '%s\n' 'name: replay-seqpacket' 'cases:' \
    '  - {name: sp-echo, workload: replay, framing: u32be, corpus: /tmp/replay.u32be, expect: echo, messages: 100, warmup: 0s}' \
    >/tmp/replay-seqpacket.yaml
echo "== run replay (u32be corpus) --target vsock+seqpacket://local:5011"
timeout 120 vsockbench run /tmp/replay-seqpacket.yaml --target vsock+seqpacket://local:5011 --json "$OUT/replay-seqpacket.json" \
    >"$OUT/replay-seqpacket.txt" 2>"$OUT/replay-seqpacket.stderr"
status=$?
cat "$OUT/replay-seqpacket.txt"
check "replay over vsock+seqpacket exits 0 (status $status)" test "$status" -eq 0
check "framed-rr seqpacket-echo ended at the run's EOF (within 30 s)" await "$echo_server" 30
check "the seqpacket echo saw no truncated packet" grep -q '^truncated 0$' "$OUT/seqpacket-echo.txt"
step job-end

echo "guest checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
