"""Benchmark: ``siei-xl fill`` from the command line, as a user runs it.

Run on demand (``.venv/bin/python benchmarks/bench_fill.py``); pytest does not collect it.
Times the whole command in a fresh process (wall time, best of 3): start-up, reading the
data, computing, building the workbook with its VBA project, writing it. Two panels from
``../shared/data`` (World Bank WDI, CC BY 4.0), each first written to a wide CSV of two
indicators in a temporary folder:

- focus panel: the 11 countries of ``macro_focus_wide.csv``, 1991-2020 (30 years);
- world panel: every economy of ``macro_long.csv``, every year.

Both with focus KAZ, partners and region RUS, CHN, KGZ, UZB, TKM. ``siei-xl --version``
is timed too: the cost of starting Python and importing the package.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
INDICATORS = ["NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG"]
FOCUS, PARTNERS = "KAZ", "RUS,CHN,KGZ,UZB,TKM"
REPEATS = 3


def command() -> list[str]:
    """The installed ``siei-xl`` beside this Python, else ``python -m siei_xl.cli``."""
    script = Path(sys.executable).with_name("siei-xl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "siei_xl.cli"]


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Best and median wall time of ``REPEATS`` runs, in seconds; fails on an error."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return min(times), statistics.median(times)


def focus_panel(folder: Path) -> Path:
    frame = pd.read_csv(DATA / "macro_focus_wide.csv")
    frame = frame[frame["year"].between(1991, 2020)][["iso3", "year", *INDICATORS]]
    path = folder / "focus_1991_2020.csv"
    frame.to_csv(path, index=False)
    return path


def world_panel(folder: Path) -> Path:
    long = pd.read_csv(DATA / "macro_long.csv")
    long = long[long["indicator"].isin(INDICATORS)]
    wide = long.pivot_table(index=["iso3", "year"], columns="indicator", values="value")
    wide = wide.reset_index()[["iso3", "year", *INDICATORS]]
    path = folder / "world.csv"
    wide.to_csv(path, index=False)
    return path


def describe(path: Path) -> str:
    frame = pd.read_csv(path)
    years = frame["year"]
    return (
        f"{frame['iso3'].nunique()} countries x {years.nunique()} years "
        f"({years.min()}-{years.max()}), {len(frame)} rows"
    )


def main() -> int:
    if not (DATA / "macro_focus_wide.csv").exists() or not (DATA / "macro_long.csv").exists():
        print(f"skipped: data not found in {DATA}")
        return 0
    base = command()
    print(f"siei-xl fill, wall time of the whole command, best (median) of {REPEATS}")
    print(f"command: {' '.join(base)}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    folder = Path(tempfile.mkdtemp(prefix="siei-bench-"))
    try:
        best, median = timed([*base, "--version"], folder)
        print(f"  {'start-up (siei-xl --version)':<64} {best:6.2f} s ({median:.2f} s)")
        for label, path in (
            ("focus panel", focus_panel(folder)),
            ("world panel", world_panel(folder)),
        ):
            out = folder / f"{path.stem}.xlsm"
            argv = [
                *base,
                "fill",
                str(path),
                "-o",
                str(out),
                "--focus",
                FOCUS,
                "--partners",
                PARTNERS,
                "--region",
                PARTNERS,
                "--force",
                "--quiet",
            ]
            best, median = timed(argv, folder)
            size = out.stat().st_size / 1024
            print(f"  {label + ': ' + describe(path):<64} {best:6.2f} s ({median:.2f} s)")
            print(f"  {'':<64} output {size:,.0f} KiB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
