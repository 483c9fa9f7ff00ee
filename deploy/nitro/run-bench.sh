#!/usr/bin/env bash
# The whole Nitro run from the parent: start the enclave, wait for it, run the scenarios with
# the probe, collect JSON and markdown, gate against baselines, and terminate the enclave,
# also when anything fails.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/run-bench.sh [--scenario FILE ...] [--results DIR] [--baseline-dir DIR]
         [--tolerance PCT] [--cid CID] [--cpu-count N] [--memory MIB] [--eif PATH]
         [--debug-mode] [--no-probe] [--check socat|vsockbench] [--tries N]
         [--interval SECONDS] [--no-start] [--keep-running]

Steps:
  1. start-enclave.sh (skipped with --no-start: an enclave already serves at --cid)
  2. wait-ready.sh --cid CID --check CHECK --tries N (fails at once when the enclave ends)
  3. per scenario NAME.yaml:
       vsockbench compare NAME.yaml --target vsock://CID:$NITRO_PORT --probe \\
           --json DIR/NAME.json --markdown DIR/NAME.md      (table also in DIR/NAME.txt)
  4. with --baseline-dir: vsockbench check DIR/NAME.json --baseline BASE/NAME.json \\
           --tolerance PCT --markdown DIR/NAME.check.md --junit DIR/NAME.junit.xml
     (a scenario without a baseline is reported, not failed: its JSON can become one)
  5. stop-enclave.sh, from an EXIT trap, so a failed step still frees the enclave
     (--keep-running leaves it up for more runs)

Options:
  --scenario FILE    repeatable (default scenarios/cliff.yaml scenarios/batching.yaml)
  --results DIR      where reports go (default results/nitro)
  --baseline-dir DIR baselines named like the scenarios (e.g. deploy/nitro/baselines)
  --tolerance PCT    allowed regression for check (default 10%)
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
probe=(--probe)
check=socat
tries=30
interval=2
start=1
keep=0
start_args=()
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
        --scenario | --results | --baseline-dir | --tolerance | --cid | --cpu-count | --memory | --eif | --check | --tries | --interval)
            nitro_need_value "$@"
            case $1 in
                --scenario) scenarios+=("$2") ;;
                --results) results=$2 ;;
                --baseline-dir) baseline_dir=$2 ;;
                --tolerance) tolerance=$2 ;;
                --cid) NITRO_CID=$2 ;;
                --cpu-count) start_args+=(--cpu-count "$2") ;;
                --memory) start_args+=(--memory "$2") ;;
                --eif) start_args+=(--eif "$2") ;;
                --check) check=$2 ;;
                --tries) tries=$2 ;;
                --interval) interval=$2 ;;
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

nitro_require_enclaves
vsockbench=$(nitro_vsockbench)
# A binary built on another distribution may not even start here (a binary built on Debian 12
# needs GLIBC_2.35; Amazon Linux 2023 has 2.34): say so before starting an enclave.
version=$("$vsockbench" --version 2>&1) ||
    nitro_die "the parent's vsockbench ($vsockbench) does not run here: $version; build it on this machine's distribution (README step 2)"
runner=("$vsockbench")
if [[ ${#probe[@]} -gt 0 && $EUID -ne 0 ]]; then
    sudo -n true 2>/dev/null ||
        nitro_die "the probe needs root: run as root, allow passwordless sudo, or pass --no-probe"
    runner=(sudo -n "$vsockbench")
fi
mkdir -p "$results"
target=$(nitro_target)

started=0
finish() {
    local status=$?
    nitro-cli describe-enclaves >"$results/enclave.json" 2>/dev/null || true
    # Only the enclave this run started: when start-enclave.sh refused (one it recorded earlier
    # still runs), that one is left alone.
    if [[ $started -eq 1 && $keep -eq 0 ]]; then
        "$NITRO_KIT_DIR/stop-enclave.sh" || status=1
    fi
    [[ ! -s $NITRO_CONSOLE_LOG ]] || cp "$NITRO_CONSOLE_LOG" "$results/enclave-console.log"
    exit "$status"
}

if [[ $start -eq 1 ]]; then
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

"$NITRO_KIT_DIR/wait-ready.sh" --cid "$NITRO_CID" --check "$check" --tries "$tries" --interval "$interval"

failures=0
for scenario in "${scenarios[@]}"; do
    name=$(basename "$scenario" .yaml)
    nitro_say "scenario $name against $target"
    if ! "${runner[@]}" compare "$scenario" --target "$target" "${probe[@]}" \
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
done

nitro_say "reports in $results"
[[ $failures -eq 0 ]] || nitro_die "$failures scenario(s) failed or regressed"
