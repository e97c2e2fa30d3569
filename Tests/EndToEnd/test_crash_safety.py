"""Crash safety of the disk cache (issue #7): kill -9 in the middle of writing tiles, again and again; a full disk;
a read-only cache directory. After each kill every cached tile and every served tile is a valid PNG equal to a fresh
`fractile render`, and stale temporary files are cleaned rather than left growing."""
import concurrent.futures
import json
import os
import pathlib
import random
import signal
import subprocess
import threading
import time

import pytest

import hostile
import httpclient
import pngread
from conftest import ROOT, binary, run_cli, write_config

MAPS = ["forward-pass", "gradient-basin", "gradient-basin-wirtinger", "backprop-flow"]
STALE_ENV = {"FRACTILE_CACHE_STALE_TEMP_SECONDS": "1"}


def cheap_maps():
    """The shipped maps with few iterations, so a loaded 2-core machine renders many tiles in seconds."""
    maps = json.loads((ROOT / "config.json").read_text())["maps"]
    for definition in maps:
        definition["maxIterations"] = 40
    return maps


def cached_tiles(cache):
    """(path, map, z, x, y, scale) for every tile file under `cache/<map>/<hash>/<z>/<x>/<y>[@2x].png`."""
    tiles = []
    for path in pathlib.Path(cache).rglob("*.png"):
        parts = path.relative_to(cache).parts
        if len(parts) != 5:
            continue
        name = parts[4][:-len(".png")]
        scale = 2 if name.endswith("@2x") else 1
        tiles.append((path, parts[0], int(parts[2]), int(parts[3]), int(name.replace("@2x", "")), scale))
    return tiles


def temporary_files(cache):
    return [p for p in pathlib.Path(cache).rglob(".tmp-*")]


def fresh_render(tmp_path, config, name, z, x, y, scale):
    out = tmp_path / ("fresh-%s-%d-%d-%d-%d.png" % (name, z, x, y, scale))
    if not out.exists():
        result = run_cli("render", name, z, x, y, "--scale", scale, "--config", config, "--output", out, "--threads", 1)
        assert result.returncode == 0, result.stderr
    return out.read_bytes()


def request_many(server, paths, workers=16):
    def get(path):
        try:
            data, _ = hostile.exchange(server.port, ("GET %s HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n"
                                                     % path).encode(), timeout=30, half_close=False)
            return hostile.parse_responses(data)[0][0] if data else None
        except (OSError, ValueError, IndexError):
            return None  # the server was killed under us
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(get, paths))


def test_kill_9_while_writing_tiles_never_leaves_a_bad_tile(start_server, tmp_path):
    cache = tmp_path / "cache"
    rng = random.Random(77)
    rounds = int(os.environ.get("FRACTILE_KILL_ROUNDS", "5"))
    report = []
    config = None
    for round_number in range(rounds):
        server = start_server(cache_dir=cache, extra_env=STALE_ENV, render={"queueLimit": 512}, maps=cheap_maps())
        config = tmp_path / "config.json"
        paths = []
        for _ in range(400):
            z = rng.randrange(2, 9)
            suffix = "@2x" if rng.random() < 0.2 else ""
            paths.append("/tiles/%s/%d/%d/%d%s.png" % (rng.choice(MAPS), z, rng.randrange(1 << z),
                                                        rng.randrange(1 << z), suffix))
        before = len(cached_tiles(cache))
        worker = threading.Thread(target=request_many, args=(server, paths), daemon=True)
        worker.start()
        # Kill while tiles are being written: once this round has written a few, at a random moment after.
        httpclient.wait_for(lambda: len(cached_tiles(cache)) >= before + 3, timeout=90)
        delay = rng.uniform(0.0, 1.5)
        time.sleep(delay)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
        worker.join(timeout=120)
        tiles = cached_tiles(cache)
        leftovers = temporary_files(cache)
        bad = []
        for path, *_ in tiles:
            try:
                pngread.decode(path.read_bytes())
            except Exception as error:  # any decoding problem is a finding
                bad.append((str(path), repr(error)))
        report.append({"round": round_number, "killed_s_after_3rd_write": round(delay, 2), "tiles_on_disk": len(tiles),
                       "tiles_written_this_round": len(tiles) - before, "temporary_files_left": len(leftovers),
                       "invalid_pngs": len(bad)})
        assert not bad, bad[:3]
        # A sample of what is on disk equals a fresh render, byte for byte.
        for path, name, z, x, y, scale in rng.sample(tiles, min(4, len(tiles))):
            assert path.read_bytes() == fresh_render(tmp_path, config, name, z, x, y, scale), path
    # Restart: every cached tile is served (from disk) as the same valid PNG; stale temporary files are cleaned.
    server = start_server(cache_dir=cache, extra_env=STALE_ENV, maps=cheap_maps())
    tiles = cached_tiles(cache)
    assert tiles
    for path, name, z, x, y, scale in tiles:
        status, headers, body = server.get("/tiles/%s/%d/%d/%d%s.png" % (name, z, x, y, "@2x" if scale == 2 else ""))
        assert status == 200
        pngread.decode(body)
        assert body == path.read_bytes()
    assert httpclient.wait_for(lambda: not temporary_files(cache), timeout=20), temporary_files(cache)
    for path, name, z, x, y, scale in rng.sample(tiles, min(6, len(tiles))):
        assert server.get("/tiles/%s/%d/%d/%d%s.png" % (name, z, x, y, "@2x" if scale == 2 else ""))[2] == \
            fresh_render(tmp_path, config, name, z, x, y, scale)
    hostile.record_figure("kill9_rounds", report)
    hostile.record_figure("kill9_tiles_served_after_restart", len(tiles))
    assert not [line for line in server.error_lines if "corrupt" in line]


def test_kill_9_during_seed(start_server, tmp_path):
    """`fractile seed` killed mid-run, again and again: every tile it left is whole, a rerun resumes and completes,
    and the server then serves the seeded tiles (from disk, equal to fresh renders) and cleans stale temp files."""
    config = write_config(tmp_path, maps=cheap_maps())
    cache = tmp_path / "seed-cache"
    rng = random.Random(91)
    report = []
    for round_number in range(3):
        before = len(cached_tiles(cache))
        seeding = subprocess.Popen([binary(), "seed", "forward-pass", "--zoom", "0-6", "--config", str(config),
                                    "--cache-directory", str(cache)], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        httpclient.wait_for(lambda: len(cached_tiles(cache)) >= before + 3 or seeding.poll() is not None, timeout=90)
        delay = rng.uniform(0.0, 0.5)
        time.sleep(delay)
        seeding.send_signal(signal.SIGKILL)
        seeding.wait(timeout=30)
        tiles = cached_tiles(cache)
        for path, *_ in tiles:
            pngread.decode(path.read_bytes())  # raises on any torn or corrupt tile
        report.append({"round": round_number, "killed_s_after_3rd_write": round(delay, 2),
                       "tiles_written_this_round": len(tiles) - before,
                       "temporary_files_left": len(temporary_files(cache))})
    # A rerun skips what is there and finishes the rest.
    finished = run_cli("seed", "forward-pass", "--zoom", "0-3", "--config", config, "--cache-directory", cache)
    assert finished.returncode == 0, finished.stderr
    server = start_server(cache_dir=cache, extra_env=STALE_ENV, maps=cheap_maps())
    tiles = cached_tiles(cache)
    for path, name, z, x, y, scale in rng.sample(tiles, min(6, len(tiles))):
        status, _, body = server.get("/tiles/%s/%d/%d/%d.png" % (name, z, x, y))
        assert status == 200 and body == path.read_bytes() == fresh_render(tmp_path, config, name, z, x, y, scale)
    text = server.get("/metrics")[2].decode()
    assert httpclient.metric(text, "fractile_renders_total") == 0
    assert httpclient.wait_for(lambda: not temporary_files(cache), timeout=20), temporary_files(cache)
    hostile.record_figure("kill9_seed_rounds", report)


def mount_tmpfs(directory, size="256k"):
    directory.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", str(directory)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (%s): full-disk tests need root and mount permission"
                    % result.stderr.strip())


@pytest.fixture
def small_disk(tmp_path):
    directory = tmp_path / "small"
    mount_tmpfs(directory, size="128k")
    yield directory
    subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def distinct_paths(count, seed):
    """Distinct @2x tiles (the largest files, so a small disk fills after a few)."""
    rng = random.Random(seed)
    paths = set()
    while len(paths) < count:
        z = rng.randrange(2, 6)
        paths.add("/tiles/%s/%d/%d/%d@2x.png" % (rng.choice(MAPS), z, rng.randrange(1 << z), rng.randrange(1 << z)))
    return sorted(paths)


def degradation_lines(server):
    return [line for line in server.error_lines if "not writable" in line]


def test_full_disk_degrades_to_memory_with_one_warning(start_server, small_disk):
    server = start_server(cache_dir=small_disk, cache={"diskBytes": 64 * 1024 * 1024}, maps=cheap_maps())
    paths = distinct_paths(40, seed=1)
    for path in paths:
        status, _, body = server.get(path, timeout=120)
        assert status == 200, path
        pngread.decode(body)
    for path in paths:  # again, from memory (or disk for those that fitted)
        status, headers, body = server.get(path)
        assert status == 200
        pngread.decode(body)
    for path, *_ in cached_tiles(small_disk):
        pngread.decode(path.read_bytes())
    assert httpclient.wait_for(lambda: degradation_lines(server), timeout=10), server.error_lines[-5:]
    assert len(degradation_lines(server)) == 1, degradation_lines(server)
    assert not temporary_files(small_disk)
    hostile.record_figure("full_disk_tiles_on_disk", len(cached_tiles(small_disk)))
    hostile.record_figure("full_disk_warning", degradation_lines(server)[0])


def test_read_only_cache_directory_serves_from_memory(start_server, small_disk):
    first = start_server(cache_dir=small_disk, maps=cheap_maps())
    warm = distinct_paths(3, seed=2)
    for path in warm:
        assert first.get(path, timeout=120)[0] == 200
    first.stop()
    result = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip("cannot remount read-only: %s" % result.stderr.strip())
    server = start_server(cache_dir=small_disk, maps=cheap_maps())
    for path in warm + distinct_paths(12, seed=3):
        status, _, body = server.get(path, timeout=120)
        assert status == 200, path
        pngread.decode(body)
    assert httpclient.wait_for(lambda: degradation_lines(server), timeout=10), server.error_lines[-5:]
    assert len(degradation_lines(server)) == 1, degradation_lines(server)
    text = server.get("/metrics")[2].decode()
    assert httpclient.metric(text, "fractile_cache_hits_total", 'layer="disk"') >= len(warm)
    hostile.record_figure("read_only_warning", degradation_lines(server)[0])
