#!/usr/bin/env bash
# How often `check` fails an unchanged build on this machine: N runs of one scenario, nothing
# changed between them, then every run checked against baselines made of K of the others. Every
# failure here is a false alarm. Prints the share that failed, which figures failed, and the
# same over disjoint groups (K baseline runs and one result, no run in two groups: independent
# checks, but few). The pairings share runs, so they are not independent trials: read their
# share as an estimate, the disjoint groups' as the check.
#
# Usage: scripts/bench-check-false-alarms.sh [--binary PATH] [--out DIR] [--runs N] [--baseline-runs K]
#            [--scenario FILE] [--repeat R] [--check-flags "FLAGS"] [--reuse] [-- RUN-FLAGS...]
#   --runs N           unchanged runs (default 8)
#   --baseline-runs K  runs pooled into each baseline (default 2)
#   --repeat R         trials per case in each run (default 5)
#   --check-flags      passed to every check, e.g. "--tolerance 10%"
#   --reuse            check the runs already in --out DIR (r1.json ...) instead of running anew
#   RUN-FLAGS          passed to every run, e.g. --duration 1s --warmup 200ms
# Needs a release build (make release). With the defaults and `-- --duration 1s`, about 2
# minutes for scenarios/cliff.yaml.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=$root/.build/release/vsockbench
out=""
runs=8
k=2
repeat=5
scenario=$root/scenarios/cliff.yaml
checkflags=""
reuse=0
runflags=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --binary) binary=${2:?--binary needs a path}; shift 2 ;;
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        --runs) runs=${2:?--runs needs a number}; shift 2 ;;
        --baseline-runs) k=${2:?--baseline-runs needs a number}; shift 2 ;;
        --repeat) repeat=${2:?--repeat needs a number}; shift 2 ;;
        --scenario) scenario=${2:?--scenario needs a file}; shift 2 ;;
        --check-flags) checkflags=${2?--check-flags needs flags}; shift 2 ;;
        --reuse) reuse=1; shift ;;
        --) shift; runflags=("$@"); break ;;
        -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-check-false-alarms: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ -x $binary ]] || { echo "bench-check-false-alarms: no binary at $binary (run: make release)" >&2; exit 2; }
[[ $runs =~ ^[0-9]+$ && $k =~ ^[0-9]+$ && $k -ge 1 && $runs -gt $k ]] \
    || { echo "bench-check-false-alarms: --runs must exceed --baseline-runs, which must be 1 or more" >&2; exit 2; }
[[ $k -le 3 ]] || { echo "bench-check-false-alarms: --baseline-runs up to 3 (the pairings grow as N^K)" >&2; exit 2; }
[[ $reuse -eq 0 || -n $out ]] || { echo "bench-check-false-alarms: --reuse needs --out DIR" >&2; exit 2; }
if [[ -z $out ]]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/bench-check-false-alarms.XXXXXX")
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
read -r -a extra <<< "$checkflags"

for ((i = 1; i <= runs; i++)); do
    if [[ $reuse -eq 1 ]]; then
        [[ -f $out/r$i.json ]] || { echo "bench-check-false-alarms: --reuse: no $out/r$i.json" >&2; exit 2; }
        continue
    fi
    echo "run $i of $runs: $binary run $scenario --repeat $repeat ${runflags[*]:-}" >&2
    "$binary" run "$scenario" --repeat "$repeat" --json "$out/r$i.json" "${runflags[@]}" > "$out/r$i.txt" 2>/dev/null \
        || { echo "bench-check-false-alarms: run $i failed (its output: $out/r$i.txt)" >&2; exit 1; }
done

total=0
failed=0
: > "$out/failures.txt"
check() { # result baseline...
    local result=$1 status=0 run
    shift
    local files=()
    for run in "$@"; do files+=("$out/r$run.json"); done
    "$binary" check "$out/r$result.json" --baseline "${files[@]}" "${extra[@]}" > "$out/check.txt" 2>&1 || status=$?
    case $status in
        0) ;;
        1) failed=$((failed + 1))
           sed -n '/^regressions:/,/^$/p' "$out/check.txt" | grep -E '^  ' | sed -E 's/^  ([^:]+): (.*) [-0-9.e+]+ -> .*/\1 \2/' >> "$out/failures.txt" ;;
        *) echo "bench-check-false-alarms: check exited $status:" >&2; cat "$out/check.txt" >&2; exit 1 ;;
    esac
    total=$((total + 1))
}

for ((r = 1; r <= runs; r++)); do
    others=()
    for ((o = 1; o <= runs; o++)); do [[ $o -ne $r ]] && others+=("$o"); done
    n=${#others[@]}
    for ((a = 0; a < n; a++)); do
        if [[ $k -eq 1 ]]; then check "$r" "${others[a]}"; continue; fi
        for ((b = a + 1; b < n; b++)); do
            if [[ $k -eq 2 ]]; then check "$r" "${others[a]}" "${others[b]}"; continue; fi
            for ((c = b + 1; c < n; c++)); do check "$r" "${others[a]}" "${others[b]}" "${others[c]}"; done
        done
    done
done
pairings_total=$total
pairings_failed=$failed
total=0
failed=0
for ((s = 1; s + k <= runs; s += k + 1)); do
    group=()
    for ((o = s; o < s + k; o++)); do group+=("$o"); done
    check $((s + k)) "${group[@]}"
done

echo "scenario $(basename "$scenario"), $runs unchanged runs of --repeat $repeat ${runflags[*]:-}; each checked against $k other run(s) pooled${checkflags:+ ($checkflags)}"
printf 'every pairing:   %d of %d checks failed (%.0f%%), false alarms all (pairings share runs: an estimate)\n' \
    "$pairings_failed" "$pairings_total" "$(awk -v f="$pairings_failed" -v t="$pairings_total" 'BEGIN { print 100 * f / t }')"
printf 'disjoint groups: %d of %d checks failed\n' "$failed" "$total"
if [[ -s $out/failures.txt ]]; then
    echo "figures that regressed, over every failed check (pairings and groups):"
    sort "$out/failures.txt" | uniq -c | sort -rn | sed 's/^/  /'
fi
