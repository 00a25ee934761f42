"""The SIEI functions for Excel cells (xlwings user-defined functions).

Each function takes the raw values Excel hands over (lists of rows, ``None`` for blanks,
floats for numbers, ``2015.0`` for a year) and never raises for bad input: a failure is
returned as text made of an Excel error code and the reason, e.g.
``"#N/A: country 'KZX' is not in the data (closest: KAZ)"``. In the SIEI workbook the VBA
wrapper turns that text into a real Excel error value (so IFERROR and ISNA work) and keeps
the reason for ``=SIEI_WHY(cell)``.

The help metadata registered by :func:`excel_function` (one line per function, one per
argument, an example) feeds the Function Wizard, the workbook's Help sheet and the docs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import numpy as np
import xlwings as xw

from siei_xl import __version__, exceptions
from siei_xl._defaults import CV_LIMIT
from siei_xl.convergence import (
    group_cv,
    group_cv_series,
    group_distance,
    group_distance_series,
    pair_distance,
    pair_matrix,
    pair_series,
    standardized_table,
)
from siei_xl.excel.cells import (
    as_rows,
    cell_value,
    ddof_arg,
    error_text,
    label_arg,
    labels_arg,
    method_arg,
    number_arg,
    optional_labels,
    panel_from_cells,
    table,
    year_arg,
)
from siei_xl.exceptions import SieiError
from siei_xl.groups import Groups

CATEGORY: Final = "SIEI"
F = TypeVar("F", bound=Callable[..., Any])

# Argument descriptions shared by many functions (each under 255 characters).
DATA = (
    "Data range with a header row: a country column (country/iso3/code), a year column "
    "and one column per indicator. Blank rows are ignored; '..' or blank = missing."
)
INDICATORS = "Optional. Indicator headers to use, as a range or 'gdp, growth'. Default: all."
STANDARDIZE = (
    "Optional. 'yearly' (default): z-scores per year over all countries in the data; "
    "'pooled': over all years."
)
DDOF = "Optional. 1 (default): sample sd as STDEV.S; 0: population sd as STDEV.P."
GROUP = "Group members: a range of country codes (row, column or block) or text 'RUS, CHN'."
YEAR = "Year, e.g. 2015."
NOT_FINITE = "the result is not a finite number; look for extreme values in the data"


@dataclass(frozen=True)
class FunctionHelp:
    """What a user needs to know about one Excel function."""

    name: str
    summary: str
    args: dict[str, str]
    returns: str
    example: str
    spills: bool = False
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def syntax(self) -> str:
        return f"{self.name}({', '.join(self.args)})"


FUNCTIONS: dict[str, FunctionHelp] = {}
"""Every Excel function of the package, by name, in definition order."""


def excel_function(
    summary: str,
    *,
    args: dict[str, str],
    returns: str,
    example: str,
    errors: tuple[str, ...] = (),
    spills: bool = False,
) -> Callable[[F], F]:
    """Register an Excel function: help metadata, xlwings decorators, error contract.

    The decorated function may raise :class:`SieiError`; the wrapper returns it as
    ``"#CODE: reason"`` text. Any other exception is a bug and propagates.
    """

    def decorate(func: F) -> F:
        name = func.__name__
        for text in (summary, *args.values()):
            if len(text) > 255:
                raise ValueError(f"{name}: help text over 255 characters: {text[:40]}...")
        FUNCTIONS[name] = FunctionHelp(name, summary, dict(args), returns, example, spills, errors)

        @functools.wraps(func)
        def wrapper(*call_args: Any) -> Any:
            try:
                result = func(*call_args)
            except SieiError as exc:
                return error_text(exc)
            if isinstance(result, float) and not math.isfinite(result):
                # never a NaN (xlwings shows an empty cell) or an infinity as a result
                return cell_value(result, NOT_FINITE, "#NUM!")
            return result

        wrapper.__doc__ = summary
        # xlwings turns type hints into value converters (Any would break conversion in
        # Excel): the function Excel sees has none.
        wrapper.__annotations__ = {}
        decorated: Any = wrapper
        for arg_name, doc in reversed(list(args.items())):
            options: dict[str, Any] = {"doc": doc}
            if arg_name in {"data", "groups"}:
                options.update(ndim=2, err_to_str=True)
            decorated = xw.arg(arg_name, **options)(decorated)
        return xw.func(category=CATEGORY)(decorated)

    return decorate


# ---------------------------------------------------------------- scalars
@excel_function(
    "Convergence of two countries in a year: Euclidean distance of their standardised "
    "indicators (lower = closer).",
    args={
        "data": DATA,
        "country_a": "First country code, e.g. KAZ (trimmed, any case).",
        "country_b": "Second country code, e.g. RUS.",
        "year": YEAR,
        "indicators": INDICATORS,
        "standardize": STANDARDIZE,
        "ddof": DDOF,
    },
    returns="number",
    example='=SIEI_PAIR(Data!A1:D400, "KAZ", "RUS", 2015)',
    errors=("#N/A unknown country or year, or a missing value", "#DIV/0! constant indicator"),
)
def SIEI_PAIR(
    data: Any,
    country_a: Any,
    country_b: Any,
    year: Any,
    indicators: Any = None,
    standardize: Any = None,
    ddof: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    return pair_distance(
        panel,
        label_arg(country_a, "country_a"),
        label_arg(country_b, "country_b"),
        year_arg(year),
        standardize=method_arg(standardize),
        ddof=ddof_arg(ddof),
    )


@excel_function(
    "Convergence of a country with a group in a year: distance from the country to the "
    "centroid of the group's standardised indicators.",
    args={
        "data": DATA,
        "country": "Country code, e.g. KAZ.",
        "group": GROUP + " Taken as given: if it includes the country, the country counts.",
        "year": YEAR,
        "indicators": INDICATORS,
        "standardize": STANDARDIZE,
        "ddof": DDOF,
    },
    returns="number",
    example='=SIEI_COUNTRYGROUP(Data!A1:D400, "KAZ", "RUS, CHN, KGZ, UZB, TKM", 2015)',
    errors=("#N/A a member or the country lacks a value",),
)
def SIEI_COUNTRYGROUP(
    data: Any,
    country: Any,
    group: Any,
    year: Any,
    indicators: Any = None,
    standardize: Any = None,
    ddof: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    return group_distance(
        panel,
        label_arg(country, "country"),
        labels_arg(group, "group"),
        year_arg(year),
        standardize=method_arg(standardize),
        ddof=ddof_arg(ddof),
    )


@excel_function(
    "Convergence within a group in a year: mean over indicators of |sd / mean| of the raw "
    "values (lower = more alike).",
    args={
        "data": DATA,
        "group": GROUP + " At least 2 countries.",
        "year": YEAR,
        "indicators": INDICATORS,
        "ddof": DDOF,
        "cv_limit": "Optional. Refuse an indicator whose |CV| exceeds this (group mean near "
        "zero). Default 10.",
    },
    returns="number",
    example='=SIEI_GROUPCV(Data!A1:D400, "RUS, CHN, KGZ, UZB, TKM", 2015)',
    errors=("#DIV/0! group mean near zero, or fewer than 2 members",),
)
def SIEI_GROUPCV(
    data: Any,
    group: Any,
    year: Any,
    indicators: Any = None,
    ddof: Any = None,
    cv_limit: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    return group_cv(
        panel,
        labels_arg(group, "group"),
        year_arg(year),
        ddof=ddof_arg(ddof),
        cv_limit=number_arg(cv_limit, "cv_limit", CV_LIMIT),
    )


# ----------------------------------------------------------------- arrays
@excel_function(
    "Distance between two countries for every year of the data. Spills two columns: "
    "year, distance.",
    args={
        "data": DATA,
        "country_a": "First country code.",
        "country_b": "Second country code.",
        "indicators": INDICATORS,
        "standardize": STANDARDIZE,
        "ddof": DDOF,
    },
    returns="table: year, distance",
    example='=SIEI_PAIR_SERIES(Data!A1:D400, "KAZ", "RUS")',
    spills=True,
)
def SIEI_PAIR_SERIES(
    data: Any,
    country_a: Any,
    country_b: Any,
    indicators: Any = None,
    standardize: Any = None,
    ddof: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    frame = pair_series(
        panel,
        label_arg(country_a, "country_a"),
        label_arg(country_b, "country_b"),
        standardize=method_arg(standardize),
        ddof=ddof_arg(ddof),
    )
    return _series(frame, "distance")


@excel_function(
    "Distance from a country to a group's centroid for every year. Spills two columns: "
    "year, distance.",
    args={
        "data": DATA,
        "country": "Country code.",
        "group": GROUP,
        "indicators": INDICATORS,
        "standardize": STANDARDIZE,
        "ddof": DDOF,
    },
    returns="table: year, distance",
    example='=SIEI_COUNTRYGROUP_SERIES(Data!A1:D400, "KAZ", Settings!B6:B10)',
    spills=True,
)
def SIEI_COUNTRYGROUP_SERIES(
    data: Any,
    country: Any,
    group: Any,
    indicators: Any = None,
    standardize: Any = None,
    ddof: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    frame = group_distance_series(
        panel,
        label_arg(country, "country"),
        labels_arg(group, "group"),
        standardize=method_arg(standardize),
        ddof=ddof_arg(ddof),
    )
    return _series(frame, "distance")


@excel_function(
    "Mean absolute coefficient of variation within a group for every year. Spills two "
    "columns: year, cv.",
    args={
        "data": DATA,
        "group": GROUP,
        "indicators": INDICATORS,
        "ddof": DDOF,
        "cv_limit": "Optional. Refuse |CV| above this (group mean near zero). Default 10.",
    },
    returns="table: year, cv",
    example='=SIEI_GROUPCV_SERIES(Data!A1:D400, "RUS, CHN, KGZ, UZB, TKM")',
    spills=True,
)
def SIEI_GROUPCV_SERIES(
    data: Any,
    group: Any,
    indicators: Any = None,
    ddof: Any = None,
    cv_limit: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    frame = group_cv_series(
        panel,
        labels_arg(group, "group"),
        ddof=ddof_arg(ddof),
        cv_limit=number_arg(cv_limit, "cv_limit", CV_LIMIT),
    )
    return _series(frame, "cv")


@excel_function(
    "All-pairs distance matrix of a year, labelled with country codes. Spills a square table.",
    args={
        "data": DATA,
        "year": YEAR,
        "countries": "Optional. Countries for rows and columns, in order. Default: all with "
        "every indicator that year.",
        "indicators": INDICATORS,
        "standardize": STANDARDIZE,
        "ddof": DDOF,
    },
    returns="labelled square table",
    example="=SIEI_PAIR_MATRIX(Data!A1:D400, 2015)",
    spills=True,
)
def SIEI_PAIR_MATRIX(
    data: Any,
    year: Any,
    countries: Any = None,
    indicators: Any = None,
    standardize: Any = None,
    ddof: Any = None,
) -> Any:
    panel = panel_from_cells(data, indicators)
    y = year_arg(year)
    method, dd = method_arg(standardize), ddof_arg(ddof)
    frame = pair_matrix(panel, y, countries=optional_labels(countries), standardize=method, ddof=dd)
    labels = list(frame.index)

    def entry(a: str, b: str, value: float) -> object:
        if math.isfinite(value):
            return float(value)
        try:  # the pair's own error names the country, indicator and year lacking a value
            pair_distance(panel, a, b, y, standardize=method, ddof=dd)
        except SieiError as exc:
            return error_text(exc)
        return cell_value(value)

    rows = [
        [a, *(entry(a, b, v) for b, v in zip(labels, values, strict=True))]
        for a, values in zip(labels, frame.to_numpy(), strict=True)
    ]
    return table(["country", *labels], rows)


@excel_function(
    "The z-scores the distances are built on: the data table with every indicator "
    "standardised. Spills country, year and one column per indicator.",
    args={"data": DATA, "standardize": STANDARDIZE, "ddof": DDOF},
    returns="table: country, year, z-scores",
    example='=SIEI_STANDARDIZE(Data!A1:D400, "yearly", 1)',
    spills=True,
)
def SIEI_STANDARDIZE(data: Any, standardize: Any = None, ddof: Any = None) -> Any:
    panel = panel_from_cells(data)
    frame = standardized_table(panel, standardize=method_arg(standardize), ddof=ddof_arg(ddof))
    rows = []
    for record in frame.itertuples(index=False, name=None):
        country, year, *zs = record
        cells = [
            cell_value(float(z), f"{country} {year}: {name} missing or undefined")
            for z, name in zip(zs, panel.indicators, strict=True)
        ]
        rows.append([country, float(year), *cells])
    return table(["country", "year", *panel.indicators], rows)


# ------------------------------------------------------------- utilities
@excel_function(
    "Members of a named group in a year, read from a groups table (group, country, from, "
    "to). Spills one column; use it as the group of other SIEI functions.",
    args={
        "groups": "Groups range with a header row: group, country, and optional from and to years.",
        "name": "Group name, e.g. EAEU.",
        "year": YEAR,
    },
    returns="column of country codes",
    example='=SIEI_GROUP_MEMBERS(Groups!A1:D50, "EAEU", 2015)',
    spills=True,
)
def SIEI_GROUP_MEMBERS(groups: Any, name: Any, year: Any) -> Any:
    rows = as_rows(groups)
    book = Groups.from_rows(rows[0], rows[1:]) if rows else Groups({})
    members = book.members(label_arg(name, "name"), year_arg(year))
    if not members:
        return f"#N/A: group {label_arg(name, 'name')!r} has no members in {year_arg(year)}"
    return [[m] for m in members]


@excel_function(
    "Checks a data range and describes it: countries, years and indicators found, or the "
    "first problem as an error.",
    args={"data": DATA},
    returns="text",
    example="=SIEI_DATA_INFO(Data!A1:D400)",
)
def SIEI_DATA_INFO(data: Any) -> Any:
    panel = panel_from_cells(data)
    missing = int(np.isnan(panel.values).sum())
    total = panel.values.size
    return (
        f"OK: {len(panel.countries)} countries, {len(panel.years)} years "
        f"({panel.years[0]}-{panel.years[-1]}), {len(panel.indicators)} indicators "
        f"({', '.join(panel.indicators)}); {missing} of {total} values missing"
    )[:255]


@excel_function(
    "The version of siei_xl and of xlwings behind these functions.",
    args={},
    returns="text",
    example="=SIEI_VERSION()",
)
def SIEI_VERSION() -> Any:
    return f"siei_xl {__version__} (xlwings {xw.__version__})"


def _series(frame: Any, column: str) -> list[list[object]]:
    """A year series as a spilling table; a year that failed shows its own error."""
    rows = []
    for year, value, note, error in zip(
        frame["year"], frame[column], frame["note"], frame["error"], strict=True
    ):
        code = getattr(exceptions, error).excel_code if error else "#N/A"
        rows.append([float(year), cell_value(float(value), note, code)])
    return table(["year", column], rows)
