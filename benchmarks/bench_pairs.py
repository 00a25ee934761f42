"""Benchmark: all-pairs distances of the world, every year, against bare scipy.

Run on demand (``make bench`` or ``.venv/bin/python benchmarks/bench_pairs.py``); pytest
does not collect it. Reads ``../shared/data/macro_long.csv`` (World Bank WDI, CC BY 4.0),
builds the panel of every economy with data for 1995-2024, and times

- ours: ``siei_xl.pair_matrices`` on a fresh Panel each repeat (so its standardisation
  cache does not help): yearly z-scores of the universe, then one distance matrix per year;
- scipy: ``scipy.spatial.distance.cdist`` alone, every year, on points standardised
  beforehand (the floor: nothing but the distances).

The goal is ours / scipy <= 1.5: the engine's bookkeeping (labels, options, missing values,
standardisation) should cost less than half of the arithmetic it wraps.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

import siei_xl as siei
from siei_xl import core

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "macro_long.csv"
FIRST_YEAR, LAST_YEAR = 1995, 2024
REPEATS = 15
GOAL = 1.5
TWO = ["NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"]
TEN = [
    *TWO,
    "NY.GDP.PCAP.CD",
    "NY.GDP.PCAP.KD",
    "NY.GDP.PCAP.KD.ZG",
    "SP.POP.TOTL",
    "FP.CPI.TOTL.ZG",
    "NY.GDP.DEFL.KD.ZG",
    "NE.EXP.GNFS.ZS",
    "NE.IMP.GNFS.ZS",
]


def timed(function: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """Best and median wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def read_world(indicators: list[str]) -> tuple[siei.Panel, dict[str, float]]:
    """The world panel for 1995-2024, with the time of each reading step."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    long = pd.read_csv(DATA, dtype={"value": float})
    seconds["pandas read_csv (103k rows)"] = time.perf_counter() - start
    start = time.perf_counter()
    window = long[long["year"].between(FIRST_YEAR, LAST_YEAR)]
    panel = siei.Panel.from_long(window, indicators=indicators, description=DATA.name)
    seconds["Panel.from_long (window, parsed)"] = time.perf_counter() - start
    return panel, seconds


def fresh(panel: siei.Panel) -> siei.Panel:
    """A new Panel over the same cube: nothing cached."""
    return siei.Panel(panel.values, panel.countries, panel.years, panel.indicators)


def bench(indicators: list[str]) -> float:
    panel, reading = read_world(indicators)
    n_c, n_t, n_k = panel.values.shape
    print(f"\n{n_k} indicators: {panel}")
    print(f"  {n_c} economies x {n_t} years; pairs per year {n_c * (n_c - 1) // 2:,}")
    for step, seconds in reading.items():
        print(f"  read: {step:<36} {seconds * 1e3:8.1f} ms")

    panels = [fresh(panel) for _ in range(REPEATS)]
    queue = iter(panels)
    ours = timed(lambda: siei.pair_matrices(next(queue)))

    points = core.standardize(panel.values).points
    slices = [np.ascontiguousarray(points[:, t]) for t in range(n_t)]

    def scipy_only() -> list[np.ndarray]:
        return [cdist(z, z, "euclidean") for z in slices]

    floor = timed(scipy_only)

    # the two must agree, or the timing compares different work
    result = siei.pair_matrices(fresh(panel)).distances
    np.testing.assert_allclose(result, np.stack(scipy_only()), rtol=1e-12)

    standardize_only = timed(lambda: core.standardize(panel.values))
    ratio_best, ratio_median = ours[0] / floor[0], ours[1] / floor[1]
    for what, (best, median) in [
        ("ours  (standardise + matrices)", ours),
        ("scipy (cdist only, every year)", floor),
        ("of which core.standardize     ", standardize_only),
    ]:
        print(f"  {what}: best {best * 1e3:7.2f} ms, median {median * 1e3:7.2f} ms")
    verdict = "ok" if ratio_best <= GOAL else f"ABOVE the goal of {GOAL}"
    print(f"  ratio ours/scipy: best {ratio_best:.2f}, median {ratio_median:.2f} ({verdict})")
    return ratio_best


def main() -> int:
    if not DATA.exists():
        print(f"bench_pairs: {DATA} not found; the benchmark needs ../shared/data", file=sys.stderr)
        return 1
    print(f"siei_xl {siei.__version__}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"data: {DATA} ({FIRST_YEAR}-{LAST_YEAR}); {REPEATS} repeats, times per full run")
    start = time.perf_counter()
    siei.read_panel(DATA)
    seconds = time.perf_counter() - start
    print(f"read_panel of the whole file (all years, 16 indicators): {seconds:.2f} s")
    ratios = [bench(TWO), bench(TEN)]
    return 0 if max(ratios) <= GOAL else 2


if __name__ == "__main__":
    sys.exit(main())
