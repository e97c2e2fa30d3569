"""The trainability map from outside: probe fields (CLI and HTTP, against the numpy reference), the box-counting
dimension (CLI and HTTP, with its errors) and live parameters. A cheap variant (width 2, 20 steps) keeps tiles fast."""
import json
import math

import trainability_reference as reference
from conftest import ROOT, run_cli, write_config

CHEAP = {"name": "trainability-cheap", "title": "Trainability (cheap)", "kind": "trainability", "center": [0.5, 1],
         "span": 4, "maxZoom": 40, "width": 2, "points": 6, "maxIterations": 20}


def shipped(name="trainability"):
    return next(m for m in json.loads((ROOT / "config.json").read_text())["maps"] if m["name"] == name)


def test_probe_reports_learning_rates_and_the_loss_curve_of_the_reference():
    m = shipped()
    settings = {k: m[k] for k in ("width", "points", "seed", "maxIterations", "divergeLoss") if k in m}
    for re_, im in [(0, 0), (1.5, 2.5), (-1, 0.5)]:
        result = run_cli("probe", "trainability", re_, im)
        assert result.returncode == 0, result.stderr
        probe = json.loads(result.stdout)
        assert probe["kind"] == "trainability"
        assert probe["learningRates"] == [10.0 ** re_, 10.0 ** im]
        wanted = reference.train(settings, re_, im, curve=True)
        assert probe["regime"] == wanted["regime"] and probe["iterations"] == wanted["iterations"], (re_, im)
        curve = probe["lossCurve"]
        assert len(curve) == len(wanted["lossCurve"]) and curve[0] == 1.0
        for ours, theirs in zip(curve, wanted["lossCurve"]):
            assert (ours is None and not math.isfinite(theirs)) or math.isclose(ours, theirs, rel_tol=1e-9)
        assert probe["orbit"] == []


def test_dimension_cli_prints_the_fit(tmp_path):
    config = write_config(tmp_path, maps=[CHEAP])
    result = run_cli("dimension", "trainability-cheap", 0, 0, 0, "--tiles", 1, "--config", config, timeout=300)
    assert result.returncode == 0, result.stderr
    estimate = json.loads(result.stdout)
    assert {k: estimate[k] for k in ("map", "z", "x", "y", "tiles")} == \
        {"map": "trainability-cheap", "z": 0, "x": 0, "y": 0, "tiles": 1}
    assert 0.5 <= estimate["dimension"] <= 2 and 0 <= estimate["r2"] <= 1, estimate
    assert estimate["boxSizes"] == [1, 2, 4, 8, 16, 32, 64]
    assert len(estimate["counts"]) == 7 and estimate["counts"][0] > 0
    bad = run_cli("dimension", "trainability-cheap", 0, 0, 0, "--tiles", 2, "--config", config)
    assert bad.returncode != 0 and "0/1/1" in bad.stderr and bad.stderr.count("\n") == 1, bad.stderr
    bad = run_cli("dimension", "trainability-cheap", 1, 0, 0, "--tiles", 0, "--config", config)
    assert bad.returncode != 0 and "tiles must be within [1, 8]" in bad.stderr, bad.stderr


def test_dimension_route_matches_the_cli_and_rejects_bad_blocks(start_server, tmp_path):
    server = start_server(maps=[CHEAP])
    status, headers, body = server.get("/dimension/trainability-cheap?z=1&x=0&y=1&tiles=1", timeout=300)
    assert status == 200 and headers["Content-Type"] == "application/json", body
    config = write_config(tmp_path, maps=[CHEAP])
    cli = run_cli("dimension", "trainability-cheap", 1, 0, 1, "--tiles", 1, "--config", config, timeout=300)
    assert json.loads(body) == json.loads(cli.stdout)
    # Live parameters change the math, as for tiles.
    status, _, live = server.get("/dimension/trainability-cheap?z=1&x=0&y=1&tiles=1&maxIterations=30", timeout=300)
    assert status == 200 and json.loads(live)["counts"] != json.loads(body)["counts"]
    for path, wanted in [("/dimension/trainability-cheap?z=1&x=0", 400), ("/dimension/trainability-cheap?z=1&x=0&y=0&tiles=9", 400),
                         ("/dimension/trainability-cheap?z=1&x=2&y=0", 404), ("/dimension/nope?z=0&x=0&y=0", 404),
                         ("/dimension/trainability-cheap?z=0&x=0&y=0&width=99", 400)]:
        status, _, reason = server.get(path)
        assert status == wanted and reason.strip() and b"\n" not in reason.strip(), (path, status, reason)


def test_probe_route_takes_live_width(start_server):
    server = start_server(maps=[CHEAP])
    probe = server.json("/probe/trainability-cheap?re=0&im=0&width=3&points=12")
    wanted = reference.train({"width": 3, "points": 12, "maxIterations": 20}, 0, 0, curve=True)
    assert probe["regime"] == wanted["regime"]
    assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(probe["lossCurve"], wanted["lossCurve"]))
