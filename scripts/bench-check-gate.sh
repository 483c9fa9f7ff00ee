#!/usr/bin/env bash
# The check gate on this machine (issue 10's acceptance): five `run scenarios/cliff.yaml
# --repeat 5` documents; each of the last three is checked against a baseline of two others
# (the first two), and must pass. Then the same scenario with chatty-8k slowed by about 25%
# (a target_cost of a quarter of its measured time per message) must be caught and the case
# named, and `write_chunk: 1KiB` must be caught by the count gate alone. Prints each verdict
# and exits 1 when any of the five expectations fails.
#
# Usage: scripts/bench-check-gate.sh [--binary PATH] [--out DIR] [--repeat N] [-- RUN-FLAGS...]
#   --out DIR   keep the documents and check outputs there (default: a temporary directory)
#   RUN-FLAGS   passed to every run (e.g. --no-pin, --duration 3s)
# Needs a release build (make release). About 8 minutes with the scenario's durations.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=$root/.build/release/vsockbench
out=""
repeat=5
runflags=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --binary) binary=${2:?--binary needs a path}; shift 2 ;;
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        --repeat) repeat=${2:?--repeat needs a number}; shift 2 ;;
        --) shift; runflags=("$@"); break ;;
        -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-check-gate: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ -x $binary ]] || { echo "bench-check-gate: no binary at $binary (run: make release)" >&2; exit 2; }
if [[ -z $out ]]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/bench-check-gate.XXXXXX")
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
scenario=$root/scenarios/cliff.yaml
failures=0

run() { # name scenario
    echo "run $1: $binary run $2 --repeat $repeat ${runflags[*]:-}"
    "$binary" run "$2" --repeat "$repeat" --json "$out/$1.json" "${runflags[@]}" > "$out/$1.txt" 2>/dev/null
}

expect() { # label wanted-status grep-pattern check-args...
    local label=$1 wanted=$2 pattern=$3
    shift 3
    local status=0
    "$binary" check "$@" > "$out/$label.check" 2>&1 || status=$?
    local verdict="ok"
    if [[ $status -ne $wanted ]] || { [[ -n $pattern ]] && ! grep -Eq -- "$pattern" "$out/$label.check"; }; then
        verdict="UNEXPECTED"
        failures=$((failures + 1))
    fi
    printf '%-28s exit %d (wanted %d)  %s\n' "$label" "$status" "$wanted" "$verdict"
    grep -E "REGRESS|regress|unconfirmed|passed|count" "$out/$label.check" | head -4 | sed 's/^/    /'
}

for i in 1 2 3 4 5; do run "r$i" "$scenario"; done

# chatty-8k slowed by about 25%: a target cost of a quarter of the time per message it took.
cost_us=$(python3 -c '
import json, sys
runs = [json.load(open(p)) for p in sys.argv[1:]]
rates = [c["msgs_per_s"] for d in runs for c in d["cases"] if c["name"] == "chatty-8k"]
rates.sort()
print(max(1, round(0.25e6 / rates[len(rates) // 2])))' "$out/r1.json" "$out/r2.json")
sed "s/inflight: 1}/inflight: 1, target_cost: ${cost_us}us}/" "$scenario" > "$out/slowed.yaml"
sed "s/inflight: 1}/inflight: 1, write_chunk: 1KiB}/" "$scenario" > "$out/chunked.yaml"
if ! grep -q "target_cost: ${cost_us}us" "$out/slowed.yaml" || ! grep -q "write_chunk: 1KiB" "$out/chunked.yaml"; then
    echo "bench-check-gate: could not derive the variants from $scenario" >&2
    exit 2
fi
echo "slowed: chatty-8k with target_cost ${cost_us}us (a quarter of its median time per message)"
run slowed "$out/slowed.yaml"
echo "chunked: chatty-8k with write_chunk 1KiB"
run chunked "$out/chunked.yaml"

echo
for i in 3 4 5; do expect "unchanged r$i vs r1+r2" 0 "" "$out/r$i.json" --baseline "$out/r1.json" "$out/r2.json"; done
expect "slowed vs r1+r2" 1 "chatty-8k" "$out/slowed.json" --baseline "$out/r1.json" "$out/r2.json"
# The count gate: writes per message regress on their own (2%), whatever the timings do.
expect "chunked vs r1+r2 (counts)" 1 "chatty-8k  writes/msg .*REGRESSED" "$out/chunked.json" --baseline "$out/r1.json" "$out/r2.json" --tolerance 1000%
echo
echo "$failures of 5 expectations missed (documents and check outputs in $out)"
[[ $failures -eq 0 ]]
