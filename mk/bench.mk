# make bench: fractile against a C peer (cold tiles), itself on one core, nginx (warm tiles), its PNG encoder and its
# memory budget, and a z = 80 tile against a z = 10 one around the same deep point; prints one line per target and
# writes docs/benchmarks.md. BENCH_QUICK=1 for a short run,
# BENCH_MEMORY_SECONDS=N to shorten the memory soak (default 120 s), BENCH_ONLY=warm,isolation for only those sections
# (cold, cores, warm, isolation, png, deep, trainability, memory, container; docs/benchmarks.md is then left alone).
# The container section measures the image `make image` built (IMAGE, container.mk) and is skipped without it.
BENCH_PACKAGES := gcc libgomp1 util-linux wrk nginx-light

.PHONY: bench
bench: build
	$(call install_missing,$(BENCH_PACKAGES))
	FRACTILE_BIN=$(abspath $(BIN)) FRACTILE_IMAGE=$(IMAGE) CONTAINER_SHARED=$(CONTAINER_SHARED) $(PYTHON) bench/bench.py
