#!/usr/bin/env bash
# End-to-end test of the Nitro kit (deploy/nitro/) under a fake nitro-cli and a fake docker
# (Tests/nitro-kit/bin/), on a machine without Nitro Enclaves: the kit's scripts run as they
# would on a Nitro parent, with the enclave standing in as a local process and vsock://16:5005
# as a Unix socket (the kit's NITRO_TARGET and NITRO_DEVICE test seams).
#
# Covers: the fake's contract (CMD else ENTRYPOINT, never joined; explain --error-code);
# build-eif.sh; start-enclave.sh (console captured, a second start refused, a failed start
# leaving enclave.json alone); wait-ready.sh; run-bench.sh with a short scenario, with and
# without a baseline gate that holds or regresses; an image whose command does not exist
# (the old ENTRYPOINT+CMD Dockerfile): wait-ready.sh fails at once and shows the console;
# an enclave this user may not terminate: stop-enclave.sh fails and names the owner; the
# history gate's exit 2 (too few runs, or unusable input), a SIGTERM during run-enclave.
# Prints "N passed, M failed".
#
# Needs a release build (--binary), jq and socat. When something is missing it skips with the
# reason, except under CI=true, where a skip is a failure. Never connects to a vsock CID:
# socat and the parent's vsockbench go through guards that refuse vsock addresses.
# Usage: scripts/test-nitro-kit.sh [--binary PATH] [--kit DIR] [--keep DIR]
#   --binary PATH  vsockbench to test with (default .build/release/vsockbench)
#   --kit DIR      the kit to test (default deploy/nitro; another copy, e.g. an older one)
#   --keep DIR     keep logs and state in DIR (default: a temporary directory, removed)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tests=$root/Tests/nitro-kit
binary=$root/.build/release/vsockbench
kit=$root/deploy/nitro
keep=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --binary | --kit | --keep)
            [[ $# -ge 2 ]] || {
                echo "test-nitro-kit.sh: $1 needs a value" >&2
                exit 2
            }
            case $1 in
                --binary) binary=$2 ;;
                --kit) kit=$(cd "$2" && pwd) ;;
                --keep) keep=$2 ;;
            esac
            shift 2
            ;;
        -h | --help)
            sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "test-nitro-kit.sh: unknown argument $1 (see --help)" >&2
            exit 2
            ;;
    esac
done

skip() {
    if [[ ${CI:-} == true ]]; then
        echo "nitro kit test: cannot run: $*" >&2
        exit 1
    fi
    echo "nitro kit test: skipped: $*"
    exit 0
}
command -v jq >/dev/null || skip "jq not found (apt-get install jq)"
command -v socat >/dev/null || skip "socat not found (apt-get install socat)"
[[ -x $binary ]] || skip "no release build at $binary (swift build -c release --static-swift-stdlib --product vsockbench)"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

# A short scratch path: Unix socket paths must stay under 108 bytes.
tmp=$(mktemp -d /tmp/nitro-kit.XXXXXX)
logs=$tmp/logs
mkdir -p "$logs" "$tmp/bin" "$tmp/results"
started_at=$SECONDS

# --- the environment the kit runs in ---
export FAKE_NITRO_STATE=$tmp/fake
export FAKE_NITRO_VSOCK_DIR=$tmp/fake/vsock
unset FAKE_NITRO_UID FAKE_NITRO_REFUSAL FAKE_NITRO_POOL_CPUS FAKE_NITRO_POOL_MIB
unset NITRO_EIF NITRO_BINARY NITRO_ENCLAVE_NAME NITRO_PORT NITRO_IMAGE
export PATH="$tests/bin:$PATH"
export NITRO_STATE_DIR=$tmp/state
export NITRO_DEVICE=$tmp/dev-nitro_enclaves
export NITRO_CID=16 NITRO_CPU_COUNT=2 NITRO_MEMORY_MIB=1024
export NITRO_TARGET=unix://$FAKE_NITRO_VSOCK_DIR/16-5005.sock
touch "$NITRO_DEVICE"
# The parent's vsockbench, behind a guard that refuses any vsock endpoint.
cat >"$tmp/bin/vsockbench" <<GUARD
#!/usr/bin/env bash
for arg in "\$@"; do
    case \$arg in vsock:*) echo "vsockbench guard: refusing \$arg: no vsock from this machine" >&2; exit 97 ;; esac
done
exec "$binary" "\$@"
GUARD
chmod +x "$tmp/bin/vsockbench"
export NITRO_VSOCKBENCH=$tmp/bin/vsockbench

# The PIDs of processes whose command line holds TEXT (this shell excluded).
ours() {
    local file pid cmdline
    for file in /proc/[0-9]*/cmdline; do
        pid=${file#/proc/}
        pid=${pid%/cmdline}
        [[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
        cmdline=$(tr '\0' ' ' 2>/dev/null <"$file") || continue
        [[ $cmdline != *"$1"* ]] || echo "$pid"
    done
}

# Everything the test started carries $tmp in its command line: enclaves (their programs and
# processes) and console captures. End those, by PID, then remove the scratch directory.
cleanup() {
    local dir pid
    for dir in "$FAKE_NITRO_STATE"/enclaves/*/; do
        [[ -d $dir ]] || continue
        for pid in $(cat "$dir/app.pid" 2>/dev/null) $(jq -r .ProcessID "$dir/record.json" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
    for pid in $(ours "$tmp"); do kill "$pid" 2>/dev/null || true; done
    if [[ -n $keep ]]; then
        mkdir -p "$keep" && cp -a "$tmp/." "$keep/" && echo "kept in $keep"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- bookkeeping ---
passed=0
failed=0
failed_steps=()
pass() {
    echo "ok   $*"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
    [[ " ${failed_steps[*]} " == *" $step "* ]] || failed_steps+=("$step")
}
expect() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
# run STEP COMMAND...: runs with a time limit; $status, $seconds, and logs/STEP.out|err.
step=""
run() {
    step=$1
    shift
    local start=$EPOCHREALTIME
    status=0
    timeout 60 "$@" >"$logs/$step.out" 2>"$logs/$step.err" </dev/null || status=$?
    seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    echo "$step $seconds" >>"$logs/seconds"
}
said() { [[ -n $1 ]] && cat "$logs/$step.out" "$logs/$step.err" | grep -qF -- "$1"; }
describe() { nitro-cli describe-enclaves 2>/dev/null; }
running() { describe | jq length; }
faster_than() { awk -v s="$seconds" -v limit="$1" 'BEGIN { exit !(s < limit) }'; }
holds() { [[ $(jq -r "$2" "$1" 2>/dev/null) == true ]]; }
eif_command() { jq -c .Cmd "$1" 2>/dev/null; }
state_file=$NITRO_STATE_DIR/enclave.json

# --- 1. The fake itself: nitro-cli's behaviour the kit depends on ---
mkdir -p "$tmp/context"
cp "$binary" "$tmp/context/vsockbench"
step=fake
{
    docker build -f "$tests/fixtures/Dockerfile.entrypoint-cmd" -t fixture:entrypoint-cmd "$tmp/context" &&
        nitro-cli build-enclave --docker-uri fixture:entrypoint-cmd --output-file "$tmp/entrypoint-cmd.eif"
} >"$logs/fake.out" 2>&1 || true
expect "fake build-enclave: ENTRYPOINT + CMD records CMD alone, never joined ($(eif_command "$tmp/entrypoint-cmd.eif"))" \
    test "$(eif_command "$tmp/entrypoint-cmd.eif")" = '["serve","--listen","vsock://any:5005","--mode","agent"]'
printf 'FROM debian:bookworm-slim\nCOPY vsockbench /usr/local/bin/vsockbench\nENTRYPOINT ["/usr/local/bin/vsockbench", "serve"]\n' >"$tmp/Dockerfile.entrypoint"
{
    docker build -f "$tmp/Dockerfile.entrypoint" -t fixture:entrypoint "$tmp/context" &&
        nitro-cli build-enclave --docker-uri fixture:entrypoint --output-file "$tmp/entrypoint.eif"
} >>"$logs/fake.out" 2>&1 || true
expect "fake build-enclave: ENTRYPOINT alone (the base image's CMD reset) is used ($(eif_command "$tmp/entrypoint.eif"))" \
    test "$(eif_command "$tmp/entrypoint.eif")" = '["/usr/local/bin/vsockbench","serve"]'
{
    docker build -f "$tests/fixtures/Dockerfile.cmd" -t fixture:cmd "$tmp/context" &&
        nitro-cli build-enclave --docker-uri fixture:cmd --output-file "$tmp/cmd.eif"
} >>"$logs/fake.out" 2>&1 || true
expect "fake build-enclave: CMD alone is the command ($(eif_command "$tmp/cmd.eif"))" \
    test "$(eif_command "$tmp/cmd.eif")" = '["/usr/local/bin/vsockbench","serve","--listen","vsock://any:5005","--mode","agent"]'
explain_status=0
nitro-cli explain E36 >/dev/null 2>&1 || explain_status=$?
expect "fake explain: 'explain E36' is a usage error (exit $explain_status)" test "$explain_status" -eq 2
expect "fake explain: 'explain --error-code E36' explains a boot failure" \
    grep -q 'Enclave boot failure' <(nitro-cli explain --error-code E36 2>&1)

# --- 2. build-eif.sh ---
run build "$kit/build-eif.sh" --binary "$binary"
eif=$NITRO_STATE_DIR/vsockbench.eif
expect "build-eif.sh exits 0 without the enclave device's help (status $status, ${seconds} s)" test "$status" -eq 0
expect "build-eif.sh puts the binary in the image without its debug info (objcopy --strip-debug)" \
    test -s "$NITRO_STATE_DIR/context/vsockbench" -a -z "$(readelf -S "$NITRO_STATE_DIR/context/vsockbench" 2>/dev/null | grep -F .debug_info)"
expect "... and leaves the binary it was given as it was" cmp -s "$binary" "$tmp/context/vsockbench"
expect "build-eif.sh writes the EIF and its measurements" \
    holds "$NITRO_STATE_DIR/vsockbench.measurements.json" '.Measurements.PCR0 | length == 96'
expect "the enclave will run vsockbench serve by its absolute path ($(eif_command "$eif"))" \
    test "$(eif_command "$eif")" = '["/usr/local/bin/vsockbench","serve","--listen","vsock://any:5005","--mode","agent"]'

# --- 3. By hand: start, wait, a second start, stop ---
# An earlier debug run's console.log (stop-enclave.sh leaves it), with that run's answer: the
# new start must record its own enclave, never the old ID.
mkdir -p "$NITRO_STATE_DIR"
printf '{\n  "EnclaveName": "vsockbench",\n  "EnclaveID": "i-0fa7e5c0ffee12345-enc00000000000000aa",\n  "ProcessID": 1,\n  "EnclaveCID": 16\n}\nold console line\n' >"$NITRO_STATE_DIR/console.log"
run start "$kit/start-enclave.sh" --debug-mode
id=$(head -n 1 "$logs/start.out")
expect "start-enclave.sh --debug-mode after a stale console.log records the new enclave, not the old one ('$id')" \
    test -n "$id" -a "$id" != i-0fa7e5c0ffee12345-enc00000000000000aa -a "$(jq -r .EnclaveID "$state_file" 2>/dev/null)" = "$id" \
    -a "$(describe | jq -r --arg id "$id" '[.[] | select(.EnclaveID == $id)] | length')" = 1
expect "... and its console.log holds none of the old run's lines" test -z "$(grep -s 'old console line' "$NITRO_STATE_DIR/console.log")"
expect "start-enclave.sh --debug-mode exits 0 and prints the enclave ID (status $status, '$id')" \
    grep -qE '^i-[0-9a-f]+-enc[0-9a-f]+$' <<<"$id"
expect "start-enclave.sh records the enclave in enclave.json" \
    test -n "$id" -a "$(jq -r .EnclaveID "$state_file" 2>/dev/null)" = "$id"
expect "describe-enclaves lists it RUNNING in debug mode" \
    test "$(describe | jq -r --arg id "$id" '.[] | select(.EnclaveID == $id) | .State + " " + .Flags')" = "RUNNING DEBUG_MODE"
run wait "$kit/wait-ready.sh" --tries 25 --interval 0.2
expect "wait-ready.sh: the target answers (status $status, ${seconds} s)" test "$status" -eq 0
run wait-vsockbench "$kit/wait-ready.sh" --tries 5 --interval 0.2 --check vsockbench
expect "wait-ready.sh --check vsockbench: a round trip through the protocol (status $status)" test "$status" -eq 0
expect "the console was captured from the first line, with the program's own output" \
    grep -qs 'listening on unix://' "$NITRO_STATE_DIR/console.log"
cp "$state_file" "$tmp/enclave.json.before" 2>/dev/null || echo '{"EnclaveID": "none recorded"}' >"$tmp/enclave.json.before"
run start-again "$kit/start-enclave.sh" --debug-mode
expect "a second start-enclave.sh while the recorded enclave runs fails (status $status)" test "$status" -ne 0
expect "... and says the recorded enclave is still running" said "still running"
expect "... and leaves enclave.json as it was" cmp -s "$tmp/enclave.json.before" "$state_file"
expect "... and starts nothing (running: $(running))" test "$(running)" = 1
# stop-enclave.sh for another enclave, or for one not running (a mistyped ID), leaves the
# recorded enclave's console capture and record alone (it killed the capture after 5 s).
console_pid=$(cat "$NITRO_STATE_DIR/console.pid" 2>/dev/null || true)
capturing() { [[ -n $console_pid && $(cat "$NITRO_STATE_DIR/console.pid" 2>/dev/null) == "$console_pid" ]] && kill -0 "$console_pid" 2>/dev/null; }
run stop-mistyped "$kit/stop-enclave.sh" --enclave-id i-0fa7e5c0ffee12345-enc00000000000000cc
expect "stop-enclave.sh --enclave-id (an enclave not running): nothing to stop, exit 0 (status $status)" \
    test "$status" -eq 0 -a -n "$(said "nothing to stop" && echo y)"
expect "... and the recorded enclave's console capture runs on, with its record (console.pid $console_pid)" \
    test -n "$(capturing && echo y)" -a "$(jq -r .EnclaveID "$state_file" 2>/dev/null)" = "$id"
step=another
other=$(nitro-cli run-enclave --eif-path "$eif" --cpu-count 2 --memory 1024 --enclave-cid 17 --enclave-name other \
    2>"$logs/$step.err" </dev/null | jq -r .EnclaveID 2>/dev/null || true)
run stop-other "$kit/stop-enclave.sh" --enclave-id "$other"
expect "stop-enclave.sh --enclave-id (another enclave, $other): exit 0, the recorded one still running (status $status, running: $(running))" \
    test "$status" -eq 0 -a -n "$other" -a "$(running)" = 1
expect "... and its console capture runs on, with its record" \
    test -n "$(capturing && echo y)" -a "$(jq -r .EnclaveID "$state_file" 2>/dev/null)" = "$id"
run stop "$kit/stop-enclave.sh"
expect "stop-enclave.sh exits 0 (status $status)" test "$status" -eq 0
expect "... nothing is left running (running: $(running))" test "$(running)" = 0
expect "... and forgets the enclave (no enclave.json)" test ! -e "$state_file"

# --- 3b. A record left by an enclave that ended by itself, and one started by hand at the CID ---
# (stop-enclave.sh never ran, so enclave.json still names the old one): wait-ready.sh waits for
# the enclave at --cid, not the record's.
mkdir -p "$NITRO_STATE_DIR"
printf '{\n  "EnclaveName": "vsockbench",\n  "EnclaveID": "i-0fa7e5c0ffee12345-enc00000000000000bb",\n  "ProcessID": 1,\n  "EnclaveCID": 16\n}\n' >"$state_file"
step=by-hand
nitro-cli run-enclave --eif-path "$eif" --cpu-count 2 --memory 1024 --enclave-cid 16 --enclave-name by-hand \
    >"$logs/$step.out" 2>"$logs/$step.err" </dev/null || true
run wait-by-hand "$kit/wait-ready.sh" --cid 16 --tries 25 --interval 0.2
expect "wait-ready.sh --cid 16 with a stale enclave.json: waits for the enclave started by hand (status $status)" \
    test "$status" -eq 0
nitro-cli terminate-enclave --all >/dev/null 2>&1 || true
rm -f "$state_file"

# --- 4. A failed run-enclave leaves enclave.json alone, and names the error code ---
mkdir -p "$NITRO_STATE_DIR" && cp "$tmp/enclave.json.before" "$state_file"
run start-too-big "$kit/start-enclave.sh" --memory 999999
expect "start-enclave.sh --memory 999999 fails (status $status)" test "$status" -ne 0
expect "... says 'nitro-cli explain --error-code E27'" said "nitro-cli explain --error-code E27"
expect "... and leaves enclave.json as it was" cmp -s "$tmp/enclave.json.before" "$state_file"
rm -f "$state_file"
# CIDs nitro-cli refuses (commands_parser.rs: above u32 max, or VMADDR_CID_ANY) are refused
# before run-enclave, as a usage error.
for bad_cid in 3 4294967295 4294967296 99999999999; do
    run "start-cid-$bad_cid" "$kit/start-enclave.sh" --cid "$bad_cid"
    expect "start-enclave.sh --cid $bad_cid is a usage error naming the range (status $status)" \
        test "$status" -eq 2 -a -n "$(said "4 to 4294967294" && echo y)"
done
expect "... and starts nothing (running: $(running))" test "$(running)" = 0

# --- 4b. run-enclave starts an enclave but its answer lacks the new ID, or names an old one ---
# (what reading an earlier run's console.log led to): nothing recorded, nothing left running.
mkdir -p "$tmp/bin-answer"
cat >"$tmp/bin-answer/nitro-cli" <<WRAP
#!/usr/bin/env bash
if [[ \${1:-} == describe-enclaves && \$ANSWER == no-describe ]]; then
    echo "[ E39 ] Enclave process connection failure (fake)" >&2
    exit 1
fi
if [[ \${1:-} == run-enclave ]]; then
    "$tests/bin/nitro-cli" "\$@" | if [[ \$ANSWER == old-id ]]; then
        sed -u 's/"EnclaveID": "[^"]*"/"EnclaveID": "i-0fa7e5c0ffee12345-enc00000000000000aa"/'
    else
        grep --line-buffered -v EnclaveID
    fi
    exit "\${PIPESTATUS[0]}"
fi
exec "$tests/bin/nitro-cli" "\$@"
WRAP
chmod +x "$tmp/bin-answer/nitro-cli"
for answer in no-id old-id; do
    for mode in --debug-mode ""; do
        ANSWER=$answer PATH="$tmp/bin-answer:$PATH" run "start-$answer${mode:+-debug}" "$kit/start-enclave.sh" ${mode:+"$mode"}
        expect "start-enclave.sh${mode:+ $mode} with an answer of $answer fails (status $status), records nothing" \
            test "$status" -ne 0 -a ! -e "$state_file"
        expect "... and leaves no enclave running (running: $(running))" test "$(running)" = 0
        nitro-cli terminate-enclave --all >/dev/null 2>&1 || true
    done
done
# describe-enclaves failing before the start (every enclave would look new; under pipefail
# the script ended without a word): refused with the reason, nothing started.
ANSWER=no-describe PATH="$tmp/bin-answer:$PATH" run start-no-describe "$kit/start-enclave.sh"
expect "start-enclave.sh when describe-enclaves fails: fails (status $status), saying so, starting nothing" \
    test "$status" -ne 0 -a ! -e "$state_file" -a "$(running)" = 0
expect "... and names the failure" said "describe-enclaves failed before the start: [ E39 ]"

# --- 4c. An interrupt while run-enclave runs leaves no enclave ---
# A run-enclave that has started the enclave and takes 3 s more to answer. SIGTERM to the
# whole process group (a cancelled job; a Ctrl-C's SIGINT is ignored by a background job
# here), or to the script alone, which then acts once its foreground command has returned.
mkdir -p "$tmp/bin-slow"
cat >"$tmp/bin-slow/nitro-cli" <<WRAP
#!/usr/bin/env bash
if [[ \${1:-} == run-enclave ]]; then
    "$tests/bin/nitro-cli" "\$@" | { sleep 3; cat; }
    exit "\${PIPESTATUS[0]}"
fi
exec "$tests/bin/nitro-cli" "\$@"
WRAP
chmod +x "$tmp/bin-slow/nitro-cli"
# interrupt STEP GROUP|SCRIPT COMMAND...: runs COMMAND in its own process group under the slow
# run-enclave, sends SIGTERM once an enclave runs, and waits for it ($status).
interrupt() {
    step=$1
    local whom=$2 pid tries
    shift 2
    PATH="$tmp/bin-slow:$PATH" setsid "$@" >"$logs/$step.out" 2>"$logs/$step.err" </dev/null &
    pid=$!
    for ((tries = 0; tries < 50; tries++)); do
        [[ $(running) == 0 ]] || break
        sleep 0.1
    done
    if [[ $whom == group ]]; then kill -TERM -- "-$pid" 2>/dev/null; else kill -TERM "$pid" 2>/dev/null; fi || true
    status=0
    wait "$pid" || status=$?
}
for mode in "" --debug-mode; do
    for whom in group script; do
        interrupt "start-interrupted-$whom${mode:+-debug}" "$whom" "$kit/start-enclave.sh" ${mode:+"$mode"}
        expect "start-enclave.sh${mode:+ $mode}, SIGTERM to the $whom during run-enclave: exits 143, records nothing (status $status)" \
            test "$status" -eq 143 -a ! -e "$state_file"
        expect "... and leaves no enclave running (running: $(running))" test "$(running)" = 0
        nitro-cli terminate-enclave --all >/dev/null 2>&1 || true
        rm -f "$state_file"
    done
done
# run-bench.sh alone: its trap waits for start-enclave.sh, which records the enclave.
interrupt bench-interrupted script "$kit/run-bench.sh" --scenario "$tests/fixtures/tiny.yaml" --no-probe \
    --results "$tmp/results/bench-interrupted"
expect "run-bench.sh, SIGTERM to the script while the enclave starts: exits 143 (status $status)" test "$status" -eq 143
expect "... and stops the enclave start-enclave.sh recorded meanwhile (running: $(running))" \
    test "$(running)" = 0 -a ! -e "$state_file"
nitro-cli terminate-enclave --all >/dev/null 2>&1 || true
rm -f "$state_file"

# --- 5. run-bench.sh end to end, with its baseline gate both ways ---
# Baselines from a local run of the same scenario (vsockbench's own private target): one the
# enclave run must beat (figures a thousand times worse), one it cannot.
step=baselines
"$binary" compare "$tests/fixtures/tiny.yaml" --json "$tmp/local.json" >"$logs/baselines.out" 2>&1 || true
mkdir -p "$tmp/baseline-held" "$tmp/baseline-regressed"
# The case's figures and every trial's (check pools the trials), scaled by $k: throughput
# times k, p99 divided by k.
# shellcheck disable=SC2016 # jq variables, not shell ones
scale='def s($k): (.mbps_total, .mbps_tx, .mbps_rx, .msgs_per_s) |= (if . then . * $k else . end)
    | if .latency_us.p99 then .latency_us.p99 /= $k else . end;
    .cases |= map(s($k) | if .trials then .trials |= map(s($k)) else . end)'
jq --argjson k 0.001 "$scale" "$tmp/local.json" >"$tmp/baseline-held/tiny.json" 2>>"$logs/baselines.out" || true
jq --argjson k 1000 "$scale" "$tmp/local.json" >"$tmp/baseline-regressed/tiny.json" 2>>"$logs/baselines.out" || true
bench() {
    run "$1" "$kit/run-bench.sh" --scenario "$tests/fixtures/tiny.yaml" --no-probe --debug-mode \
        --tries 25 --interval 0.2 --repeat 2 --results "$tmp/results/$1" "${@:2}"
}
# Its counts that depend on timing (bulk's reads/msg: a 1-trial 300 ms stream) are not scaled
# and moved 10.1% between two runs once: the held gate gets a wide tolerance, the regressed one
# the default. The plumbing of the gate is tested here, not its judgement of noise.
bench bench --baseline-dir "$tmp/baseline-held" --tolerance 1000%
r=$tmp/results/bench
expect "run-bench.sh exits 0 (status $status, ${seconds} s)" test "$status" -eq 0
expect "... every case of the scenario ran and was verified" \
    holds "$r/tiny.json" '[.cases[].name] == ["bulk", "chatty-8k", "masked"] and all(.cases[]; .verified)'
expect "... as many trials as --repeat asked" holds "$r/tiny.json" '.statistics.repeat == 2 and all(.cases[]; (.trials | length) == 2)'
expect "... against the enclave's stand-in ($(jq -r .target "$r/tiny.json" 2>/dev/null))" \
    test "$(jq -r .target "$r/tiny.json" 2>/dev/null)" = "$NITRO_TARGET"
expect "... with the markdown table, parent.txt and describe-enclaves in the results" \
    test -s "$r/tiny.md" -a -s "$r/parent.txt" -a -s "$r/enclave.json"
expect "... and the enclave's console" grep -qs 'listening on' "$r/enclave-console.log"
expect "... and the gate that holds: the check's markdown and JUnit XML" \
    test -s "$r/tiny.check.md" -a -s "$r/tiny.junit.xml"
expect "... and the enclave terminated afterwards (running: $(running))" test "$(running)" = 0
bench gate-regressed --baseline-dir "$tmp/baseline-regressed"
expect "run-bench.sh --baseline-dir: a regression exits 1 (status $status)" test "$status" -eq 1
expect "... and says which scenario regressed" said "regressed against"
expect "... and still terminates the enclave (running: $(running))" test "$(running)" = 0

# --- 5b. run-bench.sh --history: each run added, the second gated against the first, the trend ---
db=$tmp/history.sqlite
bench history-1 --history "$db" --history-window 3 --label branch=kit-test
h=$tmp/results/history-1
expect "run-bench.sh --history (a new database) exits 0 (status $status)" test "$status" -eq 0
expect "... the history gate (--history-window 3, no history yet) is reported, not failed" \
    said "not gated against the history: vsockbench: error: no history at"
expect "... the run is in the history with its label" \
    holds <("$binary" history list --db "$db" --json 2>/dev/null) '(.runs | length) == 1 and .runs[0].labels.branch == "kit-test" and .runs[0].scenario == "tiny"'
expect "... and the trend written (HTML, markdown, text)" test -s "$h/history.html" -a -s "$h/history.md" -a -s "$h/history.txt"
# Two 300 ms trials against two: the gate's plumbing is tested here, not its judgement of noise.
bench history-2 --history "$db" --history-window 3 --label branch=kit-test --tolerance 1000%
h=$tmp/results/history-2
expect "run-bench.sh --history-window 3 (one earlier run: a third of the window) exits 0 (status $status)" test "$status" -eq 0
expect "... gated against the history: its markdown and JUnit XML" test -s "$h/tiny.history-check.md" -a -s "$h/tiny.history-check.xml"
expect "... and the history holds both runs" holds <("$binary" history list --db "$db" --json 2>/dev/null) '(.runs | length) == 2'
expect "... and the enclave terminated afterwards (running: $(running))" test "$(running)" = 0
# --history-window 12: at least 4 earlier runs (a third of it) to gate against, 2 there: the
# first nights of a CI, reported, not failed.
bench history-3 --history "$db" --history-window 12 --label branch=kit-test
expect "run-bench.sh --history-window 12 with 2 earlier runs (fewer than 4) exits 0 (status $status)" test "$status" -eq 0
expect "... saying it is not gated yet" said "fewer than --history-min-runs 4; not gated"
# A tolerance check refuses (no % sign): exit 2 of the history gate once read as "not gated",
# so the job went green ungated. Refused before the enclave starts.
bench history-bad-tolerance --history "$db" --history-window 3 --tolerance 10
expect "run-bench.sh --tolerance 10 (no % sign) is a usage error (status $status)" test "$status" -eq 2
expect "... saying why, in check's words" said "write a percentage with its sign"
expect "... before anything ran (no results JSON, history still 3 runs, running: $(running))" \
    test ! -e "$tmp/results/history-bad-tolerance/tiny.json" -a "$(running)" = 0 -a \
    -n "$(holds <("$binary" history list --db "$db" --json 2>/dev/null) '(.runs | length) == 3' && echo y)"
# A history whose earlier run measured a case as another workload: check --history exits 2
# for unusable input, not for too few runs. That fails the run instead of passing it ungated.
db_other=$tmp/history-other.sqlite
step=history-other-db
{
    jq '.cases |= map(if .name == "bulk" then .workload = "rr" | .config.workload = "rr" else . end)' \
        "$tmp/local.json" >"$tmp/other-workload.json" &&
        "$binary" history add "$tmp/other-workload.json" --db "$db_other"
} >"$logs/$step.out" 2>"$logs/$step.err" || true
bench history-other --history "$db_other" --history-window 3 --tolerance 1000%
expect "run-bench.sh --history-window 3 against a run of another workload: fails (status $status)" test "$status" -eq 1
expect "... saying the history gate could not be applied, and why" \
    test -n "$(said "could not be gated against the history (check exited 2)" && said "workload rr in the baseline" && echo y)"
expect "... and still terminates the enclave (running: $(running))" test "$(running)" = 0

# --- 6. An image whose command does not exist (the old ENTRYPOINT + CMD Dockerfile) ---
bad=$NITRO_STATE_DIR/entrypoint-cmd.eif
run build-bad "$kit/build-eif.sh" --binary "$binary" --dockerfile "$tests/fixtures/Dockerfile.entrypoint-cmd" \
    --image vsockbench-enclave:entrypoint-cmd --eif "$bad"
expect "build-eif.sh --dockerfile (ENTRYPOINT + CMD) builds: nothing fails before the enclave runs (status $status)" \
    test "$status" -eq 0
run start-bad "$kit/start-enclave.sh" --debug-mode --eif "$bad"
expect "start-enclave.sh succeeds: the enclave's init reports ready before it runs the command (status $status)" \
    test "$status" -eq 0
run wait-bad "$kit/wait-ready.sh" --tries 10 --interval 1
expect "wait-ready.sh fails (status $status)" test "$status" -ne 0
expect "... at once, not after its 10 tries (${seconds} s < 5 s)" faster_than 5
expect "... says the enclave is gone" said "no longer running"
expect "... and shows why, from the console: execvpe: serve: No such file or directory" \
    said "execvpe: serve: No such file or directory"
run stop-bad "$kit/stop-enclave.sh"
expect "stop-enclave.sh: nothing left to stop, exit 0 (status $status)" test "$status" -eq 0
run start-bad-nodebug "$kit/start-enclave.sh" --eif "$bad"
run wait-bad-nodebug "$kit/wait-ready.sh" --tries 10 --interval 1
expect "without --debug-mode, wait-ready.sh also fails at once (status $status, ${seconds} s)" \
    test "$status" -ne 0 -a "${seconds%.*}" -lt 5
expect "... and says the console needs --debug-mode" said "start the enclave with --debug-mode"
"$kit/stop-enclave.sh" >/dev/null 2>&1 || true
bench bench-bad --eif "$bad"
expect "run-bench.sh with that image fails (status $status) at once (${seconds} s < 8 s)" \
    test "$status" -ne 0 -a "${seconds%.*}" -lt 8
expect "... and keeps the console in its results" grep -qs 'execvpe: serve' "$tmp/results/bench-bad/enclave-console.log"

# --- 7. An enclave this user may not terminate (another user started it) ---
# From the test's own image, so that this part does not depend on the kit's Dockerfile.
run start-owned "$kit/start-enclave.sh" --debug-mode --eif "$tmp/cmd.eif"
owned=$(head -n 1 "$logs/start-owned.out")
me=$(id -un)
for refusal in allowed no-reply; do
    FAKE_NITRO_UID=4242 FAKE_NITRO_REFUSAL=$refusal run "stop-all-$refusal" "$kit/stop-enclave.sh" --all
    expect "stop-enclave.sh --all as another user, terminate-all reporting the refusal as '$refusal': fails (status $status)" \
        test "$status" -ne 0
    expect "... names the enclave left running ($owned)" said "$owned"
    expect "... and its owner ($me)" said "owned by $me"
    expect "... and it is indeed still running (running: $(running))" test "$(running)" = 1
done
FAKE_NITRO_UID=4242 run stop-recorded-other "$kit/stop-enclave.sh"
expect "stop-enclave.sh (the recorded enclave) as another user fails (status $status)" test "$status" -ne 0
expect "... names the owner" said "owned by $me"
expect "... and keeps enclave.json" test -n "$owned" -a "$(jq -r .EnclaveID "$state_file" 2>/dev/null)" = "$owned"
run stop-all "$kit/stop-enclave.sh" --all
expect "stop-enclave.sh --all as the owner: exit 0, nothing left (status $status, running: $(running))" \
    test "$status" -eq 0 -a "$(running)" = 0
expect "... and enclave.json is gone with its enclave" test ! -e "$state_file"

# --- 7b. scripts/check-nitro-kit.sh outside a git checkout (an archive, a copy) ---
# It lists the scripts with git ls-files; where that fails it must still find and check them,
# not report "0 scripts shellchecked ... 0 failed".
step=check-no-git
mkdir -p "$tmp/nogit"
cp -a "$root/deploy" "$root/scripts" "$root/README.md" "$tmp/nogit/" && mkdir -p "$tmp/nogit/Tests" && cp -a "$tests" "$tmp/nogit/Tests/"
check_status=0
# The listing is what is tested, not the scripts (make test shellchecks those): a stand-in
# for shellcheck that passes everything keeps this fast.
mkdir -p "$tmp/nogit-bin"
printf '#!/bin/sh\nexit 0\n' >"$tmp/nogit-bin/shellcheck"
chmod +x "$tmp/nogit-bin/shellcheck"
(cd "$tmp/nogit" && PATH="$tmp/nogit-bin:$PATH" GIT_CEILING_DIRECTORIES=$tmp timeout 120 scripts/check-nitro-kit.sh) >"$logs/$step.out" 2>"$logs/$step.err" </dev/null || check_status=$?
checked=$(sed -nE 's/^check-nitro-kit: ([0-9]+) scripts.*/\1/p' "$logs/$step.out")
expect "check-nitro-kit.sh outside a git checkout still checks the scripts (${checked:-none} found, status $check_status)" \
    test "${checked:-0}" -ge 10 -a "$check_status" -eq 0

# --- 8. Nothing left behind ---
sleep 0.5
left=$(ours "$FAKE_NITRO_STATE/enclaves" | wc -l)
expect "no enclave process left ($left)" test "$left" -eq 0

for failed_step in "${failed_steps[@]}"; do
    for stream in out err; do
        [[ -s $logs/$failed_step.$stream ]] || continue
        echo "--- $failed_step.$stream (last lines)"
        tail -n 15 "$logs/$failed_step.$stream" | sed 's/^/  /'
    done
done
echo "nitro kit test: $((SECONDS - started_at)) s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
