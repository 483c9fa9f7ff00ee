# vsockbench: two commands do everything on a fresh Debian/Ubuntu machine with Swift 6:
#   make demo   the cliff scenario (bulk vs chatty 8 KiB) against a local target, release build
#   make test   installs what the tests need, builds, runs every test (unit, end to end, TSan, the
#               fuzz corpora replayed, probe, vsock lab VM, Nitro kit checks)
#   make vsock-lab  vsockbench over real AF_VSOCK in a QEMU guest (CID 1): the run's table with
#               vsock packets by op per message; results in lab-results/

SWIFT ?= swift
RELEASE := .build/release/vsockbench
# One release configuration for the demo, the lab, the tests and the Nitro enclave image: the
# Swift runtime linked in (a smaller lab initramfs, no Swift libraries in the enclave), and no
# full rebuild when switching between them (a flag change recompiles everything).
RELEASE_BUILD := $(SWIFT) build -c release --static-swift-stdlib --product vsockbench
TEST_TIMEOUT ?= 2700
# Tests whose verdicts rest on measured time (a diagnosis from a round trip, a linger bound,
# how many frames a writev gathers while responses come back) run in a second pass, one suite
# at a time, not beside the parallel suites that load both cores.
TIMED_TESTS := DiagnoseTests|manyCardsInOneRunTakeLinearTime|MachineLoadRunTests|PipelinedRateTests|OpenLoopTests|TimeSeriesTests|StrategyBoundsTests|CheckGateTests|batchingStrategiesMakeFewerWritesPerMessage|chainedReadTiming|untimedWrites|StalledPeerTests|QuitPathTests|aStreamBlockedSendingEndsAtOnceAtShutdown|SlowPeerWriteTests|SettleInterruptTests

.PHONY: demo test deps build release bench-peers bench-rr-lab bench-stream-lab bench-probe bench-observe vsock-lab fuzz clean

demo: release
	$(RELEASE) run scenarios/cliff.yaml

deps:
	scripts/install-deps.sh build

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE_BUILD)

test:
	scripts/install-deps.sh test
	$(SWIFT) build --build-tests
	timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build --skip '$(TIMED_TESTS)'
	timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build --no-parallel --filter '$(TIMED_TESTS)'
	SWIFT=$(SWIFT) scripts/tsan-check.sh --with-tests
	SWIFT=$(SWIFT) scripts/fuzz.sh --seconds 0
	CI=true scripts/vsock-lab/test-kvm-probe.sh
	CI=true scripts/vsock-lab/test-guest-checks.sh
	CI=true scripts/vsock-lab/test-smoke.sh
	$(RELEASE_BUILD)
	CI=true scripts/vsock-lab/test-bench.sh --binary $(RELEASE)
	CI=true scripts/vsock-lab/test-interrupt.sh --binary $(RELEASE)
	CI=true scripts/vsock-lab/test-observe.sh --binary $(RELEASE)
	scripts/check-nitro-kit.sh
	CI=true scripts/test-nitro-kit.sh --binary $(RELEASE)

bench-probe:
	scripts/install-deps.sh build
	$(RELEASE_BUILD)
	scripts/bench-probe-cost.sh

# observe's own cost on real vsock packets: the lab guest (TCG, its clock counting instructions:
# relative costs, not rates), 5 to 6 minutes; not part of `make test`.
bench-observe:
	scripts/install-deps.sh lab
	$(RELEASE_BUILD)
	scripts/vsock-lab/bench-observe-cost.sh --binary $(RELEASE)

bench-peers:
	scripts/install-deps.sh bench
	$(RELEASE_BUILD)
	scripts/bench-peers.sh

# rr against sockperf counted in instructions: the lab guest (TCG, -icount), TCP loopback; the
# host's bench-peers is noise-bound for rr. About 2 minutes; not part of `make test`.
bench-rr-lab:
	scripts/install-deps.sh lab
	scripts/install-deps.sh bench
	$(RELEASE_BUILD)
	scripts/vsock-lab/bench-rr-peer.sh --binary $(RELEASE)

# stream against iperf3 counted in instructions, the same way. About 1 minute; not in `make test`.
bench-stream-lab:
	scripts/install-deps.sh lab
	scripts/install-deps.sh bench
	$(RELEASE_BUILD)
	scripts/vsock-lab/bench-rr-peer.sh --workload stream --binary $(RELEASE)

# Timing under TCG is emulated: the lab is for counts (packets by op, credit updates, syscalls).
vsock-lab:
	scripts/install-deps.sh lab
	$(RELEASE_BUILD)
	scripts/vsock-lab/bench.sh --binary $(RELEASE) --out lab-results

# libFuzzer harnesses (Fuzz/), 25 s each by default (FUZZ_SECONDS=600 for a longer run).
# Fails on any crash, leak or timeout, naming the artifact. `make test` builds them and replays
# the committed corpora once (`--seconds 0`: about 2 minutes with the build), so a harness that
# no longer agrees with the code, or an input that once crashed, fails the tests.
fuzz:
	scripts/install-deps.sh build
	SWIFT=$(SWIFT) scripts/fuzz.sh

clean:
	rm -rf .build .build-tsan Fuzz/.build
