"""`fractile video`: an exponential zoom encoded by ffmpeg, checked by ffprobe, with frames equal (within H.264's
loss) to the tile mosaic they were composed from."""
import json
import subprocess

import pytest

from conftest import ROOT, binary, write_config
import pngread

MAP = "forward-pass"
FAST_MAP = dict(json.loads((ROOT / "config.json").read_text())["maps"][0], maxIterations=40)
WIDTH, HEIGHT = 320, 240


def video(config, cache, output, *args, zoom="1-3", seconds="1", fps="10", size="%dx%d" % (WIDTH, HEIGHT)):
    # The map's own centre (-0.8, 0): frames at whole zooms then sit exactly on the tile grid.
    return subprocess.run([binary(), "video", MAP, "--config", str(config), "--cache-directory", str(cache),
                           "--center", "-0.8", "0", "--zoom", zoom, "--seconds", seconds, "--fps", fps,
                           "--size", size, "--output", str(output), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    directory = tmp_path_factory.mktemp("video")
    config = write_config(directory, maps=[FAST_MAP])
    output = directory / "zoom.mp4"
    result = video(config, directory / "cache", output)
    assert result.returncode == 0, result.stderr
    return config, directory, output, result


def frame(path, index):
    """Frame `index` decoded by ffmpeg as packed RGB."""
    result = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", "select=eq(n\\,%d)" % index,
                             "-vframes", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True)
    assert len(result.stdout) == WIDTH * HEIGHT * 3
    return result.stdout


def mosaic_crop(config, directory, z, left, top):
    """WIDTH x HEIGHT pixels of zoom z's tile mosaic from tile pixel (left, top), tiles from `fractile render`."""
    tiles = {}
    out = bytearray()
    for row in range(top, top + HEIGHT):
        for column in range(left, left + WIDTH):
            key = (column // 256, row // 256)
            if key not in tiles:
                png = directory / ("tile-%d-%d-%d.png" % (z, key[0], key[1]))
                subprocess.run([binary(), "render", MAP, str(z), str(key[0]), str(key[1]), "--config", str(config),
                                "--output", str(png)], check=True, capture_output=True)
                tiles[key] = pngread.decode(png.read_bytes())[2]
            out += bytes(tiles[key][row % 256][column % 256])
    return bytes(out)


def mean_difference(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def test_ffprobe_sees_h264_of_the_size_and_exactly_seconds_times_fps_frames(made):
    _, _, output, result = made
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
         "stream=codec_name,width,height,nb_read_frames,pix_fmt", "-of", "json", str(output)],
        capture_output=True, text=True, check=True).stdout)["streams"][0]
    assert probe["codec_name"] == "h264" and probe["pix_fmt"] == "yuv420p"
    assert (probe["width"], probe["height"]) == (WIDTH, HEIGHT)
    assert int(probe["nb_read_frames"]) == 10
    assert "10/10 frames (100%)" in result.stderr and "ETA" in result.stderr
    assert "10 frames of 320x240" in result.stdout


@pytest.mark.parametrize("index, z", [(0, 1), (9, 3)])
def test_a_frame_is_the_tile_mosaic_it_came_from(made, index, z):
    config, directory, output, _ = made
    decoded = frame(output, index)
    centre = 256 * 2 ** z // 2
    expected = mosaic_crop(config, directory, z, centre - WIDTH // 2, centre - HEIGHT // 2)
    # H.264 at CRF 18 with 4:2:0 chroma is close, not exact; a view shifted by 6 pixels is far.
    assert mean_difference(decoded, expected) < 6
    shifted = mosaic_crop(config, directory, z, centre - WIDTH // 2 + 6, centre - HEIGHT // 2)
    assert mean_difference(decoded, shifted) > 2 * mean_difference(decoded, expected)


def test_a_second_video_reads_its_tiles_from_the_disk_cache(made):
    config, directory, _, _ = made
    again = directory / "again.mp4"
    result = video(config, directory / "cache", again)
    assert result.returncode == 0, result.stderr
    assert "(0 tiles rendered" in result.stdout


def test_bad_arguments_give_one_clear_line(made, tmp_path):
    config, directory, _, _ = made
    cases = [
        (dict(size="321x240"), "even"),
        (dict(zoom="3-1"), "A <= B"),
        (dict(zoom="0-90"), "zoom 0...40"),
        (dict(seconds="0.15"), "whole number of frames"),
        (dict(fps="0"), "fps"),
    ]
    for overrides, fragment in cases:
        result = video(config, tmp_path / "cache", tmp_path / "bad.mp4", **overrides)
        assert result.returncode != 0, overrides
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], (overrides, result.stderr)
    result = video(config, tmp_path / "cache", tmp_path / "bad.avi")
    assert result.returncode != 0 and ".mp4" in result.stderr
    result = subprocess.run([binary(), "video", MAP, "--config", str(config), "--center", "50", "0", "--zoom", "0-1",
                             "--output", str(tmp_path / "far.mp4")], capture_output=True, text=True)
    assert result.returncode != 0 and "outside" in result.stderr
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*tmp*"))


def call(server, method, path):
    import urllib.error
    import urllib.request
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_server_video_jobs_one_at_a_time_cancellable_and_downloadable(start_server, tmp_path):
    import time
    server = start_server(maps=[FAST_MAP])
    long_job = "/videos?map=%s&re=-0.8&im=0.5&zoom=0-14&seconds=20&fps=10&size=320x240" % MAP
    status, _, body = call(server, "POST", long_job)
    assert status == 202, body
    first = json.loads(body)
    assert first["state"] == "queued" and len(first["id"]) >= 16
    status, _, body = call(server, "POST", long_job)
    assert status == 409 and first["id"].encode() in body and body.count(b"\n") <= 1
    status, _, body = call(server, "GET", "/videos/" + first["id"])
    job = json.loads(body)
    assert status == 200 and job["frames"] == 200 and job["state"] in ("queued", "rendering")
    assert set(job) == {"id", "state", "frames", "framesDone", "etaSeconds", "error", "url"} and job["url"] is None
    status, _, _ = call(server, "DELETE", "/videos/" + first["id"])
    assert status == 204
    assert json.loads(call(server, "GET", "/videos/" + first["id"])[2])["state"] == "cancelled"

    status, _, body = call(server, "POST", "/videos?map=%s&re=-0.8&im=0&zoom=1-3&seconds=1&fps=10&size=%dx%d"
                           % (MAP, WIDTH, HEIGHT))
    assert status == 202, body
    second = json.loads(body)["id"]
    deadline = time.time() + 300
    while True:
        job = json.loads(call(server, "GET", "/videos/" + second)[2])
        if job["state"] not in ("queued", "rendering", "encoding") or time.time() > deadline:
            break
        time.sleep(0.2)
    assert job["state"] == "done" and job["framesDone"] == 10 and job["error"] is None, job
    assert job["url"] == "videos/%s.mp4" % second
    status, headers, body = call(server, "GET", "/" + job["url"])
    assert status == 200 and headers["Content-Type"] == "video/mp4"
    path = tmp_path / "served.mp4"
    path.write_bytes(body)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
         "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(path)],
        capture_output=True, text=True, check=True).stdout)["streams"][0]
    assert (probe["codec_name"], probe["width"], probe["height"], int(probe["nb_read_frames"])) == ("h264", WIDTH, HEIGHT, 10)


def test_server_video_bad_requests(start_server):
    server = start_server(maps=[FAST_MAP])
    for path, fragment in [
        ("/videos?map=%s" % MAP, b"expected /videos?map="),
        ("/videos?map=nope&re=0&im=0&zoom=0-1&seconds=1&fps=10&size=64x64", b"no map"),
        ("/videos?map=%s&re=0&im=0&zoom=0-1&seconds=1&fps=10&size=65x64" % MAP, b"even"),
        ("/videos?map=%s&re=0&im=0&zoom=0-1&seconds=100&fps=60&size=64x64" % MAP, b"at most"),
    ]:
        status, _, body = call(server, "POST", path)
        assert status in (400, 404) and fragment in body and body.count(b"\n") <= 1, (path, status, body)
    assert call(server, "GET", "/videos/0123456789abcdef")[0] == 404
    assert call(server, "DELETE", "/videos/0123456789abcdef")[0] == 404
    status, headers, _ = call(server, "GET", "/videos")
    assert status == 405 and headers["Allow"] == "POST"
    status, headers, _ = call(server, "DELETE", "/maps.json")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
