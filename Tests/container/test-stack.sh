#!/usr/bin/env bash
# The deploy/ stack as compose.yaml describes it, run with plain podman: two fractile containers on one network
# (as fractile-1 and fractile-2) sharing one tile volume, and nginx with deploy/nginx.conf mounted unchanged.
# Checks that a tile comes through, is then a proxy-cache HIT, and that the other replica reads it from the volume.
# Usage: Tests/container/test-stack.sh [IMAGE]
set -euo pipefail
image=${1:-localhost/fractile:test}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${CONTAINER_SHARED:-$root/../shared/container}
# shellcheck source=/dev/null
source "$shared/env.sh"

id=$$
network=fractile-stack-$id
volume=fractile-stack-tiles-$id
nginx_image=localhost/fractile-test-nginx:latest
work=$(mktemp -d)
cleanup() {
    podman rm -f "nginx-$id" "fractile-1-$id" "fractile-2-$id" >/dev/null 2>&1 || true
    podman volume rm -f "$volume" "nginx-cache-$id" >/dev/null 2>&1 || true
    podman network rm -f "$network" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for c in "nginx-$id" "fractile-1-$id" "fractile-2-$id"; do podman logs "$c" 2>&1 | tail -5 | sed "s/^/$c: /" >&2 || true; done
    exit 1
}
pass() { echo "ok: $*"; }

podman image exists "$nginx_image" || podman build -q -t "$nginx_image" -f "$here/nginx.Dockerfile" "$here" >/dev/null 2>&1
podman network create "$network" >/dev/null
podman volume create "$volume" >/dev/null
for n in 1 2; do
    podman run -d --name "fractile-$n-$id" --network "$network" --network-alias "fractile-$n" \
        -v "$volume:/var/cache/fractile" "$image" >/dev/null 2>>"$work/podman.err"
done
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
container_port=8080  # the image's default port inside the container; the host side is free
podman run -d --name "nginx-$id" --network "$network" -p "127.0.0.1:$port:$container_port" \
    -v "$root/deploy/nginx.conf:/etc/nginx/nginx.conf:ro" -v "nginx-cache-$id:/var/cache/nginx" \
    "$nginx_image" >/dev/null 2>>"$work/podman.err"
base=http://127.0.0.1:$port

for _ in $(seq 100); do
    curl -sf -m 2 "$base/healthz" >/dev/null && break
    sleep 0.2
done
curl -sf -m 5 "$base/healthz" >/dev/null || fail "nginx does not reach the replicas"
pass "deploy/nginx.conf, unchanged, proxies to fractile-1 and fractile-2"

tile=/tiles/gradient-basin-wirtinger/1/1/0.png
curl -s -m 120 -D "$work/h1" -o "$work/t1" "$base$tile"
grep -qi '^x-cache-status: MISS' "$work/h1" || fail "first request: $(tr -d '\r' <"$work/h1" | grep -i x-cache)"
curl -s -m 120 -D "$work/h2" -o "$work/t2" "$base$tile"
grep -qi '^x-cache-status: HIT' "$work/h2" || fail "second request is not a proxy-cache HIT"
cmp -s "$work/t1" "$work/t2" || fail "the cached tile differs"
pass "a tile comes through (MISS), then from nginx's cache (HIT)"

# The replica that did not render it reads it from the shared volume.
for n in 1 2; do
    podman exec "fractile-$n-$id" fractile healthcheck >/dev/null || fail "healthcheck in fractile-$n"
    podman exec "fractile-$n-$id" bash -c "exec 3<>/dev/tcp/127.0.0.1/8080; printf 'GET $tile HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3; cat <&3 >/dev/null" \
        || fail "request inside fractile-$n"
done
renders=0
for n in 1 2; do
    podman exec "fractile-$n-$id" bash -c "exec 3<>/dev/tcp/127.0.0.1/8080; printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3; cat <&3" \
        >"$work/metrics-$n"
    renders=$((renders + $(awk '$1 == "fractile_renders_total" {print $2}' "$work/metrics-$n")))
done
[ "$renders" = 1 ] || fail "the two replicas rendered the tile $renders times"
pass "the tile was rendered once in all; the other replica read it from the shared volume"

podman stop -t 10 "nginx-$id" "fractile-1-$id" "fractile-2-$id" >/dev/null 2>>"$work/podman.err"
for n in 1 2; do
    [ "$(podman inspect --format '{{.State.ExitCode}}' "fractile-$n-$id")" = 0 ] || fail "fractile-$n exit code"
done
pass "the stack stops cleanly"
echo "all stack checks passed"
