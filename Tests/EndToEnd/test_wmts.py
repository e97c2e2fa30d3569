"""WMTS 1.0.0 for GIS clients: GDAL's WMTS driver opens the live server's capabilities and reads a region, pixel for
pixel the server's tiles."""
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
import pngread

FAST_MAPS = [dict(m, maxIterations=40) for m in json.loads((ROOT / "config.json").read_text())["maps"]]
NS = {"w": "http://www.opengis.net/wmts/1.0", "ows": "http://www.opengis.net/ows/1.1"}


@pytest.fixture(scope="module")
def wmts_server(tmp_path_factory):
    from conftest import Server, write_config
    directory = tmp_path_factory.mktemp("wmts")
    server = Server(write_config(directory, maps=FAST_MAPS), directory / "cache")
    yield server
    server.stop()


def gdal(*args, cache):
    """A GDAL tool with its WMS/WMTS tile cache in a temporary directory (by default it is ./gdalwmscache)."""
    return subprocess.run([args[0], "--config", "GDAL_DEFAULT_WMS_CACHE_PATH", str(cache), *args[1:]],
                          capture_output=True, text=True, check=True, timeout=300)


def capabilities_url(server):
    return "WMTS:%s/wmts/1.0.0/WMTSCapabilities.xml" % server.url


def test_capabilities_list_one_layer_and_matrix_set_per_map(wmts_server):
    status, headers, body = wmts_server.get("/wmts/1.0.0/WMTSCapabilities.xml")
    assert status == 200 and headers["Content-Type"] == "application/xml"
    root = ET.fromstring(body)
    assert root.get("version") == "1.0.0"
    layers = root.findall("w:Contents/w:Layer", NS)
    assert [layer.find("ows:Identifier", NS).text for layer in layers] == [m["name"] for m in FAST_MAPS]
    sets = {s.find("ows:Identifier", NS).text: s for s in root.findall("w:Contents/w:TileMatrixSet", NS)}
    forward = sets["forward-pass"]
    # An engineering CRS on the complex plane, not Web Mercator.
    crs = forward.find("ows:SupportedCRS", NS).text
    assert crs.startswith("ENGCRS[") and "real part" in crs and "3857" not in crs
    matrices = forward.findall("w:TileMatrix", NS)
    assert matrices[0].find("w:TopLeftCorner", NS).text == "-3.8 3.0"  # centre -0.8, span 6
    assert [int(m.find("w:MatrixWidth", NS).text) for m in matrices[:4]] == [1, 2, 4, 8]
    scale = float(matrices[1].find("w:ScaleDenominator", NS).text)
    assert scale == pytest.approx(6 / 512 / 0.00028)
    template = layers[0].find("w:ResourceURL", NS).get("template")
    assert template == wmts_server.url + "/tiles/forward-pass/{TileMatrix}/{TileCol}/{TileRow}.png"


def test_gdal_opens_the_layer_with_the_plane_as_coordinates(wmts_server, tmp_path):
    info = json.loads(gdal("gdalinfo", "-json", capabilities_url(wmts_server) + ",layer=forward-pass",
                           cache=tmp_path / "gdal-cache").stdout)
    assert info["driverShortName"] == "WMTS"
    left, pixel_width, _, top, _, pixel_height = info["geoTransform"]
    assert (left, top) == pytest.approx((-3.8, 3.0))
    size = info["size"][0]
    assert pixel_width == pytest.approx(6 / size) and pixel_height == pytest.approx(-6 / size)
    assert "complex plane" in info["coordinateSystem"]["wkt"]


def test_gdal_translate_reads_a_region_equal_to_the_tiles(wmts_server, tmp_path):
    out = tmp_path / "region.png"
    # The complex-plane window re -2.3...-0.8, im 1.5...0 at zoom 2 (4 x 4 tiles of 256 over span 6): pixels
    # 256...511 x 256...511, exactly tile 2/1/1.
    gdal("gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", "-b", "1", "-b", "2", "-b", "3",
         "-projwin", "-2.3", "1.5", "-0.8", "0", capabilities_url(wmts_server) + ",layer=forward-pass,tilematrix=2",
         str(out), cache=tmp_path / "gdal-cache")
    width, height, rows, _ = pngread.decode(out.read_bytes())
    assert (width, height) == (256, 256)
    status, _, tile = wmts_server.get("/tiles/forward-pass/2/1/1.png")
    assert status == 200
    expected = pngread.decode(tile)[2]
    assert [list(map(tuple, row)) for row in rows] == [list(map(tuple, row)) for row in expected]
