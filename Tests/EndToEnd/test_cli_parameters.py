"""`--param KEY=VALUE` on `render`, `probe`, `seed` and `video`: the live parameters of URLs, read the same way, so a
CLI tile with parameters is byte for byte the server's tile with that query."""
import json

import pytest

import httpclient
from conftest import run_cli, write_config

PARAMS = ["learningRate=0.3,0.1", "gradient=wirtinger"]
QUERY = "learningRate=0.3,0.1&gradient=wirtinger"


def param_args(params=PARAMS):
    return [argument for param in params for argument in ("--param", param)]


def test_render_with_params_is_the_servers_tile_with_the_query(server, tmp_path):
    status, _, served = server.get("/tiles/gradient-basin/2/1/2.png?" + QUERY)
    assert status == 200
    status, _, default = server.get("/tiles/gradient-basin/2/1/2.png")
    assert status == 200 and default != served
    output = tmp_path / "tile.png"
    result = run_cli("render", "gradient-basin", "2", "1", "2", "--config", tmp_path / "config.json", *param_args(),
                     "--output", output)
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == served


def test_probe_with_params_is_the_servers_probe(server, tmp_path):
    status, _, body = server.get("/probe/gradient-basin?re=0.3&im=-0.2&" + QUERY)
    assert status == 200, body
    result = run_cli("probe", "gradient-basin", "--config", tmp_path / "config.json", *param_args(), "0.3", "-0.2")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(body)


def test_seed_with_params_fills_the_cache_the_server_reads_for_the_query(start_server, tmp_path):
    config = write_config(tmp_path)
    cache = tmp_path / "seeded"
    result = run_cli("seed", "gradient-basin", "--config", config, "--zoom", "1", "--cache-directory", cache,
                     *param_args())
    assert result.returncode == 0, result.stderr
    server = start_server(cache_dir=cache)
    for x in range(2):
        for y in range(2):
            status, _, body = server.get("/tiles/gradient-basin/1/%d/%d.png?%s" % (x, y, QUERY))
            assert status == 200, body
    text = server.get("/metrics")[2].decode()
    assert httpclient.metric(text, "fractile_cache_hits_total", 'layer="disk"') == 4


@pytest.mark.parametrize("params, fragment", [
    (["learningRate=abc"], "--param learningRate: expected a decimal number or re,im"),
    (["learningRate=1e9"], "--param learningRate: must be within"),
    (["learningRate=0.3", "learningRate=0.4"], "--param learningRate: given more than once"),
    (["gradient=sideways"], "--param gradient: must be one of holomorphic, wirtinger"),
    (["v=2"], "--param v: unknown parameter"),
    (["learningRate"], "--param learningRate: expected KEY=VALUE"),
])
@pytest.mark.parametrize("command", [
    ["render", "gradient-basin", "0", "0", "0", "--output", "{tmp}/bad.png"],
    ["probe", "gradient-basin", "0", "0"],
    ["seed", "gradient-basin", "--zoom", "0", "--cache-directory", "{tmp}/cache"],
    ["video", "gradient-basin", "--center", "0", "0", "--zoom", "0-1", "--output", "{tmp}/bad.mp4"],
])
def test_bad_params_give_one_line_naming_the_key(tmp_path, command, params, fragment):
    config = write_config(tmp_path)
    arguments = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = run_cli(*arguments[:2], "--config", config, *param_args(params), *arguments[2:])
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert not list(tmp_path.glob("bad.*")) and not (tmp_path / "cache").exists()
