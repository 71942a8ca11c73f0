"""Time SciPy's linkage(X, method="ward") on the same data as benches/ward.rs.

Command (from the repository root, with the reference venv):

    /work/venv/bin/python crates/analysis/benches/ward_scipy.py [2000 10000 20000]

The data are generated exactly as in benches/ward.rs: SplitMix64 seeded with 42, each draw
mapped to a float in [0, 1) by (x >> 11) * 2**-53, filled row by row into an n x 10 matrix,
plus (row % 7) added to column (row % 10) so that the data have some cluster structure.
Prints the best of 3 wall-clock times per size (1 run for n >= 20,000), for SciPy and, for
comparison, fastcluster.linkage_vector (which needs no distance matrix).
"""

import sys
import time

import numpy as np
from scipy.cluster.hierarchy import linkage

MASK = (1 << 64) - 1
D = 10


def data(n, seed=42):
    state = seed
    out = np.empty(n * D)
    for k in range(n * D):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        out[k] = (z >> 11) * 2.0**-53
    x = out.reshape(n, D)
    for r in range(n):
        x[r, r % D] += r % 7
    return x


def best(f, runs):
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return min(t)


sizes = [int(a) for a in sys.argv[1:]] or [2000, 10000, 20000]
print("checksum: sum of heights", float(linkage(data(200), method="ward")[:, 2].sum()), flush=True)
for n in sizes:
    x = data(n)
    runs = 1 if n >= 20000 else 3
    t = best(lambda: linkage(x, method="ward"), runs)
    line = f"scipy linkage ward n={n}: {t:.3f} s"
    try:
        import fastcluster

        tf = best(lambda: fastcluster.linkage_vector(x, method="ward"), runs)
        line += f"   fastcluster.linkage_vector: {tf:.3f} s"
    except ImportError:
        pass
    print(line, flush=True)
