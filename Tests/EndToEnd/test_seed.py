"""`fractile seed`: pre-rendering into the disk cache that `serve` reads, resuming, shards, boxes, stopping."""
import json
import os
import pathlib
import pty
import signal
import subprocess
import time
import zlib

import pytest

from conftest import ROOT, binary, run_cli, write_config
import httpclient
import pngread

MAP = "forward-pass"
# The shipped forward-pass map with a small iteration budget: the same code paths, a tenth of the render time.
FAST_MAP = dict(json.loads((ROOT / "config.json").read_text())["maps"][0], maxIterations=40)


def seed_config(directory):
    return write_config(directory, maps=[FAST_MAP])


def seed(config, cache, *args, env=None, timeout=300):
    return subprocess.run([binary(), "seed", MAP, "--config", str(config), "--cache-directory", str(cache), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def tiles_in(cache):
    """{"z/x/y": bytes} of every tile file under the cache, whatever its map directory and settings hash."""
    found = {}
    for path in pathlib.Path(cache).rglob("*.png"):
        z, x, y = path.parts[-3], path.parts[-2], path.stem
        found["%s/%s/%s" % (z, x, y)] = path.read_bytes()
    return found


def full_grid(zooms):
    return {"%d/%d/%d" % (z, x, y) for z in zooms for x in range(2 ** z) for y in range(2 ** z)}


def is_valid_png(data):
    """Every chunk and CRC, and the image data inflated and unfiltered by an independent reader."""
    try:
        width, height, rows, _ = pngread.decode(data)
        return (width, height) == (256, 256) and len(rows) == 256
    except (pngread.PNGError, zlib.error, KeyError):
        return False


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """z=0..2 of the map, seeded once into a cache that several tests read (and must not change)."""
    directory = tmp_path_factory.mktemp("seeded")
    config = seed_config(directory)
    cache = directory / "cache"
    result = seed(config, cache, "--zoom", "0-2")
    assert result.returncode == 0, result.stderr
    return config, cache, result


def test_seed_writes_every_tile_of_the_zoom_range(seeded):
    _, cache, result = seeded
    tiles = tiles_in(cache)
    assert set(tiles) == full_grid(range(3))
    assert all(is_valid_png(data) for data in tiles.values())
    # The one-line summary on stdout, and plain progress lines on stderr (not a terminal here).
    assert len(result.stdout.strip().splitlines()) == 1
    assert "21 of 21 tiles (21 rendered, 0 already cached)" in result.stdout
    assert "21/21 tiles (100%)" in result.stderr and "\r" not in result.stderr
    assert not list(pathlib.Path(cache).rglob(".tmp-*"))


def test_seeded_tiles_are_byte_for_byte_what_render_writes(seeded, tmp_path):
    config, cache, _ = seeded
    out = tmp_path / "t.png"
    result = run_cli("render", MAP, 2, 1, 3, "--config", config, "--output", out)
    assert result.returncode == 0, result.stderr
    assert tiles_in(cache)["2/1/3"] == out.read_bytes()


def test_server_on_a_seeded_cache_serves_without_rendering(seeded, start_server):
    config, cache, _ = seeded
    server = start_server(cache_dir=cache, maps=[FAST_MAP])
    on_disk = tiles_in(cache)
    for key in sorted(full_grid(range(3))):
        status, headers, body = server.get("/tiles/%s/%s.png" % (MAP, key))
        assert status == 200 and body == on_disk[key], key
    text = server.get("/metrics")[2].decode()
    assert httpclient.metric(text, "fractile_renders_total") == 0
    assert httpclient.metric(text, "fractile_cache_hits_total", 'layer="disk"') == 21


def test_second_run_resumes_and_skips_everything(seeded):
    config, cache, _ = seeded
    before = {path: path.stat().st_mtime_ns for path in pathlib.Path(cache).rglob("*.png")}
    result = seed(config, cache, "--zoom", "0-2")
    assert result.returncode == 0, result.stderr
    assert "21 of 21 tiles (0 rendered, 21 already cached)" in result.stdout
    assert {path: path.stat().st_mtime_ns for path in pathlib.Path(cache).rglob("*.png")} == before


def test_a_corrupt_tile_is_rendered_again(seeded, tmp_path):
    config, cache, _ = seeded
    copy = tmp_path / "cache"
    subprocess.run(["cp", "-a", str(cache), str(copy)], check=True)
    victim = next(path for path in copy.rglob("*.png") if path.parts[-3:] == ("1", "0", "1.png"))
    good = victim.read_bytes()
    victim.write_bytes(good[: len(good) // 2])
    result = seed(config, copy, "--zoom", "0-1")
    assert result.returncode == 0, result.stderr
    assert "5 of 5 tiles (1 rendered, 4 already cached)" in result.stdout
    assert victim.read_bytes() == good


def test_shards_are_disjoint_and_together_the_whole(seeded, tmp_path):
    config, cache, _ = seeded
    whole = tiles_in(cache)
    parts = []
    for index in range(2):
        part_cache = tmp_path / ("shard%d" % index)
        result = seed(config, part_cache, "--zoom", "0-2", "--shard", "%d/2" % index)
        assert result.returncode == 0, result.stderr
        assert "shard %d/2" % index in result.stdout
        parts.append(tiles_in(part_cache))
    assert set(parts[0]).isdisjoint(parts[1])
    assert set(parts[0]) | set(parts[1]) == set(whole)
    assert {len(parts[0]), len(parts[1])} == {10, 11}
    for part in parts:
        assert all(whole[key] == data for key, data in part.items())


def test_environment_names_the_cache_directory(seeded, tmp_path):
    config, _, _ = seeded
    cache = tmp_path / "from-env"
    result = subprocess.run([binary(), "seed", MAP, "--config", str(config), "--zoom", "0"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, FRACTILE_CACHE_DIRECTORY=str(cache)))
    assert result.returncode == 0, result.stderr
    assert set(tiles_in(cache)) == {"0/0/0"}


def expected_in_box(re0, im0, re1, im1, zooms):
    """The tiles whose closed square meets the box, computed from MAPS.md's tile coordinates (strict overlap)."""
    center_re, center_im, span = FAST_MAP["center"][0], FAST_MAP["center"][1], FAST_MAP["span"]
    left, top = center_re - span / 2, center_im + span / 2
    found = set()
    for z in zooms:
        size = span / 2 ** z
        for x in range(2 ** z):
            for y in range(2 ** z):
                tile_re = (left + x * size, left + (x + 1) * size)
                tile_im = (top - (y + 1) * size, top - y * size)
                if tile_re[0] < re1 and re0 < tile_re[1] and tile_im[0] < im1 and im0 < tile_im[1]:
                    found.add("%d/%d/%d" % (z, x, y))
    return found


@pytest.mark.parametrize("box", [(-1.3, 0.2, -0.4, 1.1), (-0.85, -0.35, -0.75, -0.25), (1.0, -2.5, 9.0, -1.0)])
def test_bbox_limits_the_tiles(tmp_path, box):
    config = seed_config(tmp_path)
    cache = tmp_path / "cache"
    # Corners given in the other order too, with a leading minus sign that must not read as an option.
    text = ",".join(str(v) for v in (box[2], box[3], box[0], box[1]))
    result = seed(config, cache, "--zoom", "0-3", "--bbox", text)
    assert result.returncode == 0, result.stderr
    expected = expected_in_box(*box, range(4))
    assert set(tiles_in(cache)) == expected
    assert len(expected) < len(full_grid(range(4)))
    assert "%d of %d tiles" % (len(expected), len(expected)) in result.stdout


@pytest.mark.parametrize("sig, status, name", [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_stop_signal_leaves_only_whole_tiles(tmp_path, sig, status, name):
    config = seed_config(tmp_path)
    cache = tmp_path / "cache"
    process = subprocess.Popen(
        [binary(), "seed", MAP, "--config", str(config), "--cache-directory", str(cache), "--zoom", "0-5"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert httpclient.wait_for(lambda: len(list(cache.rglob("*.png"))) >= 3, timeout=120)
        process.send_signal(sig)
        stopped = time.monotonic()
        stdout, stderr = process.communicate(timeout=30)
        took = time.monotonic() - stopped
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == status, stderr
    assert took < 20  # prompt, with room for a loaded machine
    summary = [line for line in stderr.splitlines() if "stopped by" in line]
    assert len(summary) == 1 and ("stopped by %s" % name) in summary[0], stderr
    assert stdout == ""
    assert not list(cache.rglob(".tmp-*"))
    tiles = tiles_in(cache)
    assert 3 <= len(tiles) < 1365
    assert all(is_valid_png(data) for data in tiles.values())
    # What was written counts as done on the next run.
    done = int(summary[0].split("after ")[1].split(" of")[0])
    assert done == len(tiles)


def test_progress_bar_on_a_terminal(seeded):
    config, cache, _ = seeded
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [binary(), "seed", MAP, "--config", str(config), "--cache-directory", str(cache), "--zoom", "0-2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    stdout, _ = process.communicate(timeout=60)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.returncode == 0
    text = output.decode()
    assert "\r" in text and "[" + "#" * 30 + "] 21/21 100%" in text and "ETA" in text and "tiles/s" in text


@pytest.mark.parametrize("args, fragment", [
    (["--zoom", "3-1"], "first zoom is above the last"),
    (["--zoom", "0-41"], "zoom levels 0...40"),
    (["--zoom", "-1-2"], "expected A-B"),
    (["--zoom", "two"], "expected A-B"),
    (["--zoom", "0-2", "--bbox", "1,2,3"], "four finite numbers"),
    (["--zoom", "0-2", "--bbox", "1,2,nan,4"], "four finite numbers"),
    (["--zoom", "0-2", "--bbox", "50,50,60,60"], "outside forward-pass"),
    (["--zoom", "0-2", "--shard", "2/2"], "0 <= I < N"),
    (["--zoom", "0-2", "--shard", "-1/2"], "0 <= I < N"),
    (["--zoom", "0-2", "--shard", "1"], "expected I/N"),
    (["--zoom", "0-2", "--threads", "-2"], "--threads"),
    (["--zoom", "0-2", "--scale", "3"], "--scale"),
])
def test_bad_arguments_exit_non_zero_with_one_line(tmp_path, args, fragment):
    config = seed_config(tmp_path)
    result = seed(config, tmp_path / "cache", *args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.png"))


def test_unknown_map_and_unwritable_cache_are_one_line_errors(tmp_path):
    config = seed_config(tmp_path)
    result = subprocess.run([binary(), "seed", "no-such-map", "--config", str(config), "--zoom", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "no map named" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = seed(config, blocker / "cache", "--zoom", "0")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cache directory" in lines[0], result.stderr
