#!/usr/bin/env python3
"""How a double-precision renderer may render one deep forward-pass pixel whose orbit parts from the reference.

The pixel's exact orbit (mpmath, deep_reference.py) up to step S, where the renderer's orbit parts from the
reference and goes on in double; from there, K double continuations, each from z_S moved by a relative 2^-50 in a
random direction, with libm's complex tanh (CPython's form, as `Complex.tanh`) and with a replica of the lanes'
`VectorTanh` (same operations, same order). Prints how many end in each regime: where both regimes occur, the
pixel's regime is a sample of its statistic for any double renderer, not a property of the pixel
(docs/deep-zoom.md, "A parted orbit, and where tanh saturates").

    python3 Tests/reference/resample_parted_pixel.py Z X Y I J S [K]
    e.g. 60 727331339820335112 308496574474878976 168 119 119 2000
"""
import json
import math
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import deep_reference as D  # noqa: E402
from mpmath import mp  # noqa: E402

SHIFT = 6755399441055744.0  # 1.5 * 2^52, VectorTanh.roundingShift


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def double(b):
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def exp_parts(t):
    """VectorTanh.expAndOneMinus: (exp t, -expm1 t) for t in [-700, 0]."""
    k = (t * (1 / math.log(2)) + SHIFT) - SHIFT
    shifted = t * (1 / math.log(2)) + SHIFT
    r = (t - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    scale = double((bits(shifted) - bits(SHIFT) + 1023) << 52)
    p = 1.0 / 6227020800
    for c in (479001600, 39916800, 3628800, 362880, 40320, 5040, 720, 120, 24, 6):
        p = p * r + 1.0 / c
    p = p * r + 0.5
    p = p * (r * r) + r
    e = (p + 1) * scale
    return e, (-p if k == 0 else 1 - e)


def cos_squared_and_sin_cos(y):
    """VectorTanh.cosSquaredAndSinCos."""
    n = (y * (2 / math.pi) + SHIFT) - SHIFT
    r = ((y - n * 1.57079632673412561417e+00) - n * 6.07710050630396597660e-11) - n * 2.02226624871116645580e-21
    z = r * r
    s = 1.58969099521155010221e-10
    for c in (-2.50507602534068634195e-08, 2.75573137070700676789e-06, -1.98412698298579493134e-04,
              8.33333333332248946124e-03, -1.66666666666666324348e-01):
        s = s * z + c
    sin_r = r + r * z * s
    c = -1.13596475577881948265e-11
    for k in (2.08757232129817482790e-09, -2.75573143513906633035e-07, 2.48015872894767294178e-05,
              -1.38888888888741095749e-03, 4.16666666666666019037e-02):
        c = c * z + k
    hz = 0.5 * z
    w = 1 - hz
    cos_r = w + (((1 - w) - hz) + z * z * c)
    odd = ((n * 0.5 + SHIFT) - SHIFT) * 2 != n
    sc = sin_r * cos_r
    return (sin_r * sin_r, -sc) if odd else (cos_r * cos_r, sc)


def vector_tanh(u):
    x, y = u.real, u.imag
    if not abs(y) <= 1048576.0:
        return libm_tanh(u)
    a = abs(x)
    e, m = exp_parts(-700.0 if a > 350 else -2 * a)
    if a > 350:
        e, m = 0.0, 1.0
    cc, sc = cos_squared_and_sin_cos(y)
    d = m * m + 4 * e * cc
    magnitude = m * (2 - m) / d
    return complex(-magnitude if x < 0 else magnitude, 4 * e * sc / d)


def libm_tanh(u):
    x, y = u.real, u.imag
    if abs(x) > 708.3964185322641:
        return complex(math.copysign(1.0, x), 4.0 * math.sin(y) * math.cos(y) * math.exp(-2.0 * abs(x)))
    tx, ty, cx = math.tanh(x), math.tan(y), 1.0 / math.cosh(x)
    txty = tx * ty
    den = 1.0 + txty * txty
    return complex(tx * (1.0 + ty * ty) / den, ((ty / den) * cx) * cx)


def main(argv):
    z, x, y, i, j, parted = (int(a) for a in argv[:6])
    count = int(argv[6]) if len(argv) > 6 else 2000
    config = json.load(open(os.path.join(HERE, "..", "..", "config.json")))
    m = D.Map(next(e for e in config["maps"] if e["name"] == "forward-pass"))
    mp.prec = D.PREC
    p = D.mpc_of(D.pixel_center(m, z, x, y, i, j))
    (sw, ow), (sb, ob) = m.weight, m.bias
    w, b = D.mpc_of(sw) * p + D.mpc_of(ow), D.mpc_of(sb) * p + D.mpc_of(ob)
    value, start, terms = D.mpc_of(m.z0), m.n_max // 4, []
    for n in range(parted):
        value = D.tanh(w * value + b)
        if n >= start:
            terms.append(math.log(max(abs(complex(w * (1 - value * value))), 1e-300)))
    wd, bd, zd = complex(w), complex(b), complex(value)
    random.seed(7)
    for tanh in (libm_tanh, vector_tanh):
        regimes = {}
        for _ in range(count):
            sums = list(terms)
            z_n = complex(zd.real * (1 + random.uniform(-1, 1) * 2**-50), zd.imag * (1 + random.uniform(-1, 1) * 2**-50))
            regime = None
            for n in range(parted, m.n_max):
                following = tanh(wd * z_n + bd)
                if abs(following) > m.radius or not math.isfinite(abs(following)):
                    regime = "escaped"
                    break
                if abs(following - z_n) <= 1e-12:
                    regime = "ordered"
                    break
                if n >= start:
                    sums.append(math.log(max(abs(wd * (1 - following * following)), 1e-300)))
                z_n = following
            regime = regime or ("ordered" if sum(sums) / len(sums) < 0 else "chaotic")
            regimes[regime] = regimes.get(regime, 0) + 1
        print("%s: %s of %d continuations from step %d" % (tanh.__name__, dict(sorted(regimes.items())), count, parted))


if __name__ == "__main__":
    main(sys.argv[1:])
