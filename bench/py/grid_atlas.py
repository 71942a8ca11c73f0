"""Writes a seeded atlas folder of a square grid for the scale workload (bench/scale.sh, issue 19).

    python3 bench/py/grid_atlas.py OUT_DIR CELLS [--seed 42] [--small-counts] [--files K]

N 100 m cells in EPSG:3035 (ETRS89-LAEA, the grid of the German census), row by row, 10 ×
10 cells to a block (a 1 km cell), the blocks in one city. Keys in the INSPIRE grid's form
(`CRS3035RES100mN…E…`, `CRS3035RES1000mN…E…`). Ten count variables of the Flensburg example's
catalogue for 2021–2023 and eight of its indicators. Standard library only, deterministic from
the seed (random.Random, Mersenne Twister).

Counts: residents per cell are log-normal (median 15), the other counts binomial shares of them,
so many cells hold counts of 1 and 2, as real small areas do (`--small-counts`: heavy primary
and secondary suppression). Without it, every count of 1 or 2 is raised to 3, so nothing is
suppressed and the workload measures reading, computing and writing alone.
"""

import argparse
import math
import os
import random

CELL = 100  # metres
BLOCK = 10  # cells a side of a block
E0, N0 = 4_200_000, 3_300_000  # south-west corner, EPSG:3035 (Lower Saxony)
YEARS = (2021, 2022, 2023)
VARIABLES = (
    "residents_under_18",
    "residents_18_to_64",
    "residents_65_plus",
    "births",
    "migration_foreign",
    "migration_german",
    "employed_svb",
    "unemployed",
    "sgb2_beneficiaries",
    "housing_benefit_recipients",
)


def binomial(rng, n, p):
    """A binomial draw: Bernoulli sum for small n, a rounded normal approximation above."""
    if n <= 0:
        return 0
    if n < 60:
        return sum(1 for _ in range(n) if rng.random() < p)
    x = round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return min(n, max(0, x))


def cell_counts(rng, residents, small):
    """The ten counts of one cell and year, in the order of VARIABLES. Unless `small`, a count
    of 1 or 2 becomes 3, or 0 where 3 would exceed the count it is a share of (so that no
    numerator grows past its denominator)."""
    def raise_(c, cap=None):
        if small or not 0 < c < 3:
            return c
        return 3 if cap is None or cap >= 3 else 0

    u18 = raise_(binomial(rng, residents, 0.17))
    o65 = raise_(binomial(rng, max(0, residents - u18), 0.26))
    mid = raise_(max(0, residents - u18 - o65))
    total = u18 + mid + o65
    foreign = raise_(binomial(rng, total, 0.12), total)
    german_mig = raise_(binomial(rng, total - foreign, 0.10), total - foreign)
    return (
        u18,
        mid,
        o65,
        raise_(binomial(rng, u18, 0.06)),
        foreign,
        german_mig,
        raise_(binomial(rng, mid, 0.62), mid),
        raise_(binomial(rng, mid, 0.05), mid),
        raise_(binomial(rng, u18 + mid, 0.09), u18 + mid),
        raise_(binomial(rng, total, 0.02), total),
    )


def cell_key(res, n, e):
    return f"CRS3035RES{res}mN{n}E{e}"


def square(e, n, size):
    ring = [[e, n], [e + size, n], [e + size, n + size], [e, n + size], [e, n]]
    return '{"type":"Polygon","coordinates":[' + str(ring).replace(" ", "") + "]}"


def write_geojson(path, features):
    """features: (properties JSON text, geometry JSON text)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","crs":{"type":"name","properties":'
                '{"name":"urn:ogc:def:crs:EPSG::3035"}},"features":[\n')
        first = True
        for props, geom in features:
            if not first:
                f.write(",\n")
            first = False
            f.write('{"type":"Feature","properties":' + props + ',"geometry":' + geom + "}")
        f.write("\n]}\n")


CATALOGUE_VARIABLES = {
    "residents_under_18": ("Einwohner/-innen unter 18 Jahren", "Residents under 18"),
    "residents_18_to_64": ("Einwohner/-innen von 18 bis unter 65 Jahren", "Residents aged 18 to under 65"),
    "residents_65_plus": ("Einwohner/-innen ab 65 Jahren", "Residents aged 65 and over"),
    "births": ("Lebendgeborene", "Live births"),
    "migration_foreign": ("Personen mit ausländischer Staatsangehörigkeit", "Residents with foreign citizenship"),
    "migration_german": ("Deutsche mit Migrationshintergrund", "Germans with a migration background"),
    "employed_svb": ("Sozialversicherungspflichtig Beschäftigte am Wohnort", "Employees subject to social insurance"),
    "unemployed": ("Arbeitslose", "Unemployed persons"),
    "sgb2_beneficiaries": ("Regelleistungsberechtigte nach SGB II", "SGB II benefit recipients"),
    "housing_benefit_recipients": ("Wohngeldempfänger/-innen", "Housing benefit recipients"),
}
SUMS = {
    "residents": ("Einwohner/-innen", "Residents", ["residents_under_18", "residents_18_to_64", "residents_65_plus"]),
    "residents_under_65": ("Einwohner/-innen unter 65 Jahren", "Residents under 65", ["residents_under_18", "residents_18_to_64"]),
    "migration_background": ("Personen mit Migrationshintergrund", "Residents with a migration background", ["migration_foreign", "migration_german"]),
}
# id, German name, English name, unit, formula, numerator, denominator, factor, polarity
INDICATORS = (
    ("einwohner", "Einwohner/-innen", "Residents", "Personen", "count", "residents", None, None, "neutral"),
    ("dichte", "Bevölkerungsdichte", "Population density", "Einw. je km²", "density", "residents", None, None, "neutral"),
    ("anteil_u18", "Anteil unter 18-Jährige", "Share of residents under 18", "%", "ratio", "residents_under_18", "residents", 100, "neutral"),
    ("anteil_65plus", "Anteil ab 65-Jährige", "Share of residents 65 and over", "%", "ratio", "residents_65_plus", "residents", 100, "neutral"),
    ("altenquotient", "Altenquotient", "Old-age dependency ratio", "je 100", "quotient", "residents_65_plus", "residents_18_to_64", 100, "neutral"),
    ("migrationshintergrund", "Anteil mit Migrationshintergrund", "Share with a migration background", "%", "ratio", "migration_background", "residents", 100, "neutral"),
    ("arbeitslosenanteil", "Arbeitslosenanteil", "Unemployment share", "%", "ratio", "unemployed", "residents_18_to_64", 100, "higher_is_worse"),
    ("sgb2_quote", "SGB-II-Quote", "SGB II rate", "%", "ratio", "sgb2_beneficiaries", "residents_under_65", 100, "higher_is_worse"),
)


def catalogue():
    out = ['# Written by bench/py/grid_atlas.py: ten counts and eight indicators of the Flensburg example.',
           'version = "bench"', "",
           '[[dimension]]', 'id = "bevoelkerung"', 'name = { de = "Bevölkerung", en = "Population" }', "",
           '[[dimension]]', 'id = "sozial"', 'name = { de = "Soziale Lage", en = "Social situation" }', ""]
    for vid, (de, en) in CATALOGUE_VARIABLES.items():
        out += ["[[variable]]", f'id = "{vid}"', f'name = {{ de = "{de}", en = "{en}" }}', 'source = "Benchmark (synthetic)"', ""]
    for vid, (de, en, parts) in SUMS.items():
        out += ["[[variable]]", f'id = "{vid}"', f'name = {{ de = "{de}", en = "{en}" }}',
                "sum = [" + ", ".join(f'"{p}"' for p in parts) + "]", ""]
    for iid, de, en, unit, formula, num, den, factor, polarity in INDICATORS:
        dim = "bevoelkerung" if polarity == "neutral" else "sozial"
        out += ["[[indicator]]", f'id = "{iid}"', f'name = {{ de = "{de}", en = "{en}" }}', f'dimension = "{dim}"',
                f'unit = "{unit}"', f'formula = "{formula}"']
        out.append(f'variable = "{num}"' if formula == "count" else f'numerator = "{num}"')
        if den:
            out.append(f'denominator = "{den}"')
        if factor:
            out.append(f"factor = {factor}")
        out += [f'polarity = "{polarity}"', 'definition = { de = "Synthetische Werte.", en = "Synthetic values." }',
                'source = "Benchmark (synthetic)"', ""]
    return "\n".join(out)


def atlas_toml(n, small, files):
    data = []
    for i in range(files):
        data += ["[[data]]", f'file = "{data_file(i, files)}"', 'level = "zelle"', 'area = "zelle"', 'period = "jahr"',
                 "[data.variables]"] + [f'{v} = "{v}"' for v in VARIABLES] + [""]
    return "\n".join([
        f"# {n} cells of 100 m, written by `bench/py/grid_atlas.py` ({'small counts' if small else 'counts of 1 and 2 raised to 3'}).",
        "[atlas]",
        f'name = {{ de = "Raster {n} Zellen (Benchmark)", en = "Grid of {n} cells (benchmark)" }}',
        'city = "Benchmark"', 'catalogue = "catalogue.toml"', 'stand = "31.12.2023"', "",
        "[settings]", "suppression_threshold = 3", 'population_variable = "residents"', "min_population = 30", "",
        "[[level]]", 'id = "stadt"', 'name = { de = "Stadt", en = "City" }', 'areas = [{ key = "0", name = "Benchmark" }]', "",
        "[[level]]", 'id = "block"', 'name = { de = "Block (1 km)", en = "Block (1 km)" }', 'parent = "stadt"',
        'boundaries = "blocks.geojson"', 'key = "id"', "",
        "[[level]]", 'id = "zelle"', 'name = { de = "Zelle (100 m)", en = "Cell (100 m)" }', 'parent = "block"',
        'boundaries = "cells.geojson"', 'key = "id"', 'parent_key = "block"', "",
    ] + data)


def data_file(i, files):
    return "data.csv" if files == 1 else f"data_{i + 1:03}.csv"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("cells", type=int)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--small-counts", action="store_true")
    ap.add_argument("--files", type=int, default=1, help="data files, the cells split between them")
    a = ap.parse_args()
    n = a.cells
    width = BLOCK * math.ceil(math.sqrt(n) / BLOCK)  # cells a row, whole blocks
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    cells = []  # (key, block key, easting, northing)
    blocks = {}
    for i in range(n):
        col, row = i % width, i // width
        e, nn = E0 + col * CELL, N0 + row * CELL
        be, bn = E0 + (col // BLOCK) * BLOCK * CELL, N0 + (row // BLOCK) * BLOCK * CELL
        bkey = cell_key(1000, bn, be)
        blocks.setdefault(bkey, (be, bn))
        cells.append((cell_key(100, nn, e), bkey, e, nn))
    write_geojson(os.path.join(a.out, "cells.geojson"),
                  ((f'{{"id":"{k}","block":"{b}"}}', square(e, nn, CELL)) for k, b, e, nn in cells))
    write_geojson(os.path.join(a.out, "blocks.geojson"),
                  ((f'{{"id":"{k}"}}', square(e, nn, BLOCK * CELL)) for k, (e, nn) in blocks.items()))
    handles = [open(os.path.join(a.out, data_file(i, a.files)), "w", encoding="utf-8") for i in range(a.files)]
    for h in handles:
        h.write("zelle,jahr," + ",".join(VARIABLES) + "\n")
    per_file = math.ceil(n / a.files)
    for i, (key, _, _, _) in enumerate(cells):
        residents = max(1, round(math.exp(rng.gauss(math.log(15), 1.0))))
        for year in YEARS:
            counts = cell_counts(rng, residents, a.small_counts)
            handles[i // per_file].write(f"{key},{year}," + ",".join(map(str, counts)) + "\n")
            residents = max(1, residents + round(rng.gauss(0, 0.04 * residents)))
    for h in handles:
        h.close()
    with open(os.path.join(a.out, "catalogue.toml"), "w", encoding="utf-8") as f:
        f.write(catalogue())
    with open(os.path.join(a.out, "atlas.toml"), "w", encoding="utf-8") as f:
        f.write(atlas_toml(n, a.small_counts, a.files))
    print(f"{a.out}: {n} cells ({width} a row), {len(blocks)} blocks, {a.files} data file(s), seed {a.seed}")


if __name__ == "__main__":
    main()
