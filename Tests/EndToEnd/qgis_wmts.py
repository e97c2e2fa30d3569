"""Run by Debian's /usr/bin/python3 (QGIS's bindings are built for it, not for the interpreter running pytest):
opens a WMTS layer through QGIS's `wms` provider, as the QGIS steps of docs/archives.md do, and prints JSON with
the layer's validity, CRS, extent and one block of pixels read through the provider.

    qgis_wmts.py PROVIDER URI XMIN YMIN XMAX YMAX WIDTH HEIGHT     (PROVIDER: wms or gdal)
"""
import base64
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsRasterLayer, QgsRectangle  # noqa: E402


def read(provider_key, uri, xmin, ymin, xmax, ymax, width, height):
    layer = QgsRasterLayer(uri, "fractile", provider_key)
    if not layer.isValid():
        return {"valid": False, "error": layer.error().summary()}
    extent = layer.extent()
    provider = layer.dataProvider()
    rect = QgsRectangle(float(xmin), float(ymin), float(xmax), float(ymax))
    # A block's data() is a view of its memory: copy it while the block is alive.
    blocks = [provider.block(band, rect, int(width), int(height)) for band in range(1, provider.bandCount() + 1)]
    return {"valid": True, "crs": layer.crs().toWkt(), "crsValid": layer.crs().isValid(),
            "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
            "dataType": int(provider.dataType(1)),
            "blocks": [base64.b64encode(bytes(block.data())).decode("ascii") for block in blocks]}


def main(*args):
    app = QgsApplication([], False)
    app.initQgis()
    # The layer is gone before exitQgis (QGIS crashes at exit if a provider outlives it).
    print(json.dumps(read(*args)), flush=True)
    app.exitQgis()

if __name__ == "__main__":
    main(*sys.argv[1:])
