#!/usr/bin/env python3
"""Arbitrary-precision reference for the regimes of docs/maps.md, for checking deep-zoom tiles (issue #8).

Written from docs/maps.md with mpmath, sharing no code with the Swift implementation nor with maps_reference.py (which
works in doubles and so cannot say anything below ~1e-16). The parameter plane of every kind, with the kind's
settings read from a config.json map entry:

    from deep_reference import Map, pixel_center, classify, judge
    m = Map(config_map_dict)
    p = pixel_center(m, z, x, y, i, j)          # exact Fractions (re, im)
    outcome = classify(m, p)                    # Outcome(regime, closeness, ...)
    verdict = judge(m, z, x, y, i, j)           # regime plus whether it is within numerical margin

Numbers in config.json are read as what a JSON parser gives the renderer: IEEE doubles. The reference takes those
doubles exactly (fractions.Fraction(float)), so center 0.3 means 0.299999999999999988898..., as it does for the
tile server. At z = 100 a pixel is ~1e-33 wide: using the decimal 0.3 instead would move every pixel by 1e16 pixel
widths.

Arithmetic: mpmath mpc at PREC bits (320 by default, ~96 digits). A z = 100 pixel is ~2^-109 of the plane, the
margin probe below is 1e-6 of that (~2^-129), which leaves ~190 bits for the amplification of rounding along an orbit.

Threshold decisions are taken on doubles made from the high-precision values (|z| against a radius, the step size,
the Lyapunov exponent, the ring): a double holds such a value to ~1e-16 relative, and every comparison whose sides
are closer than the margin (below) makes the pixel "within margin" anyway, so nothing relies on the last bits.
Differences of iterates are taken in high precision before rounding, so there is no cancellation.

Numerical margin (what `judge` reports): a pixel is within margin when its regime is not a property of the pixel at
its resolution, so that a correct renderer may legitimately answer otherwise. A second run is made at a point 1e-6
pixel widths from the pixel centre (offset (0.6, 0.8) * 1e-6 * pixel width) and at SECOND_PREC bits; a correct double
or perturbation renderer is equivalent to moving the point by far less (pixel offsets in doubles from an exact tile
centre, ~1e-13 px; double deltas, ~1e-16 relative). Within margin when
  1. the second run ends in a different regime; or
  2. the regime was decided by an event (escape, divergence, explosion, vanishing, convergence) or is "undecided",
     and the two orbits had moved more than SEPARATION (1e-3, relative to max(1, |z|)) apart before the decision;
  3. the regime is a statistic of the last steps (Lyapunov exponent, ring), the orbits moved apart, and the
     statistic is within STANDARD_ERRORS (4) batch-means standard errors of its threshold in either run;
  4. a compared quantity came within THRESHOLD_MARGIN (relative 1e-9) of its threshold at a comparison that decides
     the regime: |z| vs escapeRadius, |w| vs divergeRadius, |delta| vs explodeRadius and vanishRadius (every step),
     max |s_k| vs 1e-9 where a gradient run converged, ring vs ringTolerance, the Lyapunov exponent vs 0 (absolute);
  5. the step test at the last allowed step came within STEP_MARGIN (relative 1e-2) of its tolerance (a double
     iterate is known to ~1e-15, so a 1e-12 step to ~1e-3; earlier step tests only move the stopping step by one).
Tests/EndToEnd/test_deep.py explains why each of these is numerical margin and not disagreement.
"""
import json
import math
import sys
from fractions import Fraction

import mpmath
from mpmath import mp, mpc, mpf
from mpmath.libmp import from_rational, mpf_add, mpf_cos_sin, mpf_cosh_sinh, mpf_div, mpf_mul, round_nearest

PREC = 320
SECOND_PREC = PREC + 64
THRESHOLD_MARGIN = 1e-9
STEP_MARGIN = 1e-2
OFFSET_PIXELS = Fraction(1, 10**6)
OFFSET_DIRECTION = (Fraction(3, 5), Fraction(4, 5))
TILE = 256


def exact(value):
    """A JSON number as the double a parser makes of it, exactly."""
    return Fraction(float(value))


def complex_setting(value):
    """docs/maps.md: [re, im], or a plain number r meaning [r, 0]; as exact Fractions of doubles."""
    if isinstance(value, (list, tuple)):
        return (exact(value[0]), exact(value[1]))
    return (exact(value), Fraction(0))


class Map:
    """The parts of a config.json map entry the regimes depend on, numbers as exact Fractions of doubles."""

    def __init__(self, entry):
        self.entry = entry
        self.name = entry.get("name")
        self.kind = entry["kind"]
        self.center = complex_setting(entry["center"])
        self.span = exact(entry["span"])
        s = entry
        if s.get("plane", "parameter") != "parameter":
            raise ValueError("deep_reference covers the parameter plane only")
        if self.kind == "forward_pass":
            self.weight = self._affine(s.get("weight"), 1, 0)
            self.bias = self._affine(s.get("bias"), [0, 0.3], 0)
            self.z0 = complex_setting(s.get("z0", 0))
            self.n_max = int(s.get("maxIterations", 400))
            self.radius = float(s.get("escapeRadius", 1e4))
        elif self.kind == "gradient_basin":
            data = s.get("data") or {}
            self.xs = [complex_setting(v) for v in data.get("x", [-1, -0.5, 0.5, 1])]
            self.ys = [complex_setting(v) for v in data.get("y", [-0.6, -0.3, 0.35, 0.7])]
            self.eta = complex_setting(s.get("learningRate", 0.5))
            self.gradient = s.get("gradient", "holomorphic")
            self.n_max = int(s.get("maxIterations", 256))
            self.radius = float(s.get("divergeRadius", 1e6))
        elif self.kind == "backprop_flow":
            self.weight = self._affine(s.get("weight"), 1, 0)
            self.input = self._affine(s.get("input"), 1, 0)
            self.delta0 = complex_setting(s.get("delta0", 1))
            self.n_max = int(s.get("maxIterations", 400))
            self.explode = float(s.get("explodeRadius", 1e4))
            self.vanish = float(s.get("vanishRadius", 1e-8))
            self.tolerance = float(s.get("ringTolerance", 0.05))
        else:
            raise ValueError("unknown kind " + self.kind)

    @staticmethod
    def _affine(value, scale, offset):
        value = value or {}
        return (complex_setting(value.get("scale", scale)), complex_setting(value.get("offset", offset)))

    def pixel_width(self, z, scale=1):
        return self.span / (TILE * scale * 2**z)


def load_maps(config_path):
    """The maps of a config.json whose kind this reference knows (trainability has no deep path)."""
    with open(config_path) as f:
        return {m["name"]: Map(m) for m in json.load(f)["maps"] if m["kind"] in KINDS}


def pixel_center(m, z, x, y, i, j, scale=1):
    """docs/maps.md tile coordinates, exactly: the centre of pixel column i, row j of tile z/x/y, as (Fraction, Fraction)."""
    t = TILE * scale
    n = 2**z
    re = m.center[0] + m.span * ((x + Fraction(2 * i + 1, 2 * t)) / n - Fraction(1, 2))
    im = m.center[1] - m.span * ((y + Fraction(2 * j + 1, 2 * t)) / n - Fraction(1, 2))
    return re, im


def tile_of(m, re, im, z):
    """The tile x, y at zoom z whose square holds the point (re, im) (Fractions or decimal strings)."""
    re, im = Fraction(re), Fraction(im)
    n = 2**z
    u = ((re - m.center[0]) / m.span + Fraction(1, 2)) * n
    v = ((m.center[1] - im) / m.span + Fraction(1, 2)) * n
    return math.floor(u), math.floor(v)


def pixel_of(m, re, im, z, x, y):
    """Fractional pixel coordinates (column, row) of a point within tile z/x/y (pixel centres at k + 0.5)."""
    re, im = Fraction(re), Fraction(im)
    n = 2**z
    u = ((re - m.center[0]) / m.span + Fraction(1, 2)) * n - x
    v = ((m.center[1] - im) / m.span + Fraction(1, 2)) * n - y
    return u * TILE, v * TILE


def mpf_of(q):
    """A Fraction as an mpf, correctly rounded at the working precision."""
    return mp.make_mpf(from_rational(q.numerator, q.denominator, mp.prec, round_nearest))


def mpc_of(pair):
    return mpc(mpf_of(pair[0]), mpf_of(pair[1]))


class Outcome:
    """One run: the regime, the step that decided it, how close a decisive comparison came to its threshold, and the
    orbit (as doubles) for comparing runs."""
    __slots__ = ("regime", "iterations", "event", "closeness", "step_closeness", "statistic", "threshold",
                 "standard_error", "orbit")

    def __init__(self, regime, iterations, event, closeness, step_closeness, orbit, statistic=None, threshold=None,
                 standard_error=None):
        self.regime = regime
        self.iterations = iterations          # the step that decided (N when the run used them all)
        self.event = event                    # True: a test stopped the run; False: decided after N steps
        self.closeness = closeness            # min relative distance of a decisive comparison to its threshold
        self.step_closeness = step_closeness  # relative distance of the last-step step test to its tolerance
        self.orbit = orbit                    # z_1, z_2, ... (w or delta), mpmath values
        self.statistic = statistic            # lyapunov or ring, when the run used all N steps
        self.threshold = threshold            # 0 or ringTolerance
        self.standard_error = standard_error  # batch-means standard error of the statistic

    def near_threshold(self):
        return self.closeness < THRESHOLD_MARGIN or self.step_closeness < STEP_MARGIN

    def __repr__(self):
        text = "Outcome(%s, n=%d, closeness=%.3g" % (self.regime, self.iterations, self.closeness)
        if self.step_closeness < FAR:
            text += ", step=%.3g" % self.step_closeness
        if self.statistic is not None:
            text += ", statistic=%.6g+-%.2g" % (self.statistic, self.standard_error)
        return text + ")"


FAR = 1e300
BATCHES = 10
STANDARD_ERRORS = 4
SEPARATION = 1e-3


def rel(value, threshold):
    return abs(value / threshold - 1.0)


def batch_standard_error(terms):
    """Standard error of the mean of a correlated series by batch means (BATCHES equal batches)."""
    size = len(terms) // BATCHES
    if size < 2:
        return math.inf
    means = [sum(terms[k * size:(k + 1) * size]) / size for k in range(BATCHES)]
    mean = sum(means) / BATCHES
    variance = sum((m - mean) ** 2 for m in means) / (BATCHES - 1)
    return math.sqrt(variance / BATCHES)


def tanh(z):
    """Complex tanh at the working precision, as (sinh x cosh x + i sin y cos y) / (sinh^2 x + cos^2 y): a sum of
    squares in the denominator, so no cancellation near the poles (mpmath's tan(z) form subtracts there)."""
    prec = mp.prec
    wp = prec + 20
    a, b = z._mpc_
    ch, sh = mpf_cosh_sinh(a, wp)
    c, s = mpf_cos_sin(b, wp)
    den = mpf_add(mpf_mul(sh, sh, wp), mpf_mul(c, c, wp), wp)
    return mp.make_mpc((mpf_div(mpf_mul(sh, ch, wp), den, prec, round_nearest),
                        mpf_div(mpf_mul(s, c, wp), den, prec, round_nearest)))


def forward_pass(m, p):
    (sw, ow), (sb, ob) = m.weight, m.bias
    w = mpc_of(sw) * p + mpc_of(ow)
    b = mpc_of(sb) * p + mpc_of(ob)
    z = mpc_of(m.z0)
    n_max, radius = m.n_max, m.radius
    start = n_max // 4
    terms = []
    closeness, step_closeness = FAR, FAR
    orbit = []
    for n in range(n_max):
        z_next = tanh(w * z + b)
        orbit.append(z_next)
        size = abs(complex(z_next))
        closeness = min(closeness, rel(size, radius))
        if not math.isfinite(size) or size > radius:
            return Outcome("escaped", n + 1, True, closeness, step_closeness, orbit)
        step = abs(complex(z_next - z))
        if n == n_max - 1:
            step_closeness = rel(step, 1e-12)
        if step <= 1e-12:
            return Outcome("ordered", n + 1, True, closeness, step_closeness, orbit)
        if n >= start:
            d = complex(w * (1 - z_next * z_next))
            terms.append(math.log(max(abs(d), 1e-300)))
        z = z_next
    lyapunov = sum(terms) / len(terms)
    closeness = min(closeness, abs(lyapunov))
    return Outcome("ordered" if lyapunov < 0 else "chaotic", n_max, False, closeness, step_closeness, orbit,
                   lyapunov, 0.0, batch_standard_error(terms))


def gradient_basin(m, p):
    xs = [mpc_of(x) for x in m.xs]
    ys = [mpc_of(y) for y in m.ys]
    eta = mpc_of(m.eta)
    wirtinger = m.gradient == "wirtinger"
    n_max, radius = m.n_max, m.radius
    # tanh is odd: tanh(w * -x) = -tanh(w * x), so data points +-x share one tanh.
    mirrors = [next((q for q in range(k) if m.xs[q] == (-x[0], -x[1])), None) for k, x in enumerate(m.xs)]
    w = p
    closeness, step_closeness = FAR, FAR
    orbit = []
    for n in range(n_max):
        g = mpc(0)
        s_max = 0.0
        ts = []
        for k, x in enumerate(xs):
            t = -ts[mirrors[k]] if mirrors[k] is not None else tanh(w * x)
            ts.append(t)
            e = t - ys[k]
            s = 1 - t * t
            if wirtinger:
                g += 2 * e * (x * s).conjugate()
            else:
                g += 2 * e * x * s
            s_max = max(s_max, abs(complex(s)))
        w_next = w - eta * g
        orbit.append(w_next)
        size = abs(complex(w_next))
        closeness = min(closeness, rel(size, radius))
        if not math.isfinite(size) or size > radius:
            return Outcome("diverged", n + 1, True, closeness, step_closeness, orbit)
        step = abs(complex(w_next - w))
        tolerance = 1e-12 * max(1.0, abs(complex(w)))
        if n == n_max - 1:
            step_closeness = rel(step, tolerance)
        if step <= tolerance:
            closeness = min(closeness, rel(s_max, 1e-9))
            regime = "saturated" if s_max < 1e-9 else "converged"
            return Outcome(regime, n + 1, True, closeness, step_closeness, orbit)
        w = w_next
    return Outcome("undecided", n_max, False, closeness, step_closeness, orbit)


def backprop_flow(m, p):
    (sw, ow), (sc, oc) = m.weight, m.input
    w = mpc_of(sw) * p + mpc_of(ow)
    c = mpc_of(sc) * p + mpc_of(oc)
    delta = mpc_of(m.delta0)
    n_max = m.n_max
    half = n_max // 2
    terms = []
    closeness = FAR
    orbit = []
    for n in range(n_max):
        t = tanh(w * delta)
        delta = (1 - t * t) * delta + c
        orbit.append(delta)
        size = abs(complex(delta))
        closeness = min(closeness, rel(size, m.explode), rel(size, m.vanish))
        if not math.isfinite(size) or size > m.explode:
            return Outcome("exploded", n + 1, True, closeness, FAR, orbit)
        if size < m.vanish:
            return Outcome("vanished", n + 1, True, closeness, FAR, orbit)
        if n + 1 >= half + 1:
            terms.append(abs(size - 1.0))
    ring = sum(terms) / len(terms)
    closeness = min(closeness, rel(ring, m.tolerance))
    return Outcome("unit_circle" if ring < m.tolerance else "bounded", n_max, False, closeness, FAR, orbit,
                   ring, m.tolerance, batch_standard_error(terms))


KINDS = {"forward_pass": forward_pass, "gradient_basin": gradient_basin, "backprop_flow": backprop_flow}


def classify(m, point, prec=PREC):
    """The regime of the exact point (Fraction re, Fraction im) at `prec` bits."""
    with mp.workprec(prec):
        return KINDS[m.kind](m, mpc_of(point))


def distances(a, b):
    """|a_n - b_n| and max(1, |a_n|) as doubles, the differences taken in full precision, over the common length."""
    for u, v in zip(a, b):
        yield float(abs(u - v)), max(1.0, float(abs(u)))


def separation_step(a, b):
    """The first step at which two orbits are more than SEPARATION apart (relative to max(1, |z|)), or None."""
    for n, (distance, scale) in enumerate(distances(a, b)):
        if not distance <= SEPARATION * scale:  # also true for inf/nan
            return n + 1
    return None


class Verdict:
    """A pixel's regime and whether it is within numerical margin (module docstring), with the reason."""
    __slots__ = ("regime", "outcome", "second", "reason", "spread")

    def __init__(self, outcome, second):
        self.outcome = outcome
        self.second = second
        self.regime = outcome.regime
        self.reason = self._reason()
        # How far apart the two orbits got (before either run stopped): about 1e-6 pixel widths times the orbit's
        # derivative with respect to the pixel; find_deep_points follows boundaries where this grows.
        self.spread = max((d for d, _ in distances(outcome.orbit, second.orbit)), default=0.0)

    def _reason(self):
        first, second = self.outcome, self.second
        if second.regime != first.regime:
            return "sensitive: %s at 1e-6 px and %d bits" % (second.regime, SECOND_PREC)
        if first.near_threshold() or second.near_threshold():
            return "near threshold: %r / %r" % (first, second)
        separated = separation_step(first.orbit, second.orbit)
        if separated is None:
            return None
        if first.event or second.event or first.statistic is None:
            return "decided at step %d/%d, after the orbit 1e-6 px away separated (step %d)" % (
                first.iterations, second.iterations, separated)
        for run in (first, second):
            if abs(run.statistic - run.threshold) < STANDARD_ERRORS * run.standard_error:
                return "separated orbit (step %d) and statistic within %d standard errors: %r / %r" % (
                    separated, STANDARD_ERRORS, first, second)
        return None

    @property
    def within_margin(self):
        return self.reason is not None

    @property
    def category(self):
        """The margin rule that applies, in one word (None when decided): sensitive, separated, statistic,
        threshold."""
        if self.reason is None:
            return None
        for prefix, word in (("sensitive", "sensitive"), ("decided at step", "separated"),
                             ("separated orbit", "statistic"), ("near threshold", "threshold")):
            if self.reason.startswith(prefix):
                return word
        return "other"

    def __repr__(self):
        return "Verdict(%s, %s)" % (self.regime, self.reason or "decided")


def displaced(m, point, z, scale=1):
    width = m.pixel_width(z, scale)
    return (point[0] + OFFSET_PIXELS * width * OFFSET_DIRECTION[0],
            point[1] + OFFSET_PIXELS * width * OFFSET_DIRECTION[1])


def judge_point(m, point, z, scale=1):
    """Verdict for an exact point, with the margin of a pixel at zoom z (which need not be the zoom of a tile holding
    the point: find_deep_points judges shallow tiles with the margin of the deep ones it is heading for)."""
    first = classify(m, point, PREC)
    second = classify(m, displaced(m, point, z, scale), SECOND_PREC)
    return Verdict(first, second)


def judge(m, z, x, y, i, j, scale=1):
    """The regime of pixel (i, j) of tile z/x/y, and whether it lies within numerical margin (module docstring)."""
    return judge_point(m, pixel_center(m, z, x, y, i, j, scale), z, scale)


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("map")
    parser.add_argument("z", type=int)
    parser.add_argument("x", type=int)
    parser.add_argument("y", type=int)
    parser.add_argument("i", type=int)
    parser.add_argument("j", type=int)
    parser.add_argument("--config", default="config.json")
    args = parser.parse_args(argv)
    m = load_maps(args.config)[args.map]
    verdict = judge(m, args.z, args.x, args.y, args.i, args.j)
    re, im = pixel_center(m, args.z, args.x, args.y, args.i, args.j)
    with mp.workprec(PREC):
        re_text, im_text = mpmath.nstr(mpf_of(re), 50), mpmath.nstr(mpf_of(im), 50)
    print(json.dumps({"map": args.map, "re": re_text, "im": im_text, "regime": verdict.regime,
                      "withinMargin": verdict.within_margin, "reason": verdict.reason}))


if __name__ == "__main__":
    main(sys.argv[1:])
