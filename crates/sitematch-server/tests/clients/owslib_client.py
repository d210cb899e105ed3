"""OWSLib, the Python OGC API client, reads the server as a GIS script would.

Usage: python3 owslib_client.py BASE_URL TOKEN RANKING_ID LAYER
Prints one JSON object: the conformance classes, the collection ids, the ranking's
collection, two pages of its items (limit 2), a bbox query on the layer and one item. The Rust test compares it with the library.
"""

import json
import sys

from owslib.ogcapi.features import Features

base, token, ranking, layer = sys.argv[1:5]
api = Features(base, headers={"Authorization": f"Bearer {token}"})
first = api.collection_items(ranking, limit=2)
second = api.collection_items(ranking, limit=2, offset=2)
boxed = api.collection_items(layer, bbox=[4.70, 49.70, 4.75, 49.80], limit=100)
one_id = first["features"][0]["id"]
print(
    json.dumps(
        {
            "conformance": api.conformance()["conformsTo"],
            "collections": [c["id"] for c in api.collections()["collections"]],
            "ranking": api.collection(ranking)["id"],
            "matched": first["numberMatched"],
            "ids": [f["id"] for f in first["features"] + second["features"]],
            "bbox_ids": [f["id"] for f in boxed["features"]],
            "item": api.collection_item(ranking, one_id)["properties"],
        }
    )
)
