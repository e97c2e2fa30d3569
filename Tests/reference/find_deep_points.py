#!/usr/bin/env python3
"""Finds, for each shipped map, a point on a regime boundary and the tiles at z = 60, 80, 100 around it whose sampled
pixels show at least two regimes outside numerical margin; writes Tests/reference/deep_points.json.

Independent of the renderer: seeds come from a double-precision scan with maps_reference.py, boundary points from
bisection with deep_reference.py (mpmath), and every chosen tile is checked with deep_reference.judge on the same
sample test_deep.py uses.

    python3 Tests/reference/find_deep_points.py [--config config.json] [--map NAME ...] [--bisections N] [--descents N]
    python3 Tests/reference/find_deep_points.py --map NAME --pixels Z X Y I,J [I,J ...] --point RE IM

The second form judges a few chosen pixels of one tile (where a whole tile's sample costs too much mpmath, or where
only part of a tile is decided: the edge of a forward-pass ordered island inside a chaotic filament) and, when every
one is decided and they show two regimes, stores them as the map's "pixels" entry, which test_deep.py checks.

Slow (minutes per map): run it when the maps change, not in the test suite.
"""
import argparse
import json
import math
import os
import random
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import deep_reference as D  # noqa: E402
import maps_reference as R  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ZOOMS = (60, 80, 100)
GRID = 8
NEAREST = 16
BISECTION_WIDTH = Fraction(1, 10**40)
DIGITS = 45
MAX_EXCLUDED_SHARE = 0.10
PRUNE_ZOOM = 40
# Below this spread (orbits 1e-6 pixel widths apart), a decided quantity varies by less than ~1e-7 per pixel.
SPREAD_FLOOR = 1e-13


def sample_pixels(m, point, z, x, y):
    """The pixels test_deep.py checks in tile z/x/y: a GRID x GRID lattice, then the NEAREST pixels nearest `point`."""
    step = 256 // GRID
    pixels = [(step * a + step // 2, step * b + step // 2) for b in range(GRID) for a in range(GRID)]
    u, v = D.pixel_of(m, point[0], point[1], z, x, y)
    ranked = sorted(((i, j) for j in range(256) for i in range(256)
                     if abs(i + Fraction(1, 2) - u) <= 3 and abs(j + Fraction(1, 2) - v) <= 3),
                    key=lambda ij: ((ij[0] + Fraction(1, 2) - u) ** 2 + (ij[1] + Fraction(1, 2) - v) ** 2, ij))
    for ij in ranked:
        if len(pixels) == GRID * GRID + NEAREST:
            break
        if ij not in pixels:
            pixels.append(ij)
    return pixels


def survey(m, z, x, y, pixels):
    """{(i, j): Verdict} for the pixels of tile z/x/y."""
    return {ij: D.judge(m, z, x, y, *ij) for ij in pixels}


def summary(verdicts):
    decided, excluded = {}, 0
    for v in verdicts.values():
        if v.within_margin:
            excluded += 1
        else:
            decided[v.regime] = decided.get(v.regime, 0) + 1
    return decided, excluded


def acceptable(verdicts):
    decided, excluded = summary(verdicts)
    return len(decided) >= 2 and excluded <= MAX_EXCLUDED_SHARE * len(verdicts)


def scan_seeds(m, grid, rng):
    """Pairs of neighbouring points of a grid x grid double-precision scan of tile 0/0/0 with different regimes. The
    scan points are moved off the lattice by up to a quarter cell, so that boundary points do not sit on dyadic tile
    edges."""
    width = m.span / grid
    points, regimes = {}, {}
    for j in range(grid):
        for i in range(grid):
            centre = D.pixel_center(m, 0, 0, 0, i, j, scale=Fraction(grid, 256))
            point = tuple(q + width * Fraction(rng.randrange(-2**20, 2**20), 2**22) for q in centre)
            points[i, j] = point
            regimes[i, j] = R.probe(m.kind, complex(float(point[0]), float(point[1])), m.entry)["regime"]
    pairs = []
    for (i, j), r in regimes.items():
        for di, dj in ((1, 0), (0, 1)):
            s = regimes.get((i + di, j + dj))
            if s is not None and s != r:
                pairs.append((points[i, j], points[i + di, j + dj], r, s))
    rng.shuffle(pairs)
    # "saturated" borders a slow tail whose edge is where the step test first passes: a smooth curve at depth.
    pairs.sort(key=lambda pair: "saturated" in pair[2:])
    return pairs


def bisect(m, a, b):
    """Bisects the segment a-b (different regimes in mpmath) down to BISECTION_WIDTH; returns the end with a's regime."""
    ra, rb = D.classify(m, a).regime, D.classify(m, b).regime
    if ra == rb:
        return None
    while max(abs(a[0] - b[0]), abs(a[1] - b[1])) > BISECTION_WIDTH:
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        if D.classify(m, mid).regime == ra:
            a = mid
        else:
            b = mid
    return a, ra, D.classify(m, b).regime


def decimal(q, digits=DIGITS):
    """A Fraction as a decimal string with `digits` significant digits."""
    from mpmath import mp, nstr
    with mp.workprec(D.PREC):
        return nstr(D.mpf_of(q), digits, strip_zeros=False, min_fixed=-math.inf, max_fixed=math.inf)


def settings_of(entry):
    """The parts of a config.json map entry that the regimes depend on (deep points go stale when they change)."""
    return {k: v for k, v in entry.items() if k not in ("name", "title", "description", "maxZoom")}


def check_tile(m, point, z, between, log, structure=True):
    """The tile at zoom z around `point` (rounded to DIGITS digits), judged on the sample test_deep.py uses: its
    deep_points.json entry, or None when it is not acceptable."""
    point = (Fraction(decimal(point[0])), Fraction(decimal(point[1])))
    x, y = D.tile_of(m, point[0], point[1], z)
    started = time.time()
    verdicts = survey(m, z, x, y, sample_pixels(m, point, z, x, y))
    decided, excluded = summary(verdicts)
    log("    check %d/%d/%d: decided %s, excluded %d of %d (%.0f s)" % (z, x, y, decided, excluded, len(verdicts),
                                                                       time.time() - started))
    reasons = sorted(set(v.reason.split(":")[0] for v in verdicts.values() if v.within_margin))
    if reasons:
        log("      excluded as: %s; e.g. %s" % ("; ".join(reasons), next(
            v.reason for v in verdicts.values() if v.within_margin)[:300]))
    if not (acceptable(verdicts) if structure else decided and excluded <= MAX_EXCLUDED_SHARE * len(verdicts)):
        return None
    return {"z": z, "x": str(x), "y": str(y), "re": decimal(point[0]), "im": decimal(point[1]),
            "between": list(between), "structure": structure, "decided": decided, "excluded": excluded,
            "sampled": len(verdicts)}


def fallback(m, tiles, z, rng, log):
    """For a zoom where no tile with two decided regimes was found: a tile whose sample is decided, in one regime,
    around a lattice point of the deepest tile that does have structure (else of tile 0/0/0). It still checks the
    renderer's deep arithmetic pixel by pixel, but not where it puts a boundary."""
    anchor = max(tiles.values(), key=lambda t: t["z"], default=None)
    za, xa, ya = (anchor["z"], int(anchor["x"]), int(anchor["y"])) if anchor else (0, 0, 0)
    lattice = [(32 * a + 16, 32 * b + 16) for b in range(GRID) for a in range(GRID)]
    rng.shuffle(lattice)
    for ij in lattice:
        point = D.pixel_center(m, za, xa, ya, *ij)
        verdict = D.judge_point(m, point, z)
        if not verdict.within_margin:
            entry = check_tile(m, point, z, (verdict.regime,), log, structure=False)
            if entry is not None:
                return entry
    return None


def descend(m, rng, log, target, start_z=0, step=3, branches=3, budget=45):
    """Zooms in tile by tile towards zoom `target`, following the part of a regime boundary that is still resolved
    there: at each level the 8 x 8 lattice of the tile is judged with the margin of a pixel at `target` (structure at
    z = 100 lives where shallower tiles look sensitive), and the next tile (`step` levels deeper) is the one around the
    midpoint of a pair of neighbouring lattice points that are decided, in different regimes, and whose orbits spread
    the most under the displacement (an orbit whose derivative does not grow as fast as the zoom has a smooth boundary
    at depth). Backtracks (trying `branches` pairs per level) where no such pair is left, or where, from PRUNE_ZOOM on,
    too many points are within margin or the spread falls below SPREAD_FLOOR; gives up after `budget` tiles. Returns
    (point, regimes) for a boundary point in an acceptable tile at `target`, or None."""
    lattice = [(32 * a + 16, 32 * b + 16) for b in range(GRID) for a in range(GRID)]
    visited = set()

    def boundary_pairs(verdicts):
        decided = {ij: v for ij, v in verdicts.items() if not v.within_margin}
        pairs = []
        for (i, j), v in decided.items():
            for di, dj in ((32, 0), (0, 32)):
                other = decided.get((i + di, j + dj))
                if other is not None and other.regime != v.regime:
                    # An orbit that separated (a decided chaotic one) says nothing about its derivative.
                    score = max(u.spread if u.spread < D.SEPARATION else 0.0 for u in (v, other))
                    pairs.append((score, rng.random(), (i, j), (i + di, j + dj)))
        pairs.sort(reverse=True)
        return pairs

    def visit(z, x, y):
        if (z, x, y) in visited or len(visited) >= budget:
            return None
        visited.add((z, x, y))
        started = time.time()
        verdicts = {ij: D.judge_point(m, D.pixel_center(m, z, x, y, *ij), target) for ij in lattice}
        decided, excluded = summary(verdicts)
        pairs = boundary_pairs(verdicts)
        log("    %d/%d/%d: decided %s, excluded %d, %d boundary pairs, spread %.1e (%.0f s)" % (
            z, x, y, decided, excluded, len(pairs), pairs[0][0] if pairs else 0, time.time() - started))
        if not pairs or (z >= PRUNE_ZOOM and excluded > MAX_EXCLUDED_SHARE * len(lattice)):
            return None
        if z >= PRUNE_ZOOM and 0 < pairs[0][0] < SPREAD_FLOOR:
            return None  # the boundary has turned smooth: at `target` it would be decided in the last digits
        if z == target:
            if not acceptable(verdicts):
                return None
            _, _, a, b = pairs[0]
            point, ra, rb = bisect(m, D.pixel_center(m, z, x, y, *a), D.pixel_center(m, z, x, y, *b))
            return point, (ra, rb)
        deeper = min(z + step, target)
        for _, _, a, b in pairs[:branches]:
            pa, pb = D.pixel_center(m, z, x, y, *a), D.pixel_center(m, z, x, y, *b)
            middle = ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
            found = visit(deeper, *D.tile_of(m, middle[0], middle[1], deeper))
            if found is not None:
                return found
        return None

    return visit(start_z, 0, 0)


def bisections(m, rng, log, seed_grid=96):
    """Boundary points bisected between neighbouring seeds of a double-precision scan whose regimes differ."""
    for a, b, r, s in scan_seeds(m, seed_grid, rng):
        started = time.time()
        found = bisect(m, a, b)
        if found is None:
            log("  seed %s/%s: regimes agree in mpmath, skipped" % (r, s))
            continue
        log("  bisected %s/%s (%.0f s)" % (r, s, time.time() - started))
        yield found


def find(m, bisection_tries, descent_tries, rng, log):
    """{z: deep_points.json tile entry} for the zooms in ZOOMS: first from boundary points bisected between shallow
    seeds (enough where structure is self-similar, as on Julia-set basin boundaries), then, for zooms still missing,
    from descents along the most sensitive part of a boundary (needed where the regimes are decided by statistics or
    radii whose level sets turn smooth a few zoom levels below a typical boundary point)."""
    tiles = {}

    def consider(point, between, stop_at_first_failure):
        for z in sorted(ZOOMS, reverse=True):
            if z not in tiles:
                entry = check_tile(m, point, z, between, log)
                if entry is not None:
                    tiles[z] = entry
                elif stop_at_first_failure:
                    return  # structure that is gone at z rarely comes back further up

    seeds = bisections(m, rng, log)
    for attempt in range(bisection_tries):
        if len(tiles) == len(ZOOMS):
            return tiles
        point, ra, rb = next(seeds)
        log("  boundary %s | %s at %s %s" % (ra, rb, decimal(point[0], 20), decimal(point[1], 20)))
        consider(point, (ra, rb), True)
    for z in sorted(ZOOMS, reverse=True):
        for attempt in range(descent_tries):
            if z in tiles:
                break
            log("  descent %d towards z = %d" % (attempt, z))
            found = descend(m, rng, log, z)
            if found is not None:
                consider(found[0], found[1], False)  # a point found for z may also serve the other zooms
    return tiles


def judge_pixels(m, z, x, y, pixels, point, log):
    """The deep_points.json "pixels" entry for these pixels of tile z/x/y, or None unless every one is decided and
    they show at least two regimes."""
    decided = {}
    for i, j in pixels:
        v = D.judge(m, z, x, y, i, j)
        log("    pixel (%d, %d): %s%s" % (i, j, v.regime, " within margin: " + v.reason[:120] if v.within_margin else ""))
        if v.within_margin:
            return None
        decided[v.regime] = decided.get(v.regime, 0) + 1
    if len(decided) < 2:
        return None
    return {"z": z, "x": str(x), "y": str(y), "re": point[0], "im": point[1], "pixels": [list(p) for p in pixels],
            "decided": decided}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(ROOT, "config.json"))
    parser.add_argument("--map", action="append", help="only these maps (default: all)")
    parser.add_argument("--bisections", type=int, default=6, help="boundary points to bisect and try per map")
    parser.add_argument("--descents", type=int, default=2, help="descents to try per map and missing zoom")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--output", default=os.path.join(HERE, "deep_points.json"))
    parser.add_argument("--pixels", nargs="+", metavar="Z X Y I,J", help="judge these pixels of one tile (see above)")
    parser.add_argument("--point", nargs=2, metavar=("RE", "IM"), help="with --pixels: a point of the tile, as text")
    args = parser.parse_args(argv)
    maps = D.load_maps(args.config)
    try:
        with open(args.output) as f:
            points = json.load(f)
    except FileNotFoundError:
        points = {}
    log = lambda text: print(text, flush=True)  # noqa: E731
    if args.pixels:
        (name,) = args.map
        z, x, y = (int(v) for v in args.pixels[:3])
        pixels = [tuple(int(v) for v in ij.split(",")) for ij in args.pixels[3:]]
        assert D.tile_of(maps[name], Fraction(args.point[0]), Fraction(args.point[1]), z) == (x, y), "the point is not in the tile"
        entry = judge_pixels(maps[name], z, x, y, pixels, args.point, log)
        if entry is None:
            log("  not every pixel decided, or one regime only: nothing written")
            return 1
        points.setdefault(name, {"settings": settings_of(maps[name].entry), "tiles": []})
        points[name]["pixels"] = [t for t in points[name].get("pixels", []) if t["z"] != z] + [entry]
        with open(args.output, "w") as f:
            json.dump(points, f, indent=2)
            f.write("\n")
        return 0
    for name in args.map or list(maps):
        log("%s:" % name)
        tiles = find(maps[name], args.bisections, args.descents, random.Random("%s/%d" % (name, args.seed)), log)
        missing = [z for z in ZOOMS if z not in tiles]
        if missing:
            log("  no tile with two decided regimes at z = %s: falling back to decided single-regime tiles" % missing)
            for z in missing:
                entry = fallback(maps[name], tiles, z, random.Random("%s/%d/%d" % (name, args.seed, z)), log)
                if entry is not None:
                    tiles[z] = entry
        if not tiles:
            continue
        points[name] = {"settings": settings_of(maps[name].entry), "tiles": [tiles[z] for z in sorted(tiles)]}
        with open(args.output, "w") as f:
            json.dump(points, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
