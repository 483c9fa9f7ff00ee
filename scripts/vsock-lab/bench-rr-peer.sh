#!/usr/bin/env bash
# rr against sockperf, or stream against iperf3, counted in instructions: boots the vsock lab
# once (jobs/rr-peer.sh) and, inside the guest, runs vsockbench rr 8 KiB/8 KiB stop-and-wait and
# `sockperf ping-pong --tcp -m 8224` (or, with --workload stream, vsockbench stream tx with 64 KiB
# writes and `iperf3 -c -P 1 -l 64K -N`) over TCP loopback, alternating, as
# scripts/bench-peers.sh does on the host. Prints each round and the median ratio (vsockbench
# msgs/s over sockperf round trips/s; for stream, payload Mbps over iperf3's Mbps sent) with its
# min-max spread; the goal (issue "rr at sockperf's speed", stream at or above iperf3) is at
# least 1.0.
#
# Why in the lab: on this host the same comparison is noise-bound (single rounds from 0.14 to
# 3.3 as the VM's round trip swung between 19 and 310 µs). The guest's clock counts instructions
# (QEMU -icount shift=3: 8 ns each, idle skipped), so a round trip's virtual time is the
# instructions the pair executes for it, user and kernel, and rounds agree to about 0.1%. What
# it does not model: caches, memory latency, SIMD width (the guest CPU is TCG's: glibc's
# memcmp and memcpy take their SSE2 paths), and the cost of a wake-up that crosses CPUs. Both
# sides share the guest's one vCPU, as in an unpinned run the scheduler keeps on one CPU; it
# says nothing about pinning. A ratio here is a count of work, not a rate a user will see.
#
# Usage: scripts/vsock-lab/bench-rr-peer.sh [--workload rr|stream] [--rounds N] [--duration S]
#            [--binary PATH] [--sockperf PATH] [--iperf3 PATH] [--verify full|edges]
#            [--json FILE] [--out DIR]
#   --workload W     rr (default: against sockperf) or stream (against iperf3)
#   --rounds N       rounds (default 3); each runs both arms once, the order swapped every round
#   --duration S     each run's measured whole seconds (default 6), after 1 s of warmup
#   --binary PATH    a release vsockbench (default .build/release/vsockbench); a stripped copy
#                    goes into the guest
#   --sockperf PATH  the sockperf to copy into the guest, with its libraries (default: the one
#                    on PATH; scripts/install-deps.sh bench installs it); rr only
#   --iperf3 PATH    the iperf3 to copy into the guest, likewise; stream only
#   --verify MODE    the case's verify (rr's default full: every byte of every response
#                    compared, as a run does by default; edges: the header and each response's
#                    first and last 8 bytes, about what sockperf checks, to see what
#                    verification costs; stream's default is edges, as in a run)
#   --json FILE      also write the rounds and the median as JSON
#   --out DIR        keep the lab's result there (default: a temporary directory, removed)
# About 2 minutes at the defaults (a boot, then 6 runs of 7-10 s of guest time). Needs
# qemu-system-x86, busybox-static, cpio (the lab), sockperf or iperf3, and python3. Exit status: 0, 1 (a
# run failed), 2 (usage), or the lab's own (69 prerequisite missing, 70 no boot, 75 timeout,
# 76 damaged result).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/wrapper.sh
. "$here/lib/wrapper.sh"
rounds=3
duration=6
binary=$root/.build/release/vsockbench
sockperf=""
iperf3=""
json=""
out=""
verify=""
workload=rr
die() {
    echo "bench-rr-peer: $*" >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --workload | --rounds | --duration | --binary | --sockperf | --iperf3 | --verify | --json | --out)
            [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
            case $1 in
                --workload) workload=$2 ;;
                --rounds) rounds=$2 ;;
                --duration) duration=$2 ;;
                --binary) binary=$2 ;;
                --sockperf) sockperf=$2 ;;
                --iperf3) iperf3=$2 ;;
                --verify) verify=$2 ;;
                --json) json=$2 ;;
                --out) out=$2 ;;
            esac
            shift 2
            ;;
        -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ && $rounds -le 40 ]] || die "--rounds must be a whole number from 1 to 40 (got '$rounds')"
[[ $duration =~ ^[1-9][0-9]*$ && $duration -le 300 ]] || die "--duration must be whole seconds from 1 to 300 (got '$duration'; sockperf takes whole seconds)"
[[ $workload == rr || $workload == stream ]] || die "--workload must be rr or stream (got '$workload')"
[[ -z $verify || $verify == full || $verify == edges ]] || die "--verify must be full or edges (got '$verify')"
if [[ -z $verify ]]; then
    verify=full
    [[ $workload == stream ]] && verify=edges
fi
[[ -x $binary ]] || die "no vsockbench at $binary (build it: swift build -c release --static-swift-stdlib --product vsockbench)"
if [[ $workload == rr ]]; then
    peer=sockperf
    peer_path=$sockperf
else
    peer=iperf3
    peer_path=$iperf3
fi
if [[ -z $peer_path ]]; then
    peer_path=$(command -v "$peer") || die "$peer not found (scripts/install-deps.sh bench, or --$peer PATH)"
fi
[[ -x $peer_path ]] || die "--$peer $peer_path is not an executable"
command -v python3 >/dev/null || die "python3 not found (apt-get install python3)"
if [[ -n $json ]]; then
    touch "$json" 2>/dev/null || die "cannot write --json $json"
    json=$(cd "$(dirname "$json")" && pwd)/$(basename "$json")
fi

# Each run is 1 + duration guest seconds plus start-up; twice that, plus the boot.
timeout=$((rounds * 2 * (duration + 1 + 12) * 2 + 120))
stage=$(mktemp -d "${TMPDIR:-/tmp}/bench-rr-peer.XXXXXX")
trap 'rm -rf "$stage"' EXIT
if [[ -z $out ]]; then
    out=$stage/result
else
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
fi
cp "$binary" "$stage/vsockbench"
if command -v strip >/dev/null; then strip "$stage/vsockbench"; fi

if [[ $workload == rr ]]; then
    echo "bench-rr-peer: vsockbench rr 8KiB/8KiB inflight 1 verify $verify against sockperf ping-pong --tcp -m 8224, TCP loopback"
else
    echo "bench-rr-peer: vsockbench stream tx 64KiB writes verify $verify against iperf3 -c -P 1 -l 64K -N, TCP loopback"
fi
echo "bench-rr-peer: in the vsock lab's QEMU guest (1 vCPU, -icount shift=3: 8 ns of guest time per instruction,"
echo "bench-rr-peer: idle skipped), $rounds rounds of ${duration}s after 1s warmup, order swapped every round; guest time limit $timeout s."
echo "bench-rr-peer: binary $binary; $peer $peer_path ($(dpkg-query -W -f '${Version}' "$peer" 2>/dev/null || echo "version unknown"))"
status=0
lab_wrapped "$root" "$here/lab.sh" --job "$here/jobs/rr-peer.sh" --out "$out" --force \
    --binary "$stage/vsockbench" --binary "$peer_path" --timeout "$timeout" --accel tcg --icount 3 \
    --env "RRPEER_WORKLOAD=$workload" --env "RRPEER_ROUNDS=$rounds" --env "RRPEER_DURATION=$duration" --env "RRPEER_WARMUP=1" --env "RRPEER_VERIFY=$verify" >"$stage/lab.log" 2>&1 || status=$?
if [[ ! -s $out/order.txt ]]; then
    cat "$stage/lab.log" >&2
    if [[ ! -d $out/_lab ]]; then
        record="lab.sh stopped before making $out/_lab/ (its output is above)"
    elif [[ $out == "$stage"/* ]]; then
        record="its record went with the temporary directory (--out DIR keeps it)"
    else
        record="its record is in $out/_lab/"
    fi
    if lab_interrupted "$status"; then
        echo "bench-rr-peer: interrupted (status $status): the guest was stopped; nothing came back from it" >&2
    else
        echo "bench-rr-peer: the lab brought no result back (status $status); $record" >&2
    fi
    exit $((status == 0 ? 1 : status))
fi
grep -E '^(vsock-lab: guest|round [0-9]+ [a-z]+: exit status)' "$stage/lab.log" || true

summary_status=0
python3 - "$out" "$json" "$duration" "$verify" "$workload" <<'PY' || summary_status=$?
import json, os, re, statistics, sys

out, json_path, duration, verify, workload = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
stream = workload == "stream"
peer = "iperf3" if stream else "sockperf"
rounds_dir = os.path.join(out, "rounds")
runs, orders = {}, {}
for line in open(os.path.join(out, "order.txt")):
    r, arm, status = line.split()
    runs.setdefault(int(r), {})[arm] = int(status)
    orders.setdefault(int(r), []).append(arm)

def vsockbench(r):
    try:
        with open(os.path.join(rounds_dir, f"{r}-vsockbench.json")) as f:
            case = json.load(f)["cases"][0]
    except (OSError, ValueError, KeyError, IndexError):
        return None, None
    if stream:
        return case.get("mbps_tx"), None
    return case.get("msgs_per_s"), (case.get("latency_us") or {}).get("p50")

def iperf3(r):
    # Mbps sent over the measured seconds (-O leaves the warmup out of the end sums).
    try:
        with open(os.path.join(rounds_dir, f"{r}-iperf3.json")) as f:
            sent = json.load(f)["end"]["sum_sent"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    return sent.get("bits_per_second", 0) / 1e6 or None, None

def sockperf(r):
    try:
        text = re.sub(r"\x1b\[[0-9;]*m", "", open(os.path.join(rounds_dir, f"{r}-sockperf.txt"), errors="replace").read())
    except OSError:
        return None, None
    # [Valid Duration] RunTime=6.550 sec; SentMessages=22742; ReceivedMessages=22742 (its own
    # 400 ms warmup left out); percentiles are one-way, half the round trip.
    m = re.search(r"Valid Duration\] RunTime=([0-9.]+) sec;.*ReceivedMessages=([0-9]+)", text)
    p = re.search(r"percentile 50\.000 =\s*([0-9.]+)", text)
    rate = int(m.group(2)) / float(m.group(1)) if m and float(m.group(1)) > 0 else None
    return rate, (2 * float(p.group(1)) if p else None)

# The keys of a round's figures: messages (rr) or payload Mbps (stream) a second of guest time.
ours_key, theirs_key = ("vsockbench_mbps", "iperf3_mbps") if stream else ("vsockbench_msgs_per_s", "sockperf_round_trips_per_s")
theirs = iperf3 if stream else sockperf
rows, failed = [], []
for r in sorted(runs):
    failed += [f"round {r} {a}" for a, s in runs[r].items() if s != 0]
    v, vp50 = vsockbench(r) if runs[r].get("vsockbench") == 0 else (None, None)
    s, sp50 = theirs(r) if runs[r].get(peer) == 0 else (None, None)
    row = {"round": r, "order": orders[r], ours_key: v, theirs_key: s, "ratio": round(v / s, 4) if v and s else None}
    if not stream:
        row.update({"vsockbench_p50_us": vp50, "sockperf_p50_us": sp50})
    rows.append(row)

fmt = lambda v, spec: "-" if v is None else format(v, spec)
print()
if stream:
    print("payload Mbps of guest time (emulated; their ratio is a ratio of instructions per byte sent and received)")
    print(f"{'round':<6} {'order':<20} {'vsockbench':>10} {'iperf3':>9} {'ratio':>6}")
else:
    print("round trips per second of guest time (emulated; their ratio is a ratio of instructions per round trip)")
    print(f"{'round':<6} {'order':<20} {'vsockbench':>10} {'sockperf':>9} {'ratio':>6}  {'p50 us ours':>11} {'theirs':>7}")
for row in rows:
    line = (f"{row['round']:<6} {','.join(row['order']):<20} {fmt(row[ours_key], '10.1f')} "
            f"{fmt(row[theirs_key], '9.1f')} {fmt(row['ratio'], '6.3f')}")
    if not stream:
        line += f"  {fmt(row['vsockbench_p50_us'], '11.1f')} {fmt(row['sockperf_p50_us'], '7.1f')}"
    print(line)
ratios = [row["ratio"] for row in rows if row["ratio"] is not None]
summary = None
print()
what = "stream against iperf3" if stream else "rr against sockperf"
if ratios:
    median = round(statistics.median(ratios), 3)
    summary = {"median_ratio": median, "min": min(ratios), "max": max(ratios), "rounds": len(ratios)}
    verdict = "meets" if median >= 1.0 else "below"
    print(f"{what}: median ratio {median:.3f} (spread {min(ratios):.3f}-{max(ratios):.3f}, {len(ratios)} rounds): "
          f"{verdict} the goal of 1.0")
    # 1 s of guest time is 125 million instructions at 8 ns each.
    if stream:
        # Instructions per MiB of payload: a guest second's instructions over the MiB it moved.
        per = lambda key: statistics.median([1.25e8 / (row[key] * 1e6 / 8 / 2**20) for row in rows if row[key]])
        unit, unit_key = "MiB of payload", "instructions_per_mib"
    else:
        per = lambda key: statistics.median([1.25e8 / row[key] for row in rows if row[key]])
        unit, unit_key = "round trip", "instructions_per_round_trip"
    summary[unit_key] = {"vsockbench": round(per(ours_key)), peer: round(per(theirs_key))}
    ipu = summary[unit_key]
    print(f"instructions per {unit}, both sides with the kernel's share: vsockbench {ipu['vsockbench']}, "
          f"{peer} {ipu[peer]} ({ipu['vsockbench'] - ipu[peer]:+d})")
else:
    print(f"{what}: no complete round")
print("(QEMU TCG guest, 1 vCPU, -icount: counts of work, not rates a user sees; no caches, no SIMD wider than SSE2)")
for f in failed:
    print(f"FAILED: {f} (its stderr is in {rounds_dir})")
if json_path:
    lab = {}
    try:
        lab = json.load(open(os.path.join(out, "_lab", "summary.json")))
    except (OSError, ValueError):
        pass
    described = ("stream tx 64KiB writes over TCP loopback against iperf3 -c -P 1 -l 64K -N" if stream
                 else "rr 8KiB/8KiB inflight 1 over TCP loopback against sockperf ping-pong --tcp -m 8224")
    with open(json_path, "w") as f:
        json.dump({"workload": described, "verify": verify,
                   "lab": {"kernel": lab.get("guest_kernel_release"), "accel": lab.get("accel"), "cpus": 1, "clock": "icount"},
                   "duration_s": duration, "rounds": rows, "summary": summary, "goal": 1.0, "failed": failed}, f, indent=2)
        f.write("\n")
sys.exit(1 if failed or not ratios else 0)
PY
[[ $out == "$stage/result" ]] || echo "results: $out (rounds/: each run's JSON or output and stderr; _lab/: the lab's record)"
if ((status != 0)); then
    echo "bench-rr-peer: the lab exited $status (see $out/_lab/ or --out DIR)" >&2
    exit "$status"
fi
exit "$summary_status"
