#!/usr/bin/env python3
"""How firmly a deep forward-pass pixel's Lyapunov verdict holds for any renderer that goes on in double.

deep_reference.py decides a pixel whose regime is the Lyapunov mean of all N steps by batch means (4 standard errors).
A perturbation renderer knows the pixel's orbit exactly only until the orbit parts from the tile's reference (the
orbit of the tile's centre): from there it takes double steps, each rounded to ~2^-53, and where tanh saturates
(|Re u| >= 8) it restarts against the orbit from +-1 with the small difference 1 - |z| known to ~2^-53 of itself
(docs/deep-zoom.md). This tool models exactly that and nothing of the renderer's code: from the parting step S on,
the pixel's exact orbit (mpmath, deep_reference.PREC bits) with each step's result moved by a random relative
2^-53 (of z, or of z -+ 1 at a saturated step, scaled by |Re u|), K times, and prints how many of the K runs end in
each regime. Where both regimes occur, the pixel's regime is a sample for a double renderer, whatever batch means say.

    python3 Tests/reference/noisy_continuations.py [K]      (default 100; the evidence pixels of deep_points.json)
    python3 Tests/reference/noisy_continuations.py K Z X Y I J

Parting as the renderers in this project part (ForwardPassReference): |du| >= 2^-16, du being the difference of
w z + b between the pixel and the tile's centre.
"""
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import deep_reference as D  # noqa: E402
from mpmath import mp, mpc  # noqa: E402

PARTING = 2.0**-16
SATURATION = 8.0
ROUNDING = 2.0**-53
# The pixel that test_parted_orbit_pixels_agree_with_mpmath expects to fail (Tests/EndToEnd/test_deep.py).
PARTED_PIXEL = (60, 727331339820335112, 308496574474878976, 168, 119)


def affine(m, p):
    (sw, ow), (sb, ob) = m.weight, m.bias
    return D.mpc_of(sw) * p + D.mpc_of(ow), D.mpc_of(sb) * p + D.mpc_of(ob)


def tile_centre(m, z, x, y):
    n = 2**z
    return (m.center[0] + m.span * ((x + D.Fraction(1, 2)) / n - D.Fraction(1, 2)),
            m.center[1] - m.span * ((y + D.Fraction(1, 2)) / n - D.Fraction(1, 2)))


def parting_step(m, w, b, w_ref, b_ref):
    """The first step n whose u = w z_n + b differs from the reference's by at least PARTING, or None."""
    z = z_ref = D.mpc_of(m.z0)
    for n in range(m.n_max):
        u, u_ref = w * z + b, w_ref * z_ref + b_ref
        if abs(complex(u - u_ref)) >= PARTING:
            return n
        z, z_ref = D.tanh(u), D.tanh(u_ref)
    return None


def noise(rng, scale):
    return mpc(rng.uniform(-1, 1), rng.uniform(-1, 1)) * (scale * ROUNDING)


def continuation(m, w, b, orbit, parted, rng):
    """One run from step `parted` on with rounding noise; the regime by docs/maps.md's forward_pass rules."""
    start = m.n_max // 4
    terms = [math.log(max(abs(complex(w * (1 - v * v))), 1e-300)) for v in orbit[start:parted]]
    z = orbit[parted - 1] if parted > 0 else D.mpc_of(m.z0)
    for n in range(parted, m.n_max):
        u = w * z + b
        following = D.tanh(u)
        real = float(u.real)
        if abs(real) >= SATURATION:
            sign = 1 if real > 0 else -1
            following = sign + (following - sign) * (1 + noise(rng, abs(real)))
        else:
            following = following * (1 + noise(rng, 1.0))
        size = abs(complex(following))
        if not math.isfinite(size) or size > m.radius:
            return "escaped"
        if abs(complex(following - z)) <= 1e-12:
            return "ordered"
        if n >= start:
            terms.append(math.log(max(abs(complex(w * (1 - following * following))), 1e-300)))
        z = following
    return "ordered" if sum(terms) / len(terms) < 0 else "chaotic"


def resample(m, z, x, y, i, j, count, rng):
    """(verdict, parting step, {regime: runs}) for pixel (i, j) of tile z/x/y."""
    verdict = D.judge(m, z, x, y, i, j)
    with mp.workprec(D.PREC):
        w, b = affine(m, D.mpc_of(D.pixel_center(m, z, x, y, i, j)))
        w_ref, b_ref = affine(m, D.mpc_of(tile_centre(m, z, x, y)))
        parted = parting_step(m, w, b, w_ref, b_ref)
        runs = {}
        if parted is not None and verdict.outcome.statistic is not None:
            for _ in range(count):
                regime = continuation(m, w, b, verdict.outcome.orbit, parted, rng)
                runs[regime] = runs.get(regime, 0) + 1
    return verdict, parted, runs


def evidence_pixels(m):
    with open(os.path.join(HERE, "deep_points.json")) as f:
        entries = json.load(f)["forward-pass"].get("pixels", [])
    for entry in entries:
        x, y = D.tile_of(m, entry["re"], entry["im"], entry["z"])
        for i, j in entry["pixels"]:
            yield entry["z"], x, y, i, j
    yield PARTED_PIXEL


def main(argv):
    count = int(argv[0]) if argv else 100
    with open(os.path.join(HERE, "..", "..", "config.json")) as f:
        m = D.Map(next(e for e in json.load(f)["maps"] if e["name"] == "forward-pass"))
    pixels = [tuple(int(a) for a in argv[1:6])] if len(argv) >= 6 else list(evidence_pixels(m))
    rng = random.Random(7)
    for z, x, y, i, j in pixels:
        verdict, parted, runs = resample(m, z, x, y, i, j, count, rng)
        statistic = verdict.outcome.statistic
        print("z=%d (%d, %d): mpmath %s%s (%s), parts at step %s; with rounding noise: %s of %d" % (
            z, i, j, verdict.regime, "" if statistic is None else ", lyapunov %.3f" % statistic,
            verdict.reason or "decided", parted, dict(sorted(runs.items())) or "no statistic", count), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
