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
# Test seams (scripts/test-nitro-kit.sh runs the kit under a fake nitro-cli with them; leave
# them unset on a Nitro instance):
#   NITRO_TARGET  the endpoint the parent drives instead of vsock://NITRO_CID:NITRO_PORT (the
#                 fake enclave listens on a Unix socket standing in for vsock)
#   NITRO_DEVICE  the device that proves this is an enclave-enabled instance
: "${NITRO_DEVICE:=/dev/nitro_enclaves}"

# Where start-enclave.sh keeps what it learnt about the enclave it started.
NITRO_STATE_FILE="$NITRO_STATE_DIR/enclave.json"      # run-enclave's JSON answer
NITRO_CONSOLE_LOG="$NITRO_STATE_DIR/console.log"      # run-enclave --attach-console output
NITRO_CONSOLE_PID="$NITRO_STATE_DIR/console.pid"      # the process writing it

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

# nitro-cli itself; build-enclave needs nothing more (it talks to docker, not to the device).
nitro_require_cli() {
    nitro_require nitro-cli "install aws-nitro-enclaves-cli (see deploy/nitro/README.md, step 2)"
}

# What run-enclave, describe-enclaves and terminate-enclave need: nitro-cli and the device.
nitro_require_enclaves() {
    nitro_require_cli
    [[ -e $NITRO_DEVICE ]] ||
        nitro_die "$NITRO_DEVICE is missing: this is not a Nitro Enclaves-enabled instance (README step 1)"
}

# The endpoint the parent drives: vsock://CID:PORT, or NITRO_TARGET (test seam).
nitro_target() {
    printf '%s\n' "${NITRO_TARGET:-vsock://$NITRO_CID:$NITRO_PORT}"
}

# socat's address for an endpoint: vsock://C:P, unix:///path or tcp://HOST:PORT.
nitro_socat_address() {
    local endpoint=$1
    case $endpoint in
        vsock://*) printf 'VSOCK-CONNECT:%s\n' "${endpoint#vsock://}" ;;
        unix://*) printf 'UNIX-CONNECT:%s\n' "${endpoint#unix://}" ;;
        tcp://*) printf 'TCP:%s\n' "${endpoint#tcp://}" ;;
        *) return 1 ;;
    esac
}

# Prints the string value of KEY from nitro-cli's JSON output on stdin (nitro-cli prints
# pretty JSON, one key per line; this avoids a jq dependency).
nitro_json_string() {
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

nitro_json_number() {
    sed -n "s/.*\"$1\": *\\([0-9][0-9]*\\).*/\\1/p" | head -n 1
}

# Reads `nitro-cli describe-enclaves` (or run-enclave) JSON on stdin and prints one line per
# enclave: ID, ProcessID, CID, State, Flags and name, tab-separated. nitro-cli prints each
# enclave as a pretty JSON object whose closing brace is at indent 0 (run-enclave) or 2
# (an element of describe-enclaves' array); nested objects (Measurements) are deeper.
nitro_enclaves() {
    awk '
        function value(line) {
            sub(/^[^:]*: */, "", line); sub(/,$/, "", line); gsub(/"/, "", line)
            return line
        }
        /^ *"EnclaveID":/ { id = value($0) }
        /^ *"EnclaveName":/ { name = value($0) }
        /^ *"ProcessID":/ { pid = value($0) }
        /^ *"EnclaveCID":/ { cid = value($0) }
        /^ *"State":/ { state = value($0) }
        /^ *"Flags":/ { flags = value($0) }
        /^(  )?},?$/ {
            if (id != "") printf "%s\t%s\t%s\t%s\t%s\t%s\n", id, pid, cid, state, flags, name
            id = name = pid = cid = state = flags = ""
        }'
}

# Whether a process runs; a zombie does not (an orphan can wait a while for PID 1 to reap it,
# and kill -0 still finds it until then).
nitro_alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# Who runs a process: "user (uid N)", or "unknown" when the process is not visible.
nitro_process_owner() {
    local pid=$1 user uid
    user=$(ps -o user= -p "$pid" 2>/dev/null | tr -d ' ') || true
    uid=$(ps -o uid= -p "$pid" 2>/dev/null | tr -d ' ') || true
    if [[ -n $user ]]; then
        printf '%s (uid %s)\n' "$user" "$uid"
    else
        printf 'unknown (ProcessID %s is not visible here)\n' "$pid"
    fi
}

# The last lines of the console start-enclave.sh captured (without run-enclave's JSON, which
# comes first in that file), or why there are none.
nitro_console_tail() {
    local lines=${1:-20}
    if [[ ! -s $NITRO_CONSOLE_LOG ]]; then
        echo "(no console captured: start the enclave with --debug-mode; start-enclave.sh then"
        echo " captures it from the first line into $NITRO_CONSOLE_LOG)"
        return 0
    fi
    echo "last lines of the enclave console ($NITRO_CONSOLE_LOG):"
    if grep -q '^}$' "$NITRO_CONSOLE_LOG"; then
        awk 'body { print; next } /^}$/ { body = 1 }' "$NITRO_CONSOLE_LOG"
    else
        cat "$NITRO_CONSOLE_LOG"
    fi | tail -n "$lines" | sed 's/^/  | /'
}

# The first nitro-cli error code (E..) in a file of its stderr, if any.
nitro_error_code() {
    grep -oE '\[ E[0-9]+ \]' "$1" 2>/dev/null | head -n 1 | tr -d '[] '
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
