"""Tile bytes of the shipped maps stay what they were before the kind-folder move (tile_digests.json)."""
import hashlib
import json

import pytest

from conftest import ROOT, run_cli

DIGESTS = json.loads((ROOT / "Tests" / "reference" / "tile_digests.json").read_text())["digests"]


@pytest.mark.parametrize("key", sorted(DIGESTS))
def test_tile_bytes_unchanged(key, tmp_path):
    name, z, x, rest = key.split("/")
    y, _, suffix = rest.partition("@")
    scale = "2" if suffix == "2x" else "1"
    out = tmp_path / "tile.png"
    result = run_cli("render", name, z, x, y, "--scale", scale, "--output", out)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == DIGESTS[key], key
