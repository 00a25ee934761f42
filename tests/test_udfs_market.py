"""The market, sigma/beta and composite Excel functions, called with raw cell values.

Arguments are given as xlwings hands them over: lists of rows, ``None`` for blanks, floats
for every number (a year is ``2015.0``), ``'..'`` for a missing value, codes in any case.
Every number must equal what the pandas API computes on the same cells; every failure is
``"#CODE: reason"`` text (never a raise), with the code of the exception class.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from udf_helpers import (
    ERROR_CODES,
    blank_rows,
    column,
    copy_rows,
    error_code,
    is_plain_number,
    set_cell,
)

from siei_xl import Panel, udfs
from siei_xl.classic import beta_convergence, sigma_series
from siei_xl.composite import composite_index
from siei_xl.exceptions import SieiError
from siei_xl.market import Flows, flow_group, flow_pair, flow_within, market_series

REL = 1e-12
COUNTRIES = ("KAZ", "RUS", "KGZ", "CHN", "UZB")
YEARS = (2014, 2015, 2016, 2017, 2018)
FLOW_HEADER = ["reporter", "partner", "year", "value"]


def approx(value: object) -> object:
    return pytest.approx(value, rel=REL, abs=0.0)


def _data_rows() -> list[list[object]]:
    """country, year, gdp_musd, gdp_pc as cells; KGZ 2016 gdp_pc '..', UZB 2017 GDP blank."""
    rows: list[list[object]] = [["Country", "Year", "gdp_musd", "gdp_pc"]]
    for c, country in enumerate(COUNTRIES):
        for t, year in enumerate(YEARS):
            gdp = 1000.0 * (c + 1) ** 2 * (1.0 + 0.05 * t)
            per_head = 2000.0 * (c + 1) * (1.0 + (0.08 - 0.015 * c) * t)
            rows.append([country, float(year), gdp, per_head])
    rows[1 + 2 * len(YEARS) + 2][3] = ".."  # KGZ 2016
    rows[1 + 4 * len(YEARS) + 3][2] = None  # UZB 2017
    return rows


def _flow_rows() -> list[list[object]]:
    """Reported flows; RUS leaves 2016 blank ('..'), nobody reports KAZ-RUS in 2018."""
    rows: list[list[object]] = [list(FLOW_HEADER)]
    pairs = [("KAZ", "RUS"), ("KAZ", "CHN"), ("KAZ", "KGZ"), ("RUS", "KGZ"), ("RUS", "CHN")]
    pairs += [("KGZ", "CHN"), ("KAZ", "UZB")]
    for i, (a, b) in enumerate(pairs):
        for t, year in enumerate(YEARS):
            if (a, b) == ("KAZ", "RUS") and year == 2018:
                continue
            if (a, b) == ("KAZ", "UZB") and year != 2014:
                continue
            own = 10.0 + 3.0 * i + t
            rows.append([a.lower() if t % 2 else a, f" {b} ", float(year), own])
            mirror: object = own * (1.5 if b == "CHN" else 0.9)
            if (a, b) == ("KAZ", "RUS") and year == 2016:
                mirror = ".."
            if (a, b) == ("KAZ", "KGZ") and year == 2015:
                continue
            rows.append([b, a, float(year), mirror])
    return rows


DATA = _data_rows()
FLOWS = _flow_rows()
PANEL = Panel.from_rows(DATA[0], DATA[1:])
FLOWS_API = Flows.from_rows(FLOWS[0], FLOWS[1:])


def api(compute: Callable[[], object]) -> object:
    """The API's answer, or the error text an Excel function must show for it."""
    try:
        return compute()
    except SieiError as exc:
        return f"{exc.excel_code}: {exc}"


def assert_same(got: object, want: object) -> None:
    if isinstance(want, str):
        assert got == want
    else:
        assert is_plain_number(got), got
        assert got == approx(want)


# ------------------------------------------------------------------ market
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    ("aggregator", "how"), [(None, "harmonic"), (" MIN", "min"), ([["geometric"]], "geometric")]
)
def test_flowpair_matches_api(year: int, aggregator: object, how: str) -> None:
    for a in COUNTRIES:
        for b in COUNTRIES:
            if a == b:
                continue
            got = udfs.SIEI_FLOWPAIR(
                copy_rows(FLOWS), DATA, "gdp_musd", a.lower(), f" {b}", float(year), aggregator
            )
            want = api(
                lambda a=a, b=b: (
                    flow_pair(FLOWS_API, PANEL, "gdp_musd", a, b, year, aggregator=how).score
                )
            )
            assert_same(got, want)


def test_flowpair_by_hand() -> None:
    # 2014: KAZ reports 10 with RUS, RUS reports 9; bases 1000 and 4000 (million US$)
    s_a, s_b = 10.0 / 1000.0, 9.0 / 4000.0
    got = udfs.SIEI_FLOWPAIR(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", 2014.0)
    assert got == approx(1 / (1 / s_a + 1 / s_b))
    # 2016: RUS left its cell '..', so KAZ's 12 stands in for it
    got = udfs.SIEI_FLOWPAIR(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", "2016")
    assert got == approx(12.0 / (1000.0 * 1.1 + 4000.0 * 1.1))


def test_flowgroup_and_within_match_api() -> None:
    # the group as a cell's text, a column, a row (1-D, as xlwings gives it) and a block
    groups: list[tuple[object, list[str]]] = [
        ("RUS, kgz, CHN", ["RUS", "KGZ", "CHN"]),
        (column(["RUS", "KGZ"]), ["RUS", "KGZ"]),
        (["rus", "chn"], ["RUS", "CHN"]),
        ([["KAZ", "RUS"], ["KGZ", None]], ["KAZ", "RUS", "KGZ"]),
    ]
    for group, members in groups:
        for year in YEARS:
            for country in ("KAZ", "RUS"):
                got = udfs.SIEI_FLOWGROUP(FLOWS, DATA, "gdp_musd", country, group, float(year))
                want = api(
                    lambda c=country, m=members, y=year: (
                        flow_group(FLOWS_API, PANEL, "gdp_musd", c, m, y).score
                    )
                )
                assert_same(got, want)
            got = udfs.SIEI_FLOWWITHIN(FLOWS, DATA, "gdp_musd", group, [[float(year)]])
            want = api(
                lambda m=members, y=year: flow_within(FLOWS_API, PANEL, "gdp_musd", m, y).score
            )
            assert_same(got, want)


def test_flowpair_series_shape_notes_and_errors() -> None:
    got = udfs.SIEI_FLOWPAIR_SERIES(FLOWS, DATA, "gdp_musd", "kaz", "RUS")
    assert got[0] == ["year", "score", "share_a", "share_b", "note"]
    assert [row[0] for row in got[1:]] == [float(y) for y in YEARS]
    assert all(len(row) == 5 for row in got)
    by_year = {int(row[0]): row for row in got[1:]}
    for year in (2014, 2015, 2017):
        row = by_year[year]
        assert all(is_plain_number(v) for v in row[1:4])
        assert row[4] == ""
        assert row[1] == approx(udfs.SIEI_FLOWPAIR(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", year))
    mirrored = by_year[2016]
    assert is_plain_number(mirrored[1])
    assert mirrored[4] == "RUS did not report its flow with KAZ in 2016: KAZ's figure used"
    failed = by_year[2018]
    assert [error_code(v) for v in failed[1:4]] == ["#N/A"] * 3
    assert "neither KAZ nor RUS" in failed[1]
    assert failed[4] == "neither KAZ nor RUS reported a flow between them in 2018"
    minimum = udfs.SIEI_FLOWPAIR_SERIES(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", "min")
    assert minimum[1][1] == approx(min(minimum[1][2], minimum[1][3]))


def test_group_and_within_series_match_api() -> None:
    got = udfs.SIEI_FLOWGROUP_SERIES(FLOWS, DATA, "gdp_musd", "KAZ", "RUS, UZB")
    frame = market_series(
        lambda y: flow_group(FLOWS_API, PANEL, "gdp_musd", "KAZ", ["RUS", "UZB"], y), PANEL, None
    )
    assert got[0] == ["year", "score", "note"]
    assert len(got) == 1 + len(YEARS)
    for row, record in zip(got[1:], frame.to_dict("records"), strict=True):
        assert row[0] == float(record["year"])
        if record["error"]:
            assert error_code(row[1]) == "#N/A"
            assert row[2] == record["note"]
        else:
            assert row[1] == approx(record["score"])
    assert is_plain_number(got[1][1])  # 2014: KAZ reported UZB
    # 2015-2017: KAZ-UZB missing both ways; 2017 also lacks UZB's GDP (not needed here)
    assert "neither KAZ nor UZB" in got[2][1]
    within = udfs.SIEI_FLOWWITHIN_SERIES(FLOWS, DATA, "gdp_musd", column(["KAZ", "KGZ", "CHN"]))
    assert within[0] == ["year", "score", "note"]
    for row, year in zip(within[1:], YEARS, strict=True):
        want = api(lambda y=year: flow_within(FLOWS_API, PANEL, "gdp_musd", "KAZ,KGZ,CHN", y).score)
        assert_same(row[1], want)
    assert "KGZ did not report its flow with KAZ in 2015" in within[2][2]


def test_flow_ranges_as_excel_gives_them() -> None:
    want = udfs.SIEI_FLOWPAIR(FLOWS, DATA, "gdp_musd", "KAZ", "CHN", 2015.0)
    titled = [["Goods trade, million US$", None, None, None], *FLOWS, *blank_rows(50)]
    assert udfs.SIEI_FLOWPAIR(titled, DATA, "gdp_musd", "KAZ", "CHN", 2015.0) == want
    as_tuples = tuple(tuple(row) for row in FLOWS)
    assert udfs.SIEI_FLOWPAIR(as_tuples, DATA, "gdp_musd", "KAZ", "CHN", 2015.0) == want
    # the IMF layout: a flow text column and a flag column beside the value
    dots = [["reporter_iso3", "partner_iso3", "flow", "year", "value_musd", "imf_flag"]]
    dots += [[r, p, "turnover", y, v, None] for r, p, y, v in FLOWS[1:]]
    assert udfs.SIEI_FLOWPAIR(dots, DATA, "gdp_musd", "KAZ", "CHN", 2015.0) == want


def test_flows_in_the_imf_layout_become_turnover() -> None:
    rows = [
        ["reporter_iso3", "partner_iso3", "flow", "year", "value_musd"],
        ["KAZ", "RUS", "exports_fob", 2014.0, 4.0],
        ["KAZ", "RUS", "imports_cif", 2014.0, 6.0],
        ["KAZ", "WLD", "exports_fob", 2014.0, 40.0],
    ]
    result = udfs.SIEI_FLOWPAIR(rows, DATA, "gdp_musd", "KAZ", "RUS", 2014.0)
    turnover = Flows.from_rows(
        ["reporter", "partner", "year", "value"], [["KAZ", "RUS", 2014, 10.0]]
    )
    assert result == approx(flow_pair(turnover, PANEL, "gdp_musd", "KAZ", "RUS", 2014).score)


# ------------------------------------------------------------ sigma / beta
LEVELS = ("KAZ", "RUS", "CHN", "UZB")


@pytest.mark.parametrize(
    ("measure", "ddof", "api_measure", "api_ddof"),
    [(None, None, "sd_log", 1), ("CV", 0.0, "cv", 0), (" sd_log ", "1", "sd_log", 1)],
)
def test_sigma_series_and_trend_match_api(
    measure: object, ddof: object, api_measure: str, api_ddof: int
) -> None:
    group = [[" kaz", "RUS"], ["chn", "UZB"]]
    got = udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", group, measure, ddof)
    result = sigma_series(PANEL, "gdp_pc", list(LEVELS), measure=api_measure, ddof=api_ddof)
    assert got[0] == ["year", "sigma"]
    assert [row[0] for row in got[1:]] == [float(y) for y in YEARS]
    for row, value in zip(got[1:], result.series["sigma"], strict=True):
        assert row[1] == approx(value)
    trend = udfs.SIEI_SIGMA_TREND(DATA, "gdp_pc", "KAZ, RUS, CHN, UZB", measure, ddof)
    assert [row[0] for row in trend] == [
        "slope per year",
        "standard error",
        "t statistic",
        "years used",
    ]
    assert [row[1] for row in trend] == approx(
        [result.trend.slope, result.trend.se, result.trend.t, float(len(YEARS))]
    )
    assert all(type(row[1]) is float for row in trend)


def test_sigma_series_years_that_fail_show_their_own_error() -> None:
    rows = copy_rows(DATA)
    rows[1 + 0 * len(YEARS) + 4][3] = -1.0  # KAZ 2018: no logarithm
    got = udfs.SIEI_SIGMA_SERIES(rows, "gdp_pc", "KAZ, KGZ, RUS")
    by_year = {int(row[0]): row[1] for row in got[1:]}
    assert error_code(by_year[2016]) == "#N/A"  # KGZ 2016 is '..'
    assert "KGZ has no value for gdp_pc in 2016" in by_year[2016]
    assert error_code(by_year[2018]) == "#NUM!"
    assert "KAZ's gdp_pc in 2018 is -1" in by_year[2018]
    assert all(is_plain_number(by_year[y]) for y in (2014, 2015, 2017))
    assert udfs.SIEI_SIGMA_TREND(rows, "gdp_pc", "KAZ, KGZ, RUS")[3] == ["years used", 3.0]


def test_beta_matches_api() -> None:
    got = udfs.SIEI_BETA(DATA, "gdp_pc", "kaz, RUS, CHN, UZB, KGZ", 2014.0, "2018")
    r = beta_convergence(PANEL, "gdp_pc", [*LEVELS, "KGZ"], 2014, 2018)
    assert [row[0] for row in got] == [
        "b (slope)",
        "standard error of b",
        "t statistic",
        "p value",
        "a (intercept)",
        "R squared",
        "n (countries)",
        "T (years)",
        "speed -ln(1+bT)/T",
        "half-life (years)",
    ]
    want = [r.b, r.se, r.t, r.p, r.a, r.r2, 5.0, 4.0, r.speed, r.half_life]
    assert r.b < 0  # poorer members grow faster in these made-up data
    assert [row[1] for row in got] == approx(want)
    assert all(type(row[1]) is float for row in got)


def _beta_cells(start: tuple[float, ...], end: tuple[float, ...], years: int) -> list[list[object]]:
    rows: list[list[object]] = [["iso3", "year", "y"]]
    for name, y0, y1 in zip("ABC", start, end, strict=True):
        rows += [[name, 2000.0, y0], [name, 2000.0 + years, y1]]
    return rows


def test_beta_closed_form_half_life() -> None:
    # start 1, 2, 4, end 4, 6, 8, T = 10: b = -0.05, speed ln2/10, half-life 10 years
    got = dict(
        map(
            tuple,
            udfs.SIEI_BETA(_beta_cells((1, 2, 4), (4, 6, 8), 10), "y", "A,B,C", 2000.0, 2010.0),
        )
    )
    assert got["b (slope)"] == approx(-0.05)
    assert got["speed -ln(1+bT)/T"] == approx(math.log(2) / 10)
    assert got["half-life (years)"] == approx(10.0)


def test_beta_without_a_convergence_speed_explains_why() -> None:
    # start 1, 2, 4 -> end 16, 8, 4 in one year: b = -2, 1 + bT = -1
    cells = _beta_cells((1, 2, 4), (16, 8, 4), 1)
    got = dict(map(tuple, udfs.SIEI_BETA(cells, "y", "A,B,C", 2000.0, 2001.0)))
    assert got["b (slope)"] == approx(-2.0)
    for label in ("speed -ln(1+bT)/T", "half-life (years)"):
        assert error_code(got[label]) == "#NUM!"
        assert "1 + bT = -1 <= 0" in got[label]
    # divergence (b = 1): no half-life, and the reason says b >= 0
    cells = _beta_cells((1, 2, 4), (1, 4, 16), 1)
    got = dict(map(tuple, udfs.SIEI_BETA(cells, "y", "A,B,C", 2000.0, 2001.0)))
    assert got["b (slope)"] == approx(1.0)
    assert got["speed -ln(1+bT)/T"] == approx(-math.log(2))
    assert got["half-life (years)"] == "#NUM!: b >= 0: no convergence, so no half-life"


# ------------------------------------------------------------------ composite
SCORES = [
    ["pair", "year", "trade", "distance"],
    ["KAZ-RUS", 2015.0, 0.04, 1.0],
    ["KAZ-CHN", 2015.0, 0.01, ".."],
    ["KAZ-RUS", 2016.0, 0.05, 2.0],
    ["KAZ-CHN", 2016.0, None, None],
    [None, None, None, None],
]


def test_composite_matches_api() -> None:
    got = udfs.SIEI_COMPOSITE(SCORES, [["higher"], ["LOWER"]], [[3.0, 1.0]])
    frame = pd.DataFrame(
        {
            "pair": ["KAZ-RUS", "KAZ-CHN", "KAZ-RUS", "KAZ-CHN"],
            "year": [2015.0, 2015.0, 2016.0, 2016.0],
            "trade": [0.04, 0.01, 0.05, np.nan],
            "distance": [1.0, np.nan, 2.0, np.nan],
        }
    )
    want = composite_index(
        frame, {"trade": "higher", "distance": "lower"}, weights={"trade": 3, "distance": 1}
    )
    assert got[0] == ["pair", "year", "composite", "n_components"]
    assert len(got) == 5  # the blank row at the end is dropped
    for row, record in zip(got[1:4], want.itertuples(index=False), strict=False):
        assert row[:2] == [record.pair, record.year]
        assert row[2] == approx(record.composite)
        assert row[3] == float(record.n_components)
    # hand check of the first row: trade (0.04 - 0.01) / 0.04 = 0.75, distance 1 -> 1
    assert got[1][2] == approx((3 * 0.75 + 1.0) / 4)
    assert error_code(got[4][2]) == "#N/A"
    assert "no component available" in got[4][2]
    assert got[4][3] == 0.0


# ---------------------------------------------------------- bad-input corpus
NEG_BASE = set_cell(DATA, 1, 2, -5.0)  # KAZ 2014 GDP
ZERO_LEVEL = set_cell(DATA, 1, 3, 0.0)  # KAZ 2014 GDP per head
SAME_START = [DATA[0], *([c, y, g, 5000.0 if y == 2014.0 else v] for c, y, g, v in DATA[1:])]
FP, FG, FW = udfs.SIEI_FLOWPAIR, udfs.SIEI_FLOWGROUP, udfs.SIEI_FLOWWITHIN

CASES = [
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KZX", "RUS", 2015.0),
        "#N/A",
        ["'KZX'", "closest:", "KAZ"],
        id="pair-country",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", 2018.0),
        "#N/A",
        ["neither KAZ nor RUS", "2018"],
        id="pair-neither-reported",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", "UZB", 2017.0),
        "#N/A",
        ["neither KAZ nor UZB", "2017"],
        id="pair-uzb",
    ),
    pytest.param(
        lambda: FW(FLOWS, DATA, "gdp_musd", "KAZ, UZB", 2017.0),
        "#N/A",
        ["neither KAZ nor UZB", "2017"],
        id="within-neither",
    ),
    pytest.param(
        lambda: FG(FLOWS, set_cell(DATA, 1 + 4 * 5 + 0, 2, ".."), "gdp_musd", "UZB", "KAZ", 2014.0),
        "#N/A",
        ["UZB has no value for gdp_musd in 2014"],
        id="base-missing",
    ),
    pytest.param(
        lambda: FP(FLOWS, NEG_BASE, "gdp_musd", "RUS", "KAZ", 2014.0),
        "#NUM!",
        ["KAZ's gdp_musd in 2014 is -5", "positive"],
        id="base-negative",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp", "KAZ", "RUS", 2015.0),
        "#N/A",
        ["indicator 'gdp'", "gdp_musd"],
        id="base-unknown",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd, gdp_pc", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["one column", "'gdp_musd, gdp_pc'"],
        id="base-two",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, None, "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["base", "blank"],
        id="base-blank",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", 2015.0, "mean"),
        "#VALUE!",
        ["aggregator", "'mean'"],
        id="aggregator",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", " kaz", 2015.0),
        "#VALUE!",
        ["two different countries", "KAZ"],
        id="same-country",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", None),
        "#VALUE!",
        ["year", "blank"],
        id="year-blank",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", 2015.5),
        "#VALUE!",
        ["year", "2015.5"],
        id="year-fraction",
    ),
    pytest.param(
        lambda: FP(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", 1999.0),
        "#N/A",
        ["1999"],
        id="year-absent",
    ),
    pytest.param(
        lambda: FP([*FLOWS, FLOWS[1]], DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["rows 2 and", "KAZ -> RUS 2014", "turnover"],
        id="flows-duplicate",
    ),
    pytest.param(
        lambda: FP(set_cell(FLOWS, 3, 3, -1.0), DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "negative"],
        id="flows-negative",
    ),
    pytest.param(
        lambda: FP(set_cell(FLOWS, 3, 3, "1,5"), DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'1,5'"],
        id="flows-decimal-comma",
    ),
    pytest.param(
        lambda: FP(set_cell(FLOWS, 3, 2, "FY15"), DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["row 4", "'FY15'", "year"],
        id="flows-bad-year",
    ),
    pytest.param(
        lambda: FP(set_cell(FLOWS, 0, 1, "dest"), DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["partner", "'dest'"],
        id="flows-no-partner-column",
    ),
    pytest.param(
        lambda: FP([FLOW_HEADER], DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["header row", "at least one row"],
        id="flows-header-only",
    ),
    pytest.param(
        lambda: FP(None, DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["flows must be a range"],
        id="flows-blank",
    ),
    pytest.param(
        lambda: FP([*FLOW_HEADER[:3], "a", "b"], DATA, "gdp_musd", "KAZ", "RUS", 2015.0),
        "#VALUE!",
        ["flows"],
        id="flows-1d-header",
    ),
    pytest.param(
        lambda: FG(FLOWS, DATA, "gdp_musd", "KAZ", "", 2015.0),
        "#VALUE!",
        ["group", "empty"],
        id="group-empty",
    ),
    pytest.param(
        lambda: FG(FLOWS, DATA, "gdp_musd", "KAZ", "kaz", 2015.0),
        "#N/A",
        ["no member other than KAZ"],
        id="group-only-itself",
    ),
    pytest.param(
        lambda: FW(FLOWS, DATA, "gdp_musd", [["KAZ"], ["kaz "]], 2015.0),
        "#N/A",
        ["1 member", "need 2"],
        id="within-one-member",
    ),
    pytest.param(
        lambda: udfs.SIEI_FLOWGROUP_SERIES(FLOWS, DATA, "gdp_musd", "KAZ", "RUS, XYZ"),
        "#N/A",
        ["'XYZ'"],
        id="group-series-unknown-member",
    ),
    pytest.param(
        lambda: udfs.SIEI_FLOWPAIR_SERIES(FLOWS, DATA, "gdp_musd", "KAZ", "RUS", "sum"),
        "#VALUE!",
        ["'sum'"],
        id="pair-series-aggregator",
    ),
    pytest.param(
        lambda: udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "KAZ"),
        "#DIV/0!",
        ["only 0 years", "1 member"],
        id="sigma-one-country",
    ),
    pytest.param(
        lambda: udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "KAZ, RUS", "variance"),
        "#VALUE!",
        ["'sd_log' or 'cv'", "'variance'"],
        id="sigma-measure",
    ),
    pytest.param(
        lambda: udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "KAZ, RUS", None, 2.0),
        "#VALUE!",
        ["ddof", "2"],
        id="sigma-ddof",
    ),
    pytest.param(
        lambda: udfs.SIEI_SIGMA_TREND(DATA, "gdp_pcc", "KAZ, RUS"),
        "#N/A",
        ["'gdp_pcc'", "closest: gdp_pc"],
        id="sigma-indicator",
    ),
    pytest.param(
        lambda: udfs.SIEI_SIGMA_TREND(DATA, "gdp_pc, gdp_musd", "KAZ, RUS"),
        "#VALUE!",
        ["one indicator"],
        id="sigma-two-indicators",
    ),
    pytest.param(
        lambda: udfs.SIEI_SIGMA_TREND(DATA[:6], "gdp_pc", "KAZ, RUS"),
        "#N/A",
        ["RUS"],
        id="sigma-country-absent",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(DATA, "gdp_pc", "KAZ, RUS", 2014.0, 2018.0),
        "#DIV/0!",
        ["at least 3 countries", "got 2"],
        id="beta-two-countries",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(ZERO_LEVEL, "gdp_pc", "KAZ, RUS, CHN", 2014.0, 2018.0),
        "#NUM!",
        ["KAZ's gdp_pc in 2014 is 0", "logarithm"],
        id="beta-zero-level",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(DATA, "gdp_pc", "KAZ, KGZ, CHN", 2016.0, 2018.0),
        "#N/A",
        ["KGZ has no value for gdp_pc in 2016"],
        id="beta-missing",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(DATA, "gdp_pc", "KAZ, RUS, CHN", 2018.0, 2014.0),
        "#VALUE!",
        ["end_year (2014)", "start_year (2018)"],
        id="beta-years-reversed",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(DATA, "gdp_pc", "KAZ, RUS, CHN", 1990.0, 2018.0),
        "#N/A",
        ["year 1990"],
        id="beta-year-absent",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(DATA, "gdp_pc", "KAZ, RUS, CHN", "start", 2018.0),
        "#VALUE!",
        ["start_year", "'start'"],
        id="beta-year-text",
    ),
    pytest.param(
        lambda: udfs.SIEI_BETA(SAME_START, "gdp_pc", "KAZ, RUS, CHN", 2014.0, 2018.0),
        "#DIV/0!",
        ["same gdp_pc in 2014"],
        id="beta-same-start",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(SCORES, "higher, closer"),
        "#VALUE!",
        ["'distance'", "'closer'"],
        id="composite-direction",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(SCORES, "higher"),
        "#VALUE!",
        ["one direction per numeric column", "trade, distance", "got 1"],
        id="composite-direction-count",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(SCORES, "higher, lower", "1, x"),
        "#VALUE!",
        ["weights"],
        id="composite-weight-text",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(SCORES, "higher, lower", [[1.0, -1.0]]),
        "#VALUE!",
        ["non-negative"],
        id="composite-weight-negative",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(SCORES[:1], "higher, lower"),
        "#VALUE!",
        ["header row", "at least one row"],
        id="composite-header-only",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(
            set_cell(set_cell(SCORES, 1, 2, 0.01), 3, 2, 0.01), "higher, lower"
        ),
        "#VALUE!",
        ["'trade'", "same value in every row"],
        id="composite-constant",
    ),
    pytest.param(
        lambda: udfs.SIEI_COMPOSITE(SCORES, None),
        "#VALUE!",
        ["directions", "empty"],
        id="composite-no-directions",
    ),
]


@pytest.mark.parametrize(("call", "code", "fragments"), CASES)
def test_bad_input_is_an_error_text(
    call: Callable[[], object], code: str, fragments: list[str]
) -> None:
    result = call()
    assert isinstance(result, str), result
    assert error_code(result) == code, result
    for fragment in fragments:
        assert fragment in result, (fragment, result)
    assert len(result) <= 255


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 15


# ------------------------------------------------------- anything: no raise
JUNK = st.one_of(
    st.none(),
    st.sampled_from(["", "..", "#N/A", "KAZ", " rus ", "x", "1,5", "min", "cv", "lower"]),
    st.booleans(),
    st.sampled_from([0.0, -1.0, 1.0, 2015.0, 2015.5, 1e300, math.nan, math.inf]),
    st.floats(-1e6, 1e6),
)
ARG = st.one_of(
    JUNK, st.lists(JUNK, max_size=3), st.lists(st.lists(JUNK, min_size=1, max_size=3), max_size=2)
)
NEW = [
    "SIEI_FLOWPAIR",
    "SIEI_FLOWGROUP",
    "SIEI_FLOWWITHIN",
    "SIEI_FLOWPAIR_SERIES",
    "SIEI_FLOWGROUP_SERIES",
    "SIEI_FLOWWITHIN_SERIES",
    "SIEI_SIGMA_SERIES",
    "SIEI_SIGMA_TREND",
    "SIEI_BETA",
    "SIEI_COMPOSITE",
]


@st.composite
def damaged(draw: st.DrawFn, rows: list[list[object]]) -> list[list[object]]:
    out = copy_rows(rows)
    for _ in range(draw(st.integers(0, 3))):
        out[draw(st.integers(0, len(out) - 1))][draw(st.integers(0, len(out[0]) - 1))] = draw(JUNK)
    return out


def _check(result: object) -> None:
    if isinstance(result, list):
        for row in result:
            assert isinstance(row, list)
            for value in row:
                _check(value)
    elif isinstance(result, str):
        if result.startswith("#"):
            assert error_code(result) in ERROR_CODES, result
        assert len(result) <= 255
    else:
        assert type(result) is float, result
        assert math.isfinite(result)


@given(
    st.sampled_from(NEW),
    damaged(FLOWS),
    damaged(DATA),
    damaged(SCORES),
    st.lists(ARG, min_size=6, max_size=6),
    st.booleans(),
)
def test_no_input_makes_a_new_function_raise(
    name: str,
    flows: list[list[object]],
    data: list[list[object]],
    scores: list[list[object]],
    args: list[object],
    sensible: bool,
) -> None:
    params = list(udfs.FUNCTIONS[name].args)
    call: list[object] = []
    for k, param in enumerate(params):
        value = args[k % len(args)]
        if param == "flows":
            value = flows
        elif param == "data":
            value = data
        elif param == "scores":
            value = scores
        elif sensible and param in {"base_indicator", "indicator"}:
            value = "gdp_musd" if param == "base_indicator" else "gdp_pc"
        elif sensible and param.startswith("country"):
            value = "KAZ" if param != "country_b" else "rus"
        elif sensible and param in {"group"}:
            value = "KAZ, RUS, CHN"
        elif sensible and "year" in param:
            value = 2014.0 if param == "start_year" else 2016.0
        call.append(value)
    _check(getattr(udfs, name)(*call))
