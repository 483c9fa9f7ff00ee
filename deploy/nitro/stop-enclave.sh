#!/usr/bin/env bash
# Terminates the vsockbench enclave, then checks with describe-enclaves that it is gone. Safe
# to call when it is not running.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/stop-enclave.sh [--enclave-id ID | --all]

Runs nitro-cli terminate-enclave for the enclave start-enclave.sh recorded in
$NITRO_STATE_FILE (or the given ID; --all terminates every enclave on this
instance), then runs 'nitro-cli describe-enclaves' again and fails when the enclave (with
--all: any enclave) is still listed, naming who owns it. terminate-enclave's own exit status
is not trusted: with --all, nitro-cli accepts an enclave's refusal (only the user who
started an enclave, or root, may terminate it) as a success.

Exits 0 when nothing is left running (also when there was nothing to stop), 1 otherwise.
USAGE
}

target=()
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --all) target=(--all) ;;
        --enclave-id)
            nitro_need_value "$@"
            target=(--enclave-id "$2")
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done

nitro_require_enclaves
recorded=""
[[ ! -s $NITRO_STATE_FILE ]] || recorded=$(nitro_json_string EnclaveID <"$NITRO_STATE_FILE")
if [[ ${#target[@]} -eq 0 ]]; then
    if [[ -z $recorded ]]; then
        nitro_say "no enclave recorded in $NITRO_STATE_FILE: nothing to stop"
        exit 0
    fi
    target=(--enclave-id "$recorded")
fi

# The enclaves this call is about, one line each (see nitro_enclaves), from describe-enclaves.
concerned() {
    local listing
    listing=$(nitro-cli describe-enclaves) ||
        nitro_die "nitro-cli describe-enclaves failed: cannot tell what is running"
    if [[ ${target[0]} == --all ]]; then
        nitro_enclaves <<<"$listing"
    else
        nitro_enclaves <<<"$listing" | awk -F '\t' -v id="${target[1]}" '$1 == id'
    fi
}

# Once the recorded enclave is gone: forget it, and end the console capture start-enclave.sh
# started for it (it ends by itself with the enclave; wait a little, then stop it). While the
# recorded enclave runs (another --enclave-id was stopped, or one that is not running), both
# are left alone, and so they are when describe-enclaves cannot tell.
forget() {
    local ids
    ids=$(concerned_ids) || return 0
    if [[ -n $recorded ]]; then
        ! grep -qxF "$recorded" <<<"$ids" || return 0
        rm -f "$NITRO_STATE_FILE"
    fi
    [[ -s $NITRO_CONSOLE_PID ]] || return 0
    local pid tries
    pid=$(cat "$NITRO_CONSOLE_PID")
    for ((tries = 0; tries < 25; tries++)); do
        nitro_alive "$pid" || break
        sleep 0.2
    done
    if nitro_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'nitro-cli'; then
        kill "$pid" 2>/dev/null || true
    fi
    rm -f "$NITRO_CONSOLE_PID"
}
concerned_ids() { nitro-cli describe-enclaves 2>/dev/null | nitro_enclaves | cut -f1; }

before=$(concerned)
if [[ -z $before ]]; then
    nitro_say "nothing to stop: $([[ ${target[0]} == --all ]] && echo 'no enclave is running' || echo "enclave ${target[1]} is not running")"
    forget
    exit 0
fi

nitro_say "nitro-cli terminate-enclave ${target[*]}"
status=0
nitro-cli terminate-enclave "${target[@]}" >&2 || status=$?

# Check, whatever terminate-enclave said. An enclave still TERMINATING gets a few seconds.
left=""
for ((check = 0; check < 20; check++)); do
    left=$(concerned)
    grep -q $'\tTERMINATING\t' <<<"$left" || break
    sleep 0.5
done
if [[ -z $left ]]; then
    [[ $status -eq 0 ]] || nitro_say "terminate-enclave exited $status, but nothing is left running"
    forget
    nitro_say "stopped: describe-enclaves lists $([[ ${target[0]} == --all ]] && echo 'no enclave' || echo "no ${target[1]}")"
    exit 0
fi

while IFS=$'\t' read -r id pid cid state _ name; do
    owner=$(nitro_process_owner "$pid")
    nitro_say "still running: enclave $id (name ${name:-?}, CID $cid, $state), its process $pid owned by $owner"
    nitro_say "  only that user or root may terminate it: sudo nitro-cli terminate-enclave --enclave-id $id"
done <<<"$left"
nitro_die "terminate-enclave ${target[*]} exited $status but left $(wc -l <<<"$left") enclave(s) running (listed above)"
