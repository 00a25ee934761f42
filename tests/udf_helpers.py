"""Raw cell ranges as Excel hands them to the SIEI functions (xlwings UDFs), for tests.

xlwings gives a UDF a range as a list of rows, ``None`` for a blank (and for an error cell,
unless the argument reads errors as text: ``'#N/A'``), a float for every number (a year is
``2015.0``), ``True``/``False`` for booleans and ``str`` for text. The helpers here build
such ranges from a DataFrame (the example panel, or the real data in ``../shared/data``)
and read the functions' answers.

>>> rows = example_rows()
>>> rows[0], rows[1]
(['country', 'year', 'gdp_pc_ppp', 'gdp_growth'], ['KAZ', 1995.0, 8200.0, -5.4])
>>> error_code("#N/A: country 'KZX' is not in the data"), error_code(1.5)
('#N/A', None)
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

import siei_xl as siei

Rows = list[list[object]]

ERROR_CODES = ("#N/A", "#VALUE!", "#NUM!", "#DIV/0!")
"""The error codes a SIEI function may answer with, as text before ``': reason'``."""
_ERROR = re.compile(r"(#N/A|#VALUE!|#NUM!|#DIV/0!): \S")

EXAMPLE_HEADER = ("country", "year", "gdp_pc_ppp", "gdp_growth")
EXAMPLE_COUNTRIES = ("KAZ", "RUS", "CHN", "KGZ", "UZB", "TKM", "TJK", "MNG")
EXAMPLE_YEARS = tuple(range(1995, 2025))

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL_WIDE = SHARED_DATA / "macro_focus_wide.csv"
REAL_INDICATORS = ("NY.GDP.PCAP.PP.CD", "NY.GDP.MKTP.KD.ZG")


def cell(value: object) -> object:
    """One value as Excel delivers it: None for blank/NaN, float for any number."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    return value


def frame_rows(frame: pd.DataFrame) -> Rows:
    """A DataFrame as a sheet range: the header row, then one row of cells per record."""
    header: list[object] = [str(c) for c in frame.columns]
    body = [[cell(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    return [header, *body]


def example_rows() -> Rows:
    """The built-in example panel as raw cells: 241 rows (header + 8 countries x 30 years)."""
    return frame_rows(siei.example_frame())


def copy_rows(rows: Sequence[Sequence[object]]) -> Rows:
    """New list objects with the same content, as Excel builds for every call."""
    return [list(row) for row in rows]


def set_cell(rows: Sequence[Sequence[object]], row: int, column: int, value: object) -> Rows:
    """A copy of ``rows`` with one cell changed (row 0 is the header)."""
    out = copy_rows(rows)
    out[row][column] = value
    return out


def find_row(rows: Sequence[Sequence[object]], country: str, year: int) -> int:
    """Position in ``rows`` of a country-year of a table laid out as the example."""
    for i, row in enumerate(rows[1:], start=1):
        if row[0] == country and row[1] == year:
            return i
    raise LookupError(f"{country} {year} is not in the rows")


def blank_rows(n: int, width: int = 4) -> Rows:
    """``n`` rows of blanks, as the unused part of a generously selected range."""
    return [[None] * width for _ in range(n)]


def shuffled(rows: Sequence[Sequence[object]], seed: int = 0) -> Rows:
    """The header, then the data rows in a random (reproducible) order."""
    body = copy_rows(rows[1:])
    random.Random(seed).shuffle(body)
    return [list(rows[0]), *body]


def column(values: Iterable[object]) -> Rows:
    """A one-column range ``[[a], [b], ...]``."""
    return [[v] for v in values]


def with_frame_value(
    frame: pd.DataFrame, country: str, year: int, indicator: str, value: object
) -> pd.DataFrame:
    """A copy of a wide frame with one value replaced (for the pandas side of a test)."""
    out = frame.copy()
    where = (out["country"] == country) & (out["year"] == year)
    out[indicator] = out[indicator].astype(object)
    out.loc[where, indicator] = value
    return out


def error_code(result: object) -> str | None:
    """The Excel error code of a ``'#CODE: reason'`` answer, or None for anything else."""
    if isinstance(result, str):
        match = _ERROR.match(result)
        if match:
            return match.group(1)
    return None


def is_plain_number(value: object) -> bool:
    """A finite Python float (not a numpy scalar, which is not a COM type)."""
    return type(value) is float and math.isfinite(value)


def real_frame(
    indicators: Sequence[str] = REAL_INDICATORS, years: tuple[int, int] = (1995, 2024)
) -> pd.DataFrame | None:
    """The 11 focus countries of the real data (iso3, country name, year, indicators).

    None when ``../shared/data`` is absent (a fresh clone): callers skip.
    """
    if not REAL_WIDE.exists():
        return None
    frame = pd.read_csv(REAL_WIDE)
    frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
    return frame[["iso3", "country", "year", *indicators]].reset_index(drop=True)


def extended_example(n_countries: int = 11) -> pd.DataFrame:
    """The example frame with made-up extra countries (scaled copies), for benchmarks."""
    frame = siei.example_frame()
    parts = [frame]
    sources = list(EXAMPLE_COUNTRIES)
    for i in range(n_countries - len(sources)):
        extra = frame[frame["country"] == sources[i % len(sources)]].copy()
        extra["country"] = f"X{i:02d}"
        extra["gdp_pc_ppp"] = extra["gdp_pc_ppp"] * (1.1 + 0.1 * i)
        extra["gdp_growth"] = extra["gdp_growth"] + 0.5 * (i + 1)
        parts.append(extra)
    return pd.concat(parts, ignore_index=True)


def formulas_and_values(
    path: Path,
) -> tuple[dict[str, list[list[object]]], dict[str, list[list[object]]]]:
    """Every sheet of a workbook twice, as rows: the formulas as typed, and the values
    stored with them (what a viewer shows before recalculating)."""
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        text = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in formulas}
        cached = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in values}
    finally:
        formulas.close()
        values.close()
    return text, cached
