#!/usr/bin/env bash
# The ThreadSanitizer pass of `make test` (issue 9): builds vsockbench once with
# --sanitize=thread (in .build-tsan, so the normal builds stay valid), proves that detection
# works, then runs the cases that use several threads per connection against TSan-built
# targets, and fails on any ThreadSanitizer report from any process.
#
#   1. self-check: tiny programs with known verdicts (scripts/tsan/selfcheck.swift): a data race
#      must be reported; a contended Synchronization.Mutex must be reported without
#      scripts/tsan/mutex-hb.c and not with it (see that file for why it exists).
#   2. run: `vsockbench run scripts/tsan/threads.yaml`, whose local target is `vsockbench serve`
#      spawned from the same TSan-built executable (checked: both processes write a TSan log).
#   3. serve: a separate TSan-built `serve --log-level debug` with two TSan-built drivers at
#      once (concurrent sessions, logging from every connection thread), then SIGTERM.
#   4. interrupt: SIGTERM (handled like Ctrl-C) to a driver in the middle of a case: the signal
#      thread stops the runner while its workers run.
#   5. with --with-tests (as `make test` runs it): the multi-threaded test suites ($TEST_FILTER
#      below) under TSan.
#
# Everything is on Unix sockets; every wait is bounded. Logs: .build-tsan/tsan-check/.
#
# Usage: scripts/tsan-check.sh [--skip-build] [--with-tests]
#   --skip-build  reuse .build-tsan/debug/vsockbench as it is
#   --with-tests  also run the multi-threaded test suites under TSan (builds the tests: about
#                 five more minutes on two cores); `make test` passes it
#   TSAN_MUTEX_HB=0 in the environment runs vsockbench without mutex-hb (to see what it removes)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SCRATCH=.build-tsan
OUT=$SCRATCH/tsan-check
BIN=$SCRATCH/debug/vsockbench
SCENARIO=scripts/tsan/threads.yaml
TEST_FILTER='FrameSinkTests|SessionIntervalTests|BatchingTests|StrategyBoundsTests'

build=1
tests=0
for argument in "$@"; do
    case $argument in
        --skip-build) build=0 ;;
        --with-tests) tests=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "tsan-check: unknown option $argument (see --help)" >&2; exit 2 ;;
    esac
done

TOOLCHAIN=$(dirname "$(readlink -f "$(command -v "$SWIFT")")")
CLANG=$TOOLCHAIN/clang
SWIFTC=$TOOLCHAIN/swiftc

failures=()
fail() { failures+=("$1"); echo "tsan-check: FAIL: $1" >&2; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }

serve_pid=
scratch_dir=$(mktemp -d /tmp/vsockbench-tsan-XXXXXX)
cleanup() {
    if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then kill -KILL "$serve_pid" 2>/dev/null || true; fi
    rm -rf "$scratch_dir"
}
trap cleanup EXIT

rm -rf "$OUT"
mkdir -p "$OUT/logs"

# TSan options for a phase: one log file per process (tsan.PID) in the phase's directory.
# verbosity=1 makes every TSan process log "Running under ThreadSanitizer", which proves the
# target was TSan-built too; its start-up lines that reach stderr are filtered from what we show.
tsan_env() {
    mkdir -p "$OUT/logs/$1"
    echo "log_path=$PWD/$OUT/logs/$1/tsan halt_on_error=0 exitcode=66 verbosity=1 second_deadlock_stack=1"
}

# Prints the reports in a phase's logs (first lines, demangled) and returns 1 when there are any.
check_reports() {
    local phase=$1
    local -a logs
    mapfile -t logs < <(grep -lE '^(WARNING|ERROR): ThreadSanitizer|ThreadSanitizer: CHECK failed' "$OUT/logs/$phase"/tsan.* 2>/dev/null || true)
    [ ${#logs[@]} -eq 0 ] && return 0
    local count
    count=$(cat "${logs[@]}" | grep -cE '^(WARNING|ERROR): ThreadSanitizer|ThreadSanitizer: CHECK failed')
    echo "  $count ThreadSanitizer report(s) in $phase:" >&2
    for log in "${logs[@]}"; do
        echo "  -- $log" >&2
        # The headline, the first four of our frames of each access stack, the summary.
        awk '/^(WARNING|ERROR): ThreadSanitizer|CHECK failed/ { print; ours = 0; next }
             /^  (Thread|Location|Mutex)/ { print; ours = 2; next }
             /^  [A-Z]/ { print; ours = 0; next }
             /^    #[0-9]+ .*\/Sources\// && ours < 4 { print; ours++; next }
             /^SUMMARY:/ { print; print "" }' "$log" | head -60 |
            "$SWIFT" demangle --simplified | sed 's/(BuildId: [0-9a-f]*)//; s/^/    /' >&2
    done
    return 1
}

# Runs a TSan-built command for a phase: its TSan options, and mutex-hb preloaded (children such
# as the local target inherit both).
tsan_run() {
    local phase=$1
    shift
    LD_PRELOAD=$SHIM TSAN_OPTIONS=$(tsan_env "$phase") "$@"
}

# True when the phase's log for PID shows a process running under TSan.
ran_under_tsan() { grep -qs 'Running under ThreadSanitizer' "$OUT/logs/$1/tsan.$2"; }

# Shows a command's stderr without TSan's start-up lines.
show_stderr() { grep -vE '^==[0-9]+==' "$1" | sed 's/^/    /' >&2 || true; }

# --- build -----------------------------------------------------------------------------------
if [ "$build" = 1 ]; then
    start=$(date +%s)
    echo "tsan-check: building vsockbench with --sanitize=thread in $SCRATCH"
    if ! "$SWIFT" build --sanitize=thread --product vsockbench --scratch-path "$SCRATCH" >"$OUT/build.log" 2>&1; then
        grep -E 'error:' "$OUT/build.log" | head -20 >&2 || tail -20 "$OUT/build.log" >&2
        echo "tsan-check: the TSan build failed (log: $OUT/build.log)" >&2
        exit 1
    fi
    echo "tsan-check: build took $(elapsed "$start")"
fi
[ -x "$BIN" ] || { echo "tsan-check: $BIN is missing (run without --skip-build)" >&2; exit 1; }
if ! nm -D "$BIN" 2>/dev/null | grep ' T __tsan_init$' >/dev/null; then
    echo "tsan-check: $BIN is not TSan-instrumented (no __tsan_init)" >&2
    exit 1
fi

# --- self-check ------------------------------------------------------------------------------
start=$(date +%s)
SHIM=$PWD/$OUT/mutex-hb.so
"$CLANG" -O1 -shared -fPIC -Wall -Werror -o "$SHIM" scripts/tsan/mutex-hb.c -ldl
"$SWIFTC" -sanitize=thread -Onone -g -swift-version 6 scripts/tsan/selfcheck.swift -o "$OUT/selfcheck"
selfcheck() { # phase, mode, with shim (0/1); prints the program's stdout and stderr
    local preload=
    [ "$3" = 1 ] && preload=$SHIM
    LD_PRELOAD=$preload TSAN_MUTEX_HB_REPORT=1 TSAN_OPTIONS=$(tsan_env "$1") "$OUT/selfcheck" "$2" 2>&1 | grep -vE '^==[0-9]+==' || true
}
reports_of() { cat "$OUT/logs/$1"/tsan.* 2>/dev/null | grep -cE '^WARNING: ThreadSanitizer' || true; }


selfcheck selfcheck-race race 0 >/dev/null
if [ "$(reports_of selfcheck-race)" -ge 1 ]; then
    echo "tsan-check: self-check: a deliberate data race is reported"
else
    fail "self-check: TSan did not report a deliberate data race: a silent pass would mean nothing"
fi
selfcheck selfcheck-mutex-bare mutex 0 >/dev/null
bare=$(reports_of selfcheck-mutex-bare)
shimmed=$(selfcheck selfcheck-mutex-shim mutex 1)
annotated=$(sed -n 's/^tsan mutex-hb: \([0-9]*\) contended.*/\1/p' <<<"$shimmed" | head -1)
if [ "$(reports_of selfcheck-mutex-shim)" -ne 0 ]; then
    fail "self-check: a contended Mutex is still reported with scripts/tsan/mutex-hb.c: its reports in the runs below may be false"
elif [ "${annotated:-0}" -eq 0 ]; then
    fail "self-check: the Mutex was never contended (0 slow paths), so the mutex-hb check proved nothing"
else
    echo "tsan-check: self-check: a contended Mutex is clean with mutex-hb ($annotated slow paths annotated; $bare report(s) without it)"
    if [ "$bare" -eq 0 ]; then
        echo "tsan-check: note: without mutex-hb a contended Mutex was not reported: the Swift runtime may no longer need it"
    fi
fi
bump=$(selfcheck selfcheck-atomic-bump atomic-bump 0 | grep '^atomic-bump:' || true)
echo "tsan-check: self-check: blind spot: IOCounters.bump's load-then-store from two threads: ${bump#atomic-bump: }, $(reports_of selfcheck-atomic-bump) TSan report(s) (atomics never race for TSan)"
# Kept as the proof, out of the way of the runs' logs.
mkdir -p "$OUT/selfcheck-logs"
mv "$OUT"/logs/selfcheck-* "$OUT/selfcheck-logs/"
echo "tsan-check: self-check took $(elapsed "$start") (logs in $OUT/selfcheck-logs)"

if [ "${TSAN_MUTEX_HB:-1}" = 0 ]; then SHIM=; fi

# --- run: the driver and its local target ----------------------------------------------------
start=$(date +%s)
status=0
tsan_run run "$BIN" run "$SCENARIO" --json "$OUT/run.json" >"$OUT/run.out" 2>"$OUT/run.err" || status=$?
sed 's/^/  /' "$OUT/run.out" | sed -n '1,/^  per message/p' | sed '$d'
target_pid=$(sed -n 's/.*target: pid \([0-9]*\),.*/\1/p' "$OUT/run.out" | head -1)
if [ "$status" -ne 0 ]; then
    fail "run: vsockbench run exited $status$([ "$status" = 66 ] && echo ' (ThreadSanitizer reports)')"
    show_stderr "$OUT/run.err"
fi
if [ "$(grep -ls 'Running under ThreadSanitizer' "$OUT"/logs/run/tsan.* | wc -l)" -lt 2 ] || [ -z "$target_pid" ] || ! ran_under_tsan run "$target_pid"; then
    fail "run: the driver and its local target (pid ${target_pid:-?}) did not both run under TSan"
fi
check_reports run || fail "run: ThreadSanitizer reports (logs in $OUT/logs/run)"
echo "tsan-check: run took $(elapsed "$start")"

# --- serve: a separate target, two drivers at once -------------------------------------------
start=$(date +%s)
socket=$scratch_dir/serve.sock
# (Not through tsan_run: a background function would be a subshell, and $! not serve's pid.)
LD_PRELOAD=$SHIM TSAN_OPTIONS=$(tsan_env serve) "$BIN" serve --listen "unix://$socket" --mode agent --log-level debug \
    >"$OUT/serve.out" 2>"$OUT/serve.err" &
serve_pid=$!
for _ in $(seq 1 300); do
    grep -q '^listening on' "$OUT/serve.out" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
done
if grep -q '^listening on' "$OUT/serve.out" 2>/dev/null; then
    drivers=()
    for n in 1 2; do
        LD_PRELOAD=$SHIM TSAN_OPTIONS=$(tsan_env serve) "$BIN" run "$SCENARIO" --target "unix://$socket" \
            --case stream-both-2 --case rr-inflight-8x4 >"$OUT/serve-driver$n.out" 2>"$OUT/serve-driver$n.err" &
        drivers+=($!)
    done
    for n in 1 2; do
        status=0
        wait "${drivers[$((n - 1))]}" || status=$?
        if [ "$status" -ne 0 ]; then
            fail "serve: driver $n exited $status"
            show_stderr "$OUT/serve-driver$n.err"
        fi
    done
    kill -TERM "$serve_pid"
    for _ in $(seq 1 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$serve_pid" 2>/dev/null; then
        kill -KILL "$serve_pid"
        fail "serve: still running 10s after SIGTERM"
    fi
    status=0
    wait "$serve_pid" || status=$?
    [ "$status" -eq 0 ] || fail "serve: exited $status after SIGTERM$([ "$status" = 66 ] && echo ' (ThreadSanitizer reports)')"
    ran_under_tsan serve "$serve_pid" || fail "serve: the target did not run under TSan"
else
    fail "serve: did not listen on unix://$socket within 30s"
    show_stderr "$OUT/serve.err"
    kill -KILL "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
fi
serve_pid=
check_reports serve || fail "serve: ThreadSanitizer reports (logs in $OUT/logs/serve)"
echo "tsan-check: serve (2 drivers at once) took $(elapsed "$start")"

# --- interrupt: a signal in the middle of a case ----------------------------------------------
# SIGTERM, which the driver handles like Ctrl-C (SignalWatcher; exit 128 + the signal): a
# script's background commands start with SIGINT ignored.
start=$(date +%s)
LD_PRELOAD=$SHIM TSAN_OPTIONS=$(tsan_env interrupt) "$BIN" run "$SCENARIO" --case stream-both-2 --case rr-inflight-8x4 --duration 3s \
    >"$OUT/interrupt.out" 2>"$OUT/interrupt.err" &
driver=$!
# Into the first case: once the driver and its target have both started (each writes its TSan
# log at start-up), past the 100 ms warmup.
for _ in $(seq 1 100); do
    [ "$(grep -ls 'Running under ThreadSanitizer' "$OUT"/logs/interrupt/tsan.* 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.1
done
sleep 0.5
kill -TERM "$driver" 2>/dev/null || true
status=0
wait "$driver" || status=$?
if [ "$status" -ne 143 ]; then
    fail "interrupt: vsockbench run exited $status after SIGTERM, not 143 (128 + SIGTERM)"
    show_stderr "$OUT/interrupt.err"
fi
check_reports interrupt || fail "interrupt: ThreadSanitizer reports (logs in $OUT/logs/interrupt)"
echo "tsan-check: interrupt took $(elapsed "$start")"

# --- with --with-tests: the multi-threaded test suites ---------------------------------------
if [ "$tests" = 1 ]; then
    start=$(date +%s)
    if ! "$SWIFT" build --build-tests --sanitize=thread --scratch-path "$SCRATCH" >"$OUT/tests-build.log" 2>&1; then
        grep -E 'error:' "$OUT/tests-build.log" | head -20 >&2 || tail -20 "$OUT/tests-build.log" >&2
        echo "tsan-check: the TSan build of the tests failed (log: $OUT/tests-build.log)" >&2
        exit 1
    fi
    echo "tsan-check: tests build took $(elapsed "$start")"
    start=$(date +%s)
    status=0
    tsan_run tests timeout 900 "$SWIFT" test --skip-build --sanitize=thread --scratch-path "$SCRATCH" \
        --filter "$TEST_FILTER" >"$OUT/tests.out" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        fail "tests: swift test exited $status (output in $OUT/tests.out)"
        grep -E '✘' "$OUT/tests.out" | head -10 | sed 's/^/    /' >&2 || true
    fi
    check_reports tests || fail "tests: ThreadSanitizer reports (logs in $OUT/logs/tests)"
    echo "tsan-check: tests run took $(elapsed "$start")"
fi

if [ ${#failures[@]} -gt 0 ]; then
    echo "tsan-check: FAILED (${#failures[@]}): full logs in $OUT/logs" >&2
    for failure in "${failures[@]}"; do echo "  - $failure" >&2; done
    exit 1
fi
echo "tsan-check: passed: no ThreadSanitizer reports (logs in $OUT/logs)"
