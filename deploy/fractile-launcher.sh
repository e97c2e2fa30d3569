#!/bin/bash
# The image's `fractile`: runs the build of the binary made for this CPU, by what /proc/cpuinfo says.
# The v4 build (AVX-512 F, BW, CD, DQ, VL) renders about 1.9x faster than generic x86-64, the v3 one (AVX2) about
# 1.6x (`BENCH_ONLY=container make bench`); all three compute the same bytes (Swift does not contract into FMA).
# exec keeps the PID (SIGTERM reaches the server as PID 1) and -a its name (PID 1's command line stays
# `fractile serve`).
# FRACTILE_KERNEL=generic|v3|v4 overrides the choice (a build the CPU lacks would crash).
set -eu
dir=/usr/local/lib/fractile
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
has() {
    for flag in "$@"; do
        case "$flags" in *" $flag "*) ;; *) return 1 ;; esac
    done
}
# v3 is built for haswell and v4 for skylake-avx512 (Dockerfile): the psABI levels' flags (v3: AVX, AVX2, BMI1,
# BMI2, F16C, FMA, LZCNT (abm), MOVBE, XSAVE on top of v2; v4 adds AVX-512 F, BW, CD, DQ, VL), plus what those CPUs
# add that code generation may use (ADX on skylake-avx512).
v3="avx avx2 bmi1 bmi2 f16c fma abm movbe xsave cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3"
v4="$v3 avx512f avx512bw avx512cd avx512dq avx512vl adx"
kernel=${FRACTILE_KERNEL:-}
if [ -z "$kernel" ]; then
    # shellcheck disable=SC2086
    if has $v4; then kernel=v4; elif has $v3; then kernel=v3; else kernel=generic; fi
fi
exec -a fractile "$dir/fractile-$kernel" "$@"
