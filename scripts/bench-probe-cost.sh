#!/usr/bin/env bash
# The probe's own cost: rr 8 KiB/8 KiB stop-and-wait over the local Unix-socket target, with
# and without --probe, alternating in one run. Prints each round and the median ratio
# (messages/s with the probe over messages/s without); the goal is at least 0.97.
# With --observe, "with" is the run wrapped in `vsockbench observe --port 5005 -- run ...`
# instead: observe's BPF programs loaded and the run's processes followed (their system calls
# counted). Over unix no vsock packet fires its tracepoints: this is the cost of following a
# process, not of watching vsock traffic (that needs real vsock: the lab).
#
# Usage: scripts/bench-probe-cost.sh [--rounds N] [--duration D] [--binary PATH] [--json FILE] [--observe]
# Needs root (the probe) and a release build (make bench-probe builds one).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=5
duration=3s
binary=$root/.build/release/vsockbench
json=""
observe=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
        --duration) duration=${2:?--duration needs a value}; shift 2 ;;
        --binary) binary=${2:?--binary needs a path}; shift 2 ;;
        --json) json=${2:?--json needs a file}; shift 2 ;;
        --observe) observe=1; shift ;;
        -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-probe-cost: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ -x $binary ]] || { echo "bench-probe-cost: no binary at $binary (run: swift build -c release --product vsockbench)" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "bench-probe-cost: the probe needs root" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-probe-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/rr.yaml" <<YAML
name: probe-cost
cases:
  - {name: rr-8k, workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 1, warmup: 500ms, duration: $duration}
YAML

rate() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"][0]["msgs_per_s"])' "$1"
}

with() {
    if ((observe)); then
        "$binary" observe --port 5005 --json "$work/observe.json" -- "$binary" run "$work/rr.yaml" --json "$work/on.json" > /dev/null 2> "$work/on.err"
    else
        "$binary" run "$work/rr.yaml" --probe --json "$work/on.json" > /dev/null 2> "$work/on.err"
    fi
}
what="run --probe"
((observe)) && what="observe -- run"
echo "$what cost: rr 8KiB/8KiB stop-and-wait over unix, $rounds rounds of $duration each way ($binary)"
printf '%-6s %14s %14s %8s\n' round "without msgs/s" "with msgs/s" ratio
ratios=()
for ((i = 1; i <= rounds; i++)); do
    # Alternate which goes first: the machine's state drifts within a round.
    if ((i % 2)); then
        "$binary" run "$work/rr.yaml" --json "$work/off.json" > /dev/null 2>&1
        with
    else
        with
        "$binary" run "$work/rr.yaml" --json "$work/off.json" > /dev/null 2>&1
    fi
    off=$(rate "$work/off.json")
    on=$(rate "$work/on.json")
    ratio=$(python3 -c "print(f'{$on / $off:.3f}')")
    ratios+=("$ratio")
    printf '%-6s %14s %14s %8s\n' "$i" "$off" "$on" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
verdict="meets"
python3 -c "import sys; sys.exit(0 if $median >= 0.97 else 1)" || verdict="below"
echo "median ratio $median: $verdict the goal of 0.97"
if [[ -n $json ]]; then
    printf '{"workload": "rr 8KiB/8KiB inflight 1 unix", "with": "%s", "rounds": [%s], "median_ratio": %s, "goal": 0.97}\n' \
        "$what" "$(IFS=,; echo "${ratios[*]}")" "$median" > "$json"
fi
