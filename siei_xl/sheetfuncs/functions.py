"""The SIEI spreadsheet functions, defined once for Excel and LibreOffice Calc.

Each function takes the raw values a spreadsheet hands over (lists or tuples of rows,
``None`` or ``''`` for blanks, floats for numbers, ``2015.0`` for a year) and raises
:class:`~siei_xl.exceptions.SieiError` for a user's mistake; the hosts call it through
:func:`siei_xl.sheetfuncs.spec.evaluate`, which turns that into text made of a spreadsheet
error code and the reason, e.g. ``"#N/A: country 'KZX' is not in the data (closest: KAZ)"``.
Excel's VBA wrapper and the Calc add-in turn that text into a real error value and keep the
reason for ``SIEI_WHY``.

The help metadata registered by :func:`~siei_xl.sheetfuncs.spec.sheet_function` (one line
per function, one per argument, an example) feeds Excel's Function Wizard, Calc's Function
Wizard, the workbook's Help sheet and the docs. Nothing here imports a host's library.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from siei_xl import __version__, exceptions
from siei_xl._defaults import CV_LIMIT
from siei_xl.convergence import (
    group_cv,
    group_cv_series,
    group_distance,
    group_distance_series,
    pair_distance,
    pair_matrix_values,
    pair_series,
    standardized_table,
)
from siei_xl.exceptions import SieiError
from siei_xl.groups import Groups
from siei_xl.labels import label_text
from siei_xl.sheetfuncs.cells import (
    as_rows,
    cached_table,
    cell_value,
    ddof_arg,
    error_text,
    expert_summary_from_cells,
    is_missing_arg,
    label_arg,
    labels_arg,
    method_arg,
    number_arg,
    one_value,
    optional_labels,
    panel_from_cells,
    panel_with_key,
    table,
    trim_blank_rows,
    year_arg,
)
from siei_xl.sheetfuncs.spec import sheet_function

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


# ---------------------------------------------------------------- scalars
@sheet_function(
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


@sheet_function(
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


@sheet_function(
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
@sheet_function(
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


@sheet_function(
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


@sheet_function(
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


@sheet_function(
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
    panel, content = panel_with_key(data, indicators)
    y = year_arg(year)
    method, dd = method_arg(standardize), ddof_arg(ddof)
    chosen = optional_labels(countries)

    def build() -> list[list[object]]:
        labels, values = pair_matrix_values(panel, y, countries=chosen, standardize=method, ddof=dd)
        # Whole rows at C speed (tolist gives plain floats); only the few gaps are visited
        # one by one, each with its pair's own error naming what lacks a value.
        body: list[list[object]] = values.tolist()
        finite = np.isfinite(values)
        # all() first: searching a gapless 199 x 199 matrix for gaps costs ten times more
        gaps = () if finite.all() else zip(*np.nonzero(~finite), strict=True)
        for i, j in gaps:
            pair = labels[i], labels[j]
            body[i][j] = _matrix_gap(panel, *pair, y, method, dd, float(values[i, j]))
        for a, row in zip(labels, body, strict=True):
            row.insert(0, a)
        return [["country", *labels], *body]

    # Built once per range content and options: a recalculation that hands over the same
    # cells gets the finished table (new row lists), not 40,000 new floats again.
    key = ("SIEI_PAIR_MATRIX", *content, y, None if chosen is None else tuple(chosen), method, dd)
    return cached_table(key, build)


def _matrix_gap(panel: Any, a: str, b: str, year: int, method: str, ddof: int, value: float) -> str:
    """The error text of one pair the matrix has no distance for."""
    try:
        pair_distance(panel, a, b, year, standardize=method, ddof=ddof)
    except SieiError as exc:
        return error_text(exc)
    return str(cell_value(value))


@sheet_function(
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
@sheet_function(
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


@sheet_function(
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


@sheet_function(
    "The version of siei_xl and of xlwings behind these functions.",
    args={},
    returns="text",
    example="=SIEI_VERSION()",
)
def SIEI_VERSION() -> Any:
    return f"siei_xl {__version__}"


def _series(frame: Any, column: str) -> list[list[object]]:
    """A year series as a spilling table; a year that failed shows its own error."""
    rows = []
    for year, value, note, error in zip(
        frame["year"], frame[column], frame["note"], frame["error"], strict=True
    ):
        code = getattr(exceptions, error).excel_code if error else "#N/A"
        rows.append([float(year), cell_value(float(value), note, code)])
    return table(["year", column], rows)


# ------------------------------------------------- market integration (block 1)
FLOWS = (
    "Flows range with a header row: reporter, partner, year and one value column: the flow "
    "as the reporter reports it (trade: exports + imports).",
)[0]
BASE = (
    "Header of the data column holding the base: GDP for trade, population for migration. "
    "Same units as the flows."
)


def _market(flows: Any, data: Any, base_indicator: Any) -> tuple[Any, Any, str]:
    from siei_xl.sheetfuncs.cells import flows_from_cells

    return flows_from_cells(flows), panel_from_cells(data), label_arg(base_indicator, "base")


def _score_series(frame: Any, extra: tuple[str, ...] = ()) -> list[list[object]]:
    """A market series as a spilling table: year, score, [shares], note."""
    rows = []
    for record in frame.to_dict("records"):
        code = getattr(exceptions, record["error"]).excel_code if record["error"] else "#N/A"
        cells = [cell_value(float(record["score"]), record["note"], code)]
        cells += [cell_value(float(record[c]), record["note"], code) for c in extra]
        rows.append([float(record["year"]), *cells, record["note"] or ""])
    return table(["year", "score", *extra, "note"], rows)


@sheet_function(
    "Market integration of a pair: 1/(1/s_a + 1/s_b) where s is each side's flow with the "
    "other over its own base (higher = more mutually dependent).",
    args={
        "flows": FLOWS,
        "data": DATA,
        "base_indicator": BASE,
        "country_a": "First country code.",
        "country_b": "Second country code.",
        "year": YEAR,
        "aggregator": "Optional. 'harmonic' (default), 'min' or 'geometric' (sqrt(s_a s_b)).",
    },
    returns="number",
    example='=SIEI_FLOWPAIR(Flows!A1:D900, Data!A1:E400, "gdp_usd", "KAZ", "RUS", 2019)',
    errors=("#N/A neither side reported the flow, or a base is missing",),
)
def SIEI_FLOWPAIR(
    flows: Any,
    data: Any,
    base_indicator: Any,
    country_a: Any,
    country_b: Any,
    year: Any,
    aggregator: Any = None,
) -> Any:
    from siei_xl.market import flow_pair

    f, panel, base = _market(flows, data, base_indicator)
    how = "harmonic" if aggregator is None else label_arg(aggregator, "aggregator")
    return flow_pair(
        f,
        panel,
        base,
        label_arg(country_a, "country_a"),
        label_arg(country_b, "country_b"),
        year_arg(year),
        aggregator=how,
    ).score


@sheet_function(
    "Market integration of a country with a group: the sum of its flows with the other "
    "members (its own report) over its own base.",
    args={
        "flows": FLOWS,
        "data": DATA,
        "base_indicator": BASE,
        "country": "Country code.",
        "group": GROUP,
        "year": YEAR,
    },
    returns="number",
    example='=SIEI_FLOWGROUP(Flows!A1:D900, Data!A1:E400, "gdp_usd", "KAZ", "RUS, KGZ", 2019)',
)
def SIEI_FLOWGROUP(
    flows: Any, data: Any, base_indicator: Any, country: Any, group: Any, year: Any
) -> Any:
    from siei_xl.market import flow_group

    f, panel, base = _market(flows, data, base_indicator)
    return flow_group(
        f, panel, base, label_arg(country, "country"), labels_arg(group, "group"), year_arg(year)
    ).score


@sheet_function(
    "Market integration within a group: half the sum of the members' flows with each other "
    "over the sum of their bases (each pair once on average).",
    args={"flows": FLOWS, "data": DATA, "base_indicator": BASE, "group": GROUP, "year": YEAR},
    returns="number",
    example='=SIEI_FLOWWITHIN(Flows!A1:D900, Data!A1:E400, "gdp_usd", "KAZ, RUS, KGZ", 2019)',
)
def SIEI_FLOWWITHIN(flows: Any, data: Any, base_indicator: Any, group: Any, year: Any) -> Any:
    from siei_xl.market import flow_within

    f, panel, base = _market(flows, data, base_indicator)
    return flow_within(f, panel, base, labels_arg(group, "group"), year_arg(year)).score


@sheet_function(
    "The pair's market integration for every year of the data. Spills: year, score, share_a, "
    "share_b, note (the note says where a mirror figure stood in).",
    args={
        "flows": FLOWS,
        "data": DATA,
        "base_indicator": BASE,
        "country_a": "First country code.",
        "country_b": "Second country code.",
        "aggregator": "Optional. 'harmonic' (default), 'min' or 'geometric'.",
    },
    returns="table: year, score, share_a, share_b, note",
    example='=SIEI_FLOWPAIR_SERIES(Flows!A1:D900, Data!A1:E400, "gdp_usd", "KAZ", "RUS")',
    spills=True,
)
def SIEI_FLOWPAIR_SERIES(
    flows: Any,
    data: Any,
    base_indicator: Any,
    country_a: Any,
    country_b: Any,
    aggregator: Any = None,
) -> Any:
    from siei_xl.market import flow_pair_series

    f, panel, base = _market(flows, data, base_indicator)
    how = "harmonic" if aggregator is None else label_arg(aggregator, "aggregator")
    frame = flow_pair_series(
        f,
        panel,
        base,
        label_arg(country_a, "country_a"),
        label_arg(country_b, "country_b"),
        aggregator=how,
    )
    return _score_series(frame, ("share_a", "share_b"))


@sheet_function(
    "A country's market integration with a group for every year. Spills: year, score, note.",
    args={
        "flows": FLOWS,
        "data": DATA,
        "base_indicator": BASE,
        "country": "Country code.",
        "group": GROUP,
    },
    returns="table: year, score, note",
    example='=SIEI_FLOWGROUP_SERIES(Flows!A1:D900, Data!A1:E400, "gdp_usd", "KAZ", "RUS, KGZ")',
    spills=True,
)
def SIEI_FLOWGROUP_SERIES(
    flows: Any, data: Any, base_indicator: Any, country: Any, group: Any
) -> Any:
    from siei_xl.market import flow_group, market_series

    f, panel, base = _market(flows, data, base_indicator)
    who, members = label_arg(country, "country"), labels_arg(group, "group")
    frame = market_series(lambda y: flow_group(f, panel, base, who, members, y), panel, None)
    return _score_series(frame)


@sheet_function(
    "Market integration within a group for every year. Spills: year, score, note.",
    args={"flows": FLOWS, "data": DATA, "base_indicator": BASE, "group": GROUP},
    returns="table: year, score, note",
    example='=SIEI_FLOWWITHIN_SERIES(Flows!A1:D900, Data!A1:E400, "gdp_usd", "KAZ, RUS, KGZ")',
    spills=True,
)
def SIEI_FLOWWITHIN_SERIES(flows: Any, data: Any, base_indicator: Any, group: Any) -> Any:
    from siei_xl.market import flow_within, market_series

    f, panel, base = _market(flows, data, base_indicator)
    members = labels_arg(group, "group")
    frame = market_series(lambda y: flow_within(f, panel, base, members, y), panel, None)
    return _score_series(frame)


# ------------------------------------------------------- sigma and beta
INDICATOR = "Header of the data column to use, e.g. gdp_pc_ppp (a positive level)."
MEASURE = "Optional. 'sd_log' (default): sd of logs; 'cv': sd / mean of the levels."


MEMBERS = (
    "Optional. For a named group whose membership changes: 'as-of-year' (default): each "
    "year's members; 'fixed': the members of the data's last year in every year."
)


def _members(value: Any) -> str:
    """The members option; blank means each year's members."""
    return "as-of-year" if is_missing_arg(value) else label_arg(value, "members")


def _sigma(
    data: Any, indicator: Any, group: Any, measure: Any, ddof: Any, members: Any = None
) -> Any:
    from siei_xl.classic import sigma_series

    panel = panel_from_cells(data)
    how = "sd_log" if measure is None else label_arg(measure, "measure")
    return sigma_series(
        panel,
        label_arg(indicator, "indicator"),
        labels_arg(group, "group"),
        measure=how,
        ddof=ddof_arg(ddof),
        members=_members(members),
    )


@sheet_function(
    "Sigma convergence in one year: the dispersion of an indicator across the group (sd of "
    "logs, or CV). Lower = closer.",
    args={
        "data": DATA,
        "indicator": INDICATOR,
        "group": GROUP + " At least 2 countries.",
        "year": YEAR,
        "measure": MEASURE,
        "ddof": DDOF,
        "members": MEMBERS,
    },
    returns="number",
    example='=SIEI_SIGMA(Data!A1:D400, "gdp_pc_ppp", "KAZ, RUS, KGZ, UZB", 2015)',
    errors=("#NUM! a non-positive value (no logarithm)", "#N/A a member lacks a value"),
)
def SIEI_SIGMA(
    data: Any,
    indicator: Any,
    group: Any,
    year: Any,
    measure: Any = None,
    ddof: Any = None,
    members: Any = None,
) -> Any:
    from siei_xl.classic import sigma_value

    how = "sd_log" if measure is None else label_arg(measure, "measure")
    return sigma_value(
        panel_from_cells(data),
        label_arg(indicator, "indicator"),
        labels_arg(group, "group"),
        year_arg(year),
        measure=how,
        ddof=ddof_arg(ddof),
        members=_members(members),
    )


@sheet_function(
    "Sigma convergence: the dispersion of an indicator across the group each year (sd of "
    "logs, or CV). Spills: year, sigma. Falling = converging.",
    args={
        "data": DATA,
        "indicator": INDICATOR,
        "group": GROUP,
        "measure": MEASURE,
        "ddof": DDOF,
        "members": MEMBERS,
    },
    returns="table: year, sigma",
    example='=SIEI_SIGMA_SERIES(Data!A1:D400, "gdp_pc_ppp", "KAZ, RUS, KGZ, UZB")',
    spills=True,
)
def SIEI_SIGMA_SERIES(
    data: Any,
    indicator: Any,
    group: Any,
    measure: Any = None,
    ddof: Any = None,
    members: Any = None,
) -> Any:
    return _series(_sigma(data, indicator, group, measure, ddof, members).series, "sigma")


@sheet_function(
    "The trend of sigma: OLS slope per year, its standard error, t statistic and years used. "
    "A negative, significant slope is sigma convergence.",
    args={
        "data": DATA,
        "indicator": INDICATOR,
        "group": GROUP,
        "measure": MEASURE,
        "ddof": DDOF,
        "members": MEMBERS,
    },
    returns="labelled table (4 rows)",
    example='=SIEI_SIGMA_TREND(Data!A1:D400, "gdp_pc_ppp", "KAZ, RUS, KGZ, UZB")',
    spills=True,
)
def SIEI_SIGMA_TREND(
    data: Any,
    indicator: Any,
    group: Any,
    measure: Any = None,
    ddof: Any = None,
    members: Any = None,
) -> Any:
    fit = _sigma(data, indicator, group, measure, ddof, members).trend
    return [
        ["slope per year", cell_value(fit.slope, "no trend", "#NUM!")],
        ["standard error", cell_value(fit.se, "fewer than 3 years", "#NUM!")],
        ["t statistic", cell_value(fit.t, "the standard error is zero", "#NUM!")],
        ["years used", float(fit.n)],
    ]


@sheet_function(
    "Beta convergence over the group: (1/T) ln(y_end/y_start) = a + b ln y_start. Spills b, "
    "its se, t, p, a, R squared, n, T, speed and half-life.",
    args={
        "data": DATA,
        "indicator": INDICATOR,
        "group": GROUP + " At least 3 countries.",
        "start_year": "First year, e.g. 2000.",
        "end_year": "Last year, e.g. 2020.",
        "members": "Optional. For a named group whose membership changes: 'as-of-year' "
        "(default): the members in start_year; 'fixed': the members in end_year.",
    },
    returns="labelled table (10 rows)",
    example='=SIEI_BETA(Data!A1:D400, "gdp_pc_ppp", "KAZ, RUS, KGZ, UZB, TKM", 2000, 2020)',
    spills=True,
    errors=("#NUM! a non-positive value (no logarithm), or no convergence speed",),
)
def SIEI_BETA(
    data: Any, indicator: Any, group: Any, start_year: Any, end_year: Any, members: Any = None
) -> Any:
    from siei_xl.classic import beta_convergence

    r = beta_convergence(
        panel_from_cells(data),
        label_arg(indicator, "indicator"),
        labels_arg(group, "group"),
        year_arg(start_year, "start_year"),
        year_arg(end_year, "end_year"),
        members=_members(members),
    )
    no_speed = (
        f"1 + bT = {1 + r.b * r.years:.3g} <= 0: the gaps reverse, so there is no convergence speed"
        if 1 + r.b * r.years <= 0
        else "no convergence speed"
    )
    no_half = "b >= 0: no convergence, so no half-life" if r.b >= 0 else no_speed
    return [
        ["b (slope)", r.b],
        ["standard error of b", cell_value(r.se, "fewer than 3 countries", "#NUM!")],
        ["t statistic", cell_value(r.t, "the standard error is zero", "#NUM!")],
        ["p value", cell_value(r.p, "undefined", "#NUM!")],
        ["a (intercept)", r.a],
        ["R squared", cell_value(r.r2, "no variation in growth", "#NUM!")],
        ["n (countries)", float(r.n)],
        ["T (years)", float(r.years)],
        ["speed -ln(1+bT)/T", cell_value(r.speed, no_speed, "#NUM!")],
        ["half-life (years)", cell_value(r.half_life, no_half, "#NUM!")],
    ]


# -------------------------------------------------------------- composite
@sheet_function(
    "Composite index: min-max scale each numeric column over all rows, turn 'lower' ones "
    "around, average. Spills the labels, composite (0-1) and n_components.",
    args={
        "scores": "Range with a header row: label columns (text) and one numeric column per "
        "component, one row per unit (e.g. pair and year).",
        "directions": "One per component, in order: 'higher' (more = more integrated, e.g. "
        "trade) or 'lower' (a distance).",
        "weights": "Optional. One non-negative weight per component. Default equal.",
    },
    returns="table: labels, composite, n_components",
    example='=SIEI_COMPOSITE(Scores!A1:D100, "higher, lower")',
    spills=True,
)
def SIEI_COMPOSITE(scores: Any, directions: Any, weights: Any = None) -> Any:
    import pandas as pd

    from siei_xl.composite import composite_index, split_table
    from siei_xl.labels import parse_number

    rows = trim_blank_rows(as_rows(scores))
    if len(rows) < 2:
        raise exceptions.DataError("the table needs a header row and at least one row")
    labels, components = split_table(rows)
    words = labels_arg(directions, "directions")
    if len(words) != len(components):
        raise exceptions.OptionError(
            f"give one direction per numeric column ({', '.join(components)}): got {len(words)}"
        )
    weight_map = None
    if weights is not None:
        numbers = [parse_number(w) for w in labels_arg(weights, "weights")]
        if len(numbers) != len(components) or any(n is None for n in numbers):
            raise exceptions.OptionError("give one number per component as weights")
        weight_map = dict(
            zip(components, [float(n) for n in numbers if n is not None], strict=True)
        )
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    frame = pd.DataFrame([r + [None] * (len(header) - len(r)) for r in rows[1:]], columns=header)
    frame = frame[[*labels, *components]]
    for c in components:
        frame[c] = [parse_number(v) for v in frame[c]]
    result = composite_index(frame, dict(zip(components, words, strict=True)), weights=weight_map)
    out: list[list[object]] = [[*labels, "composite", "n_components"]]
    for record in result.itertuples(index=False):
        values = list(record)
        out.append(
            [
                *values[: len(labels)],
                cell_value(float(values[len(labels)]), "no component available"),
                float(values[len(labels) + 1]),
            ]
        )
    return out


# ------------------------------------------------------- institutional block
EXPERTS = (
    "Expert poll range with a header row: expert, grouping, criterion, year, score (one row "
    "per expert, grouping, criterion and year; blank score = no score)."
)
SCALE = "Optional. The scale of the scores, e.g. '1-10' (default) or '0-5'."
STATISTIC_WORDS = {
    "mean": "mean",
    "median": "median",
    "sd": "sd",
    "min": "min",
    "max": "max",
    "n": "n_experts",
    "n_experts": "n_experts",
    "w": "w",
    "p": "p_value",
    "p_value": "p_value",
}
"""The statistic argument's words (case-blind) and the column of the summary each names."""


def _statistic(value: Any) -> str:
    if is_missing_arg(value):
        return "mean"
    word = label_arg(value, "statistic").lower()
    if word not in STATISTIC_WORDS:
        raise exceptions.OptionError(
            f"statistic must be mean, median, sd, n, min, max, W or p, got {word!r}"
        )
    return STATISTIC_WORDS[word]


def _scale(value: Any) -> Any:
    from siei_xl.experts import SCALE as DEFAULT_SCALE

    return DEFAULT_SCALE if is_missing_arg(value) else label_text(one_value(value, "score_scale"))


@sheet_function(
    "Institutional block: one statistic of the expert poll for a grouping (mean, median, sd, "
    "n, min, max of the scores; Kendall's W or its p of the criterion).",
    args={
        "experts": EXPERTS,
        "grouping": "Grouping scored, e.g. EAEU (trimmed, any case).",
        "criterion": "Optional. Criterion, e.g. trade regime. Blank: the mean over criteria "
        "(statistic mean or n only).",
        "year": "Optional. Year of the poll. Blank: the latest year of the poll.",
        "statistic": "Optional. mean (default), median, sd, n (experts), min, max, W "
        "(Kendall's agreement) or p (its chi-square p-value).",
        "score_scale": SCALE,
    },
    returns="number",
    example='=SIEI_EXPERT(Experts!A1:E200, "EAEU", "trade regime", 2024, "median")',
    errors=(
        "#VALUE! a score outside the scale, text in a score or a repeated row (naming it)",
        "#N/A a grouping, criterion or year without scores",
    ),
)
def SIEI_EXPERT(
    experts: Any,
    grouping: Any,
    criterion: Any = None,
    year: Any = None,
    statistic: Any = None,
    score_scale: Any = None,
) -> Any:
    from siei_xl.experts import summary_value

    return summary_value(
        expert_summary_from_cells(experts, _scale(score_scale)),
        label_arg(grouping, "grouping"),
        None if is_missing_arg(criterion) else label_arg(criterion, "criterion"),
        None if is_missing_arg(year) else year_arg(year),
        _statistic(statistic),
    )


SUMMARY_COLUMNS = (
    "grouping",
    "criterion",
    "year",
    "n_experts",
    "mean",
    "median",
    "sd",
    "min",
    "max",
    "w",
    "p_value",
)


@sheet_function(
    "The expert poll summed up: one row per grouping, criterion and year with n, mean, "
    "median, sd, min, max, and Kendall's W of the criterion with its p-value. Spills.",
    args={"experts": EXPERTS, "score_scale": SCALE},
    returns="table: grouping, criterion, year, n_experts, mean, median, sd, min, max, w, p_value",
    example="=SIEI_EXPERT_TABLE(Experts!A1:E200)",
    spills=True,
)
def SIEI_EXPERT_TABLE(experts: Any, score_scale: Any = None) -> Any:
    summary = expert_summary_from_cells(experts, _scale(score_scale))
    no_w = "W needs 2 or more experts who scored every grouping, and an ordering"
    reasons = {"sd": "one expert: no sd", "w": no_w, "p_value": no_w}
    body = []
    for record in summary.to_dict("records"):
        row: list[object] = [record["grouping"], record["criterion"], float(record["year"])]
        for column in SUMMARY_COLUMNS[3:]:
            row.append(cell_value(float(record[column]), reasons.get(column)))
        body.append(row)
    return table(SUMMARY_COLUMNS, body)
