#!/usr/bin/env bash
# Starts the vsockbench enclave from its EIF and records what nitro-cli reports; in debug mode
# it also captures the enclave's console from its first line.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
Usage: deploy/nitro/start-enclave.sh [--eif PATH] [--cpu-count N] [--memory MIB] [--cid CID]
                                     [--name NAME] [--debug-mode] [--timeout SECONDS]

Runs: nitro-cli run-enclave --eif-path EIF --cpu-count N --memory MIB --enclave-cid CID
      --enclave-name NAME [--debug-mode --attach-console]
and, once it succeeded, writes nitro-cli's answer to $NITRO_STATE_FILE
(stop-enclave.sh and wait-ready.sh read it). Prints the enclave ID on stdout.

In debug mode the console is captured from the start: run-enclave --attach-console runs in
the background, writing its answer and then the console to $NITRO_CONSOLE_LOG.
An enclave whose program fails at once (a wrong command in the image, a missing library)
still starts, because the enclave's init reports ready before it runs the program; the
console is the only place that says why it ended, and attaching it after run-enclave
returned would come too late. wait-ready.sh shows its last lines when the enclave is gone.

Refuses to start while the enclave recorded in $NITRO_STATE_FILE still runs
(stop-enclave.sh first), and never overwrites that record with a failed run.

Options (defaults from the environment, then these):
  --eif PATH      enclave image (default $NITRO_EIF)
  --cpu-count N   vCPUs for the enclave, whole cores (default $NITRO_CPU_COUNT)
  --memory MIB    memory for the enclave (default $NITRO_MEMORY_MIB)
  --cid CID       enclave CID, 4 to 4294967294 (default $NITRO_CID; the parent is 3)
  --name NAME     enclave name (default $NITRO_ENCLAVE_NAME)
  --debug-mode    debug mode, with the console captured as above; PCRs read as zeros, so
                  attestation-bound keys will not work; figures are unaffected
  --timeout SECONDS
                  how long run-enclave may take in debug mode (default 300)
  -h, --help      this text

CPUs and memory must fit in what the allocator reserved (deploy/nitro/allocator.yaml).
On failure it names nitro-cli's error code: 'nitro-cli explain --error-code E..' explains it.
USAGE
}

debug=0
timeout=300
while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --debug-mode) debug=1 ;;
        --eif | --cpu-count | --memory | --cid | --name | --timeout)
            nitro_need_value "$@"
            case $1 in
                --eif) NITRO_EIF=$2 ;;
                --cpu-count) NITRO_CPU_COUNT=$2 ;;
                --memory) NITRO_MEMORY_MIB=$2 ;;
                --cid) NITRO_CID=$2 ;;
                --name) NITRO_ENCLAVE_NAME=$2 ;;
                --timeout) timeout=$2 ;;
            esac
            shift
            ;;
        *) nitro_usage_error "unknown argument: $1" ;;
    esac
    shift
done

# nitro-cli (commands_parser.rs) takes the CID as a u64 and refuses anything above u32 max and
# VMADDR_CID_ANY (4294967295); 0-2 are reserved and 3 is the parent.
if ! [[ $NITRO_CID =~ ^[0-9]{1,10}$ ]] || ((10#$NITRO_CID < 4 || 10#$NITRO_CID > 4294967294)); then
    nitro_usage_error "--cid $NITRO_CID: give a number, 4 to 4294967294 (0-3 are reserved or the parent's, 4294967295 is VMADDR_CID_ANY, nitro-cli refuses more)"
fi
NITRO_CID=$((10#$NITRO_CID))
[[ $NITRO_CPU_COUNT =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--cpu-count must be a positive number"
[[ $NITRO_MEMORY_MIB =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--memory must be a positive number of MiB"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || nitro_usage_error "--timeout must be a positive number of seconds"
[[ -f $NITRO_EIF ]] || nitro_die "no EIF at $NITRO_EIF: run deploy/nitro/build-eif.sh first"
nitro_require_enclaves
mkdir -p "$NITRO_STATE_DIR"

# An enclave recorded by an earlier start that still runs: keep its record, start nothing.
if [[ -s $NITRO_STATE_FILE ]]; then
    recorded=$(nitro_json_string EnclaveID <"$NITRO_STATE_FILE")
    if [[ -n $recorded ]] && nitro-cli describe-enclaves 2>/dev/null | grep -qF "\"$recorded\""; then
        nitro_die "enclave $recorded (recorded in $NITRO_STATE_FILE) is still running: deploy/nitro/stop-enclave.sh first"
    fi
fi

# The enclaves running before this start: one listed afterwards with our CID and not here is
# the one this start made (a CID is unique on the instance).
listing() { nitro-cli describe-enclaves 2>/dev/null | nitro_enclaves; }
# A describe-enclaves that fails here would make every enclave look new (and end the script
# without a word under pipefail): said, before anything starts.
described=$(nitro-cli describe-enclaves 2>&1) || nitro_die "nitro-cli describe-enclaves failed before the start: ${described:-no output} (is the nitro-enclaves-allocator service up? README 'Troubleshooting')"
before_ids=$(nitro_enclaves <<<"$described" | cut -f1)
answer=$(mktemp "$NITRO_STATE_DIR/run-enclave.XXXXXX")
errors="$NITRO_STATE_DIR/run-enclave.err"
trap 'rm -f "$answer"' EXIT
run=(nitro-cli run-enclave --eif-path "$NITRO_EIF" --cpu-count "$NITRO_CPU_COUNT"
    --memory "$NITRO_MEMORY_MIB" --enclave-cid "$NITRO_CID" --enclave-name "$NITRO_ENCLAVE_NAME")
nitro_say "nitro-cli run-enclave: $NITRO_CPU_COUNT vCPUs, $NITRO_MEMORY_MIB MiB, CID $NITRO_CID$([[ $debug -eq 0 ]] || echo ', debug mode, console captured')"

console_pid=""
# On a failure after run-enclave ran: terminate the enclave it may have started anyway (its ID
# unread, so nothing records it and stop-enclave.sh would never stop it), and the console
# capture.
# With `reap wait` (run-enclave killed while still starting), the listing is looked at for 5 s
# more: an enclave nitro-cli registers after the first look would be left running, unrecorded.
reap() {
    [[ -z $console_pid ]] || kill "$console_pid" 2>/dev/null || true
    local id _pid cid _rest looks=1 reaped=0
    [[ ${1:-} != wait ]] || looks=11
    for ((look = 0; look < looks; look++)); do
        ((look == 0)) || sleep 0.5
        while IFS=$'\t' read -r id _pid cid _rest; do
            [[ -n $id && $cid == "$NITRO_CID" ]] || continue
            grep -qxF "$id" <<<"$before_ids" && continue
            nitro_say "terminating enclave $id (CID $cid), which this failed start left running"
            nitro-cli terminate-enclave --enclave-id "$id" >&2 || true
            reaped=1
        done < <(listing)
        ((reaped == 0)) || break
    done
}

failed() {
    reap
    cat "$errors" >&2
    local code
    code=$(nitro_error_code "$errors")
    if [[ -n $code ]]; then
        nitro_say "nitro-cli explain --error-code $code:"
        nitro-cli explain --error-code "$code" 2>&1 | sed 's/^/  /' >&2 || true
    fi
    nitro_die "run-enclave failed${code:+ ($code)}; $NITRO_STATE_FILE left as it was (README 'Troubleshooting')"
}

# An interrupt (Ctrl-C, a cancelled job) while run-enclave runs: the enclave it may have started
# is not recorded yet, so nothing else would ever stop it. Terminated here, with `reap wait`
# (run-enclave killed while starting may register it a moment later). Once it is recorded,
# the traps go: stop-enclave.sh stops it.
interrupted() {
    trap '' INT TERM
    nitro_say "interrupted while starting the enclave: terminating what this start began"
    reap wait
    nitro_say "$NITRO_STATE_FILE left as it was"
    exit "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

# An earlier run's console (stop-enclave.sh leaves it) must be gone before run-enclave starts:
# in debug mode, the answer is read from this file, and the background job below empties it
# only when it gets to open it, so the old answer could be read first.
rm -f "$NITRO_CONSOLE_LOG" "$NITRO_CONSOLE_PID"
if [[ $debug -eq 0 ]]; then
    "${run[@]}" >"$answer" 2>"$errors" || failed
else
    # --attach-console (which implies --debug-mode) prints the answer, then streams the console
    # until the enclave ends. Its output goes to a file, so that it never holds a caller's
    # pipe open ($(start-enclave.sh) returns as soon as the enclave runs).
    "${run[@]}" --debug-mode --attach-console >"$NITRO_CONSOLE_LOG" 2>"$errors" </dev/null &
    console_pid=$!
    # The answer is complete at its closing brace (pretty JSON, at indent 0).
    complete() { grep -qs '^}$' "$NITRO_CONSOLE_LOG"; }
    deadline=$((SECONDS + timeout))
    until complete; do
        if ! nitro_alive "$console_pid"; then
            complete && break
            failed
        fi
        if ((SECONDS >= deadline)); then
            reap wait
            nitro_die "run-enclave gave no answer within $timeout s (see $errors); 'nitro-cli describe-enclaves' shows whether an enclave started"
        fi
        sleep 0.2
    done
    awk '{ print } /^}$/ { exit }' "$NITRO_CONSOLE_LOG" >"$answer"
    printf '%s\n' "$console_pid" >"$NITRO_CONSOLE_PID"
fi

cat "$errors" >&2 # run-enclave's progress
id=$(nitro_json_string EnclaveID <"$answer")
[[ -n $id ]] || {
    cat "$answer" >&2
    reap
    nitro_die "run-enclave printed no EnclaveID; $NITRO_STATE_FILE left as it was"
}
# The ID is taken only when describe-enclaves lists it, or when it is new and the enclave has
# already ended (its program failed at once; wait-ready.sh then shows the console). In debug
# mode the run-enclave --attach-console job ends with the enclave: give it a few seconds.
# An enclave at our CID that is listed now and was not before, other than $id, is the one this
# start made: then the answer is someone else's.
listed() { listing | cut -f1 | grep -qxF "$id"; }
other_new() { listing | awk -F '\t' -v id="$id" -v cid="$NITRO_CID" '$1 != id && $3 == cid { print $1 }' | grep -vxF -f <(printf '%s\n' "$before_ids") | grep -q .; }
verdict=""
for ((check = 0; check < 15; check++)); do
    if listed; then
        verdict=running
        break
    fi
    if grep -qxF "$id" <<<"$before_ids" || other_new; then
        break
    elif [[ $debug -eq 0 ]] || ! nitro_alive "$console_pid"; then
        if listed; then verdict=running; elif ! other_new; then verdict=ended; fi
        break
    fi
    sleep 0.2
done
if [[ -z $verdict ]]; then
    cat "$answer" >&2
    reap
    nitro_die "run-enclave's answer names enclave $id, which describe-enclaves does not list as a new enclave; $NITRO_STATE_FILE left as it was"
fi
[[ $verdict == running ]] || nitro_say "note: enclave $id has already ended (its program exited?): wait-ready.sh shows why"
cid=$(nitro_json_number EnclaveCID <"$answer")
name=$(nitro_json_string EnclaveName <"$answer")
mv "$answer" "$NITRO_STATE_FILE"
trap - EXIT INT TERM
[[ $name == "$NITRO_ENCLAVE_NAME" ]] ||
    nitro_say "note: nitro-cli named it $name ($NITRO_ENCLAVE_NAME is taken by another enclave); use its ID"
nitro_say "enclave $id $([[ $verdict == running ]] && echo running || echo 'started, and ended'), CID ${cid:-?}; state in $NITRO_STATE_FILE$([[ $debug -eq 0 ]] || echo "; console in $NITRO_CONSOLE_LOG")"
printf '%s\n' "$id"
