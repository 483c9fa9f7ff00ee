#!/usr/bin/env bash
# Waits until vsockbench serve inside the enclave answers on vsock, with a bounded number of
# tries.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/wait-ready.sh [--cid CID] [--port PORT] [--tries N] [--interval SECONDS]
                                  [--check socat|vsockbench]

Tries up to N times (default 30), SECONDS apart (default 2), and exits 0 at the first answer,
1 when the target never answered. An enclave usually answers 5-15 s after run-enclave.

Checks:
  socat       (default) a vsock connect to CID:PORT that the target accepts:
              socat -u /dev/null VSOCK-CONNECT:CID:PORT. Proves the listener is up; the
              target logs one connection closed before its hello, which is harmless.
  vsockbench  one 64-byte request/response through the real protocol:
              vsockbench run deploy/nitro/ready.yaml --target vsock://CID:PORT
USAGE
}

tries=30
interval=2
check=socat
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --cid | --port | --tries | --interval | --check)
            nitro_need_value "$@"
            case $1 in
                --cid) NITRO_CID=$2 ;;
                --port) NITRO_PORT=$2 ;;
                --tries) tries=$2 ;;
                --interval) interval=$2 ;;
                --check) check=$2 ;;
            esac
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done
[[ $tries =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--tries must be a positive number"
[[ $interval =~ ^[0-9]+([.][0-9]+)?$ ]] || nitro_usage_error "--interval must be a number of seconds"

case $check in
    socat)
        nitro_require socat "install socat (it has VSOCK-CONNECT)"
        probe() { timeout 5 socat -u /dev/null "VSOCK-CONNECT:$NITRO_CID:$NITRO_PORT" 2>/dev/null; }
        ;;
    vsockbench)
        vsockbench=$(nitro_vsockbench)
        probe() {
            timeout 30 "$vsockbench" run "$NITRO_KIT_DIR/ready.yaml" \
                --target "vsock://$NITRO_CID:$NITRO_PORT" >/dev/null 2>&1
        }
        ;;
    *) nitro_usage_error "--check must be socat or vsockbench" ;;
esac

for ((try = 1; try <= tries; try++)); do
    if probe; then
        nitro_say "vsock://$NITRO_CID:$NITRO_PORT answered ($check, try $try)"
        exit 0
    fi
    sleep "$interval"
done
nitro_die "vsock://$NITRO_CID:$NITRO_PORT did not answer after $tries tries ($check); with --debug-mode, 'nitro-cli console --enclave-name $NITRO_ENCLAVE_NAME' shows why"
