"""`fractile seed --output` into MBTiles and PMTiles, `fractile archive merge`, `fractile serve --archive`: archives
read back by independent readers (the sqlite3 CLI, GDAL's MBTiles driver, the `pmtiles` package) hold exactly the
server's bytes."""
import json
import pathlib
import sqlite3
import subprocess

import pytest
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType

from conftest import ROOT, binary, run_cli, write_config
import httpclient
import pngread

MAP = "forward-pass"
# The shipped forward-pass map with a small iteration budget: the same code paths, a tenth of the render time.
FAST_MAP = dict(json.loads((ROOT / "config.json").read_text())["maps"][0], maxIterations=40)
ZOOMS = range(3)
GRID = sorted((z, x, y) for z in ZOOMS for x in range(2 ** z) for y in range(2 ** z))


def seed(config, output, *args):
    return subprocess.run([binary(), "seed", MAP, "--config", str(config), "--zoom", "0-2", "--output", str(output),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """One seed of z = 0..2 into each format, and the server's own bytes for every tile."""
    directory = tmp_path_factory.mktemp("archives")
    config = write_config(directory, maps=[FAST_MAP])
    made = {"config": config, "directory": directory}
    for extension in ("mbtiles", "pmtiles"):
        path = directory / ("whole." + extension)
        result = seed(config, path)
        assert result.returncode == 0, result.stderr
        assert "21 of 21 tiles (21 rendered" in result.stdout and str(path) in result.stdout
        made[extension] = path
    assert not [p for p in directory.iterdir() if ".tmp-" in p.name]
    from conftest import Server
    server = Server(config, directory / "cache")
    try:
        made["served"] = {}
        for z, x, y in GRID:
            status, _, body = server.get("/tiles/%s/%d/%d/%d.png" % (MAP, z, x, y))
            assert status == 200
            made["served"][(z, x, y)] = body
    finally:
        server.stop()
    return made


def sqlite_rows(path, query):
    """Rows from the sqlite3 command-line shell (not our SQLite code), tab-separated."""
    result = subprocess.run(["sqlite3", "-tabs", str(path), query], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in result.stdout.splitlines()]


def mbtiles_tiles(path):
    return {(int(z), int(x), 2 ** int(z) - 1 - int(row)): bytes.fromhex(data)
            for z, x, row, data in sqlite_rows(path, "SELECT zoom_level, tile_column, tile_row, hex(tile_data) FROM tiles")}


def pmtiles_tiles(path):
    with open(path, "rb") as f:
        return {zxy: bytes(data) for zxy, data in all_tiles(MmapSource(f))}


def test_mbtiles_holds_the_servers_bytes_in_tms_rows(archives):
    tiles = mbtiles_tiles(archives["mbtiles"])
    assert tiles == archives["served"]
    metadata = dict(sqlite_rows(archives["mbtiles"], "SELECT name, value FROM metadata"))
    assert metadata["format"] == "png" and metadata["name"] == MAP
    assert (metadata["minzoom"], metadata["maxzoom"]) == ("0", "2")
    assert [float(v) for v in metadata["bounds"].split(",")] == pytest.approx([-180, -85.051129, 180, 85.051129])
    assert metadata["fractile_center"] == "-0.8,0.0" and metadata["fractile_span"] == "6.0"
    assert sqlite_rows(archives["mbtiles"], "PRAGMA integrity_check") == [["ok"]]


def test_gdal_reads_the_mbtiles_as_the_servers_mosaic(archives, tmp_path):
    info = json.loads(subprocess.run(["gdalinfo", "-json", str(archives["mbtiles"])], capture_output=True, text=True,
                                     check=True).stdout)
    assert info["driverShortName"] == "MBTiles"
    assert info["size"] == [1024, 1024]  # zoom 2: 4 x 4 tiles of 256
    assert info["metadata"][""]["ZOOM_LEVEL"] == "2"
    out = tmp_path / "region.png"
    # A region across four tiles of zoom 2: columns 1-2, rows 2-3 at an offset, RGB bands.
    subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-b", "1", "-b", "2", "-b", "3",
                    "-srcwin", "300", "600", "400", "300", str(archives["mbtiles"]), str(out)], check=True)
    width, height, rows, _ = pngread.decode(out.read_bytes())
    assert (width, height) == (400, 300)
    decoded = {}
    for j in range(300):
        for i in range(0, 400, 7):
            px, py = 300 + i, 600 + j
            tile = (2, px // 256, py // 256)
            if tile not in decoded:
                decoded[tile] = pngread.decode(archives["served"][tile])[2]
            assert tuple(rows[j][i]) == tuple(decoded[tile][py % 256][px % 256]), (i, j)


def test_pmtiles_package_reads_the_servers_bytes(archives):
    with open(archives["pmtiles"], "rb") as f:
        reader = Reader(MmapSource(f))
        header = reader.header()
        assert header["tile_type"] == TileType.PNG and header["clustered"]
        assert header["internal_compression"] == Compression.GZIP
        assert (header["min_zoom"], header["max_zoom"]) == (0, 2)
        assert header["addressed_tiles_count"] == 21
        metadata = reader.metadata()
        assert metadata["name"] == MAP and metadata["fractile_kind"] == "forward_pass"
        for zxy, served in archives["served"].items():
            assert reader.get(*zxy) == served, zxy
        assert reader.get(3, 0, 0) is None
    assert pmtiles_tiles(archives["pmtiles"]) == archives["served"]


@pytest.mark.parametrize("extension", ["mbtiles", "pmtiles"])
def test_merging_two_shards_equals_one_unsharded_seed(archives, tmp_path, extension):
    config = archives["config"]
    shards = []
    for index in range(2):
        path = tmp_path / ("shard%d.%s" % (index, extension))
        result = seed(config, path, "--shard", "%d/2" % index)
        assert result.returncode == 0, result.stderr
        shards.append(path)
    merged = tmp_path / ("merged." + extension)
    result = run_cli("archive", "merge", merged, *shards)
    assert result.returncode == 0, result.stderr
    assert "merged 21 tiles" in result.stdout
    whole = archives[extension]
    if extension == "pmtiles":
        # The same tiles make the same file, whatever order and shards they came from.
        assert merged.read_bytes() == whole.read_bytes()
    else:
        assert mbtiles_tiles(merged) == mbtiles_tiles(whole)
        query = "SELECT name, value FROM metadata ORDER BY name"
        assert sqlite_rows(merged, query) == sqlite_rows(whole, query)


def test_merge_across_formats_keeps_every_byte(archives, tmp_path):
    merged = tmp_path / "converted.pmtiles"
    result = run_cli("archive", "merge", merged, archives["mbtiles"])
    assert result.returncode == 0, result.stderr
    assert merged.read_bytes() == archives["pmtiles"].read_bytes()


def test_serving_from_an_archive(archives, start_server, tmp_path):
    server = start_server(maps=[FAST_MAP], cache_dir=tmp_path / "empty-cache",
                          args=("--archive", str(archives["pmtiles"])))
    for zxy, served in archives["served"].items():
        status, _, body = server.get("/tiles/%s/%d/%d/%d.png" % ((MAP,) + zxy))
        assert status == 200 and body == served, zxy
    # Outside the archive: rendered as usual.
    status, _, body = server.get("/tiles/%s/3/1/1.png" % MAP)
    assert status == 200 and body.startswith(b"\x89PNG")
    text = server.get("/metrics")[2].decode()
    assert httpclient.metric(text, "fractile_cache_hits_total", 'layer="archive"') == 21
    assert httpclient.metric(text, "fractile_renders_total") == 1


def test_archive_only_answers_404_outside_the_archive(archives, start_server, tmp_path):
    server = start_server(maps=[FAST_MAP], cache_dir=tmp_path / "empty-cache",
                          args=("--archive", str(archives["mbtiles"]), "--archive-only"))
    status, _, body = server.get("/tiles/%s/2/3/1.png" % MAP)
    assert status == 200 and body == archives["served"][(2, 3, 1)]
    status, _, body = server.get("/tiles/%s/3/1/1.png" % MAP)
    assert status == 404 and b"archives only" in body
    text = server.get("/metrics")[2].decode()
    assert httpclient.metric(text, "fractile_renders_total") == 0


def one_line_failure(result, *fragments):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_bad_arguments_give_one_clear_line(archives, tmp_path):
    config = archives["config"]
    one_line_failure(seed(config, tmp_path / "tiles.zip"), "--output", ".mbtiles or .pmtiles")
    one_line_failure(run_cli("seed", MAP, "--config", config, "--zoom", "33", "--output", tmp_path / "deep.pmtiles"),
                     "pmtiles archives hold zoom levels up to 31")
    one_line_failure(seed(config, tmp_path / "missing" / "dir" / "a.mbtiles"), "cannot open")
    one_line_failure(run_cli("archive", "merge", tmp_path / "out.pmtiles"), "at least one input")
    one_line_failure(run_cli("archive", "merge", tmp_path / "out.pmtiles", tmp_path / "none.mbtiles"), "none.mbtiles")
    garbage = tmp_path / "garbage.pmtiles"
    garbage.write_bytes(b"PMTiles\x03" + b"\xff" * 200)
    one_line_failure(run_cli("archive", "merge", tmp_path / "out.mbtiles", garbage), "garbage.pmtiles")
    not_sqlite = tmp_path / "text.mbtiles"
    not_sqlite.write_text("hello")
    one_line_failure(run_cli("archive", "merge", tmp_path / "out.pmtiles", not_sqlite), "text.mbtiles")
    assert not list(tmp_path.glob("out.*")) and not list(tmp_path.glob(".*tmp-*"))
    # An archive of other settings is refused at start, naming the file and the mismatch.
    other = write_config(tmp_path, maps=[dict(FAST_MAP, maxIterations=41)])
    result = subprocess.run([binary(), "serve", "--config", str(other), "--port", "0", "--host", "127.0.0.1",
                             "--archive", str(archives["pmtiles"])], capture_output=True, text=True, timeout=60)
    one_line_failure(result, "settings hash", str(archives["pmtiles"]))
