#!/usr/bin/env python3
"""Independent numpy reference of docs/maps.md "trainability", written from docs/maps.md alone (not from the Swift code).

Each pixel p trains one mean-field tanh network by full-batch gradient descent with eta_1 = 10^p.re (input layer)
and eta_2 = 10^p.im (output layer). Data and initial weights come from SplitMix64 + Box-Muller in docs/maps.md's order.
The gradients here are written as matrix products (numpy's summation order, not the Swift kernel's), so agreement
with Swift tests the math, not a transcription.

Used two ways:
- as a module: `problem(...)`, `train(...)`, `train_many(...)` (many pixels at once, for exploring framings);
- as a filter: `python3 trainability_reference.py` reads JSON lines {"settings": {...}, "points": [[re, im], ...],
  "curve": bool, "margins": bool} and writes one JSON line per point {"regime", "iterations", "loss", "lossCurve"?,
  "sensitive"?}; {"settings": {...}, "problem": true} writes the data and initial weights {"X", "Y", "W", "a", "L0"}
  (X and W row by row).
"""
import json
import math
import sys

import numpy as np

MASK = (1 << 64) - 1
DEFAULTS = {"width": 4, "seed": 1, "maxIterations": 100, "divergeLoss": 1e6}
TAIL = 20


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK

    def draw(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def normal(self):
        d1 = self.draw()
        d2 = self.draw()
        u1 = ((d1 >> 11) + 1) * 2.0 ** -53
        u2 = (d2 >> 11) * 2.0 ** -53
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def settings_of(given):
    s = dict(DEFAULTS)
    s.update(given or {})
    if s.get("points") is None:
        s["points"] = s["width"] * s["width"] + s["width"]
    return s


def problem(width, points, seed):
    """X (n x h), Y (n), W (h x h, row = input feature, column = hidden unit), a (h), drawn in that order."""
    g = SplitMix64(seed)
    X = np.array([[g.normal() for _ in range(width)] for _ in range(points)])
    Y = np.array([g.normal() for _ in range(points)])
    W = np.array([[g.normal() for _ in range(width)] for _ in range(width)])
    a = np.array([g.normal() for _ in range(width)])
    return X, Y, W, a


def loss_and_gradients(X, Y, W, a):
    """L = (1/n) sum_k (f_k - Y_k)^2 with f = tanh(sqrt(2) X W / sqrt(h)) a / h, and its exact gradients.
    W and a may carry a leading batch axis (one network per pixel)."""
    n, h = X.shape
    u = np.matmul(X, W) / math.sqrt(h)            # (..., n, h)
    t = np.tanh(math.sqrt(2.0) * u)
    f = np.matmul(t, a[..., :, None])[..., 0] / h  # (..., n)
    e = f - Y
    L = np.mean(e * e, axis=-1)
    de = 2.0 * e / n                                # dL/df
    grad_a = np.matmul(np.swapaxes(t, -1, -2), de[..., None])[..., 0] / h
    dt = de[..., :, None] * a[..., None, :] / h     # dL/dt (..., n, h)
    du = dt * (1.0 - t * t) * math.sqrt(2.0)        # dL/du
    grad_W = np.matmul(X.T, du) / math.sqrt(h)      # (..., h, h)
    return L, grad_W, grad_a


def train(given, re, im, curve=False):
    """One pixel: {"regime", "iterations", "loss", "lossCurve"} as docs/maps.md defines them."""
    s = settings_of(given)
    X, Y, W, a = problem(s["width"], s["points"], s["seed"])
    eta1, eta2 = 10.0 ** re, 10.0 ** im
    ratios = []
    L0 = None
    with np.errstate(all="ignore"):
        for step in range(s["maxIterations"]):
            L, gW, ga = loss_and_gradients(X, Y, W, a)
            L = float(L)
            if L0 is None:
                L0 = L
            r = L / L0
            ratios.append(r)
            if not math.isfinite(L) or r > s["divergeLoss"]:
                out = {"regime": "diverged", "iterations": step, "loss": L}
                break
            W = W - eta1 * gW
            a = a - eta2 * ga
        else:
            tail = sum(ratios[-TAIL:]) / TAIL
            out = {"regime": "converged" if tail < 1 else "stalled", "iterations": s["maxIterations"], "loss": L}
    if curve:
        out["lossCurve"] = ratios
    return out


def train_many(given, res, ims):
    """Many pixels at once (arrays of log10 learning rates): regimes as strings, iterations, mean r_s (for shading)."""
    s = settings_of(given)
    X, Y, W0, a0 = problem(s["width"], s["points"], s["seed"])
    res, ims = np.asarray(res, float), np.asarray(ims, float)
    count = res.size
    eta1 = (10.0 ** res).reshape(count, 1, 1)
    eta2 = (10.0 ** ims).reshape(count, 1)
    W = np.broadcast_to(W0, (count,) + W0.shape).copy()
    a = np.broadcast_to(a0, (count,) + a0.shape).copy()
    alive = np.ones(count, bool)
    iterations = np.full(count, s["maxIterations"])
    tail = np.zeros(count)
    total = np.zeros(count)
    L0 = None
    T = s["maxIterations"]
    with np.errstate(all="ignore"):
        for step in range(T):
            L, gW, ga = loss_and_gradients(X, Y, W, a)
            if L0 is None:
                L0 = float(L[0])
            r = L / L0
            bad = alive & (~np.isfinite(L) | (r > s["divergeLoss"]))
            iterations[bad] = step
            alive &= ~bad
            total[alive] += r[alive]
            if step >= T - TAIL:
                tail[alive] += r[alive]
            W[alive] -= eta1[alive] * gW[alive]
            a[alive] -= eta2[alive] * ga[alive]
    regimes = np.where(~alive, "diverged", np.where(tail / TAIL < 1, "converged", "stalled"))
    mean = np.where(alive, total / T, total / np.maximum(iterations, 1))
    return regimes, iterations, mean


def sensitive(given, re, im, outcome):
    """True where nudging either learning rate's log by 1e-12 (relative to the pixel, ~1e4 ulps) changes the regime
    or the step at which the run diverged: there training amplifies rounding noise, and two correct implementations
    summing in different orders (or with tanh an ulp apart) may legitimately disagree."""
    for dre, dim in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        nudged = train(given, re + dre * 1e-12 * max(1.0, abs(re)), im + dim * 1e-12 * max(1.0, abs(im)))
        if (nudged["regime"], nudged["iterations"]) != (outcome["regime"], outcome["iterations"]):
            return True
    return False


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        given = request.get("settings", {})
        if request.get("problem"):
            full = settings_of(given)
            X, Y, W, a = problem(full["width"], full["points"], full["seed"])
            print(json.dumps({"X": X.ravel().tolist(), "Y": Y.tolist(), "W": W.ravel().tolist(), "a": a.tolist(),
                              "L0": float(loss_and_gradients(X, Y, W, a)[0])}), flush=True)
            continue
        for re, im in request["points"]:
            out = train(given, re, im, curve=request.get("curve", False))
            if request.get("margins", False):
                out["sensitive"] = sensitive(given, re, im, out)
            out["loss"] = out["loss"] if math.isfinite(out["loss"]) else None
            if "lossCurve" in out:
                out["lossCurve"] = [r if math.isfinite(r) else None for r in out["lossCurve"]]
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
