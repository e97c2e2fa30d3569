"""QGIS (Debian's 3.22 Python bindings, headless) opens the live server's WMTS layer both ways docs/archives.md
tells a QGIS user to, and reads a region pixel for pixel the server's tile."""
import base64
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
import pngread

QGIS_PYTHON = "/usr/bin/python3"  # the interpreter Debian's python3-qgis is built for, not the one running pytest
NS = {"w": "http://www.opengis.net/wmts/1.0", "ows": "http://www.opengis.net/ows/1.1"}
# Tile 2/1/1 of forward-pass (centre -0.8, span 6: 4 x 4 tiles of 256 at zoom 2) covers re -2.3...-0.8, im 0...1.5.
TILE_RECT = (-2.3, 0.0, -0.8, 1.5)
FRAME = [-3.8, -3.0, 2.2, 3.0]


def qgis_read(provider, uri, tmp_path):
    """Tests/EndToEnd/qgis_wmts.py in Debian's Python: the layer's validity, CRS, extent and TILE_RECT's pixels."""
    done = subprocess.run([QGIS_PYTHON, str(ROOT / "Tests" / "EndToEnd" / "qgis_wmts.py"), provider, uri,
                           *map(repr, TILE_RECT), "256", "256"], capture_output=True, text=True, timeout=300,
                          env={"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                               "XDG_RUNTIME_DIR": str(tmp_path), "GDAL_DEFAULT_WMS_CACHE_PATH": str(tmp_path / "gdal")})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["valid"], result["error"]
    return result


def server_tile(server):
    status, _, tile = server.get("/tiles/forward-pass/2/1/1.png")
    assert status == 200
    return [tuple(pixel[:3]) for row in pngread.decode(tile)[2] for pixel in row]


def capabilities(server):
    return server.url + "/wmts/1.0.0/WMTSCapabilities.xml"


def test_qgis_wms_provider_reads_the_tiles_exactly(server, tmp_path):
    """Layer > Add WMS/WMTS Layer: the URI QGIS's dialog stores for the layer's Tile Set."""
    root = ET.fromstring(server.get("/wmts/1.0.0/WMTSCapabilities.xml")[2])
    matrix_set = root.find("w:Contents/w:Layer/w:TileMatrixSetLink/w:TileMatrixSet", NS).text
    uri = ("contextualWMSLegend=0&crs=&dpiMode=7&format=image/png&layers=forward-pass&styles=default"
           "&tileMatrixSet=%s&url=%s" % (matrix_set, capabilities(server)))
    result = qgis_read("wms", uri, tmp_path)
    # QGIS 3.22's WMTS reader knows CRSs only by authority code (EPSG:..., CRS:84), so it reads the engineering CRS
    # as none and, without a CRS for the bounding box, reports the whole world as the extent. Tiles still sit at
    # plane coordinates: the block below is taken at them.
    assert not result["crsValid"]
    assert result["extent"] == pytest.approx([-180, -90, 180, 90])
    (data,) = [base64.b64decode(block) for block in result["blocks"]]  # one ARGB32 band: B, G, R, A bytes
    assert len(data) == 256 * 256 * 4 and set(data[3::4]) == {255}
    assert [(data[i + 2], data[i + 1], data[i]) for i in range(0, len(data), 4)] == server_tile(server)


def test_qgis_gdal_provider_has_the_plane_crs_frame_and_tiles(server, tmp_path):
    """Layer > Add Raster Layer with the source WMTS:URL,layer=forward-pass (GDAL's WMTS driver inside QGIS)."""
    result = qgis_read("gdal", "WMTS:%s,layer=forward-pass" % capabilities(server), tmp_path)
    assert result["crsValid"] and "complex plane of forward-pass" in result["crs"]
    assert result["extent"] == pytest.approx(FRAME)
    red, green, blue, alpha = [base64.b64decode(block) for block in result["blocks"]]
    assert set(alpha) == {255}
    assert list(zip(red, green, blue)) == server_tile(server)
