"""Scale-out: two `fractile serve` replicas sharing one disk cache behind nginx, configured by deploy/nginx.conf."""
import concurrent.futures
import os
import pathlib
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from conftest import ROOT, Server, binary, write_config
import httpclient
import pngread
from test_seed import FAST_MAP, is_valid_png, tiles_in

MAP = "forward-pass"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed (make deps-test)")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_config(directory, port, upstreams):
    """deploy/nginx.conf with only the addresses and paths changed: the replicas on loopback, a free port, files in
    `directory`. Everything else (caching, keep-alive, headers) is tested as shipped."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join("        server 127.0.0.1:%d max_fails=3 fail_timeout=10s;\n" % p for p in upstreams)
    text, count = re.subn(r"(        server fractile-\d:8080[^\n]*\n)+", servers, text)  # 8080 is the image's default in-container port
    assert count == 1
    replacements = [("listen 8080;", "listen 127.0.0.1:%d;" % port),
                    ("/var/cache/nginx/fractile", str(directory / "proxy-cache")),
                    ("access_log /dev/stdout fractile;", "access_log %s fractile;" % (directory / "access.log"))]
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    if os.geteuid() == 0:
        text = "user root;\n" + text  # workers would otherwise run as nobody, unable to write under tmp
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


class Nginx:
    def __init__(self, directory, upstreams):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.port = free_port()
        config = nginx_config(directory, self.port, upstreams)
        self.process = subprocess.Popen(
            [NGINX, "-p", str(directory), "-c", str(config), "-e", "stderr",
             "-g", "daemon off; pid %s; error_log stderr;" % (directory / "nginx.pid")],
            stdout=subprocess.DEVNULL, stderr=open(directory / "nginx.stderr", "w"))
        if not httpclient.wait_for(self._accepts, timeout=20):
            self.stop()
            raise RuntimeError("nginx did not start: " + (directory / "nginx.stderr").read_text())
        self.url = "http://127.0.0.1:%d" % self.port

    def _accepts(self):
        if self.process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def get(self, path, headers=None):
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Cluster:
    """Two replicas on one cache directory, nginx in front of both."""

    def __init__(self, directory):
        self.config = write_config(directory, maps=[FAST_MAP])
        self.cache = directory / "shared-cache"
        self.replicas = [Server(self.config, self.cache) for _ in range(2)]
        self.nginx = Nginx(directory / "nginx", [replica.port for replica in self.replicas])

    def stop(self):
        self.nginx.stop()
        codes = [replica.stop() for replica in self.replicas]
        return codes


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = Cluster(tmp_path_factory.mktemp("scaleout"))
    yield started
    assert started.stop() == [0, 0]


def metric(server, name, labels=""):
    return httpclient.metric(server.get("/metrics")[2].decode(), name, labels)


def tile(z, x, y):
    return "/tiles/%s/%d/%d/%d.png" % (MAP, z, x, y)


def wait_for_file(cache, z, x, y):
    return httpclient.wait_for(
        lambda: any(p.parts[-3:] == (str(z), str(x), "%d.png" % y) for p in pathlib.Path(cache).rglob("*.png")))


def test_tiles_come_through_and_the_second_request_is_a_proxy_cache_hit(cluster):
    status, headers, body = cluster.nginx.get(tile(2, 1, 1))
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert headers["X-Cache-Status"] == "MISS"
    assert headers["Cache-Control"].startswith("public, max-age=")
    assert pngread.decode(body)[:2] == (256, 256)
    renders = sum(metric(r, "fractile_renders_total") for r in cluster.replicas)
    status, again_headers, again = cluster.nginx.get(tile(2, 1, 1))
    assert status == 200 and again == body
    assert again_headers["X-Cache-Status"] == "HIT"
    assert again_headers["ETag"] == headers["ETag"]
    # The hit never reached a replica.
    assert sum(metric(r, "fractile_renders_total") for r in cluster.replicas) == renders
    assert sum(metric(r, "fractile_http_requests_total", 'route="tile",status="200"') for r in cluster.replicas) == 1


def test_etags_and_bytes_agree_across_replicas(cluster):
    answers = [replica.get(tile(3, 2, 5)) for replica in cluster.replicas]
    assert [a[0] for a in answers] == [200, 200]
    assert answers[0][1]["ETag"] == answers[1][1]["ETag"]
    assert answers[0][2] == answers[1][2]
    through = cluster.nginx.get(tile(3, 2, 5))
    assert through[1]["ETag"] == answers[0][1]["ETag"] and through[2] == answers[0][2]


@pytest.mark.parametrize("path", [tile(2, 3, 0), tile(2, 0, 3)])
def test_if_none_match_gets_304_through_nginx(cluster, path):
    etag = cluster.replicas[0].get(path, headers={"If-None-Match": '"x"'})[1]["ETag"]
    # First while nginx has no copy (it fetches one), then from its cache.
    for expected_cache in ["MISS", "HIT"]:
        status, headers, body = cluster.nginx.get(path, headers={"If-None-Match": etag})
        assert status == 304 and body == b""
        assert headers["ETag"] == etag
        assert headers["X-Cache-Status"] == expected_cache
    status, _, body = cluster.nginx.get(path, headers={"If-None-Match": '"someone-elses"'})
    assert status == 200 and pngread.decode(body)[:2] == (256, 256)


def test_a_tile_rendered_by_one_replica_is_read_from_disk_by_the_other(cluster):
    first, second = cluster.replicas
    renders_before = metric(second, "fractile_renders_total")
    disk_hits_before = metric(second, "fractile_cache_hits_total", 'layer="disk"')
    status, _, body = first.get(tile(3, 6, 1))
    assert status == 200
    assert wait_for_file(cluster.cache, 3, 6, 1)  # the disk write follows the response
    status, _, again = second.get(tile(3, 6, 1))
    assert status == 200 and again == body
    assert metric(second, "fractile_renders_total") == renders_before
    assert metric(second, "fractile_cache_hits_total", 'layer="disk"') == disk_hits_before + 1


def test_replicas_rendering_the_same_tiles_at_once_leave_only_whole_files(cluster):
    paths = [tile(4, x, y) for x in range(4, 8) for y in range(2)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda job: job[0].get(job[1]),
                                [(replica, path) for path in paths for replica in cluster.replicas]))
    assert {a[0] for a in answers} == {200}
    for index in range(0, len(answers), 2):
        assert answers[index][2] == answers[index + 1][2]
        assert answers[index][1]["ETag"] == answers[index + 1][1]["ETag"]
    for path in paths:
        z, x, y = (int(v) for v in path[:-4].split("/")[-3:])
        assert wait_for_file(cluster.cache, z, x, y)
    tiles = tiles_in(cluster.cache)
    assert all(is_valid_png(data) for data in tiles.values())
    assert not list(pathlib.Path(cluster.cache).rglob(".tmp-*"))


def test_host_and_scheme_reach_the_replicas_and_uncacheable_answers_are_not_cached(cluster):
    headers = {"Host": "tiles.example.org", "X-Forwarded-Proto": "https"}
    for _ in range(2):
        status, answer_headers, body = cluster.nginx.get("/tiles/%s.json" % MAP, headers=headers)
        assert status == 200
        assert b'"https://tiles.example.org/tiles/forward-pass/{z}/{x}/{y}.png"' in body
        assert answer_headers["X-Cache-Status"] == "MISS"  # fractile says no-cache; nginx honours it
    status, _, body = cluster.nginx.get("/tiles/%s.json" % MAP)
    assert b'"http://127.0.0.1:%d/tiles/' % cluster.nginx.port in body
    status, answer_headers, body = cluster.nginx.get("/")
    assert status == 200 and b"<html" in body.lower()


def test_upstream_connections_are_kept_alive(cluster):
    for _ in range(10):
        assert cluster.nginx.get(tile(1, 0, 0))[0] == 200
        assert cluster.nginx.get("/maps.json")[0] == 200
    # nginx holds idle connections open to the replicas; each replica sees it beside our own /metrics connection.
    assert sum(metric(r, "fractile_open_connections") for r in cluster.replicas) >= 3


def test_metrics_are_not_exposed_through_the_proxy(cluster):
    assert cluster.nginx.get("/metrics")[0] == 404


def test_healthcheck_subcommand_against_each_replica(cluster):
    for replica in cluster.replicas:
        result = subprocess.run([binary(), "healthcheck"], env=dict(os.environ, FRACTILE_PORT=str(replica.port)),
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert "200" in result.stdout


def test_a_replica_going_away_is_routed_around(tmp_path):
    cluster = Cluster(tmp_path)
    try:
        assert cluster.replicas[1].stop() == 0
        for y in range(4):
            status, _, body = cluster.nginx.get(tile(2, 2, y))
            assert status == 200 and pngread.decode(body)[:2] == (256, 256)
    finally:
        cluster.stop()
