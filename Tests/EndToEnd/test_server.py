"""`fractile serve` on 127.0.0.1 port 0, driven by real clients over sockets: routes, errors, caching, keep-alive,
pipelining, limits, slow clients, render coalescing, the disk cache across restarts, overload."""
import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

import httpclient
import pngread
from conftest import ROOT, run_cli

TILE = "/tiles/forward-pass/2/1/1.png"


def metrics(server):
    return server.get("/metrics")[2].decode()


def test_tile_is_a_png_with_caching_headers(server):
    status, headers, body = server.get(TILE)
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"].startswith("public, max-age=")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["ETag"].startswith('"') and headers["ETag"].endswith('"')
    assert "Date" in headers
    width, height, _, _ = pngread.decode(body)
    assert (width, height) == (256, 256)


def test_double_scale_tile(server):
    status, headers, body = server.get("/tiles/backprop-flow/1/0/1@2x.png")
    assert status == 200
    assert pngread.decode(body)[:2] == (512, 512)
    assert headers["ETag"] != server.get("/tiles/backprop-flow/1/0/1.png")[1]["ETag"]


def test_server_tiles_equal_cli_tiles_byte_for_byte(server, tmp_path):
    for name, tile in [("forward-pass", (2, 1, 1)), ("gradient-basin-wirtinger", (1, 0, 0))]:
        out = tmp_path / "cli.png"
        result = run_cli("render", name, *tile, "--output", out)
        assert result.returncode == 0, result.stderr
        served = server.get("/tiles/%s/%d/%d/%d.png" % ((name,) + tile))[2]
        assert served == out.read_bytes(), name


def test_revalidation_answers_304_without_body(server):
    etag = server.get(TILE)[1]["ETag"]
    status, headers, body = httpclient.get(server.port, TILE, headers=[("If-None-Match", etag)])
    assert status == 304 and body == b""
    assert headers["etag"] == etag
    status, _, _ = httpclient.get(server.port, TILE, headers=[("If-None-Match", 'W/"other", ' + etag)])
    assert status == 304
    status, _, _ = httpclient.get(server.port, TILE, headers=[("If-None-Match", '"other"')])
    assert status == 200


def test_head_equals_get_without_body(server):
    for path in [TILE, "/maps.json", "/tiles/gradient-basin.json", "/", "/healthz", "/tiles/nope/0/0/0.png"]:
        get_status, get_headers, get_body = httpclient.get(server.port, path)
        head_status, head_headers, head_body = httpclient.get(server.port, path, method="HEAD")
        assert head_status == get_status, path
        assert head_body == b"", path
        assert head_headers["content-length"] == str(len(get_body)), path
        for name in ["content-type", "etag", "cache-control"]:
            assert head_headers.get(name) == get_headers.get(name), (path, name)


def test_tilejson(server):
    status, headers, body = httpclient.get(server.port, "/tiles/gradient-basin.json", host="tiles.example:9000")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    tilejson = json.loads(body)
    assert tilejson["tilejson"] == "3.0.0"
    assert tilejson["scheme"] == "xyz"
    assert tilejson["tiles"] == ["http://tiles.example:9000/tiles/gradient-basin/{z}/{x}/{y}.png"]
    assert tilejson["minzoom"] == 0 and tilejson["maxzoom"] >= 10
    for key in ["name", "description", "legend"]:
        assert isinstance(tilejson[key], str) and tilejson[key]


def test_map_list(server):
    maps = server.json("/maps.json")["maps"]
    assert [m["name"] for m in maps][:5] == ["forward-pass", "gradient-basin", "gradient-basin-wirtinger", "backprop-flow",
                                             "backprop-flow-regimes"]
    assert {m["kind"] for m in maps} == {"forward_pass", "gradient_basin", "backprop_flow", "trainability"}


def test_probe_matches_cli(server):
    status, headers, body = server.get("/probe/backprop-flow?re=0.25&im=-0.5")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    cli = run_cli("probe", "backprop-flow", "0.25", "-0.5")
    assert json.loads(body) == json.loads(cli.stdout)


def test_health_and_metrics(server, tmp_path):
    assert server.get("/healthz")[0] == 200
    server.get(TILE)
    text = metrics(server)
    assert httpclient.metric(text, "fractile_renders_total") >= 1
    assert 'fractile_http_requests_total{route="tile",status="200"}' in text
    for family in ["fractile_cache_hits_total", "fractile_cache_misses_total", "fractile_render_seconds_bucket",
                   "fractile_render_queue_depth", "fractile_cache_bytes"]:
        assert family in text
    # Queue depth and capacity of the render queue and of the work pools off the event loops.
    assert httpclient.metric(text, "fractile_render_queue_capacity") == 256  # config.json render.queueLimit
    assert httpclient.metric(text, "fractile_render_queue_depth") == 0
    for pool in ["compute", "file"]:
        labels = 'pool="%s"' % pool
        assert httpclient.metric(text, "fractile_work_queue_capacity", labels) > 0
        assert httpclient.metric(text, "fractile_work_queue_depth", labels) == 0
        assert httpclient.metric(text, "fractile_work_threads", labels) >= 1
        assert httpclient.metric(text, "fractile_work_rejected_total", labels) == 0
    promtool = shutil.which("promtool")
    if promtool:
        checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_static_files_and_leaflet(server):
    status, headers, body = server.get("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, headers, body = server.get("/vendor/leaflet/leaflet.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and len(body) > 10000
    assert server.get("/vendor/leaflet/leaflet.css")[1]["Content-Type"].startswith("text/css")


@pytest.mark.parametrize("path, status, reason", [
    ("/tiles/no-such-map/0/0/0.png", 404, "no map named"),
    ("/tiles/no-such-map.json", 404, "no map named"),
    ("/tiles/forward-pass/a/0/0.png", 400, "integers"),
    ("/tiles/forward-pass/1/-1/0.png", 400, "integers"),
    ("/tiles/forward-pass/1/0/0x1.png", 400, "integers"),
    ("/tiles/forward-pass/1/0/" + "9" * 40 + ".png", 404, "outside"),
    ("/tiles/forward-pass/03/1/0.png", 404, "leading zeros"),
    ("/tiles/forward-pass/1/0/99999999999999999999999.png", 404, "outside"),
    ("/tiles/forward-pass/101/0/0.png", 404, "zoom"),
    ("/tiles/forward-pass/100/" + str(2**100) + "/0.png", 404, "outside"),
    ("/tiles/forward-pass/2/4/0.png", 404, "outside"),
    ("/tiles/forward-pass/2/0/4.png", 404, "outside"),
    ("/tiles/forward-pass/0/0/0.jpg", 404, ".png"),
    ("/tiles/forward-pass/0/0.png", 404, "tiles are at"),
    ("/probe/forward-pass", 400, "re and im"),
    ("/probe/forward-pass?re=1", 400, "re and im"),
    ("/probe/forward-pass?re=abc&im=1", 400, "re and im"),
    ("/probe/forward-pass?re=nan&im=1", 400, "re and im"),
    ("/probe/forward-pass?re=1e999&im=1", 400, "re and im"),
    ("/probe/forward-pass?re=0x1p3&im=1", 400, "re and im"),
    ("/probe/forward-pass?re=1" + "0" * 30 + "&im=1", 400, "too large"),
    ("/probe/nope?re=1&im=1", 404, "no map named"),
    ("/no-such-file.html", 404, "no such file"),
])
def test_bad_requests_get_a_clear_4xx(server, path, status, reason):
    got, headers, body = httpclient.get(server.port, path)
    assert got == status, (path, body)
    assert reason in body.decode(), (path, body)
    assert body.decode().count("\n") == 1


@pytest.mark.parametrize("payload", [
    "/../config.json", "/%2e%2e/config.json", "/%2E%2E/%2E%2E/etc/passwd", "/..%2fconfig.json",
    "/..%5cconfig.json", "/%252e%252e/config.json", "/..\\config.json", "/%00index.html", "/index.html%00",
    "/%c0%ae%c0%ae/config.json", "/.git/config", "/vendor/leaflet/../../../../etc/passwd",
    "/vendor/leaflet/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd", "/Public/../config.json",
])
def test_path_traversal_is_refused(server, payload):
    status, _, body = httpclient.get(server.port, payload)
    assert status in (400, 404), payload
    assert b"root:" not in body and b'"maps"' not in body


def test_symlink_out_of_public_is_refused(start_server, tmp_path):
    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text("<!doctype html><title>x</title>")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, public / "leak.txt")
    server = start_server(server={"publicDirectory": str(public)})
    assert server.get("/index.html")[0] == 200
    status, _, body = server.get("/leak.txt")
    assert status == 404 and b"secret" not in body


def test_keep_alive_and_pipelining(server):
    sock = httpclient.connect(server.port)
    reader = httpclient.Reader(sock)
    for _ in range(3):
        sock.sendall(httpclient.request_bytes("/healthz"))
        status, headers, body = reader.response()
        assert status == 200 and body == b"ok\n"
    paths = ["/healthz", "/tiles/forward-pass.json", "/maps.json", TILE]
    sock.sendall(b"".join(httpclient.request_bytes(p) for p in paths))
    answers = [reader.response() for _ in paths]
    assert [a[0] for a in answers] == [200] * 4
    assert answers[0][2] == b"ok\n"
    assert json.loads(answers[1][2])["tilejson"] == "3.0.0"
    assert "maps" in json.loads(answers[2][2])
    assert answers[3][2].startswith(b"\x89PNG")
    sock.close()


def test_http10_keep_alive_only_when_asked(server):
    sock = httpclient.connect(server.port)
    reader = httpclient.Reader(sock)
    sock.sendall(httpclient.request_bytes("/healthz", version="HTTP/1.0", headers=[("Connection", "keep-alive")]))
    status, headers, _ = reader.response()
    assert status == 200 and headers["connection"].lower() == "keep-alive"
    sock.sendall(httpclient.request_bytes("/healthz", version="HTTP/1.0"))
    assert reader.response()[0] == 200
    assert reader.closed()


def test_request_in_tiny_writes(server):
    sock = httpclient.connect(server.port)
    for byte in httpclient.request_bytes("/healthz"):
        sock.send(bytes([byte]))
        time.sleep(0.001)
    assert httpclient.Reader(sock).response()[0] == 200
    sock.close()


def test_oversized_headers_get_431_and_close(server):
    sock = httpclient.connect(server.port)
    sock.sendall(httpclient.request_bytes("/healthz", headers=[("X-Big", "a" * 70000)]))
    reader = httpclient.Reader(sock)
    status, headers, body = reader.response()
    assert status == 431 and headers["connection"] == "close" and body
    assert reader.closed()


def test_slow_client_is_cut_off_while_others_are_served(start_server):
    server = start_server(server={"headerTimeoutSeconds": 1})
    slow = httpclient.connect(server.port)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    started = time.time()
    cut_off = False
    while time.time() - started < 8:
        assert server.get("/healthz", timeout=5)[0] == 200  # others keep being served
        try:
            slow.sendall(b"X-Trickle: 1\r\n")
        except OSError:
            cut_off = True
            break
        time.sleep(0.2)
    assert cut_off or httpclient.Reader(slow).closed(timeout=3)
    assert time.time() - started < 8


def test_hundred_concurrent_requests_for_one_new_tile_render_it_once(server):
    path = "/tiles/gradient-basin/3/5/2.png"
    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(lambda _: server.get(path, timeout=120), range(100)))
    assert {r[0] for r in results} == {200}
    assert len({r[2] for r in results}) == 1
    assert httpclient.metric(metrics(server), "fractile_renders_total") == 1


def test_disk_cache_survives_restart_and_detects_corruption(start_server, tmp_path):
    cache = tmp_path / "shared-cache"
    first = start_server(cache_dir=cache)
    body = first.get(TILE)[2]
    assert first.stop() == 0
    files = [p for p in cache.rglob("*.png")]
    assert len(files) == 1 and files[0].read_bytes() == body
    assert str(files[0].relative_to(cache)).startswith("forward-pass/")
    assert str(files[0]).endswith("/2/1/1.png")

    second = start_server(cache_dir=cache)
    status, _, again = second.get(TILE)
    assert status == 200 and again == body
    text = metrics(second)
    assert httpclient.metric(text, "fractile_renders_total") == 0
    assert httpclient.metric(text, "fractile_cache_hits_total", 'layer="disk"') == 1
    second.stop()

    files[0].write_bytes(body[: len(body) // 2])  # a torn write from some other tool
    third = start_server(cache_dir=cache)
    status, _, repaired = third.get(TILE)
    assert status == 200 and repaired == body
    assert httpclient.metric(metrics(third), "fractile_renders_total") == 1
    third.stop()
    assert files[0].read_bytes() == body
    assert not [p for p in cache.rglob(".tmp-*")]


def test_changed_settings_never_serve_old_tiles(start_server, tmp_path):
    cache = tmp_path / "c"
    first = start_server(cache_dir=cache)
    old_etag = first.get(TILE)[1]["ETag"]
    first.stop()
    config = json.loads((ROOT / "config.json").read_text())
    config["maps"][0]["maxIterations"] = 123
    second = start_server(cache_dir=cache, maps=config["maps"])
    status, headers, _ = second.get(TILE, headers={"If-None-Match": old_etag})
    assert status == 200 and headers["ETag"] != old_etag
    assert httpclient.metric(metrics(second), "fractile_renders_total") == 1


def test_full_queue_answers_503_with_retry_after(start_server):
    server = start_server(render={"queueLimit": 1})
    paths = ["/tiles/forward-pass/12/%d/%d.png" % (1800 + i, 2000 + i) for i in range(24)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(lambda p: server.get(p, timeout=120), paths))
    statuses = [r[0] for r in results]
    assert 503 in statuses and 200 in statuses
    for status, headers, body in results:
        if status == 503:
            assert int(headers["Retry-After"]) > 0 and b"queue" in body
    assert httpclient.metric(metrics(server), "fractile_renders_rejected_total") >= 1
    assert server.get("/healthz")[0] == 200


def test_access_log_and_graceful_stop(server):
    server.get(TILE)
    server.get(TILE)
    assert server.stop(signal.SIGTERM) == 0
    tile_lines = [line for line in server.log_lines if TILE in line]
    assert len(tile_lines) == 2
    assert all("GET" in line and " 200 " in line for line in tile_lines)
    # Each event loop buffers its own lines, so two connections' lines may reach the file in either order.
    assert sorted(line.split()[-1] for line in tile_lines) == ["memory", "render"], tile_lines


def test_curl_and_wrk_as_real_clients(server):
    curl = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}",
                           server.url + TILE, server.url + "/healthz"], capture_output=True, text=True, timeout=60)
    assert curl.returncode == 0 and curl.stdout.split()[0] == "200"
    wrk = shutil.which("wrk")
    if not wrk:
        pytest.skip("wrk not installed")
    server.get(TILE)
    result = subprocess.run([wrk, "-t1", "-c8", "-d1s", server.url + TILE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Non-2xx" not in result.stdout and "Socket errors" not in result.stdout, result.stdout


def test_tilejson_behind_a_proxy_and_with_a_hostile_host(server):
    _, _, body = httpclient.get(server.port, "/tiles/forward-pass.json", host="tiles.example",
                                headers=[("X-Forwarded-Proto", "https"), ("X-Forwarded-Prefix", "/fractile/")])
    assert json.loads(body)["tiles"] == ["https://tiles.example/fractile/tiles/forward-pass/{z}/{x}/{y}.png"]
    # Not a host at all (RFC 9112 §3.2): refused with 400 before any route sees it.
    status, _, body = httpclient.get(server.port, "/tiles/forward-pass.json", host='evil"><script>')
    assert status == 400 and b"Host" in body
    # A valid host that is not plain (percent-encoded) never reaches the template: localhost stands in.
    _, _, body = httpclient.get(server.port, "/tiles/forward-pass.json", host="evil%22%3E")
    assert json.loads(body)["tiles"] == ["http://localhost/tiles/forward-pass/{z}/{x}/{y}.png"]


def test_deep_tiles_and_the_probe_at_long_decimals(server):
    """Issue #8: tiles at zoom 100 (indices past 2^64), and the probe reading coordinates digit for digit."""
    x, y = 2**99 + 2**60 + 12345, 2**98 + 7
    status, headers, body = server.get(f"/tiles/backprop-flow/100/{x}/{y}.png", timeout=120)
    assert status == 200 and body.startswith(b"\x89PNG")
    assert str(x) in headers["ETag"] and str(y) in headers["ETag"]
    long_re = "-0.80000000000000000000000000000000001234"
    status, _, body = httpclient.get(server.port, f"/probe/forward-pass?re={long_re}&im=0.5")
    deep = json.loads(body)
    assert status == 200 and deep["arithmetic"] == "perturbation" and deep["re"] == -0.8
    status, _, body = httpclient.get(server.port, "/probe/forward-pass?re=-0.8&im=0.5")
    shallow = json.loads(body)
    assert "arithmetic" not in shallow
    assert deep["regime"] == shallow["regime"] and deep["iterations"] == shallow["iterations"]
