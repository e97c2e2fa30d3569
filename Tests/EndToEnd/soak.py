"""`make soak`: a long run of mixed load and hostile clients against one real `fractile serve`, printing figures.

Normal clients browse (cached and new tiles, TileJSON, probes, health) while slowloris sockets trickle headers,
silent sockets idle, garbage senders mutate requests, connection bursts hit the cap, and a flood asks for deep
uncached tiles. Every minute it prints a line of figures; at the end a summary, and exit status 1 if the server
died, answered a 5xx other than 503, or stopped answering /healthz.

    FRACTILE_BIN=.build/release/fractile python3 Tests/EndToEnd/soak.py --seconds 600
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import random
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import hostile  # noqa: E402
from conftest import Server, write_config  # noqa: E402


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.latencies = []
        self.bad = []

    def add(self, kind, status, seconds=None):
        with self.lock:
            key = "%s:%s" % (kind, status)
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if seconds is not None:
                self.latencies.append(seconds)
            if isinstance(status, int) and 500 <= status < 600 and status not in (501, 503, 505):
                self.bad.append((kind, status))


def browse(server, stop, tally, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        choice = rng.random()
        if choice < 0.6:
            z = rng.randrange(0, 6)
            path = "/tiles/forward-pass/%d/%d/%d.png" % (z, rng.randrange(1 << z), rng.randrange(1 << z))
        elif choice < 0.75:
            path = "/tiles/gradient-basin.json"
        elif choice < 0.9:
            path = "/probe/backprop-flow?re=%.3f&im=%.3f" % (rng.uniform(-2, 2), rng.uniform(-2, 2))
        else:
            path = "/healthz"
        status, seconds = hostile.timed_get(server.port, path, timeout=60)
        tally.add("browse", status, seconds)
        time.sleep(rng.uniform(0, 0.05))


def deep_flood(server, stop, tally, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        z = rng.randrange(10, 15)
        status, _ = hostile.timed_get(server.port, "/tiles/gradient-basin/%d/%d/%d.png"
                                      % (z, rng.randrange(1 << z), rng.randrange(1 << z)), timeout=60)
        tally.add("flood", status)
        if status == 503:
            time.sleep(0.1)


def slowloris(server, stop, tally, count=200):
    while not stop.is_set():
        sockets = []
        for _ in range(count):
            try:
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                sock.setblocking(False)
                sock.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
                sockets.append(sock)
            except OSError:
                pass
        for _ in range(30):
            if stop.is_set():
                break
            for sock in sockets:
                try:
                    sock.send(b"X-A: b\r\n")
                except OSError:
                    pass
            time.sleep(1)
        tally.add("slowloris", "round")
        for sock in sockets:
            sock.close()


def garbage(server, stop, tally, seed):
    round_number = 0
    while not stop.is_set():
        for case in hostile.garbage_cases(200, seed=seed + round_number):
            if stop.is_set():
                break
            try:
                data, _ = hostile.exchange(server.port, case, timeout=20)
                for status, _, _ in hostile.parse_responses(data):
                    tally.add("garbage", status)
            except (OSError, ValueError):
                tally.add("garbage", "unparsed")
        round_number += 1


def bursts(server, stop, tally):
    while not stop.is_set():
        sockets = []
        for _ in range(2000):
            try:
                sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            except OSError:
                break
        tally.add("burst", len(sockets))
        time.sleep(3)
        for sock in sockets:
            sock.close()
        time.sleep(10)


def fairness(seconds, flooders=24):
    """Issue 16's fair-share figures: `flooders` connections from 127.0.0.1 ask random new gradient-basin tiles at
    z 10-14 while one user from 127.0.0.2 browses forward-pass views at z 5-7 (a 4x3 block of tiles per view, six at
    a time, as a browser does). Returns the user's cold-tile latencies and both sides' throughput."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="fractile-fairness-"))
    server = Server(write_config(workdir), workdir / "cache")
    stop = threading.Event()
    flood, user = Tally(), Tally()
    threads = [threading.Thread(target=deep_flood, args=(server, stop, flood, 300 + i), daemon=True)
               for i in range(flooders)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # the flood fills the queue first
    rng = random.Random(7)
    seen = set()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as browser:
        while time.monotonic() - started < seconds:
            z = rng.randrange(5, 8)
            x0, y0 = rng.randrange((1 << z) - 4), rng.randrange((1 << z) - 3)
            paths = ["/tiles/forward-pass/%d/%d/%d.png" % (z, x, y) for x in range(x0, x0 + 4) for y in range(y0, y0 + 3)]
            cold = [path for path in paths if path not in seen]
            seen.update(paths)
            for status, latency in browser.map(
                    lambda path: hostile.timed_get(server.port, path, timeout=60, source="127.0.0.2"), cold):
                user.add("user", status, latency if status == 200 else None)
            time.sleep(0.5)
    elapsed = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    server.stop()
    minutes = elapsed / 60
    return {
        "seconds": round(elapsed), "flooders": flooders,
        "user_cold_tiles": len(user.latencies), "user_tiles_per_minute": round(len(user.latencies) / minutes),
        "user_cold_p50_ms": round((hostile.percentile(user.latencies, 0.5) or 0) * 1000, 1),
        "user_cold_p99_ms": round((hostile.percentile(user.latencies, 0.99) or 0) * 1000, 1),
        "user_statuses": dict(sorted(user.statuses.items())),
        "flood_tiles_per_minute": round(flood.statuses.get("flood:200", 0) / minutes),
        "flood_statuses": dict(sorted(flood.statuses.items())),
        "target_user_p99_le_1000_ms": (hostile.percentile(user.latencies, 0.99) or 0) <= 1.0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--browsers", type=int, default=16)
    parser.add_argument("--flooders", type=int, default=32)
    parser.add_argument("--fairness-seconds", type=float, default=60,
                        help="first, the fair-share run (0 skips it)")
    arguments = parser.parse_args()
    hostile.raise_fd_limit(40000)
    fair = alone = None
    if arguments.fairness_seconds > 0:
        fair = fairness(arguments.fairness_seconds)
        print("fairness: " + json.dumps(fair), flush=True)
        # The same user with no flood: what the user's own views cost, the floor the flood's figure is read against.
        alone = fairness(arguments.fairness_seconds, flooders=0)
        print("fairness, no flood: " + json.dumps(alone), flush=True)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="fractile-soak-"))
    config = write_config(workdir, server={"headerTimeoutSeconds": 3, "idleTimeoutSeconds": 10, "maxConnections": 1024},
                          render={"queueLimit": 16}, cache={"memoryBytes": 64 * 1024 * 1024})
    server = Server(config, workdir / "cache")
    stop = threading.Event()
    tally = Tally()
    workers = [threading.Thread(target=browse, args=(server, stop, tally, i), daemon=True)
               for i in range(arguments.browsers)]
    workers += [threading.Thread(target=deep_flood, args=(server, stop, tally, 100 + i), daemon=True)
                for i in range(arguments.flooders)]
    workers += [threading.Thread(target=slowloris, args=(server, stop, tally), daemon=True),
                threading.Thread(target=garbage, args=(server, stop, tally, 5000), daemon=True),
                threading.Thread(target=bursts, args=(server, stop, tally), daemon=True)]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    peak_rss, health_failures, next_line = 0, 0, started + 60
    while time.monotonic() - started < arguments.seconds and server.process.poll() is None:
        rss = hostile.rss_kib(server.process.pid) or 0
        peak_rss = max(peak_rss, rss)
        status, _ = hostile.timed_get(server.port, "/healthz", timeout=30)
        if status not in (200, 503):
            health_failures += 1
        if time.monotonic() >= next_line:
            next_line += 60
            with tally.lock:
                latencies = list(tally.latencies)
            print("t=%4.0fs rss=%d KiB peak=%d KiB browse p99=%.0f ms requests=%d" % (
                time.monotonic() - started, rss, peak_rss, (hostile.percentile(latencies, 0.99) or 0) * 1000,
                sum(tally.statuses.values())), flush=True)
        time.sleep(1)
    stop.set()
    alive = server.process.poll() is None
    for worker in workers:
        worker.join(timeout=60)
    final_health = hostile.timed_get(server.port, "/healthz", timeout=30)[0] if alive else None
    server.stop()
    summary = {
        "seconds": round(time.monotonic() - started), "alive": alive, "final_healthz": final_health,
        "health_failures": health_failures, "peak_rss_kib": peak_rss,
        "browse_p50_ms": round((hostile.percentile(tally.latencies, 0.5) or 0) * 1000, 1),
        "browse_p99_ms": round((hostile.percentile(tally.latencies, 0.99) or 0) * 1000, 1),
        "statuses": dict(sorted(tally.statuses.items())), "bad_5xx": len(tally.bad),
        "server_errors_logged": len(server.error_lines),
        "fairness": fair, "fairness_no_flood": alone,
    }
    print(json.dumps(summary, indent=2))
    if fair is not None:
        # A speed target, printed with its verdict; like make bench's, it does not decide the exit status.
        print("fair share: user cold-tile p99 %.0f ms (target <= 1000 ms) %s, flood still served %d tiles/min" % (
            fair["user_cold_p99_ms"], "PASS" if fair["target_user_p99_le_1000_ms"] else "FAIL",
            fair["flood_tiles_per_minute"]))
        print("             the same user with no flood: cold-tile p50 %.0f ms, p99 %.0f ms, %d tiles/min" % (
            alone["user_cold_p50_ms"], alone["user_cold_p99_ms"], alone["user_tiles_per_minute"]))
    ok = alive and final_health == 200 and not tally.bad and health_failures == 0 and (
        fair is None or fair["flood_tiles_per_minute"] > 0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("FRACTILE_BIN", str(hostile.ROOT / ".build" / "release" / "fractile"))
    main()
