# shellcheck shell=sh
# The helpers every lab job shares, shipped into each guest as /lab/checks.sh by lab.sh; a job
# sets OUT (where checks.txt goes) and then sources it:
#   check NAME CMD [ARG...]   runs CMD; appends "PASS NAME" or "FAIL NAME" to $OUT/checks.txt
#                             (and prints it), counting into $passed and $failed
#   uptime_s                  seconds since the guest booted (from /proc/uptime)
#   wait_for FILE PATTERN SECONDS
#                             until FILE has a line matching PATTERN (grep); 1 after SECONDS
# busybox sh: POSIX only.

passed=0
failed=0

check() {
    name=$1
    shift
    if "$@"; then
        echo "PASS $name" | tee -a "$OUT/checks.txt"
        passed=$((passed + 1))
    else
        echo "FAIL $name" | tee -a "$OUT/checks.txt"
        failed=$((failed + 1))
    fi
}

uptime_s() {
    read -r up _ </proc/uptime
    echo "$up"
}

wait_for() {
    i=0
    while [ "$i" -lt $(($3 * 10)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
