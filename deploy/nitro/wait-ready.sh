#!/usr/bin/env bash
# Waits until vsockbench serve inside the enclave answers on vsock, with a bounded number of
# tries; fails at once, with the console's last lines, when the enclave is gone.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/wait-ready.sh [--cid CID] [--port PORT] [--tries N] [--interval SECONDS]
                                  [--check socat|vsockbench] [--enclave-id ID]

Tries up to N times (default 30), SECONDS apart (default 2), and exits 0 at the first answer,
1 when the target never answered or the enclave is gone. An enclave usually answers 5-15 s
after run-enclave.

Each try that gets no answer also runs 'nitro-cli describe-enclaves': when the enclave is no
longer listed (its program exited, so the enclave ended), it stops there and shows the last
lines of the console that start-enclave.sh --debug-mode captured ($NITRO_CONSOLE_LOG).
The enclave is --enclave-id, else the one recorded in $NITRO_STATE_FILE
when it has CID CID and is listed, else whichever enclave has CID CID.

Checks:
  socat       (default) a connect to the target that it accepts:
              socat -u /dev/null VSOCK-CONNECT:CID:PORT. Proves the listener is up; the
              target logs nothing for it at its default level (at --log-level debug:
              "accepted" and "closed before hello", which is harmless).
  vsockbench  one 64-byte request/response through the real protocol:
              vsockbench run deploy/nitro/ready.yaml --target vsock://CID:PORT
The target is vsock://CID:PORT unless NITRO_TARGET says otherwise (a test seam).
USAGE
}

tries=30
interval=2
check=socat
enclave_id=""
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --cid | --port | --tries | --interval | --check | --enclave-id)
            nitro_need_value "$@"
            case $1 in
                --cid) NITRO_CID=$2 ;;
                --port) NITRO_PORT=$2 ;;
                --tries) tries=$2 ;;
                --interval) interval=$2 ;;
                --check) check=$2 ;;
                --enclave-id) enclave_id=$2 ;;
            esac
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done
[[ $tries =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--tries must be a positive number"
[[ $interval =~ ^[0-9]+([.][0-9]+)?$ ]] || nitro_usage_error "--interval must be a number of seconds"
target=$(nitro_target)

case $check in
    socat)
        nitro_require socat "install socat (it has VSOCK-CONNECT)"
        address=$(nitro_socat_address "$target") || nitro_usage_error "cannot probe $target with socat"
        probe() { timeout 5 socat -u /dev/null "$address" 2>/dev/null; }
        ;;
    vsockbench)
        vsockbench=$(nitro_vsockbench)
        probe() {
            timeout 30 "$vsockbench" run "$NITRO_KIT_DIR/ready.yaml" --target "$target" >/dev/null 2>&1
        }
        ;;
    *) nitro_usage_error "--check must be socat or vsockbench" ;;
esac
nitro_require_enclaves
# The recorded enclave only when it is the one at this CID and still listed: the record stays
# when an enclave ended by itself (stop-enclave.sh never ran), and then an enclave started by
# hand at --cid is the one to wait for, not the record's.
if [[ -z $enclave_id && -s $NITRO_STATE_FILE ]]; then
    recorded=$(nitro_json_string EnclaveID <"$NITRO_STATE_FILE")
    if [[ -n $recorded && $(nitro_json_number EnclaveCID <"$NITRO_STATE_FILE") == "$NITRO_CID" ]] &&
        nitro-cli describe-enclaves 2>/dev/null | nitro_enclaves | cut -f1 | grep -qxF "$recorded"; then
        enclave_id=$recorded
    fi
fi
which="${enclave_id:-with CID $NITRO_CID}"

# Prints the enclave's state (RUNNING, TERMINATING), "gone", or "unknown" when nitro-cli
# could not say.
enclave_state() {
    local listing
    listing=$(nitro-cli describe-enclaves 2>/dev/null) || {
        echo unknown
        return 0
    }
    nitro_enclaves <<<"$listing" | awk -F '\t' -v id="$enclave_id" -v cid="$NITRO_CID" '
        (id != "" && $1 == id) || (id == "" && $3 == cid) { print $4; found = 1; exit }
        END { if (!found) print "gone" }'
}

for ((try = 1; try <= tries; try++)); do
    if probe; then
        nitro_say "$target answered ($check, try $try)"
        exit 0
    fi
    state=$(enclave_state)
    if [[ $state == gone || $state == TERMINATING ]]; then
        nitro_console_tail 20 >&2
        nitro_die "enclave $which is $([[ $state == gone ]] && echo 'no longer running' || echo 'terminating') (try $try of $tries, before $target answered): its program exited or never started; the console above says why"
    fi
    [[ $state != unknown ]] || nitro_say "try $try: nitro-cli describe-enclaves failed; trying on"
    sleep "$interval"
done
nitro_console_tail 20 >&2
nitro_die "$target did not answer after $tries tries ($check) although enclave $which is running: is the image's command listening on port $NITRO_PORT?"
