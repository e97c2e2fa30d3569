# fractile: a two-stage image. The builder compiles a release binary with the Swift runtime linked in statically;
# the runtime stage is Debian slim with libpng, zlib, SQLite (archives) and Leaflet, a non-root user and the disk cache on a volume.
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
# Symbols stripped (install -s): 60 MB instead of 77 MB; crash backtraces then show addresses, not names.
RUN swift build -c release --static-swift-stdlib --product fractile \
 && install -D -s -m 0755 "$(swift build -c release --show-bin-path)/fractile" /out/fractile

FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libpng16-16 zlib1g libsqlite3-0 libjs-leaflet \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 fractile \
 && useradd --uid 10001 --gid fractile --home-dir /srv/fractile --no-create-home \
      --shell /usr/sbin/nologin fractile \
 && mkdir -p /var/cache/fractile \
 && chown fractile:fractile /var/cache/fractile
COPY --from=build /out/fractile /usr/local/bin/fractile
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
