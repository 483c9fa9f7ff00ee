#!/usr/bin/env bash
# observe's own cost on real vsock traffic: boots the vsock lab once (jobs/observe-cost.sh) and,
# inside the guest, runs rr 8 KiB/8 KiB stop-and-wait over AF_VSOCK on CID 1 (vsock_loopback)
# against one target, alternately without observe and with `vsockbench observe --port 5005 --
# run ...` (its packet programs on both vsock tracepoints, every packet an event, the run
# followed), plus `run --probe` as a third arm, reversing the order every round. Prints each
# round and the median ratio (msgs/s with over msgs/s without) with its min-max spread, like
# scripts/bench-probe-cost.sh; the goal is at least 0.97. --idle adds a fourth arm, observe on
# a port nothing uses (`observe --port 5999 -- run ...`): every program attached and the run
# followed, but no packet of the port, so no packet event; its ratio is what attaching and
# following cost, and the gap to the observe arm what the packet events cost. --passive adds
# a fifth arm, observe as users run it against a live agent: `observe --port 5005 --duration D`
# started in the background, with no --pid and no command, so no process is followed (no
# system-call counting, no write capture: only the packet programs and the ring buffer's
# reader); once it has attached (its main thread in its drain loop's epoll_wait, holding its
# BPF links; it prints nothing then), the same run as the off arm, then observe stopped with
# SIGTERM. Its ratio is the cost of passive observation, which the goal of 0.97 is about.
# Also prints what observe saw (the observe arm's, and with --passive the passive arm's): the
# exchanges on the data connection against the target's messages (warmup included) plus the
# hello, and the events it lost (ring buffer full); a round off by more than 1%, with a lost
# event, or where observe's reader fell more than 0.5 s behind the events it took (its work
# then falls after the measured run, and the ratio flatters it), is flagged, and the exit
# status is then 1.
#
# The guest CPU is emulated (QEMU TCG): the msgs/s are NOT real figures. The ratio measures the
# relative cost of observe under emulation, where every instruction, the BPF programs' and the
# data path's alike, is translated; it is not a prediction for a Nitro parent. By default the
# guest's clock counts instructions (QEMU -icount, --clock icount): each guest instruction takes
# the same virtual time and idle time is skipped, so the ratio is the ratio of guest
# instructions per message, the same from run to run whatever else loads the host (cache
# misses and memory latency are not modelled). --clock wall keeps TCG's own clock: host time,
# as noisy as the host (single rounds from 0.6 to 1.5 here).
#
# Usage: scripts/vsock-lab/bench-observe-cost.sh [--rounds N] [--duration D] [--binary PATH]
#            [--json FILE] [--out DIR] [--clock icount|wall] [--cpus N] [--no-probe] [--idle]
#            [--passive] [--passive-port P] [--no-wakeup-preemption]
#   --rounds N     rounds (default 10); each runs every arm once
#   --duration D   each run's measured time (default 8s; 500ms, 8s, 1m), after 1 s of warmup
#   --binary PATH  a release vsockbench (default .build/release/vsockbench); a stripped copy
#                  goes into the guest
#   --json FILE    also write the rounds and medians as JSON
#   --out DIR      keep the lab's result there (default: a temporary directory, removed)
#   --clock C      icount (default: virtual time from the instruction count, 8 ns each) or
#                  wall (TCG's host-time clock)
#   --cpus N       guest vCPUs (default 1: with 2 under --clock wall, TCG's emulated cross-CPU
#                  wake-ups dominate and the off arm ran about 8x slower than on 1)
#   --no-probe     leave out the `run --probe` arm
#   --idle         add the idle-port arm (observe attached and following, no packet events)
#   --passive      add the passive arm (observe --port 5005 --duration D in the background, no
#                  process followed, then the run alone: the mode run against a live agent)
#   --passive-port P
#                  the passive arm's observe watches port P instead (5999: nothing uses it, so
#                  its packet programs run on every packet and emit nothing: the floor that
#                  attaching them costs, before any event); its exchange check then fails
#   --no-wakeup-preemption
#                  run every arm with CFS's wake-up preemption off in the guest (sched feature
#                  NO_WAKEUP_PREEMPTION): on one vCPU, whether a woken task preempts the running
#                  one switches the guest between interleavings of driver, target, loopback
#                  kworker and observe's reader, and a change of a few instructions can switch
#                  it; without it the ratio is the instructions observe adds. Not the kernel a
#                  user runs: a second figure beside the default one
# 5 to 6 minutes at the defaults here (a boot, then 30 runs of 10-12 s). Needs
# qemu-system-x86, busybox-static, cpio (the lab) and python3. Exit status: 0, 1 (a run failed
# or a round was flagged), 2 (usage), or the lab's own (69 prerequisite missing, 70 no boot,
# 75 timeout, 76 damaged result).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/wrapper.sh
. "$here/lib/wrapper.sh"
rounds=10
duration=8s
warmup=1s
binary=$root/.build/release/vsockbench
json=""
out=""
cpus=1
clock=icount
probe=1
idle=0
passive=0
passive_port=5005
nowp=0
die() {
    echo "bench-observe-cost: $*" >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case $1 in
        --rounds | --duration | --binary | --json | --out | --cpus | --clock)
            [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
            case $1 in
                --rounds) rounds=$2 ;;
                --duration) duration=$2 ;;
                --binary) binary=$2 ;;
                --json) json=$2 ;;
                --out) out=$2 ;;
                --cpus) cpus=$2 ;;
                --clock) clock=$2 ;;
            esac
            shift 2
            ;;
        --no-probe) probe=0; shift ;;
        --idle) idle=1; shift ;;
        --passive) passive=1; shift ;;
        --passive-port)
            [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
            passive_port=$2
            shift 2
            ;;
        --no-wakeup-preemption) nowp=1; shift ;;
        -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ && $rounds -le 40 ]] || die "--rounds must be a whole number from 1 to 40 (got '$rounds')"
[[ $cpus =~ ^[1-9]$ ]] || die "--cpus must be a whole number from 1 to 9 (got '$cpus')"
[[ $clock == icount || $clock == wall ]] || die "--clock must be icount or wall (got '$clock')"
# Whole seconds (rounded up) of a duration with a unit, at most 5 minutes a run.
if [[ $duration =~ ^([0-9]+)ms$ ]]; then
    seconds=$(((BASH_REMATCH[1] + 999) / 1000))
elif [[ $duration =~ ^([0-9]+)s$ ]]; then
    seconds=${BASH_REMATCH[1]}
elif [[ $duration =~ ^([0-9]+)m$ ]]; then
    seconds=$((BASH_REMATCH[1] * 60))
else
    die "--duration takes a whole number with a unit: 500ms, 8s, 1m (got '$duration')"
fi
((seconds >= 1 && seconds <= 300)) || die "--duration must be from 1ms to 5m (got '$duration')"
[[ -x $binary ]] || die "no vsockbench at $binary (build it: swift build -c release --static-swift-stdlib --product vsockbench)"
command -v python3 >/dev/null || die "python3 not found (apt-get install python3)"
if [[ -n $json ]]; then
    touch "$json" 2>/dev/null || die "cannot write --json $json"
    json=$(cd "$(dirname "$json")" && pwd)/$(basename "$json")
fi

# The guest's time limit: each run is its duration and warmup plus start-up (observe loads its
# BPF objects under emulation: about 7 s here); twice that, plus the boot, covers a slow host.
# The passive arm starts observe and the run one after the other: 30 s more a round for it.
arms=$((2 + probe + idle + passive))
timeout=$((rounds * (arms * (seconds + 1 + 12) * 2 + passive * 30) + 120))

stage=$(mktemp -d "${TMPDIR:-/tmp}/bench-observe-cost.XXXXXX")
trap 'rm -rf "$stage"' EXIT
if [[ -z $out ]]; then
    out=$stage/result
else
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
fi
# A stripped copy: a smaller initramfs, a faster boot under TCG.
cp "$binary" "$stage/vsockbench"
if command -v strip >/dev/null; then strip "$stage/vsockbench"; fi

what="observe -- run"
((probe)) && what="observe -- run, and run --probe,"
((idle)) && what="$what and observe on an idle port,"
((passive)) && what="$what and passive observe (--duration, nothing followed) beside run,"
echo "bench-observe-cost: $what against run alone: rr 8KiB/8KiB stop-and-wait over AF_VSOCK CID 1"
echo "bench-observe-cost: (vsock_loopback) in the vsock lab's QEMU guest, $cpus vCPU, $rounds rounds of $duration (after 1s warmup) each arm,"
echo "bench-observe-cost: order reversed every round; binary $binary; guest time limit $timeout s."
echo "bench-observe-cost: the guest CPU is emulated (TCG): msgs/s are NOT real figures, the ratios are relative costs under emulation."
clock_args=()
if [[ $clock == icount ]]; then
    echo "bench-observe-cost: --clock icount: guest time is 8 ns per instruction executed (QEMU -icount shift=3), idle skipped."
    clock_args=(--accel tcg --icount 3)
fi
((nowp)) && echo "bench-observe-cost: --no-wakeup-preemption: CFS's wake-up preemption is off in the guest (a second figure, not a user's kernel)."
status=0
lab_wrapped "$root" "$here/lab.sh" --job "$here/jobs/observe-cost.sh" --out "$out" --force \
    --binary "$stage/vsockbench" --cpus "$cpus" --timeout "$timeout" "${clock_args[@]}" \
    --env "OBSCOST_ROUNDS=$rounds" --env "OBSCOST_DURATION=$duration" --env "OBSCOST_WARMUP=$warmup" \
    --env "OBSCOST_PROBE=$probe" --env "OBSCOST_IDLE=$idle" --env "OBSCOST_PASSIVE=$passive" --env "OBSCOST_PASSIVE_PORT=$passive_port" --env "OBSCOST_NO_WAKEUP_PREEMPTION=$nowp" >"$stage/lab.log" 2>&1 || status=$?
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
        echo "bench-observe-cost: interrupted (status $status): the guest was stopped; nothing came back from it" >&2
    else
        echo "bench-observe-cost: the lab brought no result back (status $status); $record" >&2
    fi
    exit $((status == 0 ? 1 : status))
fi
grep -E '^(vsock-lab: guest|round [0-9]+ [a-z]+: exit status)' "$stage/lab.log" || true

summary_status=0
python3 - "$out" "$json" "$duration" "$cpus" "$clock" "$nowp" <<'PY' || summary_status=$?
import json, os, statistics, sys

out, json_path, duration, cpus, clock = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
scheduler = "no_wakeup_preemption" if sys.argv[6] == "1" else "default"
rounds_dir = os.path.join(out, "rounds")

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

runs = {}  # round -> {arm: status}
orders = {}
for line in open(os.path.join(out, "order.txt")):
    r, arm, status, _start, _end = line.split()
    runs.setdefault(int(r), {})[arm] = int(status)
    orders.setdefault(int(r), []).append(arm)
arms = [a for a in ("observe", "probe", "idle", "passive") if any(a in v for v in runs.values())]

def rate(r, arm):
    doc = load(os.path.join(rounds_dir, f"{r}-{arm}.json"))
    if runs[r].get(arm) != 0 or not doc or not doc.get("cases"):
        return None
    return doc["cases"][0].get("msgs_per_s")

def observed(r, arm="observe"):
    """observe's own view: exchanges on the data connection, the truth, lost events."""
    o = load(os.path.join(rounds_dir, f"{r}-{arm}-observe.json"))
    run = load(os.path.join(rounds_dir, f"{r}-{arm}.json"))
    if not o or not run:
        return None
    conns = o.get("connections") or []
    rw = lambda c, d: ((c.get("packets") or {}).get(d) or {}).get("RW", {}).get("bytes", 0)
    data = max(conns, key=lambda c: rw(c, "tx") + rw(c, "rx")) if conns else {}
    target = (run["cases"][0].get("target") or {}).get("connections") or [{}]
    total = target[0].get("total_messages")
    lost = o.get("lost_events") or {}
    return {
        "exchanges": data.get("exchanges"),
        # The hello and its acknowledgement are one exchange more than the target's messages.
        "truth": None if total is None else total + 1,
        "lost_packets": lost.get("packets"),
        "lost_writes": lost.get("writes"),
        # A reader behind at the end took part of its work after the measured run.
        "behind": any("reader fell up to" in w for w in (o.get("warnings") or [])),
    }

def view_problems(seen):
    problems = []
    if seen is None:
        problems.append("no observe JSON")
    else:
        ex, truth = seen["exchanges"], seen["truth"]
        if ex is None or truth is None or abs(ex - truth) > 0.01 * truth:
            problems.append(f"exchanges {ex} vs {truth}: off by more than 1%")
        if (seen["lost_packets"] or 0) + (seen["lost_writes"] or 0) > 0:
            problems.append(f"lost {seen['lost_packets']} packets, {seen['lost_writes']} writes")
        if seen["behind"]:
            problems.append("observe's reader fell behind: part of its cost fell after what it observed")
    return problems

def lost_of(seen):
    return None if not seen else (seen["lost_packets"] or 0) + (seen["lost_writes"] or 0)

rows, flagged, failed = [], [], []
for r in sorted(runs):
    row = {"round": r, "order": orders[r], "off": rate(r, "off")}
    for arm in arms:
        row[arm] = rate(r, arm)
        row[arm + "_ratio"] = (round(row[arm] / row["off"], 3) if row[arm] and row["off"] else None)
    failed += [f"round {r} {a}" for a, s in runs[r].items() if s != 0]
    seen = observed(r)
    row["observe_view"] = seen
    problems = view_problems(seen)
    if "passive" in arms:
        row["passive_view"] = observed(r, "passive")
        problems += ["passive: " + p for p in view_problems(row["passive_view"])]
    row["flags"] = problems
    if problems:
        flagged.append(f"round {r}: " + "; ".join(problems))
    rows.append(row)

def fmt(v, spec):
    return "-" if v is None else format(v, spec)

order_width = 31 if "passive" in arms else 23
head = f"{'round':<6} {'order':<{order_width}} {'without':>8} {'observe':>8} {'ratio':>6}"
if "probe" in arms:
    head += f" {'--probe':>8} {'ratio':>6}"
if "idle" in arms:
    head += f" {'idle':>8} {'ratio':>6}"
if "passive" in arms:
    head += f" {'passive':>8} {'ratio':>6}"
head += f"  {'exchanges':>9} {'truth':>7} {'lost':>5}"
if "passive" in arms:
    head += f"  {'p.exch':>9} {'p.truth':>7} {'p.lost':>6}"
print()
print("msgs/s per run (emulated); observe's view of its run: exchanges on the data connection, the")
print("target's messages + the hello (truth), events lost (ring buffer full)")
if "passive" in arms:
    print("(p.exch, p.truth, p.lost: the same for the passive arm's observe and its run)")
print(head)
for row in rows:
    seen = row["observe_view"] or {}
    lost = lost_of(seen)
    line = f"{row['round']:<6} {','.join(row['order']):<{order_width}} {fmt(row['off'], '8.1f')} {fmt(row['observe'], '8.1f')} {fmt(row['observe_ratio'], '6.3f')}"
    if "probe" in arms:
        line += f" {fmt(row.get('probe'), '8.1f')} {fmt(row.get('probe_ratio'), '6.3f')}"
    if "idle" in arms:
        line += f" {fmt(row.get('idle'), '8.1f')} {fmt(row.get('idle_ratio'), '6.3f')}"
    if "passive" in arms:
        line += f" {fmt(row.get('passive'), '8.1f')} {fmt(row.get('passive_ratio'), '6.3f')}"
    line += f"  {fmt(seen.get('exchanges'), '9d')} {fmt(seen.get('truth'), '7d')} {fmt(lost, '5d')}"
    if "passive" in arms:
        pseen = row.get("passive_view") or {}
        line += (f"  {fmt(pseen.get('exchanges'), '9d')} {fmt(pseen.get('truth'), '7d')}"
                 f" {fmt(lost_of(pseen), '6d')}")
    print(line + ("  FLAGGED" if row["flags"] else ""))

summary = {}
print()
labels = {"observe": "observe -- run", "probe": "run --probe   ", "idle": "idle port     ",
          "passive": "passive       "}
for arm in arms:
    ratios = [row[arm + "_ratio"] for row in rows if row[arm + "_ratio"] is not None]
    if not ratios:
        print(f"{labels[arm]}: no complete round")
        continue
    median = round(statistics.median(ratios), 3)
    summary[arm] = {"median_ratio": median, "min": min(ratios), "max": max(ratios), "rounds": len(ratios)}
    verdict = "meets" if median >= 0.97 else "below"
    said = ("attached and following, no packet event: what observe costs before its events"
            if arm == "idle" else f"{verdict} the goal of 0.97")
    if arm == "passive":
        said += " (observe --duration, no process followed: as run against a live agent)"
    print(f"{labels[arm]}: median ratio {median:.3f} (spread {min(ratios):.3f}-{max(ratios):.3f}, {len(ratios)} rounds): "
          f"{said}")
if "passive" in arms:
    # What the passive observe had attached (its JSON's probe sources), how it was stopped.
    attached_programs, statuses = set(), []
    for row in rows:
        o = load(os.path.join(rounds_dir, f"{row['round']}-passive-observe.json")) or {}
        attached_programs |= {f"{s.get('program')} ({s.get('tracepoint')})"
                              for s in ((o.get("probe") or {}).get("sources") or []) if s.get("attached")}
        try:
            with open(os.path.join(rounds_dir, f"{row['round']}-passive-observe.status")) as f:
                row["passive_observe_status"] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            row["passive_observe_status"] = None
        statuses.append(row["passive_observe_status"])
        row["passive_followed"] = bool((o.get("pids") or []) or (o.get("command") or []))
    print("passive observe's probe programs attached: " + (", ".join(sorted(attached_programs)) or "none")
          + f"; exit statuses {statuses} (143: stopped by SIGTERM after the run)")
    for row in rows:
        try:
            with open(os.path.join(rounds_dir, f"{row['round']}-passive-observe.attach")) as f:
                record = " ".join(line.strip() for line in f if line.strip())
        except OSError:
            record = "no attach record"
        print(f"  round {row['round']} passive observe: {record}")
    if any(row["passive_followed"] for row in rows):
        print("passive: observe followed a process (pids or command in its JSON): not the passive mode")
clock_said = ("guest time counted in instructions (-icount): ratios of instructions per message"
              if clock == "icount" else "TCG's host-time clock: as noisy as the host")
print(f"(rr 8KiB/8KiB stop-and-wait, vsock CID 1 in a QEMU TCG guest with {cpus} vCPU, {duration} a run;")
print(f" {clock_said}; emulated timings, relative costs only)")
if scheduler != "default":
    print("(wake-up preemption off in the guest: the instructions observe adds, not what a user's kernel shows)")
if flagged:
    print("FLAGGED: observe's view does not match its run, so its cost may be understated:")
    for f in flagged:
        print("  " + f)
else:
    print("observe's view: every round's exchanges within 1% of the run's messages, no event lost"
          + (" (observe and passive arms)" if "passive" in arms else ""))
for f in failed:
    print(f"FAILED: {f} (its stderr is in {rounds_dir})")

if json_path:
    lab = load(os.path.join(out, "_lab", "summary.json")) or {}
    with open(json_path, "w") as f:
        json.dump({
            "workload": "rr 8KiB/8KiB inflight 1 over vsock CID 1 (vsock_loopback)",
            "lab": {"kernel": lab.get("guest_kernel_release"), "accel": lab.get("accel"), "cpus": cpus, "clock": clock,
                    "scheduler": scheduler},
            "emulated": lab.get("accel") == "tcg",
            "duration": duration, "rounds": rows, "summary": summary, "goal": 0.97,
            "flagged": flagged, "failed": failed,
        }, f, indent=2)
        f.write("\n")
sys.exit(1 if flagged or failed else 0)
PY
[[ $out == "$stage/result" ]] || echo "results: $out (rounds/: each run's JSON, observe's JSON, stderr; _lab/: the lab's record)"
if ((status != 0)); then
    echo "bench-observe-cost: the lab exited $status (see $out/_lab/ or --out DIR)" >&2
    exit "$status"
fi
exit "$summary_status"
