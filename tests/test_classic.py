"""Classic convergence: sigma (dispersion per year and its trend) and beta (catch-up growth).

References: numpy (``std`` of logs, ``polyfit``, ``linalg.lstsq``) and textbook OLS formulas
written out in the tests; closed forms where the data make them exact; on the WDI file in
``../shared/data``, the CIS-type group's GDP per capita (PPP), 2000-2020.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from udf_helpers import SHARED_DATA

from siei_xl import Groups, Member, Panel
from siei_xl.classic import beta_convergence, sigma_series
from siei_xl.core.classic import beta, sigma, trend
from siei_xl.exceptions import (
    ConstantIndicatorError,
    MissingValueError,
    OptionError,
    TooFewCountriesError,
    UndefinedResultError,
    UnknownCountryError,
)

REL = 1e-12
COUNTRIES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF")
YEARS = tuple(range(2000, 2011))


def approx(value: float, rel: float = REL) -> object:
    return pytest.approx(value, rel=rel, abs=0.0)


def random_levels(seed: int = 7) -> np.ndarray:
    """Positive levels, countries x years: different starts, different growth, some noise."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(500.0, 20_000.0, size=len(COUNTRIES))
    growth = rng.uniform(-0.02, 0.08, size=len(COUNTRIES))
    noise = rng.normal(0.0, 0.03, size=(len(COUNTRIES), len(YEARS)))
    t = np.arange(len(YEARS))
    return start[:, None] * np.exp(growth[:, None] * t + noise)


def level_panel(levels: np.ndarray, years: tuple[int, ...] = YEARS) -> Panel:
    countries = COUNTRIES[: levels.shape[0]]
    return Panel(levels[:, :, None], countries, years, ["gdp_pc"])


@pytest.fixture(scope="module")
def levels() -> np.ndarray:
    return random_levels()


@pytest.fixture(scope="module")
def panel(levels: np.ndarray) -> Panel:
    return level_panel(levels)


# ---------------------------------------------------------------- sigma
@pytest.mark.parametrize("ddof", [0, 1])
def test_sigma_sd_log_per_year_matches_numpy(levels: np.ndarray, panel: Panel, ddof: int) -> None:
    group = "AAA, CCC, DDD, FFF"
    rows = [0, 2, 3, 5]
    result = sigma_series(panel, "gdp_pc", group, ddof=ddof)
    expected = np.std(np.log(levels[rows]), axis=0, ddof=ddof)
    assert result.series["year"].tolist() == list(YEARS)
    assert result.series["sigma"].to_numpy() == pytest.approx(expected, rel=REL, abs=0.0)
    assert result.series["n"].tolist() == [4] * len(YEARS)
    assert set(result.series["members"]) == {"AAA,CCC,DDD,FFF"}
    assert result.measure == "sd_log"
    assert result.series.attrs["ddof"] == ddof


def test_sigma_cv_per_year_matches_numpy(levels: np.ndarray, panel: Panel) -> None:
    result = sigma_series(panel, "gdp_pc", list(COUNTRIES), measure="cv")
    expected = np.std(levels, axis=0, ddof=1) / np.mean(levels, axis=0)
    assert result.series["sigma"].to_numpy() == pytest.approx(expected, rel=REL, abs=0.0)
    assert result.measure == "cv"


def test_sigma_closed_form() -> None:
    # logs 0 and 1: sample sd = sqrt(((0 - 0.5)^2 + (1 - 0.5)^2) / 1) = sqrt(0.5)
    assert sigma([1.0, math.e]) == approx(math.sqrt(0.5))
    assert sigma([1.0, math.e], ddof=0) == approx(0.5)
    # levels 1 and 3: sd = sqrt(2), mean 2
    assert sigma([1.0, 3.0], measure="cv") == approx(math.sqrt(2) / 2)


def test_sigma_trend_matches_polyfit_and_hand_se(panel: Panel) -> None:
    result = sigma_series(panel, "gdp_pc", list(COUNTRIES))
    x = result.series["year"].to_numpy(dtype=float)
    y = result.series["sigma"].to_numpy()
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    se = math.sqrt(np.sum(residual**2) / (len(x) - 2) / np.sum((x - x.mean()) ** 2))
    fit = result.trend
    assert fit.slope == approx(slope, 1e-9)
    assert fit.intercept == approx(intercept, 1e-9)
    assert fit.se == approx(se, 1e-9)
    assert fit.t == approx(slope / se, 1e-9)
    assert fit.n == len(YEARS)


def test_trend_closed_forms() -> None:
    exact = trend([2000, 2001, 2002], [3.0, 2.0, 1.0])
    assert (exact.slope, exact.se, exact.t) == (-1.0, 0.0, -math.inf)
    flat = trend([1, 2, 3], [5.0, 5.0, 5.0])
    assert flat.slope == 0.0
    assert math.isnan(flat.t)
    # y = 1, 3, 2: slope 0.5, residuals -0.5, 1, -0.5, se = sqrt(1.5 / 1 / 2)
    fit = trend([0, 1, 2], [1.0, 3.0, 2.0])
    assert fit.slope == approx(0.5)
    assert fit.se == approx(math.sqrt(0.75))
    # two points: a slope but no standard error and no t statistic
    two = trend([0, 1], [1.0, 3.0])
    assert two.slope == approx(2.0)
    assert math.isnan(two.se)
    assert math.isnan(two.t)


def test_sigma_year_with_a_missing_member_is_nan_with_a_note(levels: np.ndarray) -> None:
    holes = levels.copy()
    holes[1, 3] = np.nan  # BBB in 2003
    holes[2, 5] = -4.0  # CCC in 2005: no logarithm
    result = sigma_series(level_panel(holes), "gdp_pc", "AAA, BBB, CCC")
    series = result.series.set_index("year")
    assert math.isnan(series.loc[2003, "sigma"])
    assert series.loc[2003, "note"] == "BBB has no value for gdp_pc in 2003"
    assert series.loc[2003, "error"] == "MissingValueError"
    assert math.isnan(series.loc[2005, "sigma"])
    assert "CCC's gdp_pc in 2005 is -4" in series.loc[2005, "note"]
    assert series.loc[2005, "error"] == "UndefinedResultError"
    assert result.trend.n == len(YEARS) - 2  # the trend uses the other years only
    ok = series["sigma"].notna()
    slope = np.polyfit(series.index[ok].to_numpy(float), series["sigma"][ok].to_numpy(), 1)[0]
    assert result.trend.slope == approx(slope, 1e-9)


def test_sigma_with_membership_changing_by_year(panel: Panel, levels: np.ndarray) -> None:
    book = Groups({"Union": ["AAA", "BBB", Member("CCC", 2005), Member("DDD", None, 2003)]})
    result = sigma_series(panel, "gdp_pc", "Union", groups=book).series.set_index("year")
    assert result.loc[2002, "members"] == "AAA,BBB,DDD"
    assert result.loc[2004, "members"] == "AAA,BBB"
    assert result.loc[2004, "sigma"] == approx(np.std(np.log(levels[[0, 1], 4]), ddof=1))
    assert result.loc[2007, "n"] == 3


def test_sigma_errors(panel: Panel) -> None:
    with pytest.raises(OptionError, match=r"'sd_log' or 'cv'.*'variance'"):
        sigma_series(panel, "gdp_pc", "AAA, BBB", measure="variance")
    assert sigma_series(panel, "gdp_pc", "AAA, BBB", measure=" CV ").measure == "cv"
    with pytest.raises(TooFewCountriesError, match=r"only 0 years .*\(the group has 1 member"):
        sigma_series(panel, "gdp_pc", "AAA")
    with pytest.raises(TooFewCountriesError, match="only 2 years have a value"):
        sigma_series(panel, "gdp_pc", "AAA, BBB", years=[2000, 2001])
    with pytest.raises(UnknownCountryError, match="'ZZZ'"):
        sigma_series(panel, "gdp_pc", "AAA, ZZZ")
    with pytest.raises(OptionError, match="one indicator"):
        sigma_series(panel, "gdp_pc, gdp_pc", "AAA, BBB")
    with pytest.raises(ValueError, match="measure"):
        sigma([1.0, 2.0], measure="sd")


# ---------------------------------------------------------------- beta
def reference_beta(y0: np.ndarray, y1: np.ndarray, years: int) -> dict[str, float]:
    """OLS of (1/T) ln(y_T / y_0) on [1, ln y_0] by numpy least squares, se by hand."""
    x = np.log(y0)
    g = np.log(y1 / y0) / years
    design = np.column_stack([np.ones_like(x), x])
    (a, b), ssr, _, _ = np.linalg.lstsq(design, g, rcond=None)
    n = len(x)
    ssr = float(ssr[0])
    se = math.sqrt(ssr / (n - 2) / np.sum((x - x.mean()) ** 2))
    r2 = 1 - ssr / np.sum((g - g.mean()) ** 2)
    t = b / se
    p = 2 * (1 - stats.t.cdf(abs(t), n - 2))
    return {"a": a, "b": b, "se": se, "t": t, "p": p, "r2": r2}


@pytest.mark.parametrize(("start", "end"), [(2000, 2010), (2002, 2007), (2000, 2001)])
def test_beta_matches_lstsq(levels: np.ndarray, panel: Panel, start: int, end: int) -> None:
    r = beta_convergence(panel, "gdp_pc", ",".join(COUNTRIES), start, end)
    ref = reference_beta(levels[:, YEARS.index(start)], levels[:, YEARS.index(end)], end - start)
    assert r.b == approx(ref["b"], 1e-9)
    assert r.a == approx(ref["a"], 1e-9)
    assert r.r2 == approx(ref["r2"], 1e-9)
    assert r.se == approx(ref["se"], 1e-9)
    assert r.t == approx(ref["t"], 1e-9)
    assert r.p == pytest.approx(ref["p"], rel=1e-6, abs=1e-12)
    assert (r.n, r.years) == (len(COUNTRIES), end - start)
    if 1 + r.b * r.years > 0:
        assert r.speed == approx(-math.log(1 + r.b * r.years) / r.years)
    if r.speed > 0:
        assert r.half_life == approx(math.log(2) / r.speed)


def test_beta_closed_form() -> None:
    # logs of the start: 0, ln2, 2 ln2; growth: ln4/10, ln3/10, ln2/10. The centred x are
    # -ln2, 0, ln2, so b = (-2 ln2 ln2 + ln2 ln2) / 10 / (2 ln2^2) = -0.05; then
    # 1 + bT = 0.5, speed = ln 2 / 10 and the half-life is 10 years.
    r = beta([1.0, 2.0, 4.0], [4.0, 6.0, 8.0], 10)
    assert r.b == approx(-0.05)
    assert r.speed == approx(math.log(2) / 10)
    assert r.half_life == approx(10.0)


def test_beta_speed_undefined_when_gaps_reverse() -> None:
    # start 1, 2, 4 -> end 16, 8, 4 in one year: g = 4 ln2, 2 ln2, 0 on x = 0, ln2, 2 ln2,
    # b = -2 and 1 + bT = -1 <= 0: no logarithm, no speed, no half-life
    r = beta([1.0, 2.0, 4.0], [16.0, 8.0, 4.0], 1)
    assert r.b == approx(-2.0)
    assert math.isnan(r.speed)
    assert math.isnan(r.half_life)


def test_beta_divergence_has_no_half_life() -> None:
    # start 1, 2, 4 -> end 1, 4, 16: g = 0, ln2, 2 ln2, b = 1 > 0: a negative speed
    r = beta([1.0, 2.0, 4.0], [1.0, 4.0, 16.0], 1)
    assert r.b == approx(1.0)
    assert r.speed == approx(-math.log(2))
    assert math.isnan(r.half_life)


def test_beta_names_the_group_members_of_the_start_year(panel: Panel, levels: np.ndarray) -> None:
    book = Groups({"G": ["AAA", "BBB", "CCC", Member("DDD", 2005)]})
    r = beta_convergence(panel, "gdp_pc", "G", 2000, 2010, groups=book)
    ref = reference_beta(levels[:3, 0], levels[:3, -1], 10)
    assert r.n == 3
    assert r.b == approx(ref["b"], 1e-9)


def test_beta_errors(levels: np.ndarray, panel: Panel) -> None:
    with pytest.raises(TooFewCountriesError, match=r"at least 3 countries.*got 2"):
        beta_convergence(panel, "gdp_pc", "AAA, BBB", 2000, 2010)
    with pytest.raises(OptionError, match=r"end_year \(2000\) must be after start_year \(2005\)"):
        beta_convergence(panel, "gdp_pc", "AAA, BBB, CCC", 2005, 2000)
    bad = levels.copy()
    bad[2, 0] = 0.0
    with pytest.raises(UndefinedResultError, match="CCC's gdp_pc in 2000 is 0"):
        beta_convergence(level_panel(bad), "gdp_pc", "AAA, BBB, CCC", 2000, 2010)
    bad[2, 0], bad[1, -1] = 1.0, -3.0
    with pytest.raises(UndefinedResultError, match="BBB's gdp_pc in 2010 is -3"):
        beta_convergence(level_panel(bad), "gdp_pc", "AAA, BBB, CCC", 2000, 2010)
    bad[1, -1] = np.nan
    with pytest.raises(MissingValueError, match="BBB has no value for gdp_pc in 2010"):
        beta_convergence(level_panel(bad), "gdp_pc", "AAA, BBB, CCC", 2000, 2010)
    same = levels.copy()
    same[:3, 0] = 1000.0
    with pytest.raises(ConstantIndicatorError, match="same gdp_pc in 2000"):
        beta_convergence(level_panel(same), "gdp_pc", "AAA, BBB, CCC", 2000, 2010)


# ----------------------------------------------------------- unit invariance
level_cubes = st.integers(0, 2**32 - 1).map(lambda seed: random_levels(seed))
factors = st.floats(1e-4, 1e4)


@given(level_cubes, factors)
def test_beta_does_not_depend_on_units(cube: np.ndarray, factor: float) -> None:
    """Levels in dollars or thousands: only the intercept moves (by -b ln c)."""
    one = beta(cube[:, 0], cube[:, -1], len(YEARS) - 1)
    other = beta(cube[:, 0] * factor, cube[:, -1] * factor, len(YEARS) - 1)
    for name in ("b", "se", "t", "r2", "speed"):
        assert getattr(other, name) == pytest.approx(
            getattr(one, name), rel=1e-8, abs=1e-14, nan_ok=True
        )
    assert other.a == pytest.approx(one.a - one.b * math.log(factor), rel=1e-8, abs=1e-12)


@given(level_cubes, factors, st.sampled_from([0, 1]))
def test_sigma_does_not_depend_on_units(cube: np.ndarray, factor: float, ddof: int) -> None:
    for year in (0, 5, 10):
        for measure in ("sd_log", "cv"):
            one = sigma(cube[:, year], measure=measure, ddof=ddof)
            other = sigma(cube[:, year] * factor, measure=measure, ddof=ddof)
            assert other == pytest.approx(one, rel=1e-9, abs=1e-15)


# ------------------------------------------------------------ real data
CIS = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "RUS", "TJK", "UZB")
LEVEL = "NY.GDP.PCAP.PP.CD"
SPAN = (2000, 2020)


@pytest.fixture(scope="module")
def wdi() -> pd.DataFrame:
    path = SHARED_DATA / "macro_focus_wide.csv"
    if not path.exists():
        pytest.skip(f"real data not found at {path}")
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def cis_levels(wdi: pd.DataFrame) -> pd.DataFrame:
    """GDP per capita PPP, CIS-type countries x 2000-2020, countries lacking a year dropped."""
    table = wdi[wdi["iso3"].isin(CIS) & wdi["year"].between(*SPAN)]
    wide = table.pivot(index="iso3", columns="year", values=LEVEL)
    return wide.dropna(axis=0, how="any")


@pytest.mark.realdata
def test_real_sigma_of_the_cis_group(wdi: pd.DataFrame, cis_levels: pd.DataFrame) -> None:
    members = list(cis_levels.index)
    assert len(members) >= 6
    panel = Panel.from_wide(wdi[["iso3", "year", LEVEL]])
    years = list(range(SPAN[0], SPAN[1] + 1))
    result = sigma_series(panel, LEVEL, ",".join(members), years=years)
    expected = np.std(np.log(cis_levels[years].to_numpy()), axis=0, ddof=1)
    assert result.series["sigma"].to_numpy() == pytest.approx(expected, rel=REL, abs=0.0)
    slope, intercept = np.polyfit(np.array(years, dtype=float), expected, 1)
    assert result.trend.slope == approx(slope, 1e-8)
    assert result.trend.intercept == approx(intercept, 1e-8)
    cv = sigma_series(panel, LEVEL, members, years=years, measure="cv")
    levels = cis_levels[years].to_numpy()
    expected_cv = np.std(levels, axis=0, ddof=1) / levels.mean(axis=0)
    assert cv.series["sigma"].to_numpy() == pytest.approx(expected_cv, rel=REL, abs=0.0)


@pytest.mark.realdata
def test_real_beta_of_the_cis_group(wdi: pd.DataFrame, cis_levels: pd.DataFrame) -> None:
    members = list(cis_levels.index)
    panel = Panel.from_wide(wdi[["iso3", "year", LEVEL]])
    r = beta_convergence(panel, LEVEL, ",".join(members), *SPAN)
    y0, y1 = cis_levels[SPAN[0]].to_numpy(), cis_levels[SPAN[1]].to_numpy()
    ref = reference_beta(y0, y1, SPAN[1] - SPAN[0])
    assert (r.n, r.years) == (len(members), 20)
    for name in ("b", "a", "r2", "se", "t"):
        assert getattr(r, name) == approx(ref[name], 1e-9), name
    assert r.speed == approx(-math.log(1 + ref["b"] * 20) / 20, 1e-9)
