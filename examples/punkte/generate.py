"""Writes the synthetic records of the `punkte` example (seeded; run from the repository root):

    /work/venv/bin/python examples/punkte/generate.py

Needs pyproj and shapely (the reference venv). The boundaries are real (Dortmund's 12
Stadtbezirke, projected to EPSG:25832 and rounded to the millimetre); the records are not: they
are drawn at random, so no number of this example describes Dortmund.
"""
import json
import random
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import Point, shape
from shapely.prepared import prep

HERE = Path(__file__).parent
SRC = HERE.parent / "dortmund" / "geo" / "dortmund_stadtbezirke.geojson"

to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def mm(v):
    return round(v, 3)


def project(coords):
    return [[mm(c) for c in to_utm.transform(x, y)] for x, y in coords]


src = json.loads(SRC.read_text())
features = []
for f in src["features"]:
    g = f["geometry"]
    if g["type"] == "Polygon":
        polys = [g["coordinates"]]
    else:
        polys = g["coordinates"]
    features.append({
        "type": "Feature",
        "properties": {k: f["properties"][k] for k in ("stadtbezirk_nr", "stadtbezirk")},
        "geometry": {"type": "MultiPolygon",
                     "coordinates": [[project(ring) for ring in p] for p in polys]},
    })
out = {"type": "FeatureCollection",
       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
       "features": features}
(HERE / "geo" / "dortmund_stadtbezirke_25832.geojson").write_text(
    json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")

city = prep(shape({"type": "MultiPolygon",
                   "coordinates": [p for f in features for p in f["geometry"]["coordinates"]]}))
minx = min(c[0] for f in features for p in f["geometry"]["coordinates"] for r in p for c in r)
maxx = max(c[0] for f in features for p in f["geometry"]["coordinates"] for r in p for c in r)
miny = min(c[1] for f in features for p in f["geometry"]["coordinates"] for r in p for c in r)
maxy = max(c[1] for f in features for p in f["geometry"]["coordinates"] for r in p for c in r)

rng = random.Random(2024)


def draw(inside=True):
    while True:
        x = rng.uniform(minx, maxx)
        y = rng.uniform(miny, maxy)
        if city.contains(Point(x, y)) == inside:
            return round(x, 2), round(y, 2)


# Cases: German CSV (`;`, decimal comma), UTM coordinates, a year and a kind of case.
kinds = ["HzE", "HzE", "HzE", "Eingliederungshilfe", "Inobhutnahme"]
lines = ["fall_id;rechtswert;hochwert;jahr;art"]
for i in range(4000):
    x, y = draw(inside=rng.random() > 0.01)
    year = rng.choice([2022, 2023, 2024])
    lines.append(f"{i + 1};{x:.2f};{y:.2f};{year};{rng.choice(kinds)}".replace(".", ","))
(HERE / "daten" / "faelle.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

# Day-care centres: international CSV, WGS84 longitude/latitude, places as weight.
to_wgs = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
lines = ["kita,lon,lat,plaetze"]
for i in range(150):
    x, y = draw()
    lon, lat = to_wgs.transform(x, y)
    lines.append(f"Kita {i + 1},{lon:.6f},{lat:.6f},{rng.choice([25, 40, 55, 70, 85, 100])}")
(HERE / "daten" / "kitas.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
