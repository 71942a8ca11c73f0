"""GeoPandas baseline for issue 7: the same CSV and districts as examples/aggregate_10m.rs.

    python crates/aggregate/benches/geopandas_sjoin.py /tmp/points_10m.csv /tmp/counts_geopandas.csv

Reads the points with pandas, builds point geometries, sjoin(predicate="within") against Dortmund's
statistical districts (shapely 2 STRtree inside), counts per district, period and variable, and
writes the counts. Prints the time of each step and end to end (polygon loading included, as in the
Rust run).
"""

import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

HERE = Path(__file__).resolve().parent
DISTRICTS = (
    HERE / "../../../../shared/data/dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson"
).resolve()


def main() -> None:
    points_path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/points_10m.csv"
    out_path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/counts_geopandas.csv"
    t0 = time.perf_counter()
    areas = gpd.read_file(DISTRICTS)[["source_id", "geometry"]]
    df = pd.read_csv(points_path)
    t_read = time.perf_counter()
    points = gpd.GeoDataFrame(
        df[["period", "variable"]], geometry=gpd.points_from_xy(df["x"], df["y"]), crs=areas.crs
    )
    t_geom = time.perf_counter()
    joined = gpd.sjoin(points, areas, how="inner", predicate="within")
    t_join = time.perf_counter()
    counts = joined.groupby(["source_id", "period", "variable"]).size().rename("count").reset_index()
    counts.to_csv(out_path, index=False)
    t_end = time.perf_counter()
    print(
        f"read {t_read - t0:.2f}s, points {t_geom - t_read:.2f}s, sjoin {t_join - t_geom:.2f}s, "
        f"count+write {t_end - t_join:.2f}s, end-to-end {t_end - t0:.2f}s; "
        f"{len(df)} records, {len(joined)} joined -> {out_path}"
    )


if __name__ == "__main__":
    main()
