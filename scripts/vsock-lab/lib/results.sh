# shellcheck shell=bash
# shellcheck disable=SC2034 # the LAB_* variables set here are read by lab.sh
# Reads the guest's serial console: relays the job's output live, then extracts and checks
# the framed result (see lib/init.sh for the framing).

# lab_console_relay TAG RAW_LOG EVENTS_FILE SHOW_CONSOLE: filter on qemu's stdout.
# Writes every console line to RAW_LOG, the job's stdout to stdout and its stderr to stderr,
# and the host time at which each guest event arrived to EVENTS_FILE.
lab_console_relay() {
    lab_line_awk -v tag="$1 " -v raw="$2" -v events="$3" -v show="$4" '
        {
            sub(/\r+$/, "")
            print > raw
            if (index($0, tag) != 1) { if (show) print > "/dev/stderr"; next }
            rest = substr($0, length(tag) + 1)
            kind = rest; sub(/ .*/, "", kind)
            body = substr(rest, length(kind) + 2)
            if (kind == "O") { print body; fflush() }
            else if (kind == "E") print body > "/dev/stderr"
            else if (kind == "ABORT") print "vsock-lab: guest: " body > "/dev/stderr"
            else if (kind == "EV") {
                cmd = "date +%s.%N"; cmd | getline now; close(cmd)
                split(body, f, " ")
                print f[1], now >> events; close(events)
            }
        }'
}

# lab_console_scan CONSOLE_LOG TAG DIR: writes the result's base64 to DIR/result.b64 and the
# job's output to DIR/job.stdout and DIR/job.stderr, and prints key=value facts: status, sum,
# bytes, ended (1 when END-RESULT was seen), init (1 when the guest's /init ran), abort.
lab_console_scan() {
    : >"$3/result.b64"
    : >"$3/job.stdout"
    : >"$3/job.stderr"
    awk -v tag="$2 " -v b64="$3/result.b64" -v out="$3/job.stdout" -v err="$3/job.stderr" '
        function body() { return substr($0, length(tag) + 1) }
        index($0, tag) != 1 { next }
        { split(body(), f, " "); kind = f[1] }
        kind == "EV" && f[2] == "init" { init = 1 }
        kind == "BEGIN-RESULT" { sum = f[2]; bytes = f[3]; inside = 1; printf "" > b64; next }
        kind == "B" && inside { print f[2] > b64; next }
        kind == "END-RESULT" { inside = 0; ended = 1 }
        kind == "STATUS" { status = f[2] }
        kind == "ABORT" { abort = substr(body(), 7) }
        kind == "O" { print substr(body(), 3) > out }
        kind == "E" { print substr(body(), 3) > err }
        END {
            printf "status=%s\nsum=%s\nbytes=%s\nended=%d\ninit=%d\nabort=%s\n", status, sum, bytes, ended, init, abort
        }' "$1"
}

# lab_result_unpack B64_FILE SUM BYTES DEST: decodes and verifies the gzipped tar, unpacks it
# into DEST.
# Returns non-zero with a message on stderr when the stream is damaged.
lab_result_unpack() {
    local b64=$1 sum=$2 bytes=$3 dest=$4 tar="$1.tgz" got
    if ! base64 -d "$b64" >"$tar" 2>/dev/null; then
        lab_say "the result's base64 does not decode (console noise inside a framed line?)"
        return 1
    fi
    got=$(sha256sum <"$tar")
    got=${got%% *}
    if [[ $got != "$sum" || $(stat -c %s "$tar") != "$bytes" ]]; then
        lab_say "the result is damaged: sha256 $got, $(stat -c %s "$tar") bytes; the guest sent $sum, $bytes bytes"
        return 1
    fi
    mkdir -p "$dest"
    # -m: the guest's clock (run ahead under --icount) does not date the files.
    tar -xmzf "$tar" -C "$dest"
}

# Prints the guest uptime of an event from meta/events.txt (empty when absent).
lab_guest_event_time() {
    [[ -f $1 ]] || return 0
    awk -v name="$2" '$1 == name { print $2; exit }' "$1"
}
