#!/usr/bin/env bash
# Starts the vsockbench enclave from its EIF and records what nitro-cli reports.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/start-enclave.sh [--eif PATH] [--cpu-count N] [--memory MIB] [--cid CID]
                                     [--name NAME] [--debug-mode]

Runs: nitro-cli run-enclave --eif-path EIF --cpu-count N --memory MIB --enclave-cid CID
      --enclave-name NAME [--debug-mode]
and writes nitro-cli's answer to $NITRO_STATE_DIR/enclave.json (stop-enclave.sh reads it).
Prints the enclave ID on stdout.

Options (defaults from the environment, then these):
  --eif PATH      enclave image (default $NITRO_EIF)
  --cpu-count N   vCPUs for the enclave, whole cores (default $NITRO_CPU_COUNT)
  --memory MIB    memory for the enclave (default $NITRO_MEMORY_MIB)
  --cid CID       enclave CID, 4 or more (default $NITRO_CID; the parent is 3)
  --name NAME     enclave name (default $NITRO_ENCLAVE_NAME)
  --debug-mode    debug mode: 'nitro-cli console' shows the enclave's output, but PCRs read
                  as zeros, so attestation-bound keys will not work; figures are unaffected
  -h, --help      this text

CPUs and memory must fit in what the allocator reserved (deploy/nitro/allocator.yaml).
USAGE
}

debug=()
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --debug-mode) debug=(--debug-mode) ;;
        --eif | --cpu-count | --memory | --cid | --name)
            nitro_need_value "$@"
            case $1 in
                --eif) NITRO_EIF=$2 ;;
                --cpu-count) NITRO_CPU_COUNT=$2 ;;
                --memory) NITRO_MEMORY_MIB=$2 ;;
                --cid) NITRO_CID=$2 ;;
                --name) NITRO_ENCLAVE_NAME=$2 ;;
            esac
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done

[[ $NITRO_CID =~ ^[0-9]+$ && $NITRO_CID -ge 4 ]] || nitro_usage_error "--cid must be a number, 4 or more"
[[ $NITRO_CPU_COUNT =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--cpu-count must be a positive number"
[[ $NITRO_MEMORY_MIB =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--memory must be a positive number of MiB"
[[ -f $NITRO_EIF ]] || nitro_die "no EIF at $NITRO_EIF: run deploy/nitro/build-eif.sh first"
nitro_require_cli

mkdir -p "$NITRO_STATE_DIR"
state="$NITRO_STATE_DIR/enclave.json"
nitro_say "nitro-cli run-enclave: $NITRO_CPU_COUNT vCPUs, $NITRO_MEMORY_MIB MiB, CID $NITRO_CID${debug:+, debug mode}"
if ! nitro-cli run-enclave --eif-path "$NITRO_EIF" --cpu-count "$NITRO_CPU_COUNT" \
    --memory "$NITRO_MEMORY_MIB" --enclave-cid "$NITRO_CID" --enclave-name "$NITRO_ENCLAVE_NAME" \
    "${debug[@]}" >"$state"; then
    cat "$state" >&2
    nitro_die "run-enclave failed (allocator too small? 'nitro-cli explain E..' names the error; README 'Troubleshooting')"
fi
id=$(nitro_json_string EnclaveID <"$state")
cid=$(nitro_json_number EnclaveCID <"$state")
[[ -n $id ]] || nitro_die "run-enclave printed no EnclaveID (see $state)"
nitro_say "enclave $id running, CID ${cid:-?}; state in $state"
printf '%s\n' "$id"
