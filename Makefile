# vsockbench: two commands do everything on a fresh Debian/Ubuntu machine with Swift 6:
#   make demo   the cliff scenario (bulk vs chatty 8 KiB) against a local target, release build
#   make test   installs what the tests need, builds, runs every test (unit, end to end, probe,
#               vsock lab VM, Nitro kit checks)

SWIFT ?= swift
RELEASE := .build/release/vsockbench
TEST_TIMEOUT ?= 2700

.PHONY: demo test deps build release bench-peers bench-probe vsock-lab clean

demo: release
	$(RELEASE) run scenarios/cliff.yaml

deps:
	scripts/install-deps.sh build

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product vsockbench

test:
	scripts/install-deps.sh test
	$(SWIFT) build --build-tests
	timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build
	CI=true scripts/vsock-lab/test-smoke.sh
	scripts/check-nitro-kit.sh

bench-probe:
	scripts/install-deps.sh build
	$(SWIFT) build -c release --product vsockbench
	scripts/bench-probe-cost.sh

bench-peers:
	scripts/install-deps.sh bench
	$(SWIFT) build -c release --product vsockbench
	scripts/bench-peers.sh

clean:
	rm -rf .build
