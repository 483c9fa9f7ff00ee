#!/usr/bin/env bash
# Host-side test of lib/guest-checks.sh (the helpers jobs source in the guest as
# /lab/checks.sh), run by busybox sh as in the guest; no guest booted. wait_for: a match
# returns 0; a timeout returns 1 and says on stderr what it waited for (the file, the
# pattern, the seconds); it leaves the job's own $i alone. Prints "N passed, M failed". Needs
# busybox (else skips; a failure under CI=true or VSOCKBENCH_LAB_REQUIRE=1).
# Usage: scripts/vsock-lab/test-guest-checks.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/test-cli.sh
. "$here/lib/test-cli.sh"
lab_test_parse test-guest-checks.sh 7 "$@"
command -v busybox >/dev/null || lab_test_skip "vsock-lab guest checks test" "busybox not found (apt-get install busybox-static)"

work=$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-guest-checks.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'starting\nlistening on 5005\n' >"$work/serve.stdout"

# shellcheck source-path=SCRIPTDIR source=lib/expect.sh
. "$here/lib/expect.sh"

# guest_sh SCRIPT: runs SCRIPT in busybox sh with the helpers sourced (OUT=$work).
guest_sh() { OUT=$work busybox sh -c ". '$here/lib/guest-checks.sh'; $1"; }

status=0
guest_sh "wait_for '$work/serve.stdout' '^listening on ' 2" 2>"$work/found.err" || status=$?
expect "wait_for a line that is there: 0 (got $status)" test "$status" -eq 0
expect "wait_for a line that is there: says nothing" test ! -s "$work/found.err"

status=0
guest_sh "wait_for '$work/serve.stdout' '^ready' 1" 2>"$work/timeout.err" || status=$?
echo "-- wait_for's stderr on a timeout: $(cat "$work/timeout.err")"
expect "wait_for past its seconds: 1 (got $status)" test "$status" -eq 1
expect "wait_for past its seconds: names the file" grep -qF "$work/serve.stdout" "$work/timeout.err"
expect "wait_for past its seconds: names the pattern" grep -qF "^ready" "$work/timeout.err"
expect "wait_for past its seconds: says it timed out after 1 s" grep -q 'timed out after 1 s' "$work/timeout.err"

got=$(guest_sh "i=7; wait_for '$work/serve.stdout' '^listening' 1; echo \$i" 2>/dev/null)
expect "wait_for leaves the job's \$i alone (got $got)" test "$got" = 7

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
