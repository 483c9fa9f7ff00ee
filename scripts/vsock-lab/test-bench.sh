#!/usr/bin/env bash
# End-to-end test of vsockbench over real AF_VSOCK: runs bench.sh (the lab VM with
# jobs/vsockbench.sh) and asserts on what came back: every case of scenarios/lab.yaml verified
# over transport vsock, the probe's vsock packet counts (RW >= messages, credit updates,
# coalesce fewer packets per message than none), and each transport behaviour (no listener,
# peer closed mid-run, SO_VM_SOCKETS_BUFFER_SIZE from a scenario, --allow-cid, 1 MiB
# messages), and doctor in the guest. Prints "N passed, M failed".
#
# Needs a release build (.build/release/vsockbench, or --binary), qemu-system-x86,
# busybox-static, cpio and jq. When something is missing it skips with the reason, except
# under CI=true or VSOCKBENCH_LAB_REQUIRE=1, where a skip is a failure.
# Usage: scripts/vsock-lab/test-bench.sh [--binary PATH] [--keep DIR | --result DIR]
#   --keep DIR    keep the lab's results in DIR (default: a temporary directory)
#   --result DIR  assert on an earlier result (bench.sh --out DIR) without booting the lab
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/wrapper.sh
. "$here/lib/wrapper.sh"
binary=$root/.build/release/vsockbench
# shellcheck source-path=SCRIPTDIR source=lib/test-cli.sh
. "$here/lib/test-cli.sh"
lab_test_parse test-bench.sh 14 "$@"
skip() { lab_test_skip "vsock-lab bench test" "$*"; }

command -v jq >/dev/null || skip "jq not found (apt-get install jq)"
if [[ -n $result ]]; then
    r=$result
    status=0
    [[ -d $r/_lab ]] || {
        echo "test-bench.sh: $r holds no lab result (_lab/)" >&2
        exit 2
    }
    status=$(jq -r '.exit_status // 1' "$r/_lab/summary.json")
else
    for need in qemu-system-x86_64:qemu-system-x86 cpio:cpio busybox:busybox-static; do
        command -v "${need%%:*}" >/dev/null || skip "${need%%:*} not found (apt-get install ${need#*:})"
    done
    [[ -x $binary ]] || skip "no release build at $binary (swift build -c release --static-swift-stdlib --product vsockbench)"
    out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-bench.XXXXXX")}
    [[ -n $keep ]] || trap 'rm -rf "$out"' EXIT
    r=$out/result
    status=0
    lab_wrapped "$PWD" "$here/bench.sh" --binary "$binary" --out "$r" || status=$?
    if lab_interrupted "$status"; then
        echo "test-bench.sh: interrupted (bench.sh exit $status)" >&2
        exit "$status"
    fi
fi

# shellcheck source-path=SCRIPTDIR source=lib/expect.sh
. "$here/lib/expect.sh"
# q FILE FILTER: one jq answer, "" when the file or the field is missing.
q() { jq -r "$2 // empty" "$1" 2>/dev/null || true; }
# holds FILE FILTER: the jq filter is true on FILE.
holds() { [[ $(jq -r "$2" "$1" 2>/dev/null) == true ]]; }
lab=$r/lab.json
b=$r/behaviours

expect "bench.sh exits 0 (got $status)" test "$status" -eq 0
expect "lab summary says completed" grep -q '"outcome": "completed"' "$r/_lab/summary.json"
# jobs/vsockbench.sh's checks: the target, the lab run 2, no listener 2, peer closed 3,
# vsock_buffer_size 2, --allow-cid 2 for each of 3 attempts, 1 MiB 1, the budget 3, the
# target's stop 1, doctor 2.
guest_checks=23
expect "every check in the guest passed ($(guest_checks_summary "$r/checks.txt" $guest_checks))" \
    all_guest_checks_passed "$r/checks.txt" $guest_checks

# The benchmark: scenarios/lab.yaml over vsock://local (CID 1), with the probe.
expect "lab.json: transport is vsock ($(q "$lab" .transport))" test "$(q "$lab" .transport)" = vsock
expect "lab.json: target is vsock://1:5005 ($(q "$lab" .target))" test "$(q "$lab" .target)" = vsock://1:5005
expect "lab.json: the four cases ran ($(q "$lab" '[.cases[].name] | join(",")'))" \
    test "$(q "$lab" '[.cases[].name] | join(",")')" = stream-64k,rr-8k,masked-none,masked-coalesce
expect "guest kernel recorded in lab.json ($(q "$lab" .host.driver_kernel))" \
    grep -q -- '-cloud-amd64$' <<<"$(q "$lab" .host.driver_kernel)"
for case in stream-64k rr-8k masked-none masked-coalesce; do
    c=".cases[] | select(.name == \"$case\")"
    messages=$(q "$lab" "$c | .messages")
    rw=$(q "$lab" "$c | .probe.counters.vsock.tx.RW.packets")
    credit=$(q "$lab" "$c | .probe.counters.vsock.tx.CREDIT_UPDATE.packets")
    expect "$case: verified, no errors" holds "$lab" "$c | .verified == true and (.errors | length) == 0"
    expect "$case: transport vsock" holds "$lab" "$c | .transport == \"vsock\""
    expect "$case: 300 messages (${messages:-none})" test "${messages:-0}" -eq 300
    expect "$case: probe attached to both vsock tracepoints" \
        holds "$lab" "$c | [.probe.counters.sources[] | select(.attached) | .counts] | contains([\"vsock.tx\", \"vsock.rx\"])"
    expect "$case: CREDIT_UPDATE packets counted (${credit:-none})" test "${credit:-0}" -gt 0
    if [[ $case != masked-coalesce ]]; then
        expect "$case: vsock RW packets >= messages (${rw:-none} >= ${messages:-?})" \
            test "${messages:-0}" -gt 0 -a "${rw:-0}" -ge "${messages:-1}"
    fi
done
rr_rw=$(q "$lab" '.cases[] | select(.name == "rr-8k") | .probe.counters.vsock.tx.RW.packets')
expect "rr-8k: a request and a response packet per message (${rr_rw:-none} >= 600)" test "${rr_rw:-0}" -ge 600
per_msg() { q "$lab" ".cases[] | select(.name == \"$1\") | .probe.per_msg.vsock_packets"; }
none=$(per_msg masked-none)
coalesce=$(per_msg masked-coalesce)
expect "coalesce: fewer vsock packets per message than none (${coalesce:-none} < ${none:-none})" \
    awk -v c="${coalesce:-x}" -v n="${none:-x}" 'BEGIN { exit !(c + 0 > 0 && c + 0 < n + 0) }'
# Both must be numbers: jq orders null before every number, so a missing figure would pass.
writes() {
    local w
    w=$(q "$lab" ".cases[] | select(.name == \"$1\") | .writes_per_msg")
    echo "${w:-none}"
}
expect "coalesce: fewer driver writes per message than none ($(writes masked-coalesce) < $(writes masked-none))" \
    holds "$lab" '[.cases[] | select(.name == "masked-coalesce" or .name == "masked-none") | {(.name): .writes_per_msg}] | add
        | (.["masked-coalesce"] | type) == "number" and (.["masked-none"] | type) == "number"
          and .["masked-coalesce"] < .["masked-none"]'

# No listener: a reset, reported, exit 1, quickly.
seconds=$(awk '$1 == "seconds" { print $2 }' "$b/refused.txt" 2>/dev/null)
expect "no listener: exit 1" grep -qx 'status 1' "$b/refused.txt"
expect "no listener: says connection reset or refused" grep -qiE 'connection (reset|refused)' "$b/refused.stdout" "$b/refused.stderr"
expect "no listener: fails fast, not a hang (${seconds:-?} s < 10 s)" awk -v s="${seconds:-99}" 'BEGIN { exit !(s < 10) }'

# The peer closes mid-run (target killed): reported, exit 1, within the io-timeout.
seconds=$(awk '$1 == "seconds_after_kill" { print $2 }' "$b/peer-closed.txt" 2>/dev/null)
io_timeout=$(awk '$1 == "io_timeout" { print $2 }' "$b/peer-closed.txt" 2>/dev/null)
expect "peer closed: exit 1" grep -qx 'status 1' "$b/peer-closed.txt"
expect "peer closed: exits within the io-timeout (${seconds:-?} s <= ${io_timeout:-?} s)" \
    awk -v s="${seconds:-99}" -v t="${io_timeout:-0}" 'BEGIN { exit !(s <= t) }'
expect "peer closed: says the target closed the connection" grep -q 'the target closed the connection' "$b/peer-closed.stdout"
expect "peer closed: the case is not verified and carries the error" \
    holds "$b/peer-closed.json" '.cases[0].verified == false and ([.cases[0].errors[] | test("closed the connection")] | any)'
expect "peer closed: messages crossed before the kill" \
    grep -qE 'request sequence [1-9][0-9]*: the target closed the connection' "$b/peer-closed.stdout"

# SO_VM_SOCKETS_BUFFER_SIZE from a scenario: read back, and announced as buf_alloc on the wire.
buf=$b/vsock-buffer-64k.json
expect "vsock_buffer_size: the scenario asked for 64KiB" holds "$buf" '.cases[0].config.socket.vsock_buffer_size == 65536'
expect "vsock_buffer_size: the driver's socket reads back 65536 ($(q "$buf" '.cases[0].socket.driver.vsock_buffer_size'))" \
    holds "$buf" '.cases[0].socket.driver.vsock_buffer_size == 65536'
expect "vsock_buffer_size: the target applies the case's options too ($(q "$buf" '.cases[0].socket.target.vsock_buffer_size'))" \
    holds "$buf" '.cases[0].socket.target.vsock_buffer_size == 65536'
expect "vsock_buffer_size: verified over vsock" holds "$buf" '.cases[0].verified == true and .transport == "vsock"'
# vsock-buffer-64k.buf_alloc.txt: "to_target 65536 134" (direction, buf_alloc, packets).
only_65536_to_target() {
    local f=$b/vsock-buffer-64k.buf_alloc.txt
    grep -q '^to_target 65536 ' "$f" && ! grep '^to_target ' "$f" | grep -qv '^to_target 65536 '
}
expect "vsock_buffer_size: every packet to the target announced buf_alloc 65536" only_65536_to_target
# vsock-buffer-64k.data.txt, the data connection: "to_driver RW 65536 51" (direction, op,
# buf_alloc, packets). The target sets the size when the hello arrives, after the connection
# is made: the kernel announces it at once (a CREDIT_UPDATE), so every data packet the target
# sends carries it; only the handshake's RESPONSE (and the control connection) keep 262144.
target_data_announces_65536() {
    local f=$b/vsock-buffer-64k.data.txt
    grep -q '^to_driver RW 65536 ' "$f" && ! grep '^to_driver RW ' "$f" | grep -qv '^to_driver RW 65536 ' &&
        grep -q '^to_driver CREDIT_UPDATE 65536 ' "$f"
}
expect "vsock_buffer_size: every data packet the target sends announces buf_alloc 65536 ($(grep '^to_driver RW' "$b/vsock-buffer-64k.data.txt" 2>/dev/null | tr '\n' ' '))" \
    target_data_announces_65536

# --allow-cid 3 against a CID 1 peer: refused with the target's reason, every attempt.
expect "--allow-cid: three attempts, each exit 1 with the target's reason" \
    test "$(grep -c '^attempt [0-9] status 1 reason yes$' "$b/allow-cid.txt" 2>/dev/null)" = 3
expect "--allow-cid: the run shows the target's reason and code" \
    grep -q 'the target refused: peer CID 1 is not in --allow-cid 3 \[cid_not_allowed\]' "$b/allow-cid.1.stdout"
expect "--allow-cid: the target logged the rejections" \
    test "$(grep -c 'rejected peer' "$b/allow-cid-serve.stderr" 2>/dev/null)" -ge 3

# 1 MiB messages: verified, split into 64 KiB packets each way.
large=$b/rr-1m.json
rw=$(q "$large" '.cases[0].probe.counters.vsock.tx.RW.packets')
expect "1 MiB: 8 messages verified over vsock" holds "$large" '.cases[0].verified == true and .cases[0].messages == 8 and .transport == "vsock"'
expect "1 MiB: request and response are 1 MiB" holds "$large" '.cases[0].config.request_size == 1048576 and .cases[0].config.response_size == 1048576'
expect "1 MiB: at least 32 RW packets per message (${rw:-none} >= 256)" test "${rw:-0}" -ge 256

# doctor in the guest.
doctor=$r/doctor.json
expect "doctor: AF_VSOCK ok" holds "$doctor" '.checks.af_vsock.status == "ok"'
expect "doctor: vsock_loopback loaded (ok)" holds "$doctor" '.checks.vsock_loopback.status == "ok" and .facts.vsock.transports.vsock_loopback == true'
expect "doctor: local CID 1, a warning" holds "$doctor" '.facts.vsock.local_cid == 1 and .checks.local_cid.status == "warn"'
expect "doctor: kernel is the guest's" holds "$doctor" '.facts.kernel.release | endswith("-cloud-amd64")'

# The output says that timings are not representative.
expect "the output says TCG timing is not representative" grep -q 'not representative' "$r/_lab/job.stdout"
echo "vsock-lab bench: $(jq -c '{accel, guest_uptime_at_job_start_s, job_s, wall_s}' "$r/_lab/summary.json" 2>/dev/null)"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
