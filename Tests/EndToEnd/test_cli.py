"""The `fractile` command line, run as a user runs it."""
import json

import pytest

from conftest import ROOT, run_cli, write_config
import pngread

MAPS = ["forward-pass", "gradient-basin", "gradient-basin-wirtinger", "backprop-flow"]


def test_shipped_config_passes_check_config():
    result = run_cli("check-config")
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
    for name in MAPS:
        assert name in result.stdout


@pytest.mark.parametrize("mutate, expected", [
    (lambda c: c["maps"][0].update(span=0), "maps[0].span"),
    (lambda c: c["maps"][1].update(learningRate="fast"), "maps[1].learningRate"),
    (lambda c: c["maps"][0].update(maxIterations=0), "maps[0].maxIterations"),
    (lambda c: c["maps"][2].update(data={"x": [1, 2], "y": [1]}), "maps[2].data"),
    (lambda c: c["maps"][3].update(name="forward-pass"), "maps[3].name"),
    (lambda c: c["server"].update(colour="blue"), "server.colour"),
])
def test_config_errors_name_the_key_path(tmp_path, mutate, expected):
    config = json.loads((ROOT / "config.json").read_text())
    mutate(config)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    result = run_cli("check-config", "--config", path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_missing_config_file_is_a_clear_error(tmp_path):
    result = run_cli("check-config", "--config", tmp_path / "nope.json")
    assert result.returncode != 0
    assert "nope.json" in result.stderr


@pytest.mark.parametrize("name", MAPS)
def test_render_writes_a_decodable_tile(tmp_path, name):
    out = tmp_path / "t.png"
    result = run_cli("render", name, 1, 0, 1, "--output", out)
    assert result.returncode == 0, result.stderr
    width, height, rows, _ = pngread.decode(out.read_bytes())
    assert (width, height) == (256, 256)
    assert len({pixel for row in rows for pixel in row}) > 1


def test_render_writes_every_pixels_regime(tmp_path):
    out, regimes = tmp_path / "t.png", tmp_path / "regimes.txt"
    result = run_cli("render", "backprop-flow", 2, 1, 1, "--output", out, "--regimes", regimes)
    assert result.returncode == 0, result.stderr
    rows = [line.split(" ") for line in regimes.read_text().splitlines()]
    assert len(rows) == 256 and all(len(row) == 256 for row in rows)
    names = {name for row in rows for name in row}
    assert names <= {"exploded", "vanished", "unit_circle", "bounded"} and len(names) > 1


def test_render_at_double_scale_is_512_pixels(tmp_path):
    out = tmp_path / "t.png"
    result = run_cli("render", "forward-pass", 3, 2, 5, "--scale", 2, "--output", out)
    assert result.returncode == 0, result.stderr
    width, height, _, _ = pngread.decode(out.read_bytes())
    assert (width, height) == (512, 512)


@pytest.mark.parametrize("args, fragment", [
    (["render", "no-such-map", 0, 0, 0], "no map named"),
    (["render", "forward-pass", 2, 4, 0], "outside"),
    (["render", "forward-pass", 101, 0, 0], "zoom"),
    (["render", "forward-pass", 0, 0, 0, "--scale", 3], "scale"),
    (["probe", "forward-pass", "abc", "1"], "two finite numbers"),
    (["probe", "forward-pass", "1"], "two finite numbers"),
])
def test_bad_cli_input_exits_non_zero_with_one_line(tmp_path, args, fragment):
    result = run_cli(*args, "--output", tmp_path / "x.png") if args[0] == "render" else run_cli(*args)
    assert result.returncode != 0
    assert fragment in result.stderr


def test_probe_prints_the_probe_json():
    result = run_cli("probe", "gradient-basin", "0.3", "-1.2")
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert list(probe)[:6] == ["map", "kind", "re", "im", "regime", "iterations"]
    assert probe["map"] == "gradient-basin" and probe["kind"] == "gradient_basin"
    assert probe["re"] == 0.3 and probe["im"] == -1.2
    for key in ["limit", "loss", "lossCurve", "orbit"]:
        assert key in probe
    assert probe["orbit"][0] == [0.3, -1.2]


def test_render_and_probe_at_zoom_100(tmp_path):
    """Tile indices past 2^64 and coordinates with more digits than a double holds (issue #8)."""
    out = tmp_path / "deep.png"
    x, y = 2**99 + 3, 2**99 - 5
    result = run_cli("render", "gradient-basin", 100, x, y, "--output", out, "--report")
    assert result.returncode == 0, result.stderr
    assert "arithmetic=perturbation" in result.stdout
    width, height, _, _ = pngread.decode(out.read_bytes())
    assert (width, height) == (256, 256)
    result = run_cli("render", "gradient-basin", 100, 2**100, 0, "--output", out)
    assert result.returncode != 0 and "outside" in result.stderr
    result = run_cli("render", "gradient-basin", 10, "1.5", 0, "--output", out)
    assert result.returncode != 0 and "non-negative integers" in result.stderr
    result = run_cli("probe", "gradient-basin", "0.30000000000000000000000000000000000001", "-0.2")
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["arithmetic"] == "perturbation" and probe["re"] == 0.3 and probe["regime"] == "converged"
