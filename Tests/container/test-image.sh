#!/usr/bin/env bash
# Runs the fractile image as a user would and checks it from outside: tiles, the viewer, /healthz, the HEALTHCHECK,
# a non-root PID 1, the cache volume (also with `seed`), a video (the image's ffmpeg), and a graceful stop on SIGTERM
# within 10 s with exit code 0.
# Usage: Tests/container/test-image.sh [IMAGE]   (make test-container builds the image first)
set -euo pipefail
image=${1:-localhost/fractile:test}
here=$(cd "$(dirname "$0")" && pwd)
shared=${CONTAINER_SHARED:-$here/../../../shared/container}
# shellcheck source=/dev/null
source "$shared/env.sh"

name=fractile-test-$$
volume=fractile-test-tiles-$$
work=$(mktemp -d)
cleanup() {
    podman rm -f "$name" >/dev/null 2>&1 || true
    podman volume rm -f "$volume" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; podman logs "$name" 2>&1 | tail -20 >&2 || true; exit 1; }
pass() { echo "ok: $*"; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
podman volume create "$volume" >/dev/null
# Without systemd podman cannot schedule health-check timers and says so on stderr; `podman healthcheck run` below
# runs the check itself.
container_port=8080  # the image's default port inside the container; the host side is free
podman run -d --name "$name" -p "127.0.0.1:$port:$container_port" -v "$volume:/var/cache/fractile" "$image" >/dev/null \
    2>"$work/run.err" || { cat "$work/run.err" >&2; exit 1; }
base=http://127.0.0.1:$port

for _ in $(seq 100); do
    curl -sf -m 2 "$base/healthz" >/dev/null && break
    sleep 0.2
done
[ "$(curl -s -m 5 "$base/healthz")" = ok ] || fail "/healthz does not answer ok"
pass "/healthz answers ok on published port $port"

curl -s -m 120 -D "$work/tile.headers" -o "$work/tile.png" "$base/tiles/forward-pass/1/0/1.png"
grep -qi '^HTTP/1.1 200' "$work/tile.headers" || fail "tile status: $(head -1 "$work/tile.headers")"
grep -qi '^content-type: image/png' "$work/tile.headers" || fail "tile content type"
python3 - "$work/tile.png" <<'PY' || fail "the tile is not a valid 256x256 PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
offset, kinds, idat = 8, [], b""
while offset < len(data):
    (length,) = struct.unpack(">I", data[offset:offset + 4])
    kind, payload = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
    assert zlib.crc32(kind + payload) & 0xFFFFFFFF == struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])[0]
    kinds.append(kind)
    idat += payload if kind == b"IDAT" else b""
    offset += 12 + length
assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and offset == len(data)
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (256, 256)
zlib.decompress(idat)
PY
pass "tile 1/0/1 is a valid 256x256 PNG ($(stat -c %s "$work/tile.png") bytes)"

curl -sf -m 5 "$base/" | grep -qi '<html' || fail "the viewer (/) is not served"
curl -sf -m 5 -o /dev/null "$base/vendor/leaflet/leaflet.js" || fail "Leaflet (libjs-leaflet) is not served"
curl -sf -m 5 "$base/maps.json" | grep -q '"gradient-basin-wirtinger"' || fail "/maps.json"
pass "the viewer, Leaflet and /maps.json are served"

[ "$(podman exec "$name" id -u)" = 10001 ] || fail "the server does not run as uid 10001"
[ "$(podman exec "$name" cat /proc/1/cmdline | tr '\0' ' ')" = "fractile serve " ] || fail "fractile is not PID 1"
pass "fractile serve is PID 1 and runs as uid 10001"

podman healthcheck run "$name" >/dev/null || fail "the image HEALTHCHECK (fractile healthcheck) fails"
[ "$(podman inspect --format '{{.Config.Healthcheck.Test}}' "$name")" = "[CMD fractile healthcheck]" ] \
    || fail "HEALTHCHECK missing from the image (built without --format docker?)"
pass "HEALTHCHECK (fractile healthcheck) passes"

for _ in $(seq 50); do
    podman exec "$name" sh -c 'find /var/cache/fractile -name 1.png | grep -q /1/0/1.png' && break
    sleep 0.2
done
podman exec "$name" sh -c 'find /var/cache/fractile -name 1.png | grep -q /1/0/1.png' || fail "tile not on the volume"
pass "the tile was written to the cache volume"

# A one-off seed job on the same volume, as the Kubernetes Job in deploy/ runs it.
podman run --rm -v "$volume:/var/cache/fractile" "$image" seed backprop-flow --zoom 0-1 >"$work/seed.out" 2>&1 \
    || { cat "$work/seed.out" >&2; fail "seed in the image"; }
grep -q '5 of 5 tiles' "$work/seed.out" || fail "seed summary: $(tail -1 "$work/seed.out")"
curl -sf -m 5 -o /dev/null "$base/tiles/backprop-flow/1/1/1.png" || fail "seeded tile not served"
renders=$(curl -s -m 5 "$base/metrics" | awk '$1 == "fractile_renders_total" {print $2}')
[ "$renders" = 1 ] || fail "seeded tile was rendered again (renders_total $renders)"
pass "seed in a second container filled the shared volume; the server read it without rendering"

# POST /videos encodes with the image's ffmpeg (the runtime stage installs it for this and nothing else).
job=$(curl -sf -m 10 -X POST "$base/videos?map=forward-pass&re=0&im=0&zoom=0-1&seconds=1&fps=4&size=64x64") \
    || fail "POST /videos"
id=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$job")
for _ in $(seq 300); do
    state=$(curl -s -m 5 "$base/videos/$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')
    case $state in done|failed|cancelled) break ;; esac
    sleep 0.2
done
[ "$state" = done ] || fail "video job: $(curl -s -m 5 "$base/videos/$id")"
curl -sf -m 10 -o "$work/video.mp4" "$base/videos/$id.mp4" || fail "GET /videos/$id.mp4"
video=$(ffprobe -v error -select_streams v -count_frames -show_entries stream=codec_name,nb_read_frames -of csv=p=0 \
    "$work/video.mp4")
[ "$video" = "h264,4" ] || fail "the video is not 4 frames of H.264: $video"
pass "POST /videos made a 4-frame H.264 video with the image's ffmpeg"

started=$(date +%s.%N)
podman stop -t 10 "$name" >/dev/null 2>>"$work/run.err"
stopped=$(date +%s.%N)
took=$(python3 -c "print(round($stopped - $started, 2))")
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "exit code after SIGTERM is $code"
python3 -c "import sys; sys.exit(0 if $took < 10 else 1)" || fail "stop took $took s"
podman logs "$name" 2>&1 | grep -q 'fractile: stopped' || fail "no graceful-stop line in the log"
pass "SIGTERM (podman stop -t 10): stopped gracefully in $took s with exit code 0"

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image $image: $((size / 1000000)) MB"
echo "all container checks passed"
