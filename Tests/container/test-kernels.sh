#!/usr/bin/env bash
# The image's three builds of the binary (generic x86-64, x86-64-v3, x86-64-v4; deploy/fractile-launcher.sh picks
# one by /proc/cpuinfo) and the native build (`make build`) render byte-identical tiles: shallow and deep ones of
# every shipped map. Also prints which build the launcher picks here, and render seconds per build.
# Usage: Tests/container/test-kernels.sh [IMAGE] [NATIVE_BINARY]
set -euo pipefail
image=${1:-localhost/fractile:test}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
native=${2:-$root/.build/release/fractile}
shared=${CONTAINER_SHARED:-$root/../shared/container}
# shellcheck source=/dev/null
source "$shared/env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"

# map z x y: the frame's first tiles, a z=10 boundary tile and a z=80 tile of Tests/reference/deep_points.json.
tiles=(
    "forward-pass 1 0 1" "forward-pass 80 664909200788046055036245 503719091506095489460906"
    "gradient-basin 2 1 2" "gradient-basin 10 818 708" "gradient-basin 80 966657640129801297153980 836938002924341367659961"
    "gradient-basin-wirtinger 2 2 1" "backprop-flow 2 1 1" "backprop-flow 80 755578637259143234191360 453347182355485940514816"
)
picked=$(podman run --rm --entrypoint bash "$image" -x /usr/local/bin/fractile --help 2>&1 >/dev/null \
    | sed -n 's|^+ exec -a fractile /usr/local/lib/fractile/fractile-||p' | cut -d' ' -f1)
echo "this CPU: the launcher picks $picked"
index=0
for tile in "${tiles[@]}"; do
    read -r map z x y <<<"$tile"
    "$native" render --config "$root/config.json" "$map" "$z" "$x" "$y" -o "$work/native-$index.png" --report \
        | sed "s/^/native  /"
    for kernel in generic v3 v4; do
        # (podman's complaint that it has no systemd for HEALTHCHECK timers is dropped)
        podman run --rm -e FRACTILE_KERNEL=$kernel -v "$work:/out" "$image" \
            render "$map" "$z" "$x" "$y" -o "/out/$kernel-$index.png" --report 2> >(grep -v systemd >&2) | sed "s/^/$kernel $(printf '%*s' $((7 - ${#kernel})) '')/"
        cmp -s "$work/native-$index.png" "$work/$kernel-$index.png" \
            || { echo "FAIL: $map $z/$x/$y: the $kernel build differs from the native build" >&2; exit 1; }
    done
    index=$((index + 1))
done
echo "ok: ${#tiles[@]} tiles byte-identical across the native build and the image's generic, v3 and v4 builds"
