#!/usr/bin/env bash
# Runs vsockbench over real AF_VSOCK in the lab VM (what `make vsock-lab` does): boots the lab
# with jobs/vsockbench.sh, which runs scenarios/lab.yaml with the probe against a target on
# CID 1 and checks the transport behaviours, then prints the vsock packets each message cost,
# by op. Results stay in DIR (default lab-results/): lab.json, doctor.json, behaviours/,
# vsock-per-msg.txt, checks.txt, _lab/.
#
# Timing under TCG (emulated CPU) is not representative: the counts are what the lab is for.
# Usage: scripts/vsock-lab/bench.sh [--binary PATH] [--out DIR] [--timeout SECONDS]
#   --binary   a release vsockbench (default .build/release/vsockbench; build it with
#              swift build -c release --static-swift-stdlib --product vsockbench); a stripped
#              copy goes into the guest
#   --out      where the results land (default lab-results in the repository; a relative DIR
#              is from the current directory; an earlier lab result there is replaced)
#   --timeout  the lab's hard limit for the guest run (default 420)
# Exit status: the job's (0 when the run and every guest-side check passed), or lab.sh's own
# (64 usage, 69 prerequisite missing, 70 no boot, 75 timeout, 76 damaged result, 130/143
# interrupted); 64 for bench.sh's own usage errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/wrapper.sh
. "$here/lib/wrapper.sh"
binary=$root/.build/release/vsockbench
out=$root/lab-results
timeout=420
while [[ $# -gt 0 ]]; do
    case $1 in
        --binary | --out | --timeout)
            [[ $# -ge 2 ]] || {
                echo "bench.sh: $1 needs a value" >&2
                exit 64
            }
            case $1 in
                --binary) binary=$2 ;;
                --out) out=$2 ;;
                --timeout) timeout=$2 ;;
            esac
            shift 2
            ;;
        -h | --help)
            sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "bench.sh: unknown argument $1 (see --help)" >&2
            exit 64
            ;;
    esac
done

if [[ ! -x $binary ]]; then
    echo "bench.sh: no vsockbench at $binary: swift build -c release --static-swift-stdlib --product vsockbench" >&2
    exit 69
fi

# A stripped copy: a third of the size, so the initramfs is smaller and boots faster under TCG.
stage=$(mktemp -d "${TMPDIR:-/tmp}/vsock-lab-bench.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/vsockbench"
if command -v strip >/dev/null; then
    strip "$stage/vsockbench"
fi

echo "vsock-lab: vsockbench over real AF_VSOCK (CID 1, vsock_loopback) in a QEMU guest."
echo "vsock-lab: the guest CPU is emulated (TCG): timings (Mbps, latency) are NOT representative;"
echo "vsock-lab: the counts (vsock packets by op, credit updates, syscalls per message) are."
# lab.sh runs from the repository root (for its --include paths): --out must not move with it.
[[ $out == /* ]] || out=$PWD/$out
status=0
lab_wrapped "$root" "$here/lab.sh" --job "$here/jobs/vsockbench.sh" --out "$out" --force \
    --binary "$stage/vsockbench" --include scenarios/lab.yaml \
    --include scripts/vsock-lab/scenarios/behaviours.yaml:scenarios/behaviours.yaml \
    --timeout "$timeout" || status=$?
# Interrupted (Ctrl-C, SIGTERM, SIGHUP): lab.sh stopped the guest before its /out came back,
# so DIR holds at most _lab/'s console and QEMU files; no summary, no results to list.
if lab_interrupted "$status" && [[ ! -s $out/_lab/summary.json ]]; then
    echo "bench.sh: interrupted (exit $status); nothing came back from the guest" >&2
    exit "$status"
fi
# lab.sh stopped before it made DIR/_lab (usage, a missing prerequisite): its own message
# said why; its status is bench.sh's.
if [[ ! -d $out/_lab ]]; then
    echo "bench.sh: the lab brought no result back (lab.sh exit $status)" >&2
    exit $((status == 0 ? 1 : status))
fi

# One row per case: packets per message by op. On loopback both ends live in one kernel, so
# alloc_pkt (tx) sees every packet once, sent by either end; recv_pkt (rx) sees the same
# packets again. The table counts tx only, as the probe's "vsock pkts/msg" column above does
# on loopback (ProbeCounters.loopbackBasis): each packet once in both.
per_msg_table() {
    jq -n -r '
        def f2: (. * 100 | round) as $c | "\($c / 100 | floor).\($c % 100 | tostring | if length < 2 then "0" + . else . end)";
        def per($n; $m): if $m > 0 then ($n / $m | f2) else "-" end;
        ["case", "msgs", "RW", "CREDIT_UPDATE", "CREDIT_REQUEST", "other", "RW bytes/pkt", "syscalls", "verified"],
        (inputs | .cases[] | select(.probe.counters.vsock != null) |
            .messages as $m | .probe.counters.vsock.tx as $tx |
            def op($o): ($tx[$o].packets // 0);
            [.name, $m, per(op("RW"); $m), per(op("CREDIT_UPDATE"); $m), per(op("CREDIT_REQUEST"); $m),
             per(op("REQUEST") + op("RESPONSE") + op("SHUTDOWN") + op("RST"); $m),
             (if op("RW") > 0 then ($tx.RW.bytes / op("RW") | floor) else "-" end),
             (.probe.per_msg.syscalls // "-" | if type == "number" then f2 else . end),
             (if .verified then "yes" else "NO" end)])
        | @tsv' "$@" | align
}

# Left-aligns the first column of tab-separated rows, right-aligns the others.
align() {
    awk -F'\t' '{ rows[NR] = $0; for (i = 1; i <= NF; i++) if (length($i) > w[i]) w[i] = length($i) }
        END { for (r = 1; r <= NR; r++) { n = split(rows[r], f, "\t"); line = sprintf("%-" w[1] "s", f[1])
            for (i = 2; i <= n; i++) line = line sprintf("  %" w[i] "s", f[i]); print line } }'
}

# per_msg_table_of FILE...: the table of the files that exist, a line naming each missing one
# (the job's checks say why it is missing).
per_msg_table_of() {
    local f
    local -a present=()
    for f in "$@"; do
        if [[ -s $f ]]; then present+=("$f"); else echo "(no ${f#"$out"/}: see the guest checks below)"; fi
    done
    [[ ${#present[@]} -eq 0 ]] || per_msg_table "${present[@]}"
}

# The table is for reading only: a missing or unreadable JSON must not end the script before
# the guest checks and the job's status are reported.
if [[ -s $out/lab.json ]] && command -v jq >/dev/null; then
    if ! {
        echo
        echo "vsock packets per message, by op (probe: vsock/virtio_transport_alloc_pkt, each packet once;"
        echo "both ends are in this guest; syscalls are the driver's own, per message)"
        per_msg_table_of "$out/lab.json"
        echo
        echo "behaviour cases (vsock_buffer_size 64KiB, 1 MiB messages)"
        per_msg_table_of "$out/behaviours/vsock-buffer-64k.json" "$out/behaviours/rr-1m.json"
    } | tee "$out/vsock-per-msg.txt"; then
        echo "bench.sh: the per-op table is incomplete (jq could not read a result file)" >&2
    fi
elif [[ -s $out/lab.json ]]; then
    echo "bench.sh: jq not found: the per-op table is skipped (apt-get install jq); the figures are in $out/lab.json"
fi

echo
if [[ -s $out/checks.txt ]]; then
    echo "guest checks: $(grep -c '^PASS' "$out/checks.txt") passed, $(grep -c '^FAIL' "$out/checks.txt") failed"
    grep '^FAIL' "$out/checks.txt" || true
fi
# Only what is there: a run that failed in the guest brings back part of it.
results=()
for item in "lab.json (run)" "doctor.json (doctor in the guest)" "behaviours/" "checks.txt" \
    "vsock-per-msg.txt" "_lab/ (console, timings)"; do
    [[ ! -e $out/${item%% *} ]] || results+=("$out/$item")
done
if [[ ${#results[@]} -gt 0 ]]; then
    printf 'results: %s\n' "${results[0]}"
    [[ ${#results[@]} -eq 1 ]] || printf '         %s\n' "${results[@]:1}"
fi
echo "timing under TCG is emulated and not representative: read the counts, not the Mbps."
exit "$status"
