"""The ``members`` option of SIEI_SIGMA, SIEI_SIGMA_SERIES, SIEI_SIGMA_TREND and SIEI_BETA.

A named group of the built-in catalogue whose membership changes inside the data's span
(the EAEU: no members in 2014, BLR, KAZ, RUS, ARM and KGZ in 2015) is taken each year
as it was (``as-of-year``, the default) or with the members of the last year throughout
(``fixed``). Cells are given as Excel hands them over; every number must equal the pandas
API (:mod:`siei_xl.classic`) on the same data.
"""

from __future__ import annotations

import math

import pytest
from udf_helpers import error_code

from siei_xl import Panel, udfs
from siei_xl.classic import beta_convergence, sigma_series, sigma_value

COUNTRIES = ("BLR", "KAZ", "RUS", "ARM", "KGZ", "CHN")
YEARS = (2011, 2012, 2013, 2014, 2015, 2016, 2017)


def _rows() -> list[list[object]]:
    rows: list[list[object]] = [["iso3", "year", "gdp_pc"]]
    for c, country in enumerate(COUNTRIES):
        for t, year in enumerate(YEARS):
            level = 3000.0 * (c + 1) * (1.0 + (0.09 - 0.012 * c) * t)
            rows.append([country, float(year), level])
    return rows


DATA = _rows()
PANEL = Panel.from_rows(DATA[0], DATA[1:])


@pytest.mark.parametrize("members", [None, "as-of-year", " Fixed ", "as_of_year"])
@pytest.mark.parametrize("measure", [None, "cv"])
def test_sigma_series_and_trend_equal_the_api(members: object, measure: object) -> None:
    how = "fixed" if isinstance(members, str) and "fix" in members.lower() else "as-of-year"
    result = sigma_series(PANEL, "gdp_pc", "EAEU", measure=measure or "sd_log", members=how)
    got = udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "eaeu", measure, None, members)
    assert got[0] == ["year", "sigma"]
    for row, value, note in zip(
        got[1:], result.series["sigma"], result.series["note"], strict=True
    ):
        if math.isnan(value):
            assert error_code(row[1]) == "#DIV/0!"  # no members before 2015
            assert note in row[1]
        else:
            assert row[1] == pytest.approx(value, rel=1e-14, abs=0.0)
    trend = udfs.SIEI_SIGMA_TREND(DATA, "gdp_pc", "EAEU", measure, None, members)
    fit = result.trend
    assert [row[1] for row in trend] == pytest.approx(
        [fit.slope, fit.se, fit.t, float(fit.n)], rel=1e-12
    )


def test_fixed_fills_the_years_before_the_group_existed() -> None:
    as_of = udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "EAEU")
    fixed = udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "EAEU", None, None, "fixed")
    by_year = {int(r[0]): (a[1], r[1]) for a, r in zip(as_of[1:], fixed[1:], strict=True)}
    for year in (2011, 2012, 2013, 2014):
        assert error_code(by_year[year][0]) == "#DIV/0!"
        assert "0 member" in by_year[year][0]
        assert isinstance(by_year[year][1], float)
    for year in (2015, 2016, 2017):  # the same five members either way
        assert by_year[year][0] == by_year[year][1]
    assert udfs.SIEI_SIGMA_TREND(DATA, "gdp_pc", "EAEU")[3] == ["years used", 3.0]
    assert udfs.SIEI_SIGMA_TREND(DATA, "gdp_pc", "EAEU", None, None, "fixed")[3] == [
        "years used",
        7.0,
    ]


@pytest.mark.parametrize("year", [2012, 2015])
@pytest.mark.parametrize("members", ["as-of-year", "fixed"])
def test_sigma_of_one_year_equals_the_series(year: int, members: str) -> None:
    got = udfs.SIEI_SIGMA(DATA, "gdp_pc", "EAEU", float(year), None, None, members)
    series = sigma_series(PANEL, "gdp_pc", "EAEU", members=members).series.set_index("year")
    want = float(series.loc[year, "sigma"])
    if math.isnan(want):
        assert error_code(got) == "#DIV/0!"
    else:
        assert got == pytest.approx(want, rel=1e-14, abs=0.0)
        assert got == sigma_value(PANEL, "gdp_pc", "EAEU", year, members=members)
    # a list of codes has the same members every year: the option changes nothing
    plain = "BLR, KAZ, RUS, ARM, KGZ"
    assert udfs.SIEI_SIGMA(DATA, "gdp_pc", plain, float(year), None, None, members) == (
        udfs.SIEI_SIGMA(DATA, "gdp_pc", plain, float(year))
    )


def test_sigma_of_one_year_fixed_by_hand() -> None:
    # fixed: the five members of 2017 in 2012; sd (ddof=1) of their logs, computed here
    logs = [math.log(3000.0 * (c + 1) * (1.0 + (0.09 - 0.012 * c) * 1)) for c in range(5)]
    mean = sum(logs) / 5
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / 4)
    got = udfs.SIEI_SIGMA(DATA, "gdp_pc", "EAEU", 2012.0, None, None, "fixed")
    assert got == pytest.approx(sd, rel=1e-13)


def test_beta_members_equal_the_api() -> None:
    as_of = udfs.SIEI_BETA(DATA, "gdp_pc", "EAEU", 2012.0, 2017.0)
    assert error_code(as_of) == "#DIV/0!"  # no members in 2012
    assert "got 0" in as_of
    got = udfs.SIEI_BETA(DATA, "gdp_pc", "EAEU", 2012.0, 2017.0, "fixed")
    r = beta_convergence(PANEL, "gdp_pc", "EAEU", 2012, 2017, members="fixed")
    assert r.n == 5
    want = [r.b, r.se, r.t, r.p, r.a, r.r2, 5.0, 5.0, r.speed, r.half_life]
    assert [row[1] for row in got] == pytest.approx(want, rel=1e-12)
    same = udfs.SIEI_BETA(DATA, "gdp_pc", "EAEU", 2015.0, 2017.0)
    assert same == udfs.SIEI_BETA(DATA, "gdp_pc", "EAEU", 2015.0, 2017.0, "FIXED")


@pytest.mark.parametrize(
    "call",
    [
        lambda: udfs.SIEI_SIGMA(DATA, "gdp_pc", "EAEU", 2015.0, None, None, "latest"),
        lambda: udfs.SIEI_SIGMA_SERIES(DATA, "gdp_pc", "EAEU", None, None, "latest"),
        lambda: udfs.SIEI_SIGMA_TREND(DATA, "gdp_pc", "EAEU", None, None, 1.0),
        lambda: udfs.SIEI_BETA(DATA, "gdp_pc", "EAEU", 2012.0, 2017.0, "all"),
    ],
)
def test_a_bad_members_word_is_a_value_error(call: object) -> None:
    got = call()  # type: ignore[operator]
    assert error_code(got) == "#VALUE!"
    assert "members must be 'as-of-year' or 'fixed'" in got
