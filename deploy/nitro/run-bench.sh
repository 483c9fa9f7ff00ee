#!/usr/bin/env bash
# The whole Nitro run from the parent: start the enclave, wait for it, run the scenarios with
# the probe, collect JSON and markdown, gate against baselines and the results history, add
# the runs to the history with its trend, and terminate the enclave, also when anything fails.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/run-bench.sh [--scenario FILE ...] [--results DIR] [--baseline-dir DIR]
         [--tolerance PCT] [--repeat N] [--cid CID] [--cpu-count N] [--memory MIB] [--eif PATH]
         [--debug-mode] [--no-probe] [--check socat|vsockbench] [--tries N]
         [--interval SECONDS] [--no-start] [--keep-running]
         [--history DB] [--history-window N] [--label KEY=VALUE ...]

Steps:
  1. start-enclave.sh (skipped with --no-start: an enclave already serves at --cid)
  2. wait-ready.sh --cid CID --check CHECK --tries N (fails at once when the enclave ends)
  3. per scenario NAME.yaml:
       vsockbench compare NAME.yaml --target vsock://CID:$NITRO_PORT --probe --repeat N \\
           --json DIR/NAME.json --markdown DIR/NAME.md      (table also in DIR/NAME.txt)
  4. with --baseline-dir: vsockbench check DIR/NAME.json --baseline BASE/NAME.json \\
           --tolerance PCT --markdown DIR/NAME.check.md --junit DIR/NAME.junit.xml
     (a scenario without a baseline is reported, not failed: its JSON can become one)
  5. with --history DB:
       with --history-window N: vsockbench check DIR/NAME.json --history DB --window N \
           --markdown DIR/NAME.history-check.md --junit DIR/NAME.history-check.xml
       (gated against the last N runs of the scenario before this one; with fewer than a
       third of N such runs yet it is reported, not failed; any other input the check
       cannot use, such as runs there with other cases, fails)
       vsockbench history add DIR/NAME.json --db DB --label ... (instance_type from DMI
       unless given), then after every scenario:
       vsockbench history trend --db DB --metric timings --html DIR/history.html \
           --markdown DIR/history.md (table in DIR/history.txt)
  6. stop-enclave.sh, from an EXIT trap, so a failed step still frees the enclave
     (--keep-running leaves it up for more runs)

Options:
  --scenario FILE    repeatable (default scenarios/cliff.yaml scenarios/batching.yaml)
  --results DIR      where reports go (default results/nitro)
  --baseline-dir DIR baselines named like the scenarios (e.g. deploy/nitro/baselines)
  --tolerance PCT    allowed regression for check (default 10%); one it refuses is a usage
                     error before the enclave starts
  --repeat N         trials per case, interleaved (default 5): a figure is their median, and
                     check tells a regression from noise only with 4 or more trials on each
                     side; with 1, every figure is a single sample and the tolerance alone
                     gates it (an unchanged run can then fail)
  --history DB       the results history (SQLite; created when missing, in a directory that
                     exists) to add each run to
  --history-window N also gate each scenario against its last N runs in the history
  --label KEY=VALUE  a label for the runs in the history (repeatable), e.g. branch=main
  --no-probe         run without the eBPF probe (it needs root or CAP_BPF+CAP_PERFMON;
                     when not root, vsockbench runs under 'sudo -n')
  --cid, --cpu-count, --memory, --eif, --debug-mode: as in start-enclave.sh (with
                     --debug-mode the enclave's console is captured from its first line)
  --check, --tries, --interval: as in wait-ready.sh
  -h, --help         this text

Exit status: 0 when every scenario ran and every gate held; 1 otherwise.
DIR also gets parent.txt (instance type, kernel, CPUs), enclave.json (describe-enclaves at
the end) and, with --debug-mode, enclave-console.log.
The target is vsock://CID:$NITRO_PORT unless NITRO_TARGET says otherwise (a test seam).
USAGE
}

scenarios=()
results="$NITRO_REPO_ROOT/results/nitro"
baseline_dir=""
tolerance="10%"
repeat=5
probe=(--probe)
check=socat
tries=30
interval=2
start=1
keep=0
start_args=()
history=""
history_window=0
labels=()
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --debug-mode) start_args+=(--debug-mode) ;;
        --no-probe) probe=() ;;
        --no-start) start=0 ;;
        --keep-running) keep=1 ;;
        --scenario | --results | --baseline-dir | --tolerance | --repeat | --cid | --cpu-count | --memory | --eif | --check | --tries | --interval | \
            --history | --history-window | --label)
            nitro_need_value "$@"
            case $1 in
                --scenario) scenarios+=("$2") ;;
                --results) results=$2 ;;
                --baseline-dir) baseline_dir=$2 ;;
                --tolerance) tolerance=$2 ;;
                --repeat) repeat=$2 ;;
                --cid) NITRO_CID=$2 ;;
                --cpu-count) start_args+=(--cpu-count "$2") ;;
                --memory) start_args+=(--memory "$2") ;;
                --eif) start_args+=(--eif "$2") ;;
                --check) check=$2 ;;
                --tries) tries=$2 ;;
                --interval) interval=$2 ;;
                --history) history=$2 ;;
                --history-window) history_window=$2 ;;
                --label) labels+=(--label "$2") ;;
            esac
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done
[[ ${#scenarios[@]} -gt 0 ]] ||
    scenarios=("$NITRO_REPO_ROOT/scenarios/cliff.yaml" "$NITRO_REPO_ROOT/scenarios/batching.yaml")
for scenario in "${scenarios[@]}"; do
    [[ -f $scenario ]] || nitro_usage_error "--scenario $scenario: no such file"
done
[[ -z $baseline_dir || -d $baseline_dir ]] || nitro_usage_error "--baseline-dir $baseline_dir: no such directory"
[[ $repeat =~ ^[0-9]+$ && $repeat -ge 1 && $repeat -le 1000 ]] || nitro_usage_error "--repeat $repeat: give a number of trials from 1 to 1000, such as 5"
[[ $history_window =~ ^[0-9]+$ ]] || nitro_usage_error "--history-window $history_window: give a number of runs, such as 10"
[[ -n $history || $history_window -eq 0 ]] || nitro_usage_error "--history-window needs --history DB"
[[ -n $history || ${#labels[@]} -eq 0 ]] || nitro_usage_error "--label needs --history DB"
# history add refuses a --db whose directory is missing (a typo would start a new history):
# said before the benchmark, not after it.
[[ -z $history || -d $(dirname -- "$history") ]] ||
    nitro_usage_error "--history $history: its directory $(dirname -- "$history") does not exist"

nitro_require_enclaves
vsockbench=$(nitro_vsockbench)
# A binary built on another distribution may not even start here (a binary built on Debian 12
# needs GLIBC_2.35; Amazon Linux 2023 has 2.34): say so before starting an enclave.
version=$("$vsockbench" --version 2>&1) ||
    nitro_die "the parent's vsockbench ($vsockbench) does not run here: $version; build it on this machine's distribution (README step 2)"
# A tolerance the check refuses would end each gate with exit 2 after the benchmark (and the
# history gate's exit 2 reads as "not gated"): the check's own parser is asked first. It reads
# the tolerance before its input, so with /dev/null as both a good one ends in "/dev/null is
# not JSON", a bad one in the tolerance's error.
tolerance_error=$("$vsockbench" check /dev/null --baseline /dev/null --tolerance "$tolerance" 2>&1 >/dev/null) || true
grep -q '^vsockbench: error: /dev/null ' <<<"$tolerance_error" ||
    nitro_usage_error "--tolerance $tolerance: vsockbench check refuses it: ${tolerance_error#vsockbench: error: }"
runner=("$vsockbench")
if [[ ${#probe[@]} -gt 0 && $EUID -ne 0 ]]; then
    sudo -n true 2>/dev/null ||
        nitro_die "the probe needs root: allow this user passwordless sudo (run-bench.sh runs vsockbench under sudo -n; running the kit as root leaves root-owned state behind), or pass --no-probe"
    runner=(sudo -n "$vsockbench")
fi
mkdir -p "$results"
target=$(nitro_target)

started=0
recorded_before=""
finish() {
    local status=$?
    nitro-cli describe-enclaves >"$results/enclave.json" 2>/dev/null || true
    # An interrupt while start-enclave.sh ran ends this script only once it returned, before
    # `started` is set: an enclave it recorded then (the record changed) is this run's.
    if [[ $started -eq 0 && -s $NITRO_STATE_FILE ]] &&
        [[ $(nitro_json_string EnclaveID <"$NITRO_STATE_FILE") != "$recorded_before" ]]; then
        started=1
    fi
    # Only the enclave this run started: when start-enclave.sh refused (one it recorded earlier
    # still runs), that one is left alone.
    if [[ $started -eq 1 && $keep -eq 0 ]]; then
        "$NITRO_KIT_DIR/stop-enclave.sh" || status=1
    fi
    [[ ! -s $NITRO_CONSOLE_LOG ]] || cp "$NITRO_CONSOLE_LOG" "$results/enclave-console.log"
    exit "$status"
}

if [[ $start -eq 1 ]]; then
    [[ ! -s $NITRO_STATE_FILE ]] || recorded_before=$(nitro_json_string EnclaveID <"$NITRO_STATE_FILE")
    trap finish EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    id=$("$NITRO_KIT_DIR/start-enclave.sh" --cid "$NITRO_CID" "${start_args[@]}")
    started=1
    nitro_say "enclave $id started"
fi

{
    echo "instance_type $(cat /sys/devices/virtual/dmi/id/product_name 2>/dev/null || echo unknown)"
    echo "parent_kernel $(uname -r)"
    echo "parent_cpus $(nproc)"
    echo "target $target"
    echo "vsockbench $version"
    echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$results/parent.txt"
instance_type=$(cat /sys/devices/virtual/dmi/id/product_name 2>/dev/null || true)
if [[ -n $history && -n $instance_type && " ${labels[*]} " != *" instance_type="* ]]; then
    labels+=(--label "instance_type=$instance_type")
fi

"$NITRO_KIT_DIR/wait-ready.sh" --cid "$NITRO_CID" --check "$check" --tries "$tries" --interval "$interval"

# Whether check --history's message (exit 2) says the history has too few earlier runs of the
# scenario to gate against: no history yet, no run of the scenario, fewer than
# --history-min-runs (VsockBenchHistory: HistoryError.noHistory, HistoryWindow.select). Runs
# there with other cases ("no run of ... has the cases") are not too few: the cases changed.
too_few_runs() {
    [[ $1 == "no history at "* ]] ||
        [[ $1 =~ ^no\ runs\ of\ .*\ to\ gate\ against\; ]] ||
        [[ $1 =~ ^only\ [0-9]+\ runs?\ of\ .*\ fewer\ than\ --history-min-runs\ [0-9]+\;\ not\ gated ]]
}

failures=0
for scenario in "${scenarios[@]}"; do
    name=$(basename "$scenario" .yaml)
    nitro_say "scenario $name against $target"
    if ! "${runner[@]}" compare "$scenario" --target "$target" "${probe[@]}" --repeat "$repeat" \
        --json "$results/$name.json" --markdown "$results/$name.md" | tee "$results/$name.txt"; then
        nitro_say "scenario $name FAILED (see $results/$name.txt)"
        failures=$((failures + 1))
        continue
    fi
    if [[ -n $baseline_dir ]]; then
        if [[ -f $baseline_dir/$name.json ]]; then
            if ! "$vsockbench" check "$results/$name.json" --baseline "$baseline_dir/$name.json" \
                --tolerance "$tolerance" --markdown "$results/$name.check.md" \
                --junit "$results/$name.junit.xml"; then
                nitro_say "scenario $name regressed against $baseline_dir/$name.json"
                failures=$((failures + 1))
            fi
        else
            nitro_say "no baseline $baseline_dir/$name.json: not gated (this run's $name.json can become it)"
        fi
    fi
    if [[ -n $history ]]; then
        if [[ $history_window -gt 0 ]]; then
            gate=0
            "$vsockbench" check "$results/$name.json" --history "$history" --window "$history_window" \
                --history-min-runs "$(((history_window + 2) / 3))" \
                --tolerance "$tolerance" --markdown "$results/$name.history-check.md" \
                --junit "$results/$name.history-check.xml" 2>"$results/$name.history-check.err" || gate=$?
            case $gate in
                0) ;;
                1)
                    nitro_say "scenario $name regressed against its last $history_window runs in $history"
                    failures=$((failures + 1))
                    ;;
                *)
                    # Exit 2 is "not gated" only when the history has too few earlier runs of
                    # the scenario (none yet, or fewer than --history-min-runs: the first
                    # nights); any other unusable input (another schema, other cases, a case
                    # measured as another workload) fails, as it would never gate.
                    why=$(tail -n 1 "$results/$name.history-check.err")
                    if [[ $gate -eq 2 ]] && too_few_runs "${why#vsockbench: error: }"; then
                        nitro_say "scenario $name not gated against the history: $why"
                    else
                        nitro_say "scenario $name could not be gated against the history (check exited $gate): $why"
                        failures=$((failures + 1))
                    fi
                    ;;
            esac
        fi
        if ! "$vsockbench" history add "$results/$name.json" --db "$history" "${labels[@]}"; then
            nitro_say "scenario $name could not be added to the history $history"
            failures=$((failures + 1))
        fi
    fi
done

if [[ -n $history && -f $history ]]; then
    if "$vsockbench" history trend --db "$history" --metric timings --html "$results/history.html" \
        --markdown "$results/history.md" >"$results/history.txt"; then
        nitro_say "history trend in $results/history.html and history.md"
    else
        nitro_say "no history trend (see above)"
    fi
fi

nitro_say "reports in $results"
[[ $failures -eq 0 ]] || nitro_die "$failures scenario(s) failed or regressed"
