"""GeoPandas competitor: points CSV -> counts per area, period and variable, as users write it.

    python sjoin.py AREAS.geojson KEY POINTS.csv OUT.csv

Reads the areas (GeoJSON in EPSG:25832) and the points with pandas' default CSV reader, builds
point geometries, `geopandas.sjoin(predicate="within")` (shapely 2, STRtree inside), counts per
area, period and variable, writes CSV. Everything, reading included, is inside the timed command.
"""

import sys
import time

import geopandas as gpd
import pandas as pd


def main() -> None:
    areas_path, key, points_path, out_path = sys.argv[1:5]
    t0 = time.perf_counter()
    areas = gpd.read_file(areas_path)[[key, "geometry"]]
    df = pd.read_csv(points_path)
    t_read = time.perf_counter()
    points = gpd.GeoDataFrame(
        df[["period", "variable"]], geometry=gpd.points_from_xy(df["x"], df["y"]), crs=areas.crs
    )
    t_geom = time.perf_counter()
    joined = gpd.sjoin(points, areas, how="inner", predicate="within")
    t_join = time.perf_counter()
    counts = joined.groupby([key, "period", "variable"]).size().rename("count").reset_index()
    counts.to_csv(out_path, index=False)
    t_end = time.perf_counter()
    print(
        f"geopandas: read {t_read - t0:.2f}s, points {t_geom - t_read:.2f}s, "
        f"sjoin {t_join - t_geom:.2f}s, count+write {t_end - t_join:.2f}s, "
        f"end-to-end {t_end - t0:.2f}s; {len(df)} records, {len(joined)} joined",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
