# fractile: `make run` serves the shipped config.json on port 8080; `make test` runs the whole suite.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
CONFIG ?= config.json
BIN := .build/release/fractile
# Where the CPU has AVX2, the SIMD16<Double> lanes of the tile kernels become four 256-bit instructions per
# operation; where it has AVX-512 (F, VL, BW, DQ, CD: as the machines here do, and as the C peer's -march=native uses),
# two 512-bit ones: single-thread gradient-basin 0/0/0 0.29 s with haswell, 0.24 s with skylake-avx512. Output is
# byte-identical either way (Swift does not contract into FMA). The container image holds generic, haswell and
# skylake-avx512 builds and picks one at run time (Dockerfile, deploy/fractile-launcher.sh).
# CPU_FLAGS= builds generic here too.
CPU_FEATURES := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
AVX512 := $(and $(filter avx512f,$(CPU_FEATURES)),$(filter avx512vl,$(CPU_FEATURES)),$(filter avx512bw,$(CPU_FEATURES)),$(filter avx512dq,$(CPU_FEATURES)),$(filter avx512cd,$(CPU_FEATURES)))
CPU_FLAGS ?= $(if $(AVX512),-Xswiftc -target-cpu -Xswiftc skylake-avx512,$(if $(filter avx2,$(CPU_FEATURES)),-Xswiftc -target-cpu -Xswiftc haswell,))

# Debian packages: what building and serving need, and what the tests drive (browser, real clients, peers).
RUN_PACKAGES := pkg-config libpng-dev zlib1g-dev libsqlite3-dev libjs-leaflet ffmpeg
TEST_PACKAGES := $(RUN_PACKAGES) chromium chromium-driver curl wrk nginx-light slowhttptest prometheus nodejs sqlite3 gdal-bin python3-qgis
PIP_TEST_PACKAGES := selenium pytest mpmath pmtiles
HTTPOLICE_PACKAGES := HTTPolice==0.9.0 'bitstring<4'

.PHONY: all build run test test-js test-swift test-e2e deps-run deps-test clean

all: build

# Installs only what is missing, so repeated runs cost a dpkg query.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps-run:
	$(call install_missing,$(RUN_PACKAGES))

deps-test:
	$(call install_missing,$(TEST_PACKAGES))
	@$(PYTHON) -c 'import selenium, pytest, mpmath, pmtiles' 2>/dev/null || $(PYTHON) -m pip install -q $(PIP_TEST_PACKAGES)
	@# HTTPolice 0.9 needs bitstring < 4: its own directory, on the path only of the test that runs it.
	@test -d .build-httpolice/httpolice || $(PYTHON) -m pip install -q --target .build-httpolice $(HTTPOLICE_PACKAGES)

build: deps-run
	$(SWIFT) build -c release $(CPU_FLAGS)

run: build
	$(BIN) serve --config $(CONFIG)

# The viewer's units, the Swift suites (units and the live server on port 0), then the end-to-end suite: the CLI, real clients and a real
# browser against real servers on free ports.
test: deps-test build
	$(MAKE) test-js test-swift test-e2e

# The viewer's pure parts (geometry, hash, parameters, probe words, retry waits) under node --test: no browser.
test-js:
	node --test Tests/JS/*.test.mjs

test-swift:
	$(SWIFT) test -c release $(CPU_FLAGS) -Xswiftc -enable-testing --scratch-path .build-test --disable-swift-testing

test-e2e:
	FRACTILE_BIN=$(abspath $(BIN)) $(PYTHON) -m pytest -q Tests/EndToEnd

clean:
	rm -rf .build .build-test .build-httpolice test-artifacts

# Benchmarks, container, fuzzing and soak targets live in their own fragments.
include $(wildcard mk/*.mk)
