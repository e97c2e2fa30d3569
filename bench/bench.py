#!/usr/bin/env python3
"""make bench: fractile against its peers, every figure measured in the same run (issue #6).

1. cold rendering, tiles/s of zooms 0..3 of a shipped map through the real server (fresh caches, both cores),
   against bench/cpeer.c (scalar <complex.h> ctanh, OpenMP over rows, gcc -O3 -march=native -fopenmp); the two must
   agree on regime counts;
2. cores: the same with the server pinned to one core;
3. warm serving: wrk -c 64 over keep-alive for cached tiles, against nginx serving the same PNG files from disk,
   with access logs off on both sides and on on both sides (each to a file); then probe isolation (issue #16): the
   cached-tile p50 while 4 connections flood deep probes, against the same p50 without the flood;
4. PNG: encoding's share of a cold tile, bytes against a plain RGB PNG of the same pixels;
5. memory: peak RSS under a random-tile load against the memory-cache budget + 64 MB;
6. deep zoom (issues #8, #14): render seconds of z = 40, 60, 80, 100 tiles at each map's deep points
   (Tests/reference/deep_points.json: boundary and single-regime) against the z = 10 tile holding the same point,
   both from `fractile render --report`, as ratios (default threads, the zooms taking turns, best of 5; the z = 80
   and z = 10 tiles also on one thread); and the time to fill a 1920x1080 view at z = 80 on
   gradient-basin through a cold server, twice: 54 tiles (the worst alignment of such a view on the tile grid) six
   at a time, and the tiles the viewer itself requests in headless Chromium with a 1920x1080 window, in its order,
   replayed over six keep-alive connections without Chromium on the machine's cores.
7. trainability (issue #17): tiles/s of the shipped `trainability` map's zooms 0..2 through the server, against
   bench/trainability_peer.c (the same per-pixel training loop in scalar C, libm tanh, OpenMP over rows, gcc -O3
   -march=native); the two must agree on regime counts.
8. container (issue #14): the same cold tiles (shallow ones and z = 80 tiles of gradient-basin and forward-pass)
   through the image's server (`make image`, podman) and through the native release build's server, both pinned to
   the same cores, taking turns every few tiles: the median ratio over rounds
   (target <= 1.2x), server CPU seconds beside it, which build the launcher picked, and the image's generic, v3 and
   v4 builds against each other. Skipped, with a line saying how to build the image,
   when podman or the image is missing.

BENCH_QUICK=1 shortens everything for iteration; BENCH_MEMORY_SECONDS sets the memory run (default 120).
BENCH_ONLY=warm,isolation (any of cold, cores, warm, isolation, png, deep, trainability, memory, container) runs only
those sections and leaves docs/benchmarks.md alone.
Prints one line per target and writes them, with the details, to docs/benchmarks.md.
"""
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("FRACTILE_BIN", os.path.join(ROOT, ".build/release/fractile"))
QUICK = os.environ.get("BENCH_QUICK", "0") not in ("", "0")
# forward-pass over zooms 0..3 as issue #6 asks; the slower maps over fewer zooms (the C peer needs ~10 s per
# gradient-basin tile), which changes the ratio little: both sides render the same tiles.
ZOOMS = {"forward-pass": 1 if QUICK else 3, "gradient-basin": 0 if QUICK else 2, "backprop-flow": 0 if QUICK else 2}
MAX_Z = ZOOMS["forward-pass"]
WRK_SECONDS = 3 if QUICK else 10
WRK_ROUNDS = 1 if QUICK else 3  # interleaved fractile/nginx rounds of the warm comparison
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
MEMORY_SECONDS = int(os.environ.get("BENCH_MEMORY_SECONDS", "20" if QUICK else "120"))
# Small enough that the random load fills the memory cache and it has to evict within the run.
MEMORY_BUDGET = 2 * 1024 * 1024
# Regime counts may differ only on pixels whose fate depends on the last bits (glibc's ctanh against fractile's
# kernels): chaotic orbits and the rims of escape regions. Allowed: this share of all pixels.
REGIME_TOLERANCE = 0.005
WORK = os.path.join(ROOT, "bench-results", "tmp")
CONFIG = json.load(open(os.path.join(ROOT, "config.json")))
MAPS = {m["name"]: m for m in CONFIG["maps"]}

DEEP_POINTS = os.path.join(ROOT, "Tests", "reference", "deep_points.json")
DEEP_ZOOM, SHALLOW_ZOOM = 80, 10
DEEP_ZOOMS = (40, 60, 80, 100)
DEEP_TARGET, DEEP_VIEW_TARGET = 1.5, 3.0  # issue #14
# Points beside deep_points.json: single-regime tiles of gradient_basin (a converged basin, the undecided sea) and a
# gradient-basin-wirtinger boundary (undecided/converged, bisected to 2^-95 with `fractile probe` at 50 digits).
DEEP_EXTRA = [
    ("gradient-basin", "single-regime converged", "0.3", "0.05"),
    ("gradient-basin", "single-regime undecided", "-0.7", "0.4"),
    ("gradient-basin-wirtinger", "boundary", "-0.0008945022183134356657419039094080522080256797851",
     "1.05688728508048187552407374174016912794056409148995"),
    ("gradient-basin-wirtinger", "single-regime converged", "0.3", "0.05"),
    # Boundaries of the other two kinds (docs/deep-zoom.md): an ordered island in a forward-pass chaotic filament,
    # and backprop-flow's exploding line w = -c.
    ("forward-pass", "boundary", "-0.0148437500000000000000000000001", "1.39453125"),
    ("backprop-flow", "boundary", "-1.5", "1.5"),
]
DEEP_RUNS = 1 if QUICK else 5  # best of, for each tile; the zooms of a point take turns, run by run

lines = []    # the one-line verdicts
details = []  # everything else worth keeping


def say(line, verdict=True):
    print(line, flush=True)
    (lines if verdict else details).append(line)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiles(max_z):
    return [(z, x, y) for z in range(max_z + 1) for y in range(1 << z) for x in range(1 << z)]


def build_peer():
    peer = os.path.join(WORK, "cpeer")
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-o", peer, os.path.join(ROOT, "bench", "cpeer.c"),
                    "-lm"], check=True)
    return peer


def run_peer(peer, name, max_z, cpus="0,1"):
    m = MAPS[name]
    env = dict(os.environ, OMP_NUM_THREADS=str(len(cpus.split(","))))
    out = subprocess.run(["taskset", "-c", cpus, peer, name, str(m["center"][0]), str(m["center"][1]),
                          str(m["span"]), "0", str(max_z)], env=env, check=True, capture_output=True, text=True).stdout
    counts = {}
    for line in out.splitlines():
        if line.startswith("tile "):
            for key, value in re.findall(r"(\w+)=(\d+)", line):
                counts[key] = counts.get(key, 0) + int(value)
    rate = float(re.search(r"tiles_per_second ([\d.]+)", out).group(1))
    return rate, counts


def bench_config(directory, memory_bytes=None, access_log=False, inside_image=False):
    """The shipped config with the bench's caches; `inside_image`: with the image's paths (the cache directory is
    mounted there from `directory`)."""
    config = json.loads(json.dumps(CONFIG))
    config["server"]["accessLog"] = access_log  # off unless nginx logs too
    config["server"]["publicDirectory"] = "/srv/fractile/Public" if inside_image else os.path.join(ROOT, "Public")
    config["cache"]["directory"] = "/var/cache/fractile" if inside_image else os.path.join(directory, "cache")
    if memory_bytes is not None:
        config["cache"]["memoryBytes"] = memory_bytes
    path = os.path.join(directory, "config.json")
    json.dump(config, open(path, "w"))
    return path


class Server:
    """fractile serve on a free port with fresh caches, optionally pinned to some cores."""

    def __init__(self, cpus="0,1", memory_bytes=None, access_log=None):
        """`access_log`: a file that gets standard output, access log on (as a server's log usually goes)."""
        self.directory = tempfile.mkdtemp(dir=WORK)
        config = bench_config(self.directory, memory_bytes, access_log=access_log is not None)
        command = ["taskset", "-c", cpus, BIN, "serve", "--config", config, "--port", "0", "--host", "127.0.0.1"]
        if access_log is None:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            line = self.process.stdout.readline()
            threading.Thread(target=self.process.stdout.read, daemon=True).start()
        else:
            self.process = subprocess.Popen(command, stdout=open(access_log, "w"), stderr=subprocess.DEVNULL)
            line = ""
            while "port" not in line and self.process.poll() is None:
                time.sleep(0.05)
                line = open(access_log).readline()
        self.port = int(re.search(r"port (\d+)", line).group(1))

    def url(self, name, z, x, y):
        return f"http://127.0.0.1:{self.port}/tiles/{name}/{z}/{x}/{y}.png"

    def get(self, name, z, x, y):
        with urllib.request.urlopen(self.url(name, z, x, y), timeout=600) as response:
            return response.read()

    def pid(self):
        # taskset execs fractile, so the pid is fractile's.
        return self.process.pid

    def rss_bytes(self):
        for line in open(f"/proc/{self.pid()}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self):
        """User + system seconds of every thread of the server so far."""
        fields = open(f"/proc/{self.pid()}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)


def cold_rate(name, max_z, cpus="0,1"):
    """Tiles per second of every tile of zooms 0..max_z, cold, 4 requests in flight."""
    server = Server(cpus)
    try:
        return len(tiles(max_z)) / fetch_seconds(server, [(name,) + tile for tile in tiles(max_z)])
    finally:
        server.stop()


def fetch_seconds(server, wanted):
    """Seconds to fetch every (map, z, x, y) of `wanted`, 4 requests in flight."""
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(lambda t: len(server.get(*t)), wanted))
    seconds = time.monotonic() - started
    assert all(size > 0 for size in sizes)
    return seconds


def fractile_reports(name, max_z):
    """Per-tile render/encode seconds, PNG bytes and regime counts from `fractile render --report`."""
    reports = []
    for z, x, y in tiles(max_z):
        out = subprocess.run([BIN, "render", name, str(z), str(x), str(y), "--report", "--config",
                              os.path.join(ROOT, "config.json"), "-o", os.devnull],
                             check=True, capture_output=True, text=True).stdout
        fields = dict(re.findall(r"(\w+)=([\d.e-]+)", out))
        reports.append({k: float(v) for k, v in fields.items()})
    return reports


def verdict(name, max_z, rate, peer_rate, counts, peer_counts):
    """One line: fractile's cold tiles/s against its C peer's (target >= 10x), and whether their regime counts agree."""
    pixels = sum(peer_counts.values())
    differing = sum(abs(counts.get(k, 0) - peer_counts.get(k, 0)) for k in set(counts) | set(peer_counts)) // 2
    agree = differing <= REGIME_TOLERANCE * pixels
    ratio = rate / peer_rate
    say(f"cold {name} z0-{max_z}: fractile {rate:.3g} tiles/s, C peer {peer_rate:.3g} tiles/s, "
        f"ratio {ratio:.1f}x (target >= 10x) {'PASS' if ratio >= 10 and agree else 'FAIL'}")
    say(f"  regimes {name}: fractile {counts}, C peer {peer_counts}: {differing} of {pixels} pixels "
        f"({100 * differing / pixels:.3f}%) differ (allowed {100 * REGIME_TOLERANCE}%) "
        f"{'agree' if agree else 'DISAGREE'}", verdict=False)


TRAINABILITY_ZOOM = 0 if QUICK else 2


def trainability():
    """The trainability map cold through the server against its C peer, and regime counts from `render --regimes`."""
    name = "trainability"
    m = MAPS[name]
    peer = os.path.join(WORK, "trainability_peer")
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-o", peer,
                    os.path.join(ROOT, "bench", "trainability_peer.c"), "-lm"], check=True)
    points = m.get("points", m["width"] * m["width"] + m["width"])
    out = subprocess.run(["taskset", "-c", "0,1", peer, str(m["width"]), str(points), str(m["seed"]),
                          str(m["maxIterations"]), str(m["divergeLoss"]), str(m["center"][0]), str(m["center"][1]),
                          str(m["span"]), "0", str(TRAINABILITY_ZOOM)], env=dict(os.environ, OMP_NUM_THREADS="2"),
                         check=True, capture_output=True, text=True).stdout
    peer_counts = {}
    for line in out.splitlines():
        if line.startswith("tile "):
            for key, value in re.findall(r"(\w+)=(\d+)", line):
                peer_counts[key] = peer_counts.get(key, 0) + int(value)
    peer_rate = float(re.search(r"tiles_per_second ([\d.]+)", out).group(1))
    rate = cold_rate(name, TRAINABILITY_ZOOM)
    counts = {}
    regimes = os.path.join(WORK, "regimes.txt")
    for z, x, y in tiles(TRAINABILITY_ZOOM):
        subprocess.run([BIN, "render", name, str(z), str(x), str(y), "--config", os.path.join(ROOT, "config.json"),
                        "-o", os.devnull, "--regimes", regimes], check=True, capture_output=True)
        for regime in open(regimes).read().split():
            counts[regime] = counts.get(regime, 0) + 1
    verdict(name, TRAINABILITY_ZOOM, rate, peer_rate, counts, peer_counts)


def cold_rendering():
    peer = build_peer()
    all_reports = {}
    for name, max_z in ZOOMS.items():
        peer_rate, peer_counts = run_peer(peer, name, max_z)
        rate = cold_rate(name, max_z)
        reports = fractile_reports(name, max_z)
        all_reports[name] = reports
        counts = {}
        for report in reports:
            for key, value in report.items():
                if not key.endswith("_seconds") and not key.endswith("_bytes") and key != "steps":
                    counts[key] = counts.get(key, 0) + int(value)
        verdict(name, max_z, rate, peer_rate, counts, peer_counts)
    return all_reports


def cores():
    name = "forward-pass"
    one = cold_rate(name, MAX_Z, cpus="0")
    two = cold_rate(name, MAX_Z, cpus="0,1")
    ratio = two / one
    say(f"cores {name} z0-{MAX_Z}: 2 cores {two:.2f} tiles/s, 1 core {one:.2f} tiles/s, ratio {ratio:.2f}x "
        f"(target >= 1.9x) {'PASS' if ratio >= 1.9 else 'FAIL'}")


def wrk(url, lua=None, seconds=WRK_SECONDS, connections=64):
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if lua:
        command += ["-s", lua]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile_ms(label):
        found = re.search(label + r"%\s+([\d.]+)(us|ms|s)", out)
        return float(found.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[found.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, percentile_ms("99"), int(non2xx.group(1)) if non2xx else 0, percentile_ms("50")


def median_run(runs):
    """Median req/s and median p99 of wrk runs, and all their non-2xx responses."""
    rates = sorted(run[0] for run in runs)
    p99s = sorted(run[1] for run in runs)
    return rates[len(rates) // 2], p99s[len(p99s) // 2], sum(run[2] for run in runs)


def warm_serving(logs=False):
    """Cached tiles against nginx; with `logs`, both sides write an access-log line per request to a file."""
    name = "forward-pass"
    root = tempfile.mkdtemp(dir=WORK)
    server = Server(access_log=os.path.join(root, "fractile-access.log") if logs else None)
    try:
        paths = []
        for z, x, y in tiles(MAX_Z):
            path = f"/tiles/{name}/{z}/{x}/{y}.png"
            os.makedirs(os.path.dirname(root + path), exist_ok=True)
            with open(root + path, "wb") as f:
                f.write(server.get(name, z, x, y))  # renders once; from then on a memory hit
            paths.append(path)
        lua = os.path.join(root, "tiles.lua")
        with open(lua, "w") as f:
            f.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\ncounter = 0\n"
                    "request = function()\n  counter = counter + 1\n"
                    "  return wrk.format(nil, paths[(counter % #paths) + 1])\nend\n")
        port = free_port()
        prefix = os.path.join(root, "nginx")
        os.makedirs(os.path.join(prefix, "logs"))
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(f"""worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {os.path.join(prefix, "logs", "access.log") if logs else "off"};
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    open_file_cache max=1000;
    types {{ image/png png; }}
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
""")
        nginx = subprocess.Popen(["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf")],
                                 stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{paths[0]}", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            wrk(f"http://127.0.0.1:{server.port}", lua, seconds=1)  # warm both up
            wrk(f"http://127.0.0.1:{port}", lua, seconds=1)
            # Interleaved rounds, median of each side: the machine is shared, and one 10 s run apiece let a burst of
            # other work decide the ratio.
            rounds = {"fractile": [], "nginx": []}
            for _ in range(WRK_ROUNDS):
                rounds["fractile"].append(wrk(f"http://127.0.0.1:{server.port}", lua))
                rounds["nginx"].append(wrk(f"http://127.0.0.1:{port}", lua))
            ours, theirs = (median_run(rounds[side]) for side in ("fractile", "nginx"))
            for side, runs in rounds.items():
                say(f"  warm rounds {side}, logs {'on' if logs else 'off'}: "
                    + ", ".join(f"{run[0]:.0f} req/s p99 {run[1]:.2f} ms" for run in runs), verdict=False)
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)
        ratio = ours[0] / theirs[0]
        p99_ratio = ours[1] / theirs[1]
        ok = ratio >= 1 and p99_ratio <= 2 and ours[2] == 0
        say(f"warm {name} logs {'on ' if logs else 'off'} wrk -c 64 (median of {WRK_ROUNDS}): fractile {ours[0]:.0f} req/s p99 {ours[1]:.2f} ms, nginx {theirs[0]:.0f} req/s "
            f"p99 {theirs[1]:.2f} ms, ratio {ratio:.2f}x req/s, p99 {p99_ratio:.2f}x "
            f"(target >= 1x, p99 <= 2x) {'PASS' if ok else 'FAIL'}")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def probe_isolation():
    """Issue #16: cached-tile p50 (wrk -c 4 on one tile) while 4 connections ask deep probes, each a new point (so
    the probe cache cannot answer), against the p50 without the flood, in the same run."""
    server = Server()
    root = tempfile.mkdtemp(dir=WORK)
    try:
        tile = server.url("forward-pass", 2, 1, 1)
        server.get("forward-pass", 2, 1, 1)
        lua = os.path.join(root, "probes.lua")
        with open(lua, "w") as f:
            f.write("counter = 0\nrequest = function()\n  counter = counter + 1\n"
                    "  return wrk.format(nil, string.format('/probe/backprop-flow?re=0.3%030d1&im=0.2%030d1', counter, "
                    "math.random(1, 1000000000)))\nend\n")
        seconds = 3 if QUICK else 5
        quiet = wrk(tile, seconds=seconds, connections=4)
        flood = subprocess.Popen(["wrk", "-t", "1", "-c", "4", "-d", f"{seconds + 4}s", "-s", lua,
                                  f"http://127.0.0.1:{server.port}"], stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        loaded = wrk(tile, seconds=seconds, connections=4)
        probes = flood.communicate()[0]
        probe_rate = float(re.search(r"Requests/sec:\s+([\d.]+)", probes).group(1))
        ratio = loaded[3] / quiet[3]
        say(f"  isolation: cached tile quiet {quiet[0]:.0f} req/s p50 {quiet[3]:.3f} ms p99 {quiet[1]:.2f} ms; "
            f"under the probe flood {loaded[0]:.0f} req/s p50 {loaded[3]:.3f} ms p99 {loaded[1]:.2f} ms; "
            f"probes answered {probe_rate:.0f}/s (200 or 503)", verdict=False)
        say(f"probe isolation: cached-tile p50 under 4 deep-probe connections {loaded[3]:.3f} ms, without "
            f"{quiet[3]:.3f} ms, ratio {ratio:.2f}x (target <= 3x) {'PASS' if ratio <= 3 else 'FAIL'}")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def png(reports):
    for name, rows in reports.items():
        max_z = ZOOMS[name]
        render = sum(r["render_seconds"] for r in rows)
        encode = sum(r["encode_seconds"] for r in rows)
        share = encode / (render + encode)
        ours = sum(r["png_bytes"] for r in rows) / len(rows)
        rgb = sum(r["rgb_png_bytes"] for r in rows) / len(rows)
        say(f"png {name} z0-{max_z}: encoding {100 * share:.1f}% of a cold tile (target <= 15%) "
            f"{'PASS' if share <= 0.15 else 'FAIL'}; {ours / 1024:.1f} KiB per tile against "
            f"{rgb / 1024:.1f} KiB as plain RGB PNG ({ours / rgb:.2f}x)")


def render_report(name, z, x, y, threads=0):
    out = subprocess.run([BIN, "render", name, str(z), str(x), str(y), "--report", "--threads", str(threads),
                          "--config", os.path.join(ROOT, "config.json"), "-o", os.devnull],
                         check=True, capture_output=True, text=True).stdout
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", out)}


def tile_of(name, re_text, im_text, z):
    """The tile at zoom z that holds the point, exactly (docs/maps.md tile coordinates, config numbers as doubles)."""
    m = MAPS[name]
    centre = m["center"] if isinstance(m["center"], list) else [m["center"], 0]
    span = Fraction(float(m["span"]))
    u = ((Fraction(re_text) - Fraction(float(centre[0]))) / span + Fraction(1, 2)) * 2**z
    v = ((Fraction(float(centre[1])) - Fraction(im_text)) / span + Fraction(1, 2)) * 2**z
    return int(u // 1), int(v // 1)


def deep_cases(points):
    """(map, label, re, im): each map's deep point from deep_points.json (a boundary where the finder found one, else
    a single-regime tile), then DEEP_EXTRA."""
    cases = []
    for name in MAPS:
        tile = next((t for t in points.get(name, {}).get("tiles", []) if t["z"] == DEEP_ZOOM), None)
        if tile is not None:
            cases.append((name, "boundary" if tile.get("structure", True) else "single-regime", tile["re"], tile["im"]))
    return cases + [case for case in DEEP_EXTRA if case[0] in MAPS]


def deep_zoom():
    """Cost of deep tiles (perturbation) at z = 40, 60, 80, 100 against the z = 10 tile (doubles) around the same
    point, at boundary and single-regime points of every map with a deep path (issue #14: z = 80 at most 1.5x)."""
    points = json.load(open(DEEP_POINTS))
    cases = deep_cases(points)
    for name, label, re_text, im_text in cases[:2] if QUICK else cases:
        if MAPS[name].get("maxZoom", 0) < DEEP_ZOOM:
            say(f"deep {name}: maxZoom below {DEEP_ZOOM}, skipped")
            continue
        # The zooms take turns, run by run, so that a burst of other work on this shared machine falls on all of
        # them; the two ends of the ratio also run on one thread (the tile's cost, without the second core's luck).
        zooms = (SHALLOW_ZOOM,) + DEEP_ZOOMS
        tiles = {z: tile_of(name, re_text, im_text, z) for z in zooms}
        reports, alone = {z: [] for z in zooms}, {z: [] for z in (SHALLOW_ZOOM, DEEP_ZOOM)}
        for _ in range(DEEP_RUNS):
            for z in zooms:
                reports[z].append(render_report(name, z, *tiles[z]))
            for z in alone:
                alone[z].append(float(render_report(name, z, *tiles[z], threads=1)["render_seconds"]))
        seconds = {z: min(float(r["render_seconds"]) for r in reports[z]) for z in zooms}
        arithmetic = {z: reports[z][0].get("arithmetic", "?") for z in zooms}
        steps = {z: int(reports[z][0].get("steps", "0")) or 1 for z in zooms}
        ratio = seconds[DEEP_ZOOM] / seconds[SHALLOW_ZOOM]
        ratio_alone = min(alone[DEEP_ZOOM]) / min(alone[SHALLOW_ZOOM])
        # The two tiles are different pictures: a deep boundary tile may hold more pixels that run to the step
        # budget. Seconds per step (the map's own steps, summed over pixels) separate the arithmetic's cost from that.
        steps_ratio = steps[DEEP_ZOOM] / steps[SHALLOW_ZOOM]
        others = ", ".join(f"z={z} {seconds[z] / seconds[SHALLOW_ZOOM]:.2f}x" for z in DEEP_ZOOMS if z != DEEP_ZOOM)
        verdict = "ok" if ratio <= DEEP_TARGET else f"above the {DEEP_TARGET}x target"
        say(f"deep {name} {label}: z={DEEP_ZOOM} tile {seconds[DEEP_ZOOM]:.3f} s ({arithmetic[DEEP_ZOOM]}), "
            f"z={SHALLOW_ZOOM} {seconds[SHALLOW_ZOOM]:.3f} s ({arithmetic[SHALLOW_ZOOM]}): ratio {ratio:.2f}x, {verdict} "
            f"({others}; best of {DEEP_RUNS}, render seconds); one thread {ratio_alone:.2f}x; steps {steps_ratio:.2f}x, "
            f"seconds per step {ratio / steps_ratio:.2f}x")
    deep_view(points)
    deep_view_as_the_viewer_requests(points)


def deep_view(points, name="gradient-basin", width=1920, height=1080):
    """Seconds to fill a width x height view at z = 80 on a cold server, tiles requested six at a time as a
    browser does, around the map's boundary point (issue #14: at most 3 s)."""
    tile = next(t for t in points[name]["tiles"] if t["z"] == DEEP_ZOOM)
    x, y = tile_of(name, tile["re"], tile["im"], DEEP_ZOOM)
    columns, rows = -(-width // 256) + 1, -(-height // 256) + 1  # a view rarely aligns with the tile grid
    view = [(DEEP_ZOOM, x + dx - columns // 2, y + dy - rows // 2) for dy in range(rows) for dx in range(columns)]
    server = Server()
    try:
        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda t: server.get(name, *t), view))
        seconds = time.time() - started
    finally:
        server.stop()
    verdict = "ok" if seconds <= DEEP_VIEW_TARGET else f"above the {DEEP_VIEW_TARGET} s target"
    say(f"deep view: {width}x{height} at z={DEEP_ZOOM} on {name} ({len(view)} tiles, cold server, 6 connections) "
        f"in {seconds:.2f} s, {verdict}")


VIEWER_WAIT = 300  # seconds a cold deep view may take under load before the bench gives up on it
VIEWER_CONNECTIONS = 6  # what Chromium opens to one HTTP/1.1 host


def viewer_requests(name, tile, width, height):
    """The z = DEEP_ZOOM tile paths the viewer requests, in the order it requests them, when headless Chromium with a
    width x height window opens its shared link to the tile's point on a cold server; the map's size; the seconds
    from its first tile request to its last tile in the browser; and Chromium's CPU seconds meanwhile. Or None, with
    a line saying why, when selenium or Chromium is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        say("deep view as the viewer requests it: selenium is not installed (make deps-test), skipped", verdict=False)
        return None
    if not (os.path.exists("/usr/bin/chromium") and os.path.exists("/usr/bin/chromedriver")):
        say("deep view as the viewer requests it: no /usr/bin/chromium or chromedriver (make deps-test), skipped",
            verdict=False)
        return None
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    server = Server()
    prefix = f"/tiles/{name}/{DEEP_ZOOM}/"
    try:
        driver.set_page_load_timeout(60)
        chromium_before = chromium_cpu_seconds()
        driver.get(f"http://127.0.0.1:{server.port}/#map={name}&z={DEEP_ZOOM}&re={tile['re']}&im={tile['im']}")
        WebDriverWait(driver, VIEWER_WAIT, poll_frequency=0.05).until(lambda d: d.execute_script("""
            const v = window.Fractile && Fractile.viewer;
            return !!v && !!v.layer && !v.layer.isLoading() && !v.moving && !v.anchorPending
                && document.querySelectorAll('#map img.leaflet-tile-loaded').length > 0;"""))
        chromium = chromium_cpu_seconds() - chromium_before
        timings = driver.execute_script("""
            return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0]))
                .map(e => [e.startTime, e.responseEnd, new URL(e.name).pathname]);""", prefix)
        size = driver.execute_script("const m = document.getElementById('map'); return [m.clientWidth, m.clientHeight];")
    finally:
        driver.quit()
        server.stop()
    timings.sort()
    seconds = (max(end for _, end, _ in timings) - timings[0][0]) / 1000 if timings else 0
    return [path for _, _, path in timings], size, seconds, chromium


def chromium_cpu_seconds():
    """User + system seconds of every Chromium process now running."""
    total = 0
    for stat in os.listdir("/proc"):
        try:
            if stat.isdigit() and "chrom" in open(f"/proc/{stat}/comm").read():
                fields = open(f"/proc/{stat}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def deep_view_as_the_viewer_requests(points, name="gradient-basin", width=1920, height=1080):
    """The fill of the tiles the viewer itself requests: headless Chromium opens the shared link to the boundary
    point (a width x height window; the sidebar takes some of it), and its tile requests, in its order, are then
    replayed on a fresh cold server over six keep-alive connections, each sending its next request when its last
    answer is in, as Chromium does. The replay leaves Chromium out: on this 2-core machine its software rendering
    takes about as much CPU as the server while tiles fade in, where a user's browser runs on the user's machine."""
    tile = next(t for t in points[name]["tiles"] if t["z"] == DEEP_ZOOM)
    recorded = viewer_requests(name, tile, width, height)
    if recorded is None:
        return
    paths, size, browser_seconds, chromium = recorded
    if not paths:
        say(f"deep view as the viewer requests it: the viewer requested no z={DEEP_ZOOM} tile", verdict=False)
        return
    server = Server()
    try:
        order = iter(paths)
        lock = threading.Lock()

        def connection():
            client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
            while True:
                with lock:
                    path = next(order, None)
                if path is None:
                    return client.close()
                client.request("GET", path)
                response = client.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status}")

        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(VIEWER_CONNECTIONS) as pool:
            for future in [pool.submit(connection) for _ in range(VIEWER_CONNECTIONS)]:
                future.result()
        seconds = time.time() - started
    finally:
        server.stop()
    verdict = "ok" if seconds <= DEEP_VIEW_TARGET else f"above the {DEEP_VIEW_TARGET} s target"
    say(f"deep view as the viewer requests it: {width}x{height} window (map {size[0]}x{size[1]}) at z={DEEP_ZOOM} on "
        f"{name}, the viewer's {len(paths)} tiles in its order on a cold server, {VIEWER_CONNECTIONS} keep-alive "
        f"connections, in {seconds:.2f} s, {verdict}")
    say(f"  in the browser itself: {browser_seconds:.2f} s from its first tile request to its last tile, while "
        f"Chromium took {chromium:.1f} CPU seconds of the same cores", verdict=False)


IMAGE = os.environ.get("FRACTILE_IMAGE", "localhost/fractile:test")
CONTAINER_SHARED = os.environ.get("CONTAINER_SHARED", os.path.join(ROOT, "..", "shared", "container"))
CONTAINER_TARGET = 1.2  # issue #14: the image renders within 1.2x of the native build
CONTAINER_ROUNDS = 1 if QUICK else 5
CONTAINER_CHUNK = 8  # tiles fetched from one side before the next side takes its turn
KERNELS = ("generic", "v3", "v4")  # the image's builds; a CPU that runs one runs those before it
PODMAN_SECONDS = 120  # no podman call may hang the bench


def podman_environment():
    """The environment podman needs (the build machines' env.sh: storage under /tmp/ctr, runc), or None when there
    is no podman."""
    if shutil.which("podman") is None:
        return None
    env_sh = os.path.join(CONTAINER_SHARED, "env.sh")
    if "CONTAINERS_STORAGE_CONF" in os.environ or not os.path.exists(env_sh):
        return dict(os.environ)
    out = subprocess.run(["bash", "-c", 'source "$1" >/dev/null && env -0', "bash", env_sh], check=True,
                         capture_output=True, timeout=30).stdout.decode()
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


def podman(env, *arguments):
    try:
        return subprocess.run(["podman", *arguments], env=env, check=True, capture_output=True, text=True,
                              timeout=PODMAN_SECONDS).stdout.strip()
    except subprocess.CalledProcessError as error:
        last = (error.stderr.strip().splitlines() or [f"exit {error.returncode}"])[-1]
        raise RuntimeError(f"podman {arguments[0]}: {last}")


class ImageServer(Server):
    """`fractile serve` in the image (the build the launcher picks, or FRACTILE_KERNEL's) with the bench's config and
    a fresh cache directory, pinned to the same cores as the native Server, published on a free host port."""

    count = 0

    def __init__(self, env, kernel=None, cpus="0,1"):
        self.env = env
        self.directory = tempfile.mkdtemp(dir=WORK)
        cache = os.path.join(self.directory, "cache")
        os.makedirs(cache)
        os.chmod(cache, 0o777)  # the image's user is uid 10001
        bench_config(self.directory, inside_image=True)
        ImageServer.count += 1
        self.name = f"fractile-bench-{os.getpid()}-{ImageServer.count}"
        command = ["run", "-d", "--name", self.name, "--cpuset-cpus", cpus, "-p", "127.0.0.1::8080", "-v",
                   f"{self.directory}/config.json:/srv/bench/config.json:ro", "-v", f"{cache}:/var/cache/fractile"]
        command += ["-e", f"FRACTILE_KERNEL={kernel}"] if kernel else []
        try:
            podman(env, *command, IMAGE, "serve", "--config", "/srv/bench/config.json")
            self.port = int(podman(env, "port", self.name, "8080/tcp").rsplit(":", 1)[1])
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the image's server did not answer /healthz within 60 s: "
                                           f"{podman(env, 'logs', '--tail', '3', self.name)}")
                    time.sleep(0.2)
            # The launcher execs the build it picked, so PID 1's executable names it.
            self.kernel = podman(env, "exec", self.name, "readlink", "/proc/1/exe").rsplit("fractile-", 1)[-1]
            self.host_pid = int(podman(env, "inspect", "--format", "{{.State.Pid}}", self.name))
        except BaseException:
            self.stop()
            raise

    def pid(self):
        return self.host_pid

    def stop(self):
        subprocess.run(["podman", "rm", "-f", "-t", "10", self.name], env=self.env, capture_output=True,
                       timeout=PODMAN_SECONDS)
        shutil.rmtree(self.directory, ignore_errors=True)


def container_tiles():
    """Shallow tiles of two maps, and the z = 80 tiles (perturbation) of gradient-basin's boundary point and of
    forward-pass's boundary (an ordered island) and single-regime points."""
    shallow_z = 1 if QUICK else 2
    shallow = [("forward-pass",) + tile for tile in tiles(shallow_z)]
    shallow += [("gradient-basin",) + tile for tile in tiles(shallow_z) if tile[0] == shallow_z]
    wanted = {("gradient-basin", "boundary"), ("forward-pass", "boundary"), ("forward-pass", "single-regime")}
    deep = [(name, DEEP_ZOOM) + tile_of(name, re_text, im_text, DEEP_ZOOM)
            for name, label, re_text, im_text in deep_cases(json.load(open(DEEP_POINTS))) if (name, label) in wanted]
    return shallow, deep


def container():
    """Issue #14: the image against the native release build (`make build`'s), the same cold tiles through each
    one's server, both pinned to cpus 0,1; interleaved rounds (the machine is shared), medians."""
    try:
        env = podman_environment()
        if env is None:
            reason = "no podman (install it)"
        else:
            exists = subprocess.run(["podman", "image", "exists", IMAGE], env=env, capture_output=True,
                                    timeout=PODMAN_SECONDS).returncode == 0
            reason = None if exists else f"no image {IMAGE}"
    except (OSError, subprocess.SubprocessError) as error:
        reason = f"podman does not answer ({error})"
    if reason:
        say(f"container: SKIP, {reason}: build the image with `make image` (podman), then run "
            f"`BENCH_ONLY=container make bench`")
        return
    try:
        container_rounds(env)
    except (OSError, subprocess.SubprocessError, RuntimeError, AssertionError) as error:
        say(f"container: FAIL, could not measure the image {IMAGE}: {error}")


def interleaved(servers, parts, round_index):
    """Wall and CPU seconds per server for each part (name, tiles): every server takes its turn at each chunk of
    CONTAINER_CHUNK tiles, first in turn, so a burst of the machine's other work falls on all of them alike."""
    run = [dict.fromkeys([part for part, _ in parts] + [part + " cpu" for part, _ in parts], 0.0) for _ in servers]
    turn = round_index
    for part, wanted in parts:
        for start in range(0, len(wanted), CONTAINER_CHUNK):
            order = list(range(len(servers)))
            for index in order[turn % len(servers):] + order[:turn % len(servers)]:
                cpu = servers[index].cpu_seconds()
                run[index][part] += fetch_seconds(servers[index], wanted[start:start + CONTAINER_CHUNK])
                run[index][part + " cpu"] += servers[index].cpu_seconds() - cpu
            turn += 1
    return run


def container_rounds(env):
    shallow, deep = container_tiles()
    parts = [("shallow", shallow), ("deep", deep)]
    load_before = os.getloadavg()[0]
    # A first start (reads the image's layers and the binaries into the page cache) tells the build the launcher
    # picks; the kernels compared are the ones this CPU can run.
    warm = ImageServer(env)
    picked = warm.kernel
    warm.stop()
    Server().stop()
    kernels = KERNELS[:KERNELS.index(picked) + 1] if picked in KERNELS else ()
    runs = {side: [] for side in ("native", "image") + kernels}  # per round: wall and CPU seconds per part
    # The image's server shares the CPU as podman's cgroup, the native one as its session's autogroup
    # (kernel.sched_autogroup_enabled): each as one group against the machine's other work. Moving the native server
    # into a cgroup of its own gave the same ratio (0.99x and 1.01x, against 0.99x without).
    for round_index in range(CONTAINER_ROUNDS):
        for group in [group for group in (("native", "image"), kernels) if group]:
            servers = []
            try:
                for side in group:
                    servers.append(Server() if side == "native" else
                                   ImageServer(env, None if side == "image" else side))
                for side, run in zip(group, interleaved(servers, parts, round_index)):
                    runs[side].append(run)
            finally:
                for server in servers:
                    server.stop()

    def median(values):
        values = sorted(values)
        return values[len(values) // 2]

    def total(side, cpu=""):
        return median(run["shallow" + cpu] + run["deep" + cpu] for run in runs[side])

    def ratio(part, cpu=""):
        """The median over rounds of the image's seconds over the native build's in the same round."""
        names = ("shallow", "deep") if part is None else (part,)
        return median(sum(image[n + cpu] for n in names) / sum(native[n + cpu] for n in names)
                      for image, native in zip(runs["image"], runs["native"]))
    wall = ratio(None)
    created = podman(env, "image", "inspect", "--format", "{{.Created}}", IMAGE)[:16]
    say(f"container: {IMAGE} (the launcher picked {picked}) against the native build, {len(shallow) + len(deep)} "
        f"cold tiles on cpus 0,1: image {total('image'):.2f} s, native {total('native'):.2f} s, ratio {wall:.2f}x "
        f"(target <= {CONTAINER_TARGET}x) {'PASS' if wall <= CONTAINER_TARGET else 'FAIL'}; server CPU seconds "
        f"{total('image', ' cpu'):.2f} against {total('native', ' cpu'):.2f}, {ratio(None, ' cpu'):.2f}x (medians of "
        f"{CONTAINER_ROUNDS} rounds, taking turns every {CONTAINER_CHUNK} tiles, ratios per round; load average "
        f"{load_before:.1f} -> {os.getloadavg()[0]:.1f})")
    say(f"  container tiles: {len(shallow)} shallow (forward-pass z0-{shallow[-1][1]}, gradient-basin "
        f"z={shallow[-1][1]}), then " + ", ".join(f"{name} {z}/{x}/{y}" for name, z, x, y in deep)
        + f"; image built {created}; shallow ratio {ratio('shallow'):.2f}x (CPU {ratio('shallow', ' cpu'):.2f}x), "
        f"z={DEEP_ZOOM} {ratio('deep'):.2f}x (CPU {ratio('deep', ' cpu'):.2f}x)", verdict=False)
    for side, side_runs in runs.items():
        say(f"  container rounds {side} (shallow + deep, wall; CPU): " + ", ".join(
            f"{run['shallow']:.2f} + {run['deep']:.2f} s; {run['shallow cpu'] + run['deep cpu']:.1f} s"
            for run in side_runs), verdict=False)
    if kernels:
        tiles_total = len(shallow) + len(deep)
        say("  container kernels (information, FRACTILE_KERNEL, wall; CPU): " + ", ".join(
            f"{k} {tiles_total / total(k):.2f} tiles/s ({total(kernels[0]) / total(k):.2f}x generic; "
            f"{total(kernels[0], ' cpu') / total(k, ' cpu'):.2f}x)" for k in kernels), verdict=False)


def metric(server, prefix):
    """The first /metrics sample whose name starts with prefix, as text ('?' when there is none)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10).read().decode()
    for line in text.splitlines():
        if line.startswith(prefix):
            return line
    return "?"


def memory():
    server = Server(memory_bytes=MEMORY_BUDGET)
    root = tempfile.mkdtemp(dir=WORK)
    try:
        lua = os.path.join(root, "random.lua")
        with open(lua, "w") as f:
            f.write('maps = {"forward-pass", "gradient-basin", "gradient-basin-wirtinger", "backprop-flow"}\n'
                    "math.randomseed(6)\n"
                    "request = function()\n  local z = math.random(0, 12)\n"
                    "  local n = 2 ^ z\n"
                    '  local path = string.format("/tiles/%s/%d/%d/%d.png", maps[math.random(1, 4)], z,'
                    " math.random(0, n - 1), math.random(0, n - 1))\n"
                    "  return wrk.format(nil, path)\nend\n")
        start_rss = server.rss_bytes()
        peak = [start_rss]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], server.rss_bytes())
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        rate, _, non2xx, _ = wrk(f"http://127.0.0.1:{server.port}", lua, seconds=MEMORY_SECONDS, connections=16)
        done.set()
        sampler.join()
        limit = MEMORY_BUDGET + 64 * 1024 * 1024
        say(f"memory random tiles {MEMORY_SECONDS} s: peak RSS {peak[0] / 2**20:.1f} MiB (start "
            f"{start_rss / 2**20:.1f} MiB), budget {MEMORY_BUDGET / 2**20:.0f} MiB + 64 MiB = {limit / 2**20:.0f} MiB "
            f"{'PASS' if peak[0] <= limit else 'FAIL'}")
        cache_bytes = metric(server, 'fractile_cache_bytes{layer="memory"}')
        renders = metric(server, "fractile_renders_total ")
        say(f"  memory load: {rate:.1f} responses/s, {non2xx} of them 503 (render queue full, by design); "
            f"at the end {cache_bytes}, {renders}", verdict=False)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def main():
    os.makedirs(WORK, exist_ok=True)
    started = time.time()
    sections = {"cold": cold_rendering, "cores": cores,
                "warm": lambda: (warm_serving(logs=False), warm_serving(logs=True)), "isolation": probe_isolation,
                "png": lambda: png(reports), "deep": deep_zoom, "trainability": trainability, "memory": memory,
                "container": container}
    unknown = ONLY - sections.keys()
    if unknown:
        sys.exit(f"BENCH_ONLY: no section {', '.join(sorted(unknown))} (sections: {', '.join(sections)})")
    reports = cold_rendering() if not ONLY or {"cold", "png"} & ONLY else None
    for name, run in sections.items():
        if name != "cold" and (not ONLY or name in ONLY):
            run()
    if ONLY:
        return
    load = os.getloadavg()
    revision = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
    output = os.path.join(ROOT, "docs", "benchmarks.md")
    with open(output, "w") as f:
        f.write("# Benchmarks\n\n")
        f.write(f"Written by `make bench`{' (BENCH_QUICK=1)' if QUICK else ''} at commit {revision}, "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, on {os.cpu_count()} cores "
                f"(load average {load[0]:.1f} at the end: the machine is shared, so compare figures within one run). "
                "Each line compares two figures measured in the same run; how they are measured is in "
                "[performance.md](performance.md).\n\n```\n")
        f.write("\n".join(lines) + "\n```\n\nDetails:\n\n```\n" + "\n".join(details) + "\n```\n")
    print(f"wrote {os.path.relpath(output, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
