#!/usr/bin/env python3
"""Independent reference implementation of the maps of docs/maps.md, in plain Python with cmath.

Written straight from docs/maps.md, sharing no code with the Swift implementation, so that tests can compare the two.

    python3 Tests/reference/maps_reference.py KIND RE IM [--gradient wirtinger] [--settings JSON] [--map NAME]

KIND is forward_pass, gradient_basin or backprop_flow; RE IM is the pixel p. --settings takes a JSON object with
the kind's settings as config.json spells them (e.g. {"maxIterations": 100, "weight": {"scale": 1, "offset": 0}});
complex numbers are [re, im] or a plain number. Prints the probe JSON of docs/maps.md on one line.
"""
import argparse
import cmath
import json
import math
import sys

ORBIT_LIMIT = 256


def to_complex(value):
    """docs/maps.md: a complex number is [re, im]; a plain number r means [r, 0]."""
    if isinstance(value, (list, tuple)):
        return complex(float(value[0]), float(value[1]))
    return complex(float(value), 0.0)


def affine(value, default_scale, default_offset):
    value = value or {}
    return (to_complex(value.get("scale", default_scale)), to_complex(value.get("offset", default_offset)))


def finite(z):
    return math.isfinite(z.real) and math.isfinite(z.imag)


def forward_pass(p, s):
    scale_w, offset_w = affine(s.get("weight"), 1, 0)
    scale_b, offset_b = affine(s.get("bias"), [0, 0.3], 0)
    n_max = int(s.get("maxIterations", 400))
    radius = float(s.get("escapeRadius", 1e4))
    if s.get("plane", "parameter") == "input":
        z, w, b = p, offset_w, offset_b
    else:
        z, w, b = to_complex(s.get("z0", 0)), scale_w * p + offset_w, scale_b * p + offset_b
    zs = [z]
    start = n_max // 4
    total = 0.0
    for n in range(n_max):
        z_next = cmath.tanh(w * z + b)
        zs.append(z_next)
        if not finite(z_next) or abs(z_next) > radius:
            return {"regime": "escaped", "iterations": n + 1, "lyapunov": None, "period": None}, zs
        d = w * (1 - z_next * z_next)
        log_d = math.log(max(abs(d), 1e-300))
        if abs(z_next - z) <= 1e-12:
            return {"regime": "ordered", "iterations": n + 1, "lyapunov": log_d, "period": 1}, zs
        if n >= start:
            total += log_d
        z = z_next
    lyapunov = total / (n_max - start) if n_max > start else float("nan")
    period = None
    for k in range(1, min(32, n_max) + 1):
        if abs(zs[n_max] - zs[n_max - k]) <= 1e-9:
            period = k
            break
    regime = "ordered" if lyapunov < 0 else "chaotic"
    return {"regime": regime, "iterations": n_max, "lyapunov": lyapunov, "period": period}, zs


def basin_loss(w, xs, ys):
    """sum_k |tanh(w*x_k) - y_k|^2; None where w*x_k is not finite (no loss to speak of)."""
    total = 0.0
    for x, y in zip(xs, ys):
        wx = w * x
        if not finite(wx):
            return None
        total += abs(cmath.tanh(wx) - y) ** 2
    return total


def gradient_basin(p, s, gradient_override=None):
    data = s.get("data") or {}
    xs = [to_complex(v) for v in data.get("x", [-1, -0.5, 0.5, 1])]
    ys = [to_complex(v) for v in data.get("y", [-0.6, -0.3, 0.35, 0.7])]
    eta = to_complex(s.get("learningRate", 0.5))
    mode = gradient_override or s.get("gradient", "holomorphic")
    n_max = int(s.get("maxIterations", 256))
    radius = float(s.get("divergeRadius", 1e6))
    w = p
    ws = [w]
    result = None
    for n in range(n_max):
        g = 0j
        s_max = 0.0
        for x, y in zip(xs, ys):
            t = cmath.tanh(w * x)
            e = t - y
            sk = 1 - t * t
            if mode == "wirtinger":
                g += 2 * e * (x * sk).conjugate()
            else:
                g += 2 * e * x * sk
            s_max = max(s_max, abs(sk))
        w_next = w - eta * g
        ws.append(w_next)
        if not finite(w_next) or abs(w_next) > radius:
            result = {"regime": "diverged", "iterations": n + 1, "limit": None}
            w = w_next
            break
        if abs(w_next - w) <= 1e-12 * max(1.0, abs(w)):
            regime = "saturated" if s_max < 1e-9 else "converged"
            result = {"regime": regime, "iterations": n + 1, "limit": w_next}
            w = w_next
            break
        w = w_next
    if result is None:
        result = {"regime": "undecided", "iterations": n_max, "limit": None}
    result["loss"] = basin_loss(w, xs, ys)
    result["lossCurve"] = [basin_loss(v, xs, ys) for v in ws[:ORBIT_LIMIT]]
    return result, ws


def backprop_flow(p, s):
    scale_w, offset_w = affine(s.get("weight"), 1, 0)
    scale_c, offset_c = affine(s.get("input"), 1, 0)
    n_max = int(s.get("maxIterations", 400))
    explode = float(s.get("explodeRadius", 1e4))
    vanish = float(s.get("vanishRadius", 1e-8))
    tolerance = float(s.get("ringTolerance", 0.05))
    if s.get("plane", "parameter") == "input":
        delta, w, c = p, offset_w, offset_c
    else:
        delta, w, c = to_complex(s.get("delta0", 1)), scale_w * p + offset_w, scale_c * p + offset_c
    deltas = [delta]
    for n in range(n_max):
        t = cmath.tanh(w * delta)
        delta = (1 - t * t) * delta + c
        deltas.append(delta)
        if not finite(delta) or abs(delta) > explode:
            return {"regime": "exploded", "iterations": n + 1, "ring": None, "magnitude": abs(delta)}, deltas
        if abs(delta) < vanish:
            return {"regime": "vanished", "iterations": n + 1, "ring": None, "magnitude": abs(delta)}, deltas
    half = n_max // 2
    terms = [abs(abs(deltas[m]) - 1) for m in range(half + 1, n_max + 1)]
    total = 0.0
    for term in terms:
        total += term
    ring = total / len(terms) if terms else float("nan")
    regime = "unit_circle" if ring < tolerance else "bounded"
    return {"regime": regime, "iterations": n_max, "ring": ring, "magnitude": abs(deltas[n_max])}, deltas


def probe(kind, p, settings=None, gradient=None):
    """The probe fields for pixel p (without map/re/im): regime, iterations, kind fields, orbit."""
    settings = settings or {}
    if kind == "forward_pass":
        fields, orbit = forward_pass(p, settings)
    elif kind == "gradient_basin":
        fields, orbit = gradient_basin(p, settings, gradient)
    elif kind == "backprop_flow":
        fields, orbit = backprop_flow(p, settings)
    else:
        raise ValueError("unknown kind " + kind)
    fields["orbit"] = orbit[:ORBIT_LIMIT]
    return fields


def jsonable(value):
    """Complex as [re, im], non-finite numbers as null (docs/maps.md)."""
    if isinstance(value, complex):
        return [jsonable(value.real), jsonable(value.imag)]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["forward_pass", "gradient_basin", "backprop_flow"])
    parser.add_argument("re", type=float)
    parser.add_argument("im", type=float)
    parser.add_argument("--gradient", choices=["holomorphic", "wirtinger"])
    parser.add_argument("--settings", help="the kind's settings as a JSON object, config.json spelling")
    parser.add_argument("--map", default=None, help="map name to print in the \"map\" key")
    args = parser.parse_args(argv)
    settings = json.loads(args.settings) if args.settings else {}
    fields = probe(args.kind, complex(args.re, args.im), settings, args.gradient)
    out = {"map": args.map, "kind": args.kind, "re": args.re, "im": args.im}
    out.update(fields)
    print(json.dumps(jsonable(out), allow_nan=False))


if __name__ == "__main__":
    main(sys.argv[1:])
