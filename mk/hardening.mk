# Hardening (docs/hardening.md): `make fuzz` runs the libFuzzer target over the request parser and routing;
# `make soak` runs mixed load and hostile clients against a real server for SOAK_SECONDS and prints figures.
# The end-to-end hostile-client and crash-safety tests run in `make test` (Tests/EndToEnd/test_*.py).

FUZZ_SECONDS ?= 300
# When set, a number of inputs instead of a time (libFuzzer -runs).
FUZZ_RUNS ?=
# 1: AddressSanitizer and LeakSanitizer too (about three times slower); 0: libFuzzer alone.
FUZZ_ASAN ?= 1
# libFuzzer's own options, e.g. FUZZ_FLAGS=-workers=2 -jobs=2 on an idle machine.
FUZZ_FLAGS ?=
FUZZ_DIR := .build-fuzz
comma := ,
FUZZ_BIN := $(FUZZ_DIR)/fuzz-http$(if $(filter 1,$(FUZZ_ASAN)),,-noasan)
FUZZ_SOURCES := $(wildcard Sources/FractileHTTP/*.swift) Sources/FractileServer/Route.swift \
	Sources/FractileServer/StaticFileServer.swift Sources/FractileServer/QueryString.swift \
	Sources/FractileServer/PercentDecoding.swift Fuzz/FuzzHTTP.swift
SOAK_SECONDS ?= 600

.PHONY: fuzz fuzz-build soak

# One module from the parser, routing and path-decoding sources plus the fuzz entry point: no Package.swift change.
# The event loop's C shim (CSystemLinux) is compiled alongside and found through its module map.
$(FUZZ_DIR)/CSystemLinux.o: Sources/CSystemLinux/shim.c Sources/CSystemLinux/include/CSystemLinux.h
	@mkdir -p $(FUZZ_DIR)
	clang -c -O2 -I Sources/CSystemLinux/include $< -o $@

$(FUZZ_BIN): $(FUZZ_SOURCES) $(FUZZ_DIR)/CSystemLinux.o
	@mkdir -p $(FUZZ_DIR)
	swiftc -sanitize=fuzzer$(if $(filter 1,$(FUZZ_ASAN)),$(comma)address,) -parse-as-library -O -swift-version 6 \
		-use-ld=lld -module-name FractileFuzz -I Sources/CSystemLinux/include $(FUZZ_SOURCES) $(FUZZ_DIR)/CSystemLinux.o -o $@


fuzz-build: $(FUZZ_BIN)

# New inputs go to $(FUZZ_DIR)/corpus (Fuzz/corpus is the checked-in seed set); crashes to $(FUZZ_DIR)/crash-*.
fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) -dict=Fuzz/http.dict -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS)) \
		$(FUZZ_FLAGS) $(FUZZ_DIR)/corpus Fuzz/corpus

soak: build
	FRACTILE_BIN=$(abspath $(BIN)) $(PYTHON) Tests/EndToEnd/soak.py --seconds $(SOAK_SECONDS)
