"""Live parameters (MAPS.md "Live parameters in URLs") through the real server and CLI: a tile with parameters is
the tile of a config.json holding those settings, byte for byte; spellings share one ETag; every bad parameter is a
400 naming the key; probes with parameters agree with the independent Python reference."""
import copy
import json
import urllib.parse

import pytest

import maps_reference
from conftest import ROOT, Server, run_cli, write_config

SHIPPED = {m["name"]: m for m in json.loads((ROOT / "config.json").read_text())["maps"]}

# For each kind: URL parameters and the same settings as config.json spells them.
VARIANTS = [
    ("forward-pass", "2/1/1", {"weight.offset": "0.25,-0.5", "maxIterations": "120", "plane": "parameter"},
     {"weight": {"scale": 1, "offset": [0.25, -0.5]}, "maxIterations": 120}),
    ("gradient-basin", "2/1/2", {"learningRate": "0.3,0.1", "gradient": "wirtinger", "data.x": "-1;0.5;1",
                                 "data.y": "-0.5;0.25;0.6,0.1"},
     {"learningRate": [0.3, 0.1], "gradient": "wirtinger",
      "data": {"x": [-1, 0.5, 1], "y": [-0.5, 0.25, [0.6, 0.1]]}}),
    ("backprop-flow", "1/0/1", {"plane": "input", "weight.offset": "0.8", "input.offset": "0.1,0.05"},
     {"plane": "input", "weight": {"scale": 1, "offset": 0.8}, "input": {"scale": 1, "offset": [0.1, 0.05]}}),
]


def query(params):
    return urllib.parse.urlencode(params, safe=",;")


def config_with(tmp_path, name, settings):
    """A config.json whose map `name` holds `settings` on top of the shipped ones."""
    maps = copy.deepcopy(list(SHIPPED.values()))
    for m in maps:
        if m["name"] == name:
            m.update(settings)
    directory = tmp_path / ("cfg-" + name)
    directory.mkdir()
    return write_config(directory, maps=maps)


@pytest.mark.parametrize("name,tile,params,settings", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_parameters_equal_a_config_holding_them(server, tmp_path, name, tile, params, settings):
    status, headers, variant = server.get(f"/tiles/{name}/{tile}.png?{query(params)}")
    assert status == 200, variant
    status, default_headers, default = server.get(f"/tiles/{name}/{tile}.png")
    assert status == 200
    assert headers["ETag"] != default_headers["ETag"]
    assert variant != default

    config = config_with(tmp_path, name, settings)
    z, x, y = tile.split("/")
    out = tmp_path / "cli.png"
    result = run_cli("render", "--config", config, name, z, x, y, "--output", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == variant, "CLI tile from config differs from the URL-parameter tile"

    other = Server(config, tmp_path / "other-cache")
    try:
        status, other_headers, configured = other.get(f"/tiles/{name}/{tile}.png")
    finally:
        other.stop()
    assert status == 200 and configured == variant
    assert other_headers["ETag"] == headers["ETag"]


def test_spellings_share_one_etag_and_one_cache_entry(server):
    etags = set()
    for spelling in ["0.3", "0.30", "3e-1", "0.3,0"]:
        status, headers, _ = server.get(f"/tiles/gradient-basin/1/0/0.png?learningRate={spelling}")
        assert status == 200
        etags.add(headers["ETag"])
    assert len(etags) == 1, etags
    text = server.get("/metrics")[2].decode()
    renders = [line for line in text.splitlines() if line.startswith("fractile_renders_total")]
    assert renders and float(renders[0].split()[-1]) == 1.0, renders


@pytest.mark.parametrize("suffix,reason", [
    ("?learningRat=0.3", "learningRat: unknown parameter"),
    ("?learningRate=abc", "learningRate: expected a decimal number or re,im"),
    ("?learningRate=1e9", "learningRate: must be within"),
    ("?learningRate=0.3&learningRate=0.4", "learningRate: given more than once"),
    ("?maxIterations=1.5", "maxIterations: expected an integer"),
    ("?maxIterations=999999", "maxIterations: must be within [1, 5000]"),
    ("?gradient=sideways", "gradient: must be one of holomorphic, wirtinger"),
    ("?data.x=1;2", "data.x: has 2 values but data.y has 4"),
    ("?v=2", "v: unknown parameter"),
    ("?learningRate=%FF", "the query is not valid percent-encoded UTF-8"),
])
def test_bad_parameters_are_400_naming_the_key(server, suffix, reason):
    for path in ["/tiles/gradient-basin/1/0/0.png", "/tiles/gradient-basin.json", "/probe/gradient-basin"]:
        extra = "" if not path.startswith("/probe") else "&re=0.1&im=0.2"
        status, headers, body = server.get(path + suffix + extra)
        assert status == 400, (path, suffix, body)
        text = body.decode()
        assert reason in text and "\n" not in text.strip(), (path, text)


def test_live_config_narrows_and_turns_off(start_server):
    maps = copy.deepcopy(list(SHIPPED.values()))
    basin = next(m for m in maps if m["name"] == "gradient-basin")
    basin["live"] = {"learningRate": {"min": 0, "max": 1}}
    flow = next(m for m in maps if m["name"] == "backprop-flow")
    flow["live"] = False
    server = start_server(maps=maps)
    assert server.get("/tiles/gradient-basin/0/0/0.png?learningRate=0.75")[0] == 200
    status, _, body = server.get("/tiles/gradient-basin/0/0/0.png?learningRate=2")
    assert status == 400 and b"learningRate: must be within [0, 1]" in body
    status, _, body = server.get("/tiles/gradient-basin/0/0/0.png?gradient=wirtinger")
    assert status == 400 and b"gradient: not a live parameter" in body
    status, _, body = server.get("/tiles/backprop-flow/0/0/0.png?delta0=0.5")
    assert status == 400 and b"takes no URL parameters" in body
    table = {m["name"]: m for m in server.json("/maps.json")["maps"]}
    rows = {row["key"]: row for row in table["gradient-basin"]["settings"]}
    assert rows["learningRate"]["live"] is True and rows["learningRate"]["max"] == 1
    assert rows["gradient"]["live"] is False
    assert not any(row["live"] for row in table["backprop-flow"]["settings"])


@pytest.mark.parametrize("params,settings", [
    ({"learningRate": "0.3"}, {"learningRate": 0.3}),
    ({"learningRate": "0.2,-0.1", "data.x": "-1;1", "data.y": "-0.5;0.5"},
     {"learningRate": [0.2, -0.1], "data": {"x": [-1, 1], "y": [-0.5, 0.5]}}),
])
def test_probe_with_parameters_agrees_with_python(server, params, settings):
    re_, im_ = 0.8125, -0.4375
    got = server.json(f"/probe/gradient-basin?re={re_}&im={im_}&{query(params)}")
    full = {k: v for k, v in SHIPPED["gradient-basin"].items() if k in ("data", "learningRate", "maxIterations", "divergeRadius")}
    full.update(settings)
    want = maps_reference.jsonable(maps_reference.probe("gradient_basin", complex(re_, im_), full))
    assert got["regime"] == want["regime"] and got["iterations"] == want["iterations"]
    assert got["loss"] == pytest.approx(want["loss"], rel=1e-9)
    default = server.json(f"/probe/gradient-basin?re={re_}&im={im_}")
    assert default["lossCurve"] != got["lossCurve"]


def test_tilejson_carries_the_canonical_query(server):
    doc = server.json("/tiles/gradient-basin.json?gradient=wirtinger&learningRate=0.30")
    template = doc["tiles"][0]
    assert template.endswith("/tiles/gradient-basin/{z}/{x}/{y}.png?learningRate=0.3&gradient=wirtinger"), template
    plain = server.json("/tiles/gradient-basin.json")["tiles"][0]
    assert "?" not in plain
    path = template.split("127.0.0.1:%d" % server.port, 1)[1].replace("{z}/{x}/{y}", "1/0/0")
    assert server.get(path)[0] == 200


def test_maps_json_exposes_the_settings_table(server):
    maps = {m["name"]: m for m in server.json("/maps.json")["maps"]}
    rows = {row["key"]: row for row in maps["gradient-basin"]["settings"]}
    assert list(rows) == ["data.x", "data.y", "learningRate", "gradient", "maxIterations", "divergeRadius"]
    assert rows["learningRate"] == {"key": "learningRate", "type": "complex", "label": "learning rate",
                                    "default": [0.5, 0], "value": [0.5, 0], "live": True, "min": -100, "max": 100}
    assert rows["gradient"]["choices"] == ["holomorphic", "wirtinger"]
    assert rows["data.x"]["sameLengthAs"] == "data.y" and rows["data.x"]["maxCount"] == 64
    assert maps["gradient-basin-wirtinger"]["settings"][3]["value"] == "wirtinger"
    for m in maps.values():
        assert m["settings"] and all(row["live"] for row in m["settings"])


def test_docs_list_every_setting_of_every_kind(server):
    docs = (ROOT / "docs" / "maps.md").read_text()
    for m in server.json("/maps.json")["maps"]:
        assert "## " + m["kind"] in docs, m["kind"]
        for row in m["settings"]:
            key = row["key"]
            assert "`%s`" % key in docs or "`%s`" % key.split(".")[0] in docs, (m["kind"], key)


def test_a_flood_of_variants_stays_within_the_cache_budgets(start_server, tmp_path):
    """Every distinct variant is a new cache entry; the memory and disk budgets still bound them all."""
    memory_budget, disk_budget = 200 * 1024, 200 * 1024
    cache_dir = tmp_path / "variant-cache"
    server = start_server(cache_dir=cache_dir, cache={"memoryBytes": memory_budget, "diskBytes": disk_budget})
    etags, served = set(), 0
    for n in range(1, 121):
        # Cheap, distinct variants: a few iterations each, so the flood is of entries rather than of work.
        status, headers, body = server.get(f"/tiles/forward-pass/1/0/0.png?maxIterations={n}&escapeRadius=2")
        assert status in (200, 503), status
        if status == 200:
            etags.add(headers["ETag"])
            served += len(body)
    assert len(etags) > 100 and served > 2 * disk_budget, (len(etags), served)
    text = server.get("/metrics")[2].decode()
    memory = disk = None
    for line in text.splitlines():
        if line.startswith('fractile_cache_bytes{layer="memory"}'):
            memory = float(line.split()[-1])
        if line.startswith('fractile_cache_bytes{layer="disk"}'):
            disk = float(line.split()[-1])
    assert memory is not None and memory <= memory_budget, memory
    assert disk is not None and disk <= disk_budget, disk
    on_disk = sum(p.stat().st_size for p in cache_dir.rglob("*.png"))
    assert on_disk <= disk_budget, on_disk
