#!/usr/bin/env bash
# bench-peers: is vsockbench ever the bottleneck? On TCP loopback, in one run, alternates
# vsockbench with an established peer tool on the same workload and prints the ratios:
#
#   stream  vsockbench stream tx, 64 KiB writes   vs  iperf3 -l 64K (one stream, client sends)
#           ratio = vsockbench Mbps / iperf3 Mbps                            goal >= 1.0
#   rr      vsockbench rr 8 KiB/8 KiB, inflight 1  vs  sockperf ping-pong --tcp
#           ratio = vsockbench msgs/s / sockperf round trips/s               goal >= 1.0
#
# The verdict is on the median of the per-round ratios. Its interval comes from order
# statistics (distribution-free): the narrowest with at least 95% coverage, or [min, max] when
# there are too few rounds for that (94% for 5 rounds, 88% for 4); with few rounds or a noisy
# machine the interval says how little the median is worth.
#
# Usage: scripts/bench-peers.sh [--rounds N] [--duration SECONDS] [--json FILE]
#                               [--workload stream|rr|all] [--binary PATH] [--no-pin]
#                               [--verify full|edges]
#   --rounds N        rounds; in each, peer and vsockbench run back to back (default 3)
#   --duration S      measured seconds per run, an integer, "5" or "5s" (default 5); every run
#                     also has 1 s of warmup before it
#   --json FILE       also write every figure to FILE (schema vsockbench-peers/1)
#   --workload W      only one workload (default all)
#   --binary PATH     the vsockbench to measure (default .build/release/vsockbench)
#   --no-pin          let the scheduler place the processes; by default (2 CPUs or more) every
#                     client runs on the first CPU this script may use and every server on the
#                     second, the same for the peer and for vsockbench, so neither gains from
#                     where it happens to land
#   --verify MODE     the rr case's verify: full (default, as a run checks: every byte of every
#                     response) or edges (the header and each response's first and last 8
#                     bytes, about what sockperf checks: shows what verification costs)
#
# Build first (make bench-peers does): swift build -c release --product vsockbench
# Needs iperf3, sockperf and jq (scripts/install-deps.sh bench). Exits 0 when a ratio is
# below its goal (a benchmark, not a test); 1 when a run fails; 2 on bad usage.
set -euo pipefail

readonly GOAL=1.0
readonly WARMUP_S=1
readonly HEADER_BYTES=32 # FrameHeader.size: every rr message carries it on the wire
readonly RR_PAYLOAD=8192
readonly STREAM_WRITE=65536

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=3
duration=5
json_out=""
workloads=(stream rr)
binary="$repo/.build/release/vsockbench"
pin=1
verify=full

usage() { sed -n '2,34p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die_usage() {
    echo "bench-peers: $1" >&2
    echo "Try 'scripts/bench-peers.sh --help'." >&2
    exit 2
}
die() {
    echo "bench-peers: $1" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --rounds) [[ $# -ge 2 ]] || die_usage "--rounds needs a value"; rounds=$2; shift 2 ;;
        --duration) [[ $# -ge 2 ]] || die_usage "--duration needs a value"; duration=${2%s}; shift 2 ;;
        --json) [[ $# -ge 2 ]] || die_usage "--json needs a file"; json_out=$2; shift 2 ;;
        --binary) [[ $# -ge 2 ]] || die_usage "--binary needs a path"; binary=$2; shift 2 ;;
        --no-pin) pin=0; shift ;;
        --verify)
            [[ $# -ge 2 ]] || die_usage "--verify needs a value"
            [[ $2 == full || $2 == edges ]] || die_usage "--verify '$2': expected full or edges"
            verify=$2
            shift 2
            ;;
        --workload)
            [[ $# -ge 2 ]] || die_usage "--workload needs a value"
            case $2 in
                stream | rr) workloads=("$2") ;;
                all) workloads=(stream rr) ;;
                *) die_usage "--workload '$2': expected stream, rr or all" ;;
            esac
            shift 2
            ;;
        *) die_usage "unknown argument '$1'" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ && $rounds -le 50 ]] || die_usage "--rounds '$rounds': expected 1 to 50"
[[ $duration =~ ^[1-9][0-9]*$ && $duration -le 600 ]] || die_usage "--duration '$duration': expected whole seconds, 1 to 600 (iperf3 and sockperf take whole seconds)"
[[ -x $binary ]] || die "no vsockbench at $binary: build it first with 'swift build -c release --product vsockbench' (or run 'make bench-peers')"
for tool in iperf3 sockperf jq ss timeout; do
    command -v "$tool" > /dev/null || die "'$tool' is missing: run 'scripts/install-deps.sh bench'"
done

# The first two CPUs this process may run on ("0-3,6" in /proc/self/status), which need not
# include CPU 0 (a container's cpuset).
first_two_cpus() {
    local list part c
    local -a parts=() picked=()
    list=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
    IFS=, read -r -a parts <<< "$list"
    for part in "${parts[@]}"; do
        for ((c = ${part%-*}; c <= ${part#*-}; c++)); do
            picked+=("$c")
            ((${#picked[@]} == 2)) && break 2
        done
    done
    echo "${picked[@]}"
}

# Where clients and servers run: the same CPUs for the peer and for vsockbench.
client_cpu=() server_cpu=() cpus=()
if ((pin)); then
    command -v taskset > /dev/null || die "'taskset' is missing (util-linux): install it, or run with --no-pin"
    read -r -a cpus <<< "$(first_two_cpus)"
fi
if ((pin)) && ((${#cpus[@]} == 2)); then
    client_cpu=(taskset -c "${cpus[0]}")
    server_cpu=(taskset -c "${cpus[1]}")
else
    pin=0
fi

# Every command is bounded: the measured time, the warmup, and a margin for start and stop.
readonly run_limit=$((duration + WARMUP_S + 30))
work=$(mktemp -d -t bench-peers.XXXXXX)
server_pids=()
client_pid=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    local pid
    # A client still running (the run was interrupted): timeout passes the signal on.
    if [[ -n $client_pid ]]; then
        kill "$client_pid" 2> /dev/null || true
        wait "$client_pid" 2> /dev/null || true
    fi
    for pid in "${server_pids[@]}"; do
        kill "$pid" 2> /dev/null || true
    done
    for pid in "${server_pids[@]}"; do
        # Bounded wait: anything still there after 5 s is killed outright.
        for _ in {1..50}; do
            kill -0 "$pid" 2> /dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A TCP port on 127.0.0.1 that nothing listens on or uses right now.
free_port() {
    local port
    for _ in {1..50}; do
        port=$((20000 + RANDOM % 40000))
        if [[ -z $(ss -Htan "( sport = :$port or dport = :$port )") ]]; then
            echo "$port"
            return 0
        fi
    done
    die "no free TCP port found"
}

# Waits (at most 10 s) until something listens on 127.0.0.1:$2 while process $1 lives.
wait_listening() {
    local pid=$1 port=$2
    for _ in {1..100}; do
        kill -0 "$pid" 2> /dev/null || return 1
        [[ -n $(ss -Htln "( sport = :$port )") ]] && return 0
        sleep 0.1
    done
    return 1
}

# Starts a peer server on a free port (retrying if another process takes the port first)
# and sets started_port. $1 names it, the rest is the command with PORT where the port goes.
# Not called in $(...): the server's pid must reach server_pids in this shell.
started_port=""
start_server() {
    local name=$1 port pid attempt
    shift
    for attempt in 1 2 3; do
        port=$(free_port)
        "${server_cpu[@]}" "${@//PORT/$port}" > "$work/$name.log" 2>&1 &
        pid=$!
        if wait_listening "$pid" "$port"; then
            server_pids+=("$pid")
            started_port=$port
            return 0
        fi
        kill "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
        echo "bench-peers: $name did not start on port $port (attempt $attempt): $(tail -n 2 "$work/$name.log" | tr '\n' ' ')" >&2
    done
    die "could not start $name"
}

start_vsockbench_server() {
    local pid port=""
    : > "$work/serve.out"
    "${server_cpu[@]}" "$binary" serve --listen tcp://127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.log" &
    pid=$!
    server_pids+=("$pid")
    for _ in {1..100}; do
        port=$(sed -n 's|^listening on tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/serve.out")
        [[ -n $port ]] && break
        kill -0 "$pid" 2> /dev/null || die "vsockbench serve exited: $(tail -n 3 "$work/serve.log" | tr '\n' ' ')"
        sleep 0.1
    done
    [[ -n $port ]] || die "vsockbench serve did not report its port within 10 s"
    started_port=$port
}

# The two cases, exactly as compared (defaults of vsockbench: TCP_NODELAY on).
cat > "$work/peers.yaml" << EOF
name: bench-peers
defaults: {duration: ${duration}s, warmup: ${WARMUP_S}s}
cases:
  - {name: stream, workload: stream, direction: tx, write_size: ${STREAM_WRITE}}
  - {name: rr, workload: rr, request_size: ${RR_PAYLOAD}, response_size: ${RR_PAYLOAD}, inflight: 1, verify: ${verify}}
EOF

# Runs one client command bounded in time, in the background so that the EXIT trap can stop
# it too; stdout to $1, stderr to $2.
run_client() {
    local out=$1 err=$2 rc=0
    shift 2
    timeout -k 5 "$run_limit" "${client_cpu[@]}" "$@" > "$out" 2> "$err" &
    client_pid=$!
    wait "$client_pid" || rc=$?
    client_pid=""
    return "$rc"
}

# Each measurement sets `figure` (Mbps or per second) and `p50` (round trip in µs, or -).
figure="" p50=""

# vsockbench's figure for one case: Mbps (stream) or messages/s (rr), and its p50 latency.
run_vsockbench() {
    local case=$1 out="$work/vsockbench-$1.json" key line
    rm -f "$out"
    if ! run_client "$work/run-$case.log" "$work/run-$case.err" "$binary" run "$work/peers.yaml" --case "$case" \
        --target "tcp://127.0.0.1:$vsb_port" --json "$out"; then
        echo "bench-peers: vsockbench run --case $case failed:" >&2
        tail -n 5 "$work/run-$case.log" "$work/run-$case.err" >&2
        return 1
    fi
    # The stream case is tx only: its payload Mbps is mbps_tx (the one Mbps, per direction).
    [[ $case == stream ]] && key=mbps_tx || key=msgs_per_s
    line=$(jq -r --arg key "$key" '.cases[0] | "\(.[$key]) \(.latency_us.p50 // "-")"' "$out")
    read -r figure p50 <<< "$line"
}

# iperf3 as the stream peer: client sends (-c, no -R), one stream, 64 KiB writes, TCP_NODELAY
# like vsockbench, 1 s omitted as warmup. The figure is the sender's Mbps.
run_iperf3() {
    local out="$work/iperf3.json"
    if ! run_client "$out" "$work/iperf3.err" iperf3 -c 127.0.0.1 -p "$iperf_port" -P 1 -l 64K -N \
        -t "$duration" -O "$WARMUP_S" -J; then
        echo "bench-peers: iperf3 failed: $(jq -r '.error // empty' "$out" 2> /dev/null) $(tail -n 2 "$work/iperf3.err")" >&2
        return 1
    fi
    figure=$(jq -r '.end.sum_sent.bits_per_second / 1e6' "$out")
    p50=-
}

# sockperf ping-pong as the rr peer. Its -m is the whole message on the wire (its own small
# header included); ours is 32 header bytes + 8 KiB, so sockperf sends 8224 bytes each way too.
# TCP_NODELAY is sockperf's default for ping-pong. Its [Valid Duration] line excludes its own
# 400 ms warmup; -t is our warmup + duration, so the wall time matches. Its "Latency" and
# percentiles are one-way figures, half the round trip (sockperf(1): "the average latency for a
# given one-way path ... is the average RTT divided by two"). The figure is round trips/s.
run_sockperf() {
    local out="$work/sockperf.out" clean valid
    if ! run_client "$out" "$work/sockperf.err" sockperf ping-pong --tcp -i 127.0.0.1 -p "$sockperf_port" \
        -m "$((RR_PAYLOAD + HEADER_BYTES))" -t "$((duration + WARMUP_S))"; then
        echo "bench-peers: sockperf failed: $(tail -n 3 "$out" "$work/sockperf.err" | tr '\n' ' ')" >&2
        return 1
    fi
    clean=$(sed 's/\x1b\[[0-9;]*m//g' "$out")
    # sockperf: [Valid Duration] RunTime=5.550 sec; SentMessages=...; ReceivedMessages=N
    valid=$(grep -m1 'Valid Duration' <<< "$clean") || {
        echo "bench-peers: no [Valid Duration] line in sockperf's output" >&2
        return 1
    }
    figure=$(sed -n 's/.*RunTime=\([0-9.]*\) sec;.*ReceivedMessages=\([0-9]*\).*/\2 \1/p' <<< "$valid" | awk '{ if ($2 > 0) printf "%.1f", $1 / $2 }')
    [[ -n $figure ]] || { echo "bench-peers: could not read sockperf's round trips: $valid" >&2; return 1; }
    # sockperf: ---> percentile 50.000 =    9.644   (one-way, so twice that is the round trip)
    p50=$(awk '/percentile 50\.000 =/ { printf "%.2f", 2 * $NF; exit }' <<< "$clean")
    p50=${p50:--}
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# The median's interval from order statistics: "low high coverage" (coverage in percent). The
# k-th smallest and k-th largest of n values bracket the median with probability
# 1 - 2 P(Binomial(n, 1/2) < k); k is the largest with that at least 95%, or 1 ([min, max]).
median_interval() {
    printf '%s\n' "$@" | sort -g | awk '
        { v[NR] = $1 }
        END {
            # [v[i], v[n - i + 1]] covers the median with 1 - 2 P(X <= i - 1), X ~ Binomial(n, 1/2):
            # keep the largest i with at least 95% (i = 1, [min, max], whatever its coverage).
            n = NR; k = 1; cdf = 0; term = 0.5 ^ n
            for (i = 1; i <= n / 2; i++) {
                cdf += term # P(X <= i - 1)
                if (i == 1 || 1 - 2 * cdf >= 0.95) { k = i; cov = 1 - 2 * cdf } else break
                term = term * (n - i + 1) / i
            }
            if (n == 1) cov = 0
            printf "%.3f %.3f %.0f", v[k], v[n - k + 1], cov * 100
        }'
}

start_vsockbench_server
vsb_port=$started_port
iperf_port=""
sockperf_port=""
for w in "${workloads[@]}"; do
    case $w in
        stream) start_server iperf3 iperf3 -s -B 127.0.0.1 -p PORT && iperf_port=$started_port ;;
        rr) start_server sockperf sockperf server --tcp -i 127.0.0.1 -p PORT && sockperf_port=$started_port ;;
    esac
done

echo "bench-peers: vsockbench against its peers on TCP loopback, $rounds rounds, ${duration} s measured after ${WARMUP_S} s warmup per run"
echo "  vsockbench  $binary (target: vsockbench serve on tcp://127.0.0.1:$vsb_port)"
[[ -n $iperf_port ]] && echo "  stream      vsockbench stream tx write_size 64KiB   vs  iperf3 -c -P 1 -l 64K -N -t $duration -O $WARMUP_S (Mbps sent)"
[[ -n $sockperf_port ]] && echo "  rr          vsockbench rr 8KiB/8KiB inflight 1     vs  sockperf ping-pong --tcp -m $((RR_PAYLOAD + HEADER_BYTES)) -t $((duration + WARMUP_S)) (round trips/s)"
echo "              both sides single-threaded, TCP_NODELAY on; peer and vsockbench swap order every round"
if ((pin)); then
    echo "              clients pinned to CPU ${cpus[0]}, servers to CPU ${cpus[1]} (--no-pin to let the scheduler place them)"
else
    echo "              not pinned: the scheduler places clients and servers"
fi
echo

printf '%-5s  %-6s  %-8s  %14s  %14s  %6s  %s\n' round case peer "peer figure" vsockbench ratio "p50 round trip, us (peer / ours)"
declare -A ratios=()
p50_ratios=""
records="$work/records.jsonl"
: > "$records"
failed=0
for ((round = 1; round <= rounds; round++)); do
    for w in "${workloads[@]}"; do
        if ((round % 2)); then order=(peer us); else order=(us peer); fi
        peer_value="" us_value=""
        for who in "${order[@]}"; do
            figure="" p50=""
            if [[ $who == peer ]]; then
                if [[ $w == stream ]]; then run_iperf3 || true; else run_sockperf || true; fi
                peer_value=$figure peer_p50=$p50
            else
                run_vsockbench "$w" || true
                us_value=$figure us_p50=$p50
            fi
        done
        if [[ -z $peer_value || -z $us_value ]]; then
            failed=1
            printf '%-5s  %-6s  %s\n' "$round" "$w" "FAILED (see the messages above)"
            continue
        fi
        r=$(ratio "$us_value" "$peer_value")
        ratios[$w]+="$r "
        p50_ratio=null latency_note=""
        if [[ $w == stream ]]; then
            peer_name=iperf3 unit=Mbps
        else
            peer_name=sockperf unit=rt/s
            if [[ $peer_p50 != - && $us_p50 != - ]]; then
                p50_ratio=$(ratio "$peer_p50" "$us_p50")
                p50_ratios+="$p50_ratio "
                latency_note="$peer_p50 / $us_p50 (ratio $p50_ratio)"
            fi
        fi
        printf '%-5s  %-6s  %-8s  %9.1f %-4s  %9.1f %-4s  %6s  %s\n' "$round" "$w" "$peer_name" "$peer_value" "$unit" "$us_value" "$unit" "$r" "$latency_note"
        jq -nc --argjson round "$round" --arg workload "$w" --arg peer "$peer_name" --arg unit "$unit" \
            --argjson peer_value "$peer_value" --argjson value "$us_value" --argjson ratio "$r" --argjson p50_ratio "$p50_ratio" \
            '{round: $round, workload: $workload, peer: $peer, unit: $unit, peer_value: $peer_value, vsockbench_value: $value, ratio: $ratio}
             + if $p50_ratio == null then {} else {p50_rtt_ratio: $p50_ratio} end' >> "$records"
    done
done

echo
printf '%-6s  %5s  %6s  %-22s  %6s  %6s  %s\n' case goal median "interval (coverage)" min max verdict
summary="$work/summary.jsonl"
: > "$summary"
for w in "${workloads[@]}"; do
    read -r -a list <<< "${ratios[$w]:-}"
    if [[ ${#list[@]} -eq 0 ]]; then
        printf '%-6s  %5s  %6s  %-22s  %6s  %6s  %s\n' "$w" "$GOAL" - - - - "NO DATA (every round failed)"
        continue
    fi
    med=$(median "${list[@]}")
    lo=$(minimum "${list[@]}")
    hi=$(maximum "${list[@]}")
    read -r ci_lo ci_hi ci_cov <<< "$(median_interval "${list[@]}")"
    if awk -v m="$med" -v g="$GOAL" 'BEGIN { exit !(m >= g) }'; then verdict=PASS; else verdict="BELOW GOAL"; fi
    printf '%-6s  %5s  %6s  %-22s  %6s  %6s  %s\n' "$w" "$GOAL" "$med" "$ci_lo - $ci_hi ($ci_cov%)" "$lo" "$hi" "$verdict"
    jq -nc --arg workload "$w" --argjson goal "$GOAL" --argjson median "$med" --argjson min "$lo" --argjson max "$hi" \
        --argjson ci_lo "$ci_lo" --argjson ci_hi "$ci_hi" --argjson ci_cov "$ci_cov" \
        --arg verdict "$verdict" --argjson rounds "${#list[@]}" \
        '{workload: $workload, goal: $goal, median_ratio: $median, median_interval: [$ci_lo, $ci_hi], median_interval_coverage: ($ci_cov / 100),
          min_ratio: $min, max_ratio: $max, rounds: $rounds, verdict: $verdict}' >> "$summary"
done

if [[ -n $p50_ratios ]]; then
    read -r -a list <<< "$p50_ratios"
    echo
    echo "rr, p50 round trip (sockperf's p50 / ours; above 1: ours is shorter): median $(median "${list[@]}"), min $(minimum "${list[@]}"), max $(maximum "${list[@]}")"
    echo "    (informational: the verdict is on the rate; the p50 moves much less with the machine's load than the mean does)"
fi

if [[ -n $json_out ]]; then
    jq -n --slurpfile rounds "$records" --slurpfile summary "$summary" \
        --argjson duration "$duration" --argjson warmup "$WARMUP_S" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
        --argjson pinned "$( ((pin)) && echo true || echo false)" --arg verify "$verify" \
        '{schema: "vsockbench-peers/1", transport: "tcp-loopback", duration_s: $duration, warmup_s: $warmup, pinned: $pinned, rr_verify: $verify,
          kernel: $kernel, cpus: $cpus, rounds: $rounds, summary: $summary}' > "$json_out"
    echo "bench-peers: figures written to $json_out"
fi
exit "$failed"
