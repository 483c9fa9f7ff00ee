# shellcheck shell=bash
# The command line and the skip rule the lab's host-side tests share (test-bench.sh,
# test-observe.sh); sourced after they set `binary` to its default:
#   lab_test_parse SCRIPT HELP_END ARG...   reads --binary PATH, --keep DIR, --result DIR into
#                                           binary, keep and result; --help prints the script's
#                                           header (lines 2 to HELP_END); anything else exits 2
#   lab_test_skip WHAT REASON               skips with the reason (exit 0), or fails (exit 1)
#                                           under CI=true or VSOCKBENCH_LAB_REQUIRE=1

keep=""
result=""

# shellcheck disable=SC2034 # binary, keep and result are the sourcing script's
lab_test_parse() {
    local script=$1 help_end=$2
    shift 2
    while [[ $# -gt 0 ]]; do
        case $1 in
            --binary | --keep | --result)
                [[ $# -ge 2 ]] || {
                    echo "$script: $1 needs a value" >&2
                    exit 2
                }
                case $1 in
                    --binary) binary=$2 ;;
                    --keep) keep=$2 ;;
                    --result) result=$2 ;;
                esac
                shift 2
                ;;
            -h | --help)
                sed -n "2,${help_end}p" "${BASH_SOURCE[1]}" | sed 's/^# \{0,1\}//'
                exit 0
                ;;
            *)
                echo "$script: unknown argument $1 (see --help)" >&2
                exit 2
                ;;
        esac
    done
}

lab_test_skip() {
    if [[ ${CI:-} == true || ${VSOCKBENCH_LAB_REQUIRE:-} == 1 ]]; then
        echo "$1: cannot run: $2" >&2
        exit 1
    fi
    echo "$1: skipped: $2"
    exit 0
}
