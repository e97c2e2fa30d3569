# Container image: `make image` builds the Dockerfile with podman; `make test-container` also runs the image and
# checks it from outside (Tests/container/test-image.sh), checks that its three builds of the binary (generic,
# x86-64-v3, x86-64-v4: the launcher picks one by /proc/cpuinfo) render the native build's bytes
# (Tests/container/test-kernels.sh), then runs the deploy/ stack (Tests/container/test-stack.sh).
# There is no Docker engine here: the base images the Dockerfile names are built locally once per machine by
# shared/container/make-base-images.sh (about 2.5 minutes, 5 GB), which sits beside the repository. Every shell that
# calls podman sources env.sh first (storage under /tmp/ctr, runc).
CONTAINER_SHARED ?= ../shared/container
IMAGE ?= localhost/fractile:test
# Docker format: the OCI format has no HEALTHCHECK.
PODMAN_BUILD_FLAGS ?= --format docker

.PHONY: container-base-images image test-container test-kernels

container-base-images:
	@source $(CONTAINER_SHARED)/env.sh; \
	if ! { command -v podman >/dev/null && podman image exists docker.io/library/swift:6.3-bookworm; }; then \
		echo "building the container base images (once per machine)"; \
		bash $(CONTAINER_SHARED)/make-base-images.sh; \
	fi

image: container-base-images
	@source $(CONTAINER_SHARED)/env.sh; \
	started=$$(date +%s); \
	podman build $(PODMAN_BUILD_FLAGS) -t $(IMAGE) . && \
	echo "image $(IMAGE): built in $$(( $$(date +%s) - started )) s, $$(podman image inspect --format '{{.Size}}' $(IMAGE) | awk '{printf "%.0f MB", $$1/1e6}')"

# The image alone, then the deploy/ stack (two replicas on one volume behind deploy/nginx.conf, unchanged).
test-container: image build
	CONTAINER_SHARED=$(CONTAINER_SHARED) bash Tests/container/test-image.sh $(IMAGE)
	CONTAINER_SHARED=$(CONTAINER_SHARED) bash Tests/container/test-kernels.sh $(IMAGE) $(abspath $(BIN))
	CONTAINER_SHARED=$(CONTAINER_SHARED) bash Tests/container/test-stack.sh $(IMAGE)

test-kernels: image build
	CONTAINER_SHARED=$(CONTAINER_SHARED) bash Tests/container/test-kernels.sh $(IMAGE) $(abspath $(BIN))
