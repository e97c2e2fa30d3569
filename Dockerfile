# fractile: a two-stage image. The builder compiles a release binary with the Swift runtime linked in statically;
# the runtime stage is Debian slim with libpng, zlib, SQLite (archives), Leaflet and ffmpeg (videos), a non-root user
# and the disk cache on a volume.
#   docker build -t fractile .        (or podman build)
#   docker run --rm -p 8080:8080 -v fractile-tiles:/var/cache/fractile fractile
# See docs/deployment.md.

FROM swift:6.3-bookworm AS build
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libpng-dev zlib1g-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is reused until Package.swift changes.
COPY Package.swift ./
RUN swift package resolve
COPY . .
# Three builds of the binary, one per x86-64 psABI level (v3 and v4 with the LLVM CPUs `make build` uses, haswell
# and skylake-avx512: this toolchain's clang knows no x86-64-v3/v4): the launcher (deploy/fractile-launcher.sh) runs
# the one this CPU can, so the image is as fast as a native build on AVX-512 and AVX2 machines and runs on any x86-64.
# Symbols stripped (install -s): 60 MB instead of 77 MB each; crash backtraces then show addresses, not names.
RUN for level in generic v3 v4; do \
      cpu=$(case $level in generic) echo x86-64;; v3) echo haswell;; v4) echo skylake-avx512;; esac); \
      swift build -c release --static-swift-stdlib --product fractile --scratch-path ".build-$level" \
        -Xswiftc -target-cpu -Xswiftc "$cpu" \
   && install -D -s -m 0755 "$(swift build -c release --scratch-path ".build-$level" --show-bin-path)/fractile" \
        "/out/fractile-$level" || exit 1; \
    done

FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libpng16-16 zlib1g libsqlite3-0 libjs-leaflet ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 fractile \
 && useradd --uid 10001 --gid fractile --home-dir /srv/fractile --no-create-home \
      --shell /usr/sbin/nologin fractile \
 && mkdir -p /var/cache/fractile \
 && chown fractile:fractile /var/cache/fractile
COPY --from=build /out/fractile-generic /out/fractile-v3 /out/fractile-v4 /usr/local/lib/fractile/
COPY --chmod=0755 deploy/fractile-launcher.sh /usr/local/bin/fractile
WORKDIR /srv/fractile
COPY config.json ./
COPY Public ./Public
# The environment beats config.json and options beat both (see `fractile serve --help`).
ENV FRACTILE_CONFIG=/srv/fractile/config.json \
    FRACTILE_HOST=0.0.0.0 \
    FRACTILE_PORT=8080 \
    FRACTILE_CACHE_DIRECTORY=/var/cache/fractile
# A new named volume starts as a copy of this directory, so it is owned by the fractile user.
VOLUME ["/var/cache/fractile"]
# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8080
# The server is PID 1 (exec form, no shell): SIGTERM reaches it and it stops gracefully in under 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["fractile", "healthcheck"]
ENTRYPOINT ["fractile"]
CMD ["serve"]
