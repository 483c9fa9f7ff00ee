# shellcheck shell=bash
# shellcheck disable=SC2034 # the NITRO_* settings are read by the scripts that source this file
# Shared settings and helpers of the Nitro kit. Every setting can be overridden from the
# environment; the scripts' options override both.

NITRO_KIT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NITRO_REPO_ROOT=$(cd "$NITRO_KIT_DIR/../.." && pwd)

: "${NITRO_STATE_DIR:=$NITRO_REPO_ROOT/.build/nitro}"          # build outputs and enclave state
: "${NITRO_BINARY:=$NITRO_REPO_ROOT/.build/release/vsockbench}" # release build, static Swift stdlib
: "${NITRO_IMAGE:=vsockbench-enclave:latest}"                  # docker image the EIF is built from
: "${NITRO_EIF:=$NITRO_STATE_DIR/vsockbench.eif}"
: "${NITRO_ENCLAVE_NAME:=vsockbench}"
: "${NITRO_CID:=16}"         # enclave CID; the parent is always 3
: "${NITRO_PORT:=5005}"      # vsockbench serve --listen vsock://any:5005 in the image
: "${NITRO_CPU_COUNT:=4}"    # at most allocator.yaml's cpu_count
: "${NITRO_MEMORY_MIB:=4096}" # at most allocator.yaml's memory_mib

nitro_prog() { basename "$0" .sh; }

nitro_say() { printf '%s: %s\n' "$(nitro_prog)" "$*" >&2; }

nitro_die() {
    printf '%s: error: %s\n' "$(nitro_prog)" "$*" >&2
    exit 1
}

nitro_usage_error() {
    printf '%s: %s (see --help)\n' "$(nitro_prog)" "$*" >&2
    exit 2
}

nitro_need_value() {
    [[ $# -ge 2 && -n $2 ]] || nitro_usage_error "$1 needs a value"
}

nitro_require() {
    local cmd=$1 hint=$2
    command -v "$cmd" >/dev/null 2>&1 || nitro_die "'$cmd' not found: $hint"
}

nitro_require_cli() {
    nitro_require nitro-cli "install aws-nitro-enclaves-cli (see deploy/nitro/README.md, step 2)"
    [[ -e /dev/nitro_enclaves ]] ||
        nitro_die "/dev/nitro_enclaves is missing: this is not a Nitro Enclaves-enabled instance (README step 1)"
}

# Prints the string value of KEY from nitro-cli's JSON output on stdin (nitro-cli prints one
# key per line; this avoids a jq dependency).
nitro_json_string() {
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

nitro_json_number() {
    sed -n "s/.*\"$1\": *\\([0-9][0-9]*\\).*/\\1/p" | head -n 1
}

# The vsockbench used on the parent: NITRO_VSOCKBENCH, else the release build, else PATH.
nitro_vsockbench() {
    if [[ -n ${NITRO_VSOCKBENCH:-} ]]; then
        printf '%s\n' "$NITRO_VSOCKBENCH"
    elif [[ -x $NITRO_BINARY ]]; then
        printf '%s\n' "$NITRO_BINARY"
    elif command -v vsockbench >/dev/null 2>&1; then
        command -v vsockbench
    else
        nitro_die "no vsockbench binary: run deploy/nitro/build-eif.sh (it builds $NITRO_BINARY) or set NITRO_VSOCKBENCH"
    fi
}
