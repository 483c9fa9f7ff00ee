#!/usr/bin/env bash
# Terminates the vsockbench enclave. Safe to call when it is not running.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/stop-enclave.sh [--enclave-id ID | --all]

Runs nitro-cli terminate-enclave for the enclave start-enclave.sh recorded in
$NITRO_STATE_DIR/enclave.json (or the given ID; --all terminates every enclave on this
instance). Exits 0 when there is nothing to stop.
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

nitro_require_cli
state="$NITRO_STATE_DIR/enclave.json"
if [[ ${#target[@]} -eq 0 ]]; then
    id=""
    [[ ! -f $state ]] || id=$(nitro_json_string EnclaveID <"$state")
    if [[ -z $id ]]; then
        nitro_say "no enclave recorded in $state: nothing to stop"
        exit 0
    fi
    target=(--enclave-id "$id")
fi

running=$(nitro-cli describe-enclaves)
if ! grep -q '"EnclaveID"' <<<"$running" ||
    { [[ ${target[0]} == --enclave-id ]] && ! grep -qF "\"${target[1]}\"" <<<"$running"; }; then
    nitro_say "nothing to stop: no such enclave is running"
    rm -f "$state"
    exit 0
fi
nitro_say "nitro-cli terminate-enclave ${target[*]}"
if nitro-cli terminate-enclave "${target[@]}" >&2; then
    rm -f "$state"
else
    nitro_die "terminate-enclave failed; 'nitro-cli describe-enclaves' shows what is still running"
fi
