"""Helpers of bench/run.sh (run with bench/.venv/bin/python).

    tools.py districts SRC.geojson OUT.geojson        Dortmund districts -> EPSG:25832, mm
    tools.py areas-csv AREAS.geojson KEY OUT.csv      key + hex WKB, for PostGIS COPY
    tools.py compare-counts A.csv B.csv               counts per (area, period, variable) equal?
    tools.py median HYPERFINE.json                    median seconds of the first command
    tools.py breaks VALUES.f64 BINS_RUST.txt REPS     mapclassify FisherJenks k = 6, timed + checked
    tools.py ward DATA.f64 N HEIGHTS_RUST.f64 REPS    scipy linkage(method="ward"), timed + checked
    tools.py table RESULTS.tsv                        the Markdown table

Timing lines start with RESULT (key=value), like the Rust side's.
"""

import csv
import json
import statistics
import sys
import time


def districts(src, out):
    """The real districts, projected once with pyproj (PROJ) and rounded to the millimetre, so
    that every tool reads the same polygons in the points' CRS (no per-tool reprojection)."""
    import geopandas as gpd
    import shapely

    a = gpd.read_file(src).to_crs(25832)
    feats = []
    for key, geom in zip(a["source_id"], a.geometry):
        geom = shapely.set_precision(geom, 0.001, mode="pointwise")
        feats.append(
            {
                "type": "Feature",
                "properties": {"source_id": int(key)},
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    fc = {
        "type": "FeatureCollection",
        "name": "dortmund_statistische_bezirke_25832",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": feats,
    }
    with open(out, "w") as f:
        json.dump(fc, f)


def areas_csv(path, key, out):
    import geopandas as gpd
    import shapely

    a = gpd.read_file(path)
    invalid = int((~a.geometry.is_valid).sum())
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "wkb"])
        for k, g in zip(a[key], a.geometry):
            w.writerow([k, shapely.to_wkb(g, hex=True)])
    print(f"{len(a)} areas ({invalid} invalid by GEOS) -> {out}", file=sys.stderr)


def read_counts(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        d = {}
        for row in r:
            c = int(row[-1])
            if c:
                d[(str(row[0]), str(row[1]), str(row[2]))] = c
        return d


def compare_counts(a, b):
    ca, cb = read_counts(a), read_counts(b)
    diff = [k for k in set(ca) | set(cb) if ca.get(k, 0) != cb.get(k, 0)]
    ta, tb = sum(ca.values()), sum(cb.values())
    if diff:
        sample = sorted(diff)[:5]
        print(
            f"DIFFER: {len(diff)} cells differ (total {ta} vs {tb}); e.g. "
            + "; ".join(f"{k}: {ca.get(k, 0)} vs {cb.get(k, 0)}" for k in sample)
        )
        return 1
    print(f"AGREE: {len(ca)} non-zero cells, {ta} points assigned")
    return 0


def median(path):
    with open(path) as f:
        r = json.load(f)["results"][0]
    print(f"{r['median']:.6f}")


def sse(sorted_y, bins):
    """Within-class sum of squared deviations of the classes (a, b] given by their upper bounds."""
    import numpy as np

    total, lo = 0.0, 0
    for b in bins:
        hi = int(np.searchsorted(sorted_y, b, side="right"))
        c = sorted_y[lo:hi]
        if len(c):
            total += float(((c - c.mean()) ** 2).sum())
        lo = hi
    return total


def breaks(values_path, bins_path, reps):
    import numpy as np

    # mapclassify compiles its numba kernel eagerly at import (it has a type signature), so the
    # "first call" cost its users pay is the import plus the first call.
    t = time.perf_counter()
    import mapclassify
    import numba  # noqa: F401  (mapclassify uses it when it is installed, as its users run it)

    t_import = time.perf_counter() - t
    y = np.fromfile(values_path, dtype="<f8")
    rust = [float(line) for line in open(bins_path)]
    t = time.perf_counter()
    fj = mapclassify.FisherJenks(y, k=6)
    first = t_import + time.perf_counter() - t
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fj = mapclassify.FisherJenks(y, k=6)
        times.append(time.perf_counter() - t)
    bins = [float(b) for b in fj.bins]
    ok = len(bins) == len(rust) and all(abs(a - b) <= 1e-9 for a, b in zip(bins, rust))
    agree = "yes"
    if not ok:
        ys = np.sort(y)
        s_them, s_us = sse(ys, bins), sse(ys, rust)
        agree = (
            f"no:_bins_differ;_within-class_SSE_mapclassify_{s_them:.6f}_vs_Sozialatlas_{s_us:.6f}"
            + ("_(Sozialatlas_optimal)" if s_us <= s_them else "_(mapclassify_better!)")
        )
        print(f"bins differ: mapclassify {bins} vs sozialatlas {rust}", file=sys.stderr)
    print(
        f"RESULT workload=breaks tool=mapclassify n={len(y)} first={first:.6f} import_jit={t_import:.6f} "
        f"median={statistics.median(times):.6f} reps={reps} agree={agree}"
    )


def ward(data_path, n, heights_path, reps):
    import numpy as np
    from scipy.cluster.hierarchy import linkage

    x = np.fromfile(data_path, dtype="<f8").reshape(n, 10)
    rust = np.sort(np.fromfile(heights_path, dtype="<f8"))
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        z = linkage(x, method="ward")
        times.append(time.perf_counter() - t)
    h = np.sort(z[:, 2])
    rel = float(np.max(np.abs(h - rust) / np.maximum(np.abs(h), 1e-300))) if len(h) == len(rust) else float("inf")
    ok = rel <= 1e-9
    print(
        f"RESULT workload=ward tool=scipy n={n} first={times[0]:.6f} "
        f"median={statistics.median(times):.6f} reps={reps} agree={'yes' if ok else 'no'} maxrel={rel:.2e}"
    )


def table(path):
    """RESULTS.tsv: workload, size, ours (s or req/s), competitor, theirs, kind (time|rate),
    goal factor, agree. Ratio = how many times faster Sozialatlas is (or throughput ratio)."""
    print("| workload | size | Sozialatlas | competitor | competitor's | ratio | goal | met | results agree |")
    print("|---|---|---|---|---|---|---|---|---|")
    with open(path, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            workload, size, ours, comp, theirs, kind, goal, agree = row
            ours_f = float(ours) if ours not in ("", "-") else None
            theirs_f = float(theirs) if theirs not in ("", "-") else None
            if kind == "rate":
                fmt = lambda v: f"{v:,.0f} req/s"  # noqa: E731
            else:
                fmt = lambda v: f"{v:.3f} s" if v < 100 else f"{v:.1f} s"  # noqa: E731
            ratio, met = "–", "–"
            if ours_f is not None and theirs_f is not None and ours_f > 0:
                r = ours_f / theirs_f if kind == "rate" else theirs_f / ours_f
                ratio = f"{r:.2f}×" if r < 10 else (f"{r:.1f}×" if r < 100 else f"{r:.0f}×")
                if goal.startswith(">="):
                    met = "yes" if r >= float(goal[2:].rstrip("x×")) else "**no**"
            elif goal.startswith("<") and ours_f is not None:
                met = "yes" if ours_f < float(goal[1:].rstrip("s ")) else "**no**"
            goal_txt = {"": "–"}.get(goal, goal.replace(">=", "≥ ").replace("x", "×") if not goal.startswith("<") else goal)
            print(
                f"| {workload} | {size} | {fmt(ours_f) if ours_f is not None else '–'} | {comp} | "
                f"{fmt(theirs_f) if theirs_f is not None else '–'} | {ratio} | {goal_txt} | {met} | {agree} |"
            )


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "districts":
        districts(*args)
    elif cmd == "areas-csv":
        areas_csv(*args)
    elif cmd == "compare-counts":
        sys.exit(compare_counts(*args))
    elif cmd == "median":
        median(*args)
    elif cmd == "breaks":
        breaks(args[0], args[1], int(args[2]))
    elif cmd == "ward":
        ward(args[0], int(args[1]), args[2], int(args[3]))
    elif cmd == "table":
        table(*args)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
