#!/usr/bin/env bash
# Ground-truth test of `vsockbench observe` over real AF_VSOCK: boots the lab VM with
# jobs/observe.sh, where observe watches (1) vsockbench runs of rr, masked, stream and a window
# of 4 (scenarios/observe.yaml) and (2) framed-rr, a small C client and server that are not
# vsockbench, then asserts what it found against the drivers' own figures: exchanges within 1%,
# sizes exact, turnaround within 10% of the driver's latency, in-flight depth, and its packet
# counts by op equal to vsockmon's capture of the same port (and its pcap too). The same job
# also (3) replays a corpus over vsock+seqpacket to framed-rr's seqpacket echo: one packet per
# message each way, the payloads alone, every echo verified. Prints "N passed, M failed"; the
# figures land in DIR/accuracy.txt.
#
# Needs a release build (.build/release/vsockbench, or --binary), qemu-system-x86,
# busybox-static, cpio, jq, python3 and a C compiler with a static libc. When something is
# missing it skips with the reason, except under CI=true or VSOCKBENCH_LAB_REQUIRE=1, where a
# skip is a failure.
# Usage: scripts/vsock-lab/test-observe.sh [--binary PATH] [--keep DIR | --result DIR]
#   --keep DIR    keep the lab's results in DIR (default: a temporary directory)
#   --result DIR  assert on an earlier result (DIR/result) without booting the lab
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/wrapper.sh
. "$here/lib/wrapper.sh"
binary=$root/.build/release/vsockbench
# shellcheck source-path=SCRIPTDIR source=lib/test-cli.sh
. "$here/lib/test-cli.sh"
lab_test_parse test-observe.sh 18 "$@"
skip() { lab_test_skip "vsock-lab observe test" "$*"; }

command -v jq >/dev/null || skip "jq not found (apt-get install jq)"
command -v python3 >/dev/null || skip "python3 not found (apt-get install python3)"
if [[ -n $result ]]; then
    out=$result
    [[ -d $out/result/_lab ]] || {
        echo "test-observe.sh: $out/result holds no lab result (_lab/)" >&2
        exit 2
    }
    r=$out/result
    status=$(jq -r '.exit_status // 1' "$r/_lab/summary.json")
else
    for need in qemu-system-x86_64:qemu-system-x86 cpio:cpio busybox:busybox-static; do
        command -v "${need%%:*}" >/dev/null || skip "${need%%:*} not found (apt-get install ${need#*:})"
    done
    [[ -x $binary ]] || skip "no release build at $binary (swift build -c release --static-swift-stdlib --product vsockbench)"
    cc=$(command -v cc || command -v clang || true)
    [[ -n $cc ]] || skip "no C compiler (apt-get install gcc)"
    out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-observe.XXXXXX")}
    [[ -n $keep ]] || trap 'rm -rf "$out"' EXIT
    mkdir -p "$out/bin"
    r=$out/result
    rm -rf "$r"
    for tool in framed-rr vsock-crosscheck; do
        "$cc" -static -O2 -o "$out/bin/$tool" "$here/tools/$tool.c" 2>"$out/$tool.build.log" ||
            skip "cannot build tools/$tool.c statically (a libc.a: apt-get install libc6-dev): $(head -3 "$out/$tool.build.log")"
    done
    cp "$binary" "$out/bin/vsockbench"
    if command -v strip >/dev/null; then strip "$out/bin/vsockbench"; fi
    status=0
    lab_wrapped "$root" "$here/lab.sh" --job "$here/jobs/observe.sh" --out "$r" \
        --binary "$out/bin/vsockbench" --binary "$out/bin/framed-rr" --binary "$out/bin/vsock-crosscheck" \
        --include scripts/vsock-lab/scenarios/observe.yaml:scenarios/observe.yaml \
        --module vsockmon --module vsock_diag --timeout 420 || status=$?
    if lab_interrupted "$status"; then
        echo "test-observe.sh: interrupted (lab exit $status)" >&2
        exit "$status"
    fi
fi

# shellcheck source-path=SCRIPTDIR source=lib/expect.sh
. "$here/lib/expect.sh"
q() { jq -r "$2 // empty" "$1" 2>/dev/null || true; }
holds() { [[ $(jq -r "$2" "$1" 2>/dev/null) == true ]]; }
# within A B PERCENT: |A - B| <= PERCENT% of B.
within() { awk -v a="${1:-x}" -v b="${2:-x}" -v p="$3" 'BEGIN { if (a == "x" || b == "x" || b + 0 == 0) exit 1; d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }
at_least() { awk -v a="${1:-x}" -v b="${2:-x}" 'BEGIN { exit !(a != "x" && b != "x" && a + 0 >= b + 0) }'; }
# The data connection: the one that carried the most payload (the other is the control connection).
data='(.connections | max_by(.packets.tx.RW.bytes + .packets.rx.RW.bytes))'
accuracy=$out/accuracy.txt
: >"$accuracy"
note() { echo "$*" | tee -a "$accuracy"; }

expect "lab exits 0 (got $status)" test "$status" -eq 0
expect "lab summary says completed" grep -q '"outcome": "completed"' "$r/_lab/summary.json"
# jobs/observe.sh's checks: the target, 2 for each of 4 cases, vsockmon ready, framed-rr's
# client and its server's end, vsockmon's counts, vsock_diag, the seqpacket echo listening,
# the replay, the echo's end, no truncated packet.
guest_checks=18
expect "every check in the guest passed ($(guest_checks_summary "$r/checks.txt" $guest_checks))" \
    all_guest_checks_passed "$r/checks.txt" $guest_checks

# 1. vsockbench cases: the target's own counts are the truth. On the data connection, the
# hello and its acknowledgement are one more exchange than the messages the target answered,
# warmup included (total_messages: even with warmup 0s, a request may go out before the
# measured interval opens); the measured bytes leave those warmup messages out.
note "case          truth  observed  turnaround p50 us  driver latency p50 us  in flight"
for case in rr-8k masked-none stream-64k rr-window-4; do
    o=$r/observe-$case.json
    run=$r/run-$case.json
    expect "$case: the run verified its messages" holds "$run" '.cases[0].verified == true'
    expect "$case: observe found the schema" holds "$o" '.schema == "vsockbench-observe/1"'
    messages=$(q "$run" '.cases[0].messages')
    total=$(q "$run" '.cases[0].target.connections[0].total_messages')
    exchanges=$(q "$o" "$data.exchanges")
    turnaround=$(q "$o" "$data.turnaround_us.p50")
    latency=$(q "$run" '.cases[0].latency_us.p50')
    depth=$(q "$o" "$data.in_flight_max")
    note "$(printf '%-12s %6s  %8s  %17s  %21s  %9s' "$case" "$((${total:-0} + 1))" "${exchanges:-?}" "${turnaround:-?}" "${latency:-?}" "${depth:-?}")"
    tx=$(q "$o" "$data.packets.tx.RW.bytes")
    rx=$(q "$o" "$data.packets.rx.RW.bytes")
    target_rx=$(q "$run" '.cases[0].target.bytes_rx')
    target_tx=$(q "$run" '.cases[0].target.bytes_tx')
    # The warmup messages' bytes (not in the measured bytes): their count times the mean frame.
    warm_rx=$(((${total:-0} - ${messages:-0}) * ${target_rx:-0} / ${messages:-1}))
    warm_tx=$(((${total:-0} - ${messages:-0}) * ${target_tx:-0} / ${messages:-1}))
    # A reader behind would move its work past the run and risk losing events (ReaderLag).
    expect "$case: observe lost no event and its reader kept up (no 'fell behind' warning)" \
        holds "$o" '(.lost_events.packets + .lost_events.writes) == 0 and ([.warnings[] | select(contains("reader fell up to"))] | length) == 0'
    expect "$case: the driver was followed (syscalls and writes per exchange counted)" \
        holds "$o" '.per_exchange.syscalls != null and .per_exchange.writes >= 1 and .writes.count > 0'
    case $case in
        rr-8k | masked-none)
            expect "$case: exchanges within 1% of the target's messages (warmup included) + the hello (${exchanges:-?} vs $((${total:-0} + 1)))" \
                within "${exchanges:-x}" "$((${total:-0} + 1))" 1
            expect "$case: stop-and-wait, 1 in flight (${depth:-?})" test "${depth:-0}" -eq 1
            expect "$case: the diagnosis names stop-and-wait" holds "$o" '[.diagnosis[].code] | index("stop_and_wait") != null'
            # Bytes exact: the data connection carried the target's measured bytes plus the hello
            # (out) and its acknowledgement (back), whose sizes the frames themselves give.
            expect "$case: request bytes exact: observed $tx = target read $target_rx + warmup $warm_rx + the hello" \
                test "$((${tx:-0} - ${target_rx:-0} - warm_rx))" -gt 0 -a "$((${tx:-0} - ${target_rx:-0} - warm_rx))" -lt 4096
            expect "$case: answer bytes exact: observed $rx = target wrote $target_tx + warmup $warm_tx + the acknowledgement" \
                test "$((${rx:-0} - ${target_tx:-0} - warm_tx))" -gt 0 -a "$((${rx:-0} - ${target_tx:-0} - warm_tx))" -lt 4096
            ;;
    esac
    case $case in
        rr-8k)
            frame=$(q "$run" '.cases[0] | .config.request_size + ((.wire_bytes_per_msg - .config.request_size - .config.response_size) / 2)')
            expect "rr-8k: request size exact (p50 and p90 $(q "$o" "$data.request_bytes.p50") = the frame, $frame)" \
                holds "$o" "$data.request_bytes.p50 == $frame and $data.request_bytes.p90 == $frame"
            expect "rr-8k: answer size exact (p50 $(q "$o" "$data.response_bytes.p50") = $frame)" \
                holds "$o" "$data.response_bytes.p50 == $frame and $data.response_bytes.p90 == $frame"
            expect "rr-8k: request bytes = the target's (warmup included) plus one hello, under a frame (${tx:-?} - ${target_rx:-?} - $warm_rx)" \
                test "$((${tx:-0} - ${target_rx:-0} - warm_rx))" -gt 0 -a "$((${tx:-0} - ${target_rx:-0} - warm_rx))" -lt "${frame%.*}"
            expect "rr-8k: turnaround p50 ${turnaround:-?} us within 10% of the driver's latency p50 ${latency:-?} us" \
                within "${turnaround:-x}" "${latency:-x}" 10
            expect "rr-8k: the time is in the enclave (20 ms target cost)" holds "$o" '[.diagnosis[].code] | index("time_in_peer") != null'
            ;;
        stream-64k)
            # The target's count of every stream byte it read, warmup and the stop's tail included.
            bytes=$(q "$run" '.cases[0].target.connections[0].total_stream_bytes_rx')
            expect "stream-64k: every byte the target read seen (${tx:-?} = ${bytes:-?} + the hello)" \
                test "$((${tx:-0} - ${bytes:-0}))" -gt 0 -a "$((${tx:-0} - ${bytes:-0}))" -lt 4096
            expect "stream-64k: only the hello is an exchange (${exchanges:-?})" test "${exchanges:-9}" -le 1
            expect "stream-64k: 64 KiB data packets" holds "$o" "$data.packets.tx.RW.packets >= 200"
            ;;
        rr-window-4)
            expect "rr-window-4: requests in flight seen (${depth:-?} > 1)" test "${depth:-0}" -gt 1
            expect "rr-window-4: the diagnosis names it pipelined" holds "$o" '[.diagnosis[].code] | index("pipelined") != null'
            expect "rr-window-4: request bytes exact (${tx:-?} - ${target_rx:-?} - warmup $warm_rx: the hello)" \
                test "$((${tx:-0} - ${target_rx:-0} - warm_rx))" -gt 0 -a "$((${tx:-0} - ${target_rx:-0} - warm_rx))" -lt 4096
            ;;
    esac
done

# 2. framed-rr: the client's own figures are the truth; vsockmon and the pcap count packets.
o=$r/observe-framed.json
client() { awk -v k="$1" '$1 == k { print $2 }' "$r/framed-client.txt" 2>/dev/null; }
exchanges=$(q "$o" '.exchanges')
turnaround=$(q "$o" '.turnaround_us.p50')
think=$(q "$o" '.think_us.p50')
note "framed-rr    $(client exchanges)  ${exchanges:-?}  turnaround p50 ${turnaround:-?} us, client latency p50 $(client latency_us_p50) us; think p50 ${think:-?} us, client's $(client think_us_p50) us (asked $(client think_us_asked))"
expect "framed: one connection" holds "$o" '(.connections | length) == 1'
expect "framed: exchanges within 1% of the client's ($(client exchanges))" within "${exchanges:-x}" "$(client exchanges)" 1
expect "framed: request size exact ($(q "$o" .request_bytes.p50) = $(client request_frame_bytes))" \
    holds "$o" ".request_bytes.p50 == $(client request_frame_bytes) and .request_bytes.max == $(client request_frame_bytes)"
expect "framed: answer size exact ($(q "$o" .response_bytes.p50) = $(client response_frame_bytes))" \
    holds "$o" ".response_bytes.p50 == $(client response_frame_bytes) and .response_bytes.max == $(client response_frame_bytes)"
expect "framed: turnaround p50 ${turnaround:-?} us within 10% of the client's latency p50 $(client latency_us_p50) us" \
    within "${turnaround:-x}" "$(client latency_us_p50)" 10
expect "framed: think time p50 ${think:-?} us at least what the client slept ($(client think_us_asked) us)" \
    at_least "${think:-x}" "$(client think_us_asked)"
expect "framed: stop-and-wait, the time in the enclave" \
    holds "$o" '.in_flight_max == 1 and ([.diagnosis[].code] | index("stop_and_wait") != null and index("time_in_peer") != null)'
# Every write(2) of the client to its vsock socket: one 304-byte frame per exchange. Its report
# at exit (stdout is a file there: fully buffered, one write of about 150 bytes) is a write to
# a file, counted apart (writes.other), not one of the exchange's.
expect "framed: the client's writes to vsock seen, one frame per exchange, the report apart ($(q "$o" .writes.count) writes, max $(q "$o" .writes.bytes.max) B, $(q "$o" .writes.other) other)" \
    holds "$o" ".writes.count == $(client exchanges) and .writes.other >= 1 and .writes.bytes.p50 == $(client request_frame_bytes) and .writes.bytes.max == $(client request_frame_bytes)"

# vsockmon (the kernel's capture device) against observe, op by op, each way.
mon=$r/vsockmon.txt
expect "vsockmon dropped nothing" grep -qx 'dropped 0' "$mon"
for way in tx rx; do
    [[ $way == tx ]] && side=to_port || side=from_port
    for op in REQUEST RESPONSE RST SHUTDOWN RW CREDIT_UPDATE CREDIT_REQUEST; do
        seen=$(q "$o" ".packets.$way.$op.packets")
        # (A missing vsockmon.txt fails here, op by op, instead of ending the script.)
        captured=""
        [[ ! -s $mon ]] || captured=$(awk -v s="$side" -v o="$op" '$1 == s && $2 == o { print $3 }' "$mon")
        shown=${captured:-0}
        [[ -s $mon ]] || shown="none (no vsockmon.txt)"
        expect "vsockmon: $way $op packets $shown = observe's ${seen:-?}" \
            test -s "$mon" -a "${seen:-x}" = "${captured:-0}"
    done
done
note "vsockmon: $(tr '\n' ';' 2>/dev/null <"$mon" || echo "no $mon")"

# The pcap: LINKTYPE_VSOCK, one record per packet, the same ops as vsockmon saw.
pcap_summary() {
    python3 - "$r/framed.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, major, minor, _, _, snaplen, link = struct.unpack("<IHHiIII", data[:24])
ops, at = {}, 24
while at + 16 <= len(data):
    sec, frac, captured, original = struct.unpack("<IIII", data[at:at + 16])
    record = data[at + 16:at + 16 + captured]
    op = struct.unpack("<H", record[32 + 30:32 + 32])[0]
    ops[op] = ops.get(op, 0) + 1
    at += 16 + captured
print(hex(magic), link, sum(ops.values()), " ".join(f"{k}:{v}" for k, v in sorted(ops.items())))
PY
}
summary=$(pcap_summary 2>/dev/null || true)
total=$(q "$o" '[.packets.tx[], .packets.rx[]] | map(.packets) | add')
expect "pcap: LINKTYPE_VSOCK, nanosecond magic, one record per packet ($summary; observe saw ${total:-?})" \
    test "$(cut -d' ' -f1-3 <<<"$summary")" = "0xa1b23c4d 271 ${total:-x}"
# Both counts must exist: a missing pcap and a missing capture are not "equal".
pcap_rw=$(tr ' ' '\n' <<<"$summary" | awk -F: '$1 == 5 { print $2 }')
mon_rw=""
[[ ! -s $mon ]] || mon_rw=$(awk '$2 == "RW" { n += $3 } END { print n + 0 }' "$mon")
expect "pcap: as many RW records as vsockmon's RW packets (${pcap_rw:-no pcap} = ${mon_rw:-no vsockmon.txt})" \
    test -n "$pcap_rw" -a -n "$mon_rw" -a "$pcap_rw" = "$mon_rw"
if command -v tcpdump >/dev/null; then
    expect "tcpdump reads the pcap" tcpdump -r "$r/framed.pcap" -c 1 -nn
fi

# vsock_diag (ss --vsock) listed both ends of the connection observe found: the server's
# accepted socket (1:5010 to the client's port) and the client's (its local CID reads as
# VMADDR_CID_ANY, 4294967295: it connected without binding).
port=$(q "$o" '.connections[0].parent_port')
expect "vsock_diag lists the server's end of the connection observe found (1:5010 -> 1:${port:-?})" grep -q "^socket 1:5010 1:${port:-x} " "$r/diag.txt"
expect "vsock_diag lists the client's end (*:${port:-?} -> 1:5010)" grep -qE "^socket [0-9]+:${port:-x} 1:5010 " "$r/diag.txt"

# 3. replay over vsock+seqpacket against framed-rr's echo: what the echo counted is the truth.
sp=$r/replay-seqpacket.json
echoed() { awk -v k="$1" '$1 == k { print $2 }' "$r/seqpacket-echo.txt" 2>/dev/null; }
note "replay over vsock+seqpacket: $(q "$sp" '.cases[0].messages') messages, the echo $(echoed echoed_packets) packets of $(echoed echoed_bytes) B; writes/msg $(q "$sp" '.cases[0].writes_per_msg'), reads/msg $(q "$sp" '.cases[0].reads_per_msg')"
expect "replay-seqpacket: over vsock+seqpacket, 100 messages verified (expect: echo)" \
    holds "$sp" '.transport == "vsock+seqpacket" and .cases[0].verified == true and .cases[0].messages == 100 and (.cases[0].errors | length) == 0'
expect "replay-seqpacket: the echo answered every message, one packet each ($(echoed echoed_packets))" test "$(echoed echoed_packets)" = 100
expect "replay-seqpacket: the payloads alone reached the echo, no u32be prefix ($(echoed echoed_bytes) B = bytes_tx $(q "$sp" '.cases[0].bytes_tx'))" \
    test "$(echoed echoed_bytes)" = "$(q "$sp" '.cases[0].bytes_tx')"
expect "replay-seqpacket: one send and one receive per message" holds "$sp" '.cases[0].writes_per_msg == 1 and .cases[0].reads_per_msg == 1'

echo "vsock-lab observe: $(grep -h -E '"(guest_uptime_at_job_start_s|job_s|wall_s|accel)"' "$r/_lab/summary.json" 2>/dev/null | tr -d ' \n')"
echo "accuracy figures: $accuracy"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
