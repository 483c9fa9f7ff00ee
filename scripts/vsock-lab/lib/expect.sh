# shellcheck shell=bash
# Pass/fail bookkeeping for the lab's host-side tests (test-smoke.sh, test-bench.sh).

passed=0
failed=0
pass() {
    echo "ok   $*"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
# expect NAME COMMAND...: passes when the command succeeds.
expect() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
