"""Opens layers in QGIS (PyQGIS, headless) and prints, as JSON, the style QGIS applied
to each: renderer, classified attribute, classes, label field, and the colour QGIS
draws each feature with. Used by the integration test `qgis_applies_the_styles`.

Usage: QT_QPA_PLATFORM=offscreen python3 styles.py URI...
(a URI is a file, or `file.gpkg|layername=sites`)
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsRenderContext, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
out = {}
for uri in sys.argv[1:]:
    layer = QgsVectorLayer(uri, "layer", "ogr")
    renderer = layer.renderer()
    info = {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": renderer.type() if renderer else None,
        "attribute": renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
        "classes": [
            [r.lowerValue(), r.upperValue(), r.symbol().color().name()]
            for r in (renderer.ranges() if hasattr(renderer, "ranges") else [])
        ],
        "labels": layer.labeling().settings().fieldName
        if layer.labelsEnabled() and layer.labeling()
        else None,
    }
    colours = []
    if renderer:
        context = QgsRenderContext()
        renderer.startRender(context, layer.fields())
        for f in layer.getFeatures():
            symbol = renderer.symbolForFeature(f, context)
            score = f["score"]
            score = float(score) if isinstance(score, (int, float)) else None
            colours.append([score, symbol.color().name() if symbol else None])
        renderer.stopRender(context)
    info["colours"] = colours
    out[uri] = info
print(json.dumps(out))
sys.stdout.flush()
# QGIS 3.22 can crash in exitQgis() while layers are alive; the result is printed.
os._exit(0)
