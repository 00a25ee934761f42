"""Benchmark: the whole EAEU report (``siei-xl report``) on the shared real data.

Run on demand (``.venv/bin/python benchmarks/bench_report.py``); pytest does not collect it.
Times the command in a fresh process (wall time, best and median of 3), as a user runs it:
start-up, reading ``macro_long.csv`` (217 economies, 16 WDI indicators, 1990-2025) and the
IMF DOTS trade file, every block for the EAEU (ARM, BLR, KAZ, KGZ, RUS) over 2010-2024,
consolidated indices, sigma/beta, and writing the workbook, the HTML and the PDF, in
English and in Russian. The target is under 30 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REPEATS = 3


def main() -> None:
    macro, trade = DATA / "macro_long.csv", DATA / "trade_dots_core_bilateral.csv"
    if not (macro.exists() and trade.exists()):
        raise SystemExit(f"shared data not found in {DATA}")
    script = Path(sys.executable).with_name("siei-xl")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "siei_xl.cli"]
    with tempfile.TemporaryDirectory(prefix="siei-bench-") as tmp:
        groups = Path(tmp, "groups.csv")
        groups.write_text(
            "group,country,from\n"
            + "".join(f"EAEU,{c},2015\n" for c in ("RUS", "KAZ", "BLR", "ARM", "KGZ")),
            encoding="utf-8",
        )
        for lang in ("en", "ru"):
            times = []
            for k in range(REPEATS):
                argv = [
                    *base,
                    "report",
                    str(macro),
                    "--flows",
                    str(trade),
                    "--group",
                    "EAEU",
                    "--groups",
                    str(groups),
                    "--years",
                    "2010-2024",
                    "-o",
                    str(Path(tmp, f"{lang}{k}")),
                    "--lang",
                    lang,
                    "--quiet",
                ]
                start = time.perf_counter()
                done = subprocess.run(argv, capture_output=True, text=True, check=False)
                times.append(time.perf_counter() - start)
                if done.returncode != 0:
                    raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
            print(
                f"EAEU report 2010-2024 ({lang}): best {min(times):.1f} s, "
                f"median {statistics.median(times):.1f} s over {REPEATS} runs"
            )


if __name__ == "__main__":
    main()
