#!/usr/bin/env bash
# The libFuzzer harnesses of Fuzz/ (issue 13): builds them once with AddressSanitizer and
# libFuzzer's coverage instrumentation, then runs each, one at a time, for N seconds against its
# committed corpus (Fuzz/corpus/<harness>/). New inputs go to a scratch corpus
# (Fuzz/.work/<harness>/corpus, kept between runs, never committed); crash, leak, timeout and
# out-of-memory artifacts to Fuzz/.work/<harness>/. Prints executions and coverage per harness
# and exits 1 on any finding, naming the artifact and the command that replays it.
#
#   FrameReaderStream  FrameReader over a socketpair fed the input (frames, partial headers,
#                      lengths at and past the limit): frames or typed errors, bounded memory
#   FrameReaderPacket  FrameReader in packet mode over a seqpacket socketpair fed the input as
#                      packets: each packet one frame or the right typed error, bounded memory
#   FrameHeaderDecode  FrameHeader.decode against a reference decoder
#   ForeignStream      a service's own framing (replay): MessageFraming.scan against a
#                      reference, FrameReader in foreign mode over a socketpair
#   HelloDecode        the target's hello: JSON CaseHello, WireCase.spec, limitProblems
#   AgentMask          the agent's decode + mask + encode of any protobuf fragment
#   AgentVerify        the driver's AgentVerifier on any response
#   ScenarioParse      ScenarioLoader.parse (YAML through Yams) on any text
#   TargetSession      the whole target (TargetServer, agent mode) over a Unix socket: a
#                      control and a data connection whose bytes are the input
#   ResultsLoad        the results-file loader behind check, diagnose --from and history add
#                      (RunDocumentFile.parse), then the table, diagnosis, HTML and check of
#                      what it accepts
#
# Usage: scripts/fuzz.sh [--seconds N] [--fresh] [--seeds] [--skip-build] [harness...]
#   --seconds N   seconds per harness (default: $FUZZ_SECONDS, else 25, so that all ten take
#                 about four minutes after the build); 0 replays the committed corpus once
#   --fresh       empty the scratch corpora first (start from the committed corpus alone)
#   --seeds       regenerate the seed files (Fuzz/corpus/*/seed-*) from FuzzSeeds first
#   --skip-build  use the binaries in Fuzz/.build/debug as they are
#   harness...    run only these (default: all ten, in the order above)
#
# Environment: SWIFT (the swift driver), FUZZ_SECONDS, FUZZ_JOBS_LOG (append the summary
# table to this file).
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
ALL=(FrameReaderStream FrameReaderPacket FrameHeaderDecode ForeignStream HelloDecode AgentMask AgentVerify ScenarioParse TargetSession ResultsLoad)
BIN=Fuzz/.build/debug
WORK=Fuzz/.work

seconds=${FUZZ_SECONDS:-25}
fresh=0
seeds=0
build=1
harnesses=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --seconds)
            [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || { echo "fuzz: --seconds takes a whole number" >&2; exit 2; }
            seconds=$2
            shift
            ;;
        --fresh) fresh=1 ;;
        --seeds) seeds=1 ;;
        --skip-build) build=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
        *)
            [[ " ${ALL[*]} " == *" $1 "* ]] || { echo "fuzz: unknown harness $1 (${ALL[*]})" >&2; exit 2; }
            harnesses+=("$1")
            ;;
    esac
    shift
done
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=("${ALL[@]}")

# Per harness: the largest input (a dictionary, Fuzz/dict/<harness>.dict, when there is one).
max_len() {
    case $1 in
        FrameHeaderDecode) echo 40 ;;          # offset, limit, one header
        FrameReaderStream) echo 16388 ;;       # limit, capacity, up to 16 KiB of stream
        FrameReaderPacket) echo 16386 ;;       # limit, up to 16 KiB of packets with their lengths
        ForeignStream) echo 16389 ;;           # framing, limit, capacity, 16 KiB of stream
        HelloDecode | ScenarioParse) echo 8192 ;;
        AgentMask | AgentVerify) echo 16384 ;;
        TargetSession) echo 8194 ;;            # control length, two connections' bytes
        ResultsLoad) echo 32768 ;;             # a results file of a few cases, minified
    esac
}

# Seconds one input may take. The whole target serves masked requests slowly in a debug ASan
# build (BufferPool zeroes 64 KiB per response through generic code: about 0.1 s each), so a
# few hundred of them are slow, not stuck.
input_timeout() {
    case $1 in
        TargetSession) echo 60 ;;
        *) echo 10 ;;
    esac
}

TOOLCHAIN=$(dirname "$(readlink -f "$(command -v "$SWIFT")")")
# Swift's own crash reporter would catch the signal first and stall the fuzzer's report.
export SWIFT_BACKTRACE=enable=no
export ASAN_SYMBOLIZER_PATH=$TOOLCHAIN/llvm-symbolizer
# Leak detection stays on: LeakSanitizer reports only unreachable blocks, and the Swift
# runtime's caches stay reachable (checked: no report over the recorded runs).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:detect_stack_use_after_return=0}

if [[ $build -eq 1 ]]; then
    echo "fuzz: building the harnesses (ASan + libFuzzer coverage, debug: assertions and bounds checks on)"
    # -sanitize=fuzzer is not given to every module: it would link libFuzzer's main into the
    # main package's build tool (BPFEmbed) too. The harness targets link libFuzzer themselves
    # (Fuzz/Package.swift). One -sanitize= flag only: swiftc keeps the last one it is given.
    # The build tool runs under ASan while building; its exit-time leak check is off.
    ASAN_OPTIONS=detect_leaks=0 "$SWIFT" build --package-path Fuzz -c debug \
        -Xswiftc -sanitize=address \
        -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table \
        -Xcc -fsanitize=address -Xcc -fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp \
        -Xswiftc -use-ld=lld
fi

if [[ $seeds -eq 1 ]]; then
    "$BIN/FuzzSeeds" Fuzz/corpus scenarios
fi

summary=()
failures=()
row() { printf '%-18s %8s %12s %9s %7s %7s %9s  %s' "$@"; }
for harness in "${harnesses[@]}"; do
    binary=$BIN/$harness
    corpus=Fuzz/corpus/$harness
    scratch=$WORK/$harness/corpus
    [[ -x $binary ]] || { echo "fuzz: $binary is missing (build first)" >&2; exit 2; }
    [[ $fresh -eq 0 ]] || rm -rf "$scratch"
    mkdir -p "$scratch" "$corpus"
    log=$WORK/$harness/fuzz.log
    before=$(find "$WORK/$harness" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    flags=(
        -max_len="$(max_len "$harness")" -rss_limit_mb=2048 -malloc_limit_mb=64 -timeout="$(input_timeout "$harness")"
        -artifact_prefix="$WORK/$harness/" -print_final_stats=1
    )
    [[ -f Fuzz/dict/$harness.dict ]] && flags+=(-dict="Fuzz/dict/$harness.dict")
    if [[ $seconds -eq 0 ]]; then
        echo "fuzz: $harness: replaying $corpus"
        inputs=("$corpus")
        flags+=(-runs=0)
    else
        echo "fuzz: $harness: ${seconds}s"
        # The scratch directory comes first: libFuzzer writes new inputs to the first one.
        inputs=("$scratch" "$corpus")
        flags+=(-max_total_time="$seconds")
    fi
    set +e
    "$binary" "${flags[@]}" "${inputs[@]}" >"$log" 2>&1
    status=$?
    set -e
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    wall=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
    rate=$(( ${wall:-0} > 0 ? ${executions:-0} / wall : 0 ))
    after=$(find "$WORK/$harness" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    artifacts=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
    result=clean
    if [[ $status -ne 0 || -n $artifacts ]]; then
        result="FAIL (exit $status)"
        failures+=("$harness")
        echo "fuzz: $harness FAILED (exit $status); log: $log" >&2
        grep -E -m1 -A25 'FUZZ INVARIANT|==ERROR|ERROR: libFuzzer|deadly signal|Fatal error|SUMMARY' "$log" >&2 || tail -30 "$log" >&2
        for artifact in $artifacts; do
            echo "fuzz: artifact $artifact; replay: $binary $artifact" >&2
        done
    fi
    summary+=("$(row "$harness" "${wall:-?}s" "${executions:-?}" "${rate}/s" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

echo
header=$(row harness wall executions rate cov ft corpus result)
echo "$header"
printf '%s\n' "${summary[@]}"
if [[ -n ${FUZZ_JOBS_LOG:-} ]]; then
    { echo "# $(date -u +%FT%TZ) scripts/fuzz.sh --seconds $seconds ${harnesses[*]}"; echo "$header"; printf '%s\n' "${summary[@]}"; } >>"$FUZZ_JOBS_LOG"
fi
if [[ ${#failures[@]} -gt 0 ]]; then
    echo "fuzz: findings in ${failures[*]}; artifacts and logs under $WORK/" >&2
    exit 1
fi
