#!/usr/bin/env python3
"""Writes tile_digests.json: SHA-256 of tiles of every shipped map, rendered by a given fractile binary.

Used once before a refactor that must not change tile bytes; test_tile_digests.py re-renders and compares.
Usage: make_tile_digests.py FRACTILE_BIN CONFIG OUT.json
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

# Shallow tiles, a @2x tile, a double-precision z=30 tile and a perturbation z=40 tile per map.
TILES = [(0, 0, 0, 1), (2, 1, 2, 1), (3, 5, 2, 1), (1, 0, 1, 2), (30, 536870911, 536870912, 1),
         (40, 549755813887, 549755813888, 1)]


def main():
    binary, config, out = sys.argv[1:4]
    maps = [m["name"] for m in json.load(open(config))["maps"]]
    digests = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in maps:
            for z, x, y, scale in TILES:
                path = os.path.join(tmp, "t.png")
                subprocess.run([binary, "render", "--config", config, name, str(z), str(x), str(y),
                                "--scale", str(scale), "--output", path], check=True, capture_output=True)
                key = f"{name}/{z}/{x}/{y}" + ("@2x" if scale == 2 else "")
                digests[key] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    json.dump({"config": config, "digests": digests}, open(out, "w"), indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
