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
# all_guest_checks_passed CHECKS_TXT N: the job recorded exactly N checks, every one PASS (a
# check that never ran is as much a failure as one that failed).
all_guest_checks_passed() {
    [[ -s $1 ]] && ! grep -q '^FAIL' "$1" && [[ $(grep -c '^PASS' "$1") -eq $2 ]]
}
# guest_checks_summary CHECKS_TXT N: "P PASS, F FAIL of N" for an expectation's name.
guest_checks_summary() {
    local p f
    p=$(grep -c '^PASS' "$1" 2>/dev/null)
    f=$(grep -c '^FAIL' "$1" 2>/dev/null)
    echo "${p:-0} PASS, ${f:-0} FAIL of $2"
}
