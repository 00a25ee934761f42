"""Closed forms worked by hand: standardisation, distances, the coefficient of variation,
and the errors raised where a measure is undefined.

Every expected value is derived in the comment or expression next to it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import siei_xl as siei
from siei_xl import core
from siei_xl.exceptions import (
    ConstantIndicatorError,
    MissingValueError,
    NearZeroMeanError,
    OptionError,
    TooFewCountriesError,
)

NAN = math.nan

# 3 countries x 2 years x 1 indicator:
#   year 1: 1, 2, 3      year 2: 2, (missing), 6
SMALL = np.array([[[1.0], [2.0]], [[2.0], [NAN]], [[3.0], [6.0]]])


def panel_of(rows: list[tuple[object, ...]], *indicators: str) -> siei.Panel:
    return siei.Panel.from_wide(pd.DataFrame(rows, columns=["country", "year", *indicators]))


# ------------------------------------------------------------- standardize
def test_yearly_sample_sd_with_a_missing_value() -> None:
    std = core.standardize(SMALL, method="yearly", ddof=1)
    # year 1: mean 2, sd = sqrt((1 + 0 + 1) / 2) = 1            -> z = -1, 0, 1
    # year 2: mean 4 over the two values, sd = sqrt((4 + 4) / 1) = 2*sqrt(2)
    #         -> z = -2 / (2 sqrt 2) = -1/sqrt 2, missing, +1/sqrt 2
    r = 1 / math.sqrt(2)
    assert_allclose(std.points[:, :, 0], [[-1, -r], [0, NAN], [1, r]], rtol=1e-15)
    assert_allclose(std.mean[:, 0], [2, 4], rtol=1e-15)
    assert_allclose(std.sd[:, 0], [1, 2 * math.sqrt(2)], rtol=1e-15)
    assert_array_equal(std.count[:, 0], [3, 2])
    assert (std.method, std.ddof) == ("yearly", 1)


def test_yearly_population_sd() -> None:
    std = core.standardize(SMALL, method="yearly", ddof=0)
    # year 1: sd = sqrt(2/3) -> z = -1/sqrt(2/3) = -sqrt(3/2), 0, +sqrt(3/2)
    # year 2: sd = sqrt(8/2) = 2 -> z = -1, missing, 1
    s = math.sqrt(1.5)
    assert_allclose(std.points[:, :, 0], [[-s, -1], [0, NAN], [s, 1]], rtol=1e-15)
    assert_allclose(std.sd[:, 0], [math.sqrt(2 / 3), 2], rtol=1e-15)


@pytest.mark.parametrize(("ddof", "var"), [(1, 14.8 / 4), (0, 14.8 / 5)])
def test_pooled_uses_every_country_year(ddof: int, var: float) -> None:
    # the five values 1, 2, 3, 2, 6: mean 14/5 = 2.8; squared deviations
    # 3.24 + 0.64 + 0.04 + 0.64 + 10.24 = 14.8, over (5 - ddof)
    std = core.standardize(SMALL, method="pooled", ddof=ddof)
    sd = math.sqrt(var)
    expected = [[(1 - 2.8) / sd, (2 - 2.8) / sd], [(2 - 2.8) / sd, NAN], [(3 - 2.8) / sd, 3.2 / sd]]
    assert_allclose(std.points[:, :, 0], expected, rtol=1e-14)
    assert_allclose(std.mean[:, 0], [2.8, 2.8], rtol=1e-15)
    assert_allclose(std.sd[:, 0], [sd, sd], rtol=1e-15)
    assert_array_equal(std.count[:, 0], [5, 5])


def test_standardize_refuses_bad_options_and_shapes() -> None:
    with pytest.raises(OptionError, match="weekly"):
        core.standardize(SMALL, method="weekly")
    with pytest.raises(OptionError, match="ddof"):
        core.standardize(SMALL, ddof=2)
    with pytest.raises(ValueError, match="3 dimensions"):
        core.standardize(SMALL[:, :, 0])


def test_constant_and_single_value_give_no_z_scores() -> None:
    # indicator 0 is constant (sd 0); indicator 1 has one value (sd undefined with ddof=1)
    x = np.array([[[5.0, 1.0]], [[5.0, NAN]], [[5.0, NAN]]])
    std = core.standardize(x)
    assert std.sd[0, 0] == 0
    assert math.isnan(std.sd[0, 1])
    assert np.isnan(std.points).all()


def test_rounding_noise_around_a_constant_is_a_constant() -> None:
    # 0.1 + 0.2 and 0.3 differ in the last bit: a "spread" of 5.6e-17 is no dispersion
    x = np.array([[[0.1 + 0.2]], [[0.3]], [[0.3]]])
    std = core.standardize(x)
    assert std.sd[0, 0] == 0
    assert np.isnan(std.points).all()


# ---------------------------------------------------------------- distances
def test_pair_distance_is_the_3_4_5_triangle() -> None:
    assert core.pair_distance([0.0, 0.0], [3.0, 4.0]) == 5.0
    assert core.pair_distance([1.0, 1.0], [-2.0, -3.0]) == 5.0
    # leading axes broadcast: one distance per year
    assert_array_equal(
        core.pair_distance([[0.0, 0.0], [1.0, 1.0]], [[3.0, 4.0], [1.0, 1.0]]), [5, 0]
    )


def test_pair_distance_with_a_missing_coordinate_is_nan() -> None:
    assert math.isnan(core.pair_distance([0.0, NAN], [3.0, 4.0]))


def test_pairwise_distances_matrix_by_hand() -> None:
    # points (0,0), (3,4), (6,8): 5 apart, and 10 between the ends
    d = core.pairwise_distances([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    assert_allclose(d, [[0, 5, 10], [5, 0, 5], [10, 5, 0]], rtol=1e-15)


def test_distance_to_centroid_by_hand() -> None:
    # centroid of (2,0), (4,0), (0,3) is (2, 1); from (0,0): sqrt(4 + 1) = sqrt 5
    members = [[2.0, 0.0], [4.0, 0.0], [0.0, 3.0]]
    assert core.distance_to_centroid([0.0, 0.0], members) == pytest.approx(math.sqrt(5), rel=1e-15)
    # a member's own distance counts itself: from (2,0) to (2,1) is 1
    assert core.distance_to_centroid([2.0, 0.0], members) == pytest.approx(1.0, rel=1e-15)


def test_panel_pair_and_centroid_distances_by_hand() -> None:
    # one year, three countries, two indicators; ddof=1 yearly z-scores:
    #   gdp 1, 2, 3 -> z -1, 0, 1          growth 10, 30, 20 -> z -1, 1, 0
    panel = panel_of([("A", 2000, 1, 10), ("B", 2000, 2, 30), ("C", 2000, 3, 20)], "gdp", "growth")
    # A(-1,-1)  B(0,1)  C(1,0)
    assert siei.pair_distance(panel, "A", "B", 2000) == pytest.approx(math.sqrt(1 + 4), rel=1e-15)
    assert siei.pair_distance(panel, "a", " C ", 2000) == pytest.approx(math.sqrt(4 + 1), rel=1e-15)
    assert siei.pair_distance(panel, "B", "C", 2000) == pytest.approx(math.sqrt(2), rel=1e-15)
    # centroid of B and C is (0.5, 0.5); A to it: sqrt(1.5^2 + 1.5^2)
    assert siei.group_distance(panel, "A", ["B", "C"], 2000) == pytest.approx(
        1.5 * math.sqrt(2), rel=1e-15
    )
    # the group as given: A in its own group moves the centroid to (0, 0); A is sqrt 2 away
    assert siei.group_distance(panel, "A", "A,B,C", 2000) == pytest.approx(math.sqrt(2), rel=1e-14)
    # one indicator only: |z_A - z_B| = 1
    assert siei.pair_distance(panel, "A", "B", 2000, indicators="gdp") == pytest.approx(1.0)


# ------------------------------------------------------- coefficient of variation
def test_mean_abs_cv_with_a_negative_mean() -> None:
    # indicator 1: 1, 3 -> mean 2, sd sqrt 2, CV sqrt(2)/2
    # indicator 2: -2, -6 -> mean -4, sd sqrt 8, CV -sqrt(2)/2; absolute value: sqrt(2)/2
    values = [[1.0, -2.0], [3.0, -6.0]]
    assert core.mean_abs_coefficient_of_variation(values) == pytest.approx(
        math.sqrt(2) / 2, rel=1e-15
    )
    stats = core.dispersion_stats(values)
    assert_allclose(stats.cv, [math.sqrt(2) / 2, -math.sqrt(2) / 2], rtol=1e-15)
    # ddof=0: sd 1 and 2 -> |CV| 1/2 and 2/4 -> mean 0.5
    assert core.mean_abs_coefficient_of_variation(values, ddof=0) == pytest.approx(0.5, rel=1e-15)


def test_group_cv_by_hand_with_a_crisis_year() -> None:
    # growth in a crisis: -1, -2, -3 -> mean -2, sd 1, |CV| 1/2
    # gdp: 100, 200, 300 -> mean 200, sd 100, CV 1/2     -> mean over indicators 0.5
    panel = panel_of(
        [("A", 2009, 100, -1), ("B", 2009, 200, -2), ("C", 2009, 300, -3)], "gdp", "growth"
    )
    assert siei.group_cv(panel, "A,B,C", 2009) == pytest.approx(0.5, rel=1e-15)
    assert siei.group_cv(panel, ["A", "B", "C"], 2009, indicators="growth") == pytest.approx(0.5)
    # ddof=0: sd sqrt(2/3) and 100 sqrt(2/3) -> CV sqrt(2/3)/2 for both
    assert siei.group_cv(panel, "A,B,C", 2009, ddof=0) == pytest.approx(math.sqrt(2 / 3) / 2)


# -------------------------------------------------------- undefined measures
def test_constant_indicator_raises() -> None:
    panel = panel_of([("A", 2000, 1, 7), ("B", 2000, 2, 7), ("C", 2000, 3, 7)], "gdp", "flat")
    with pytest.raises(ConstantIndicatorError, match=r"flat.*same value.*2000"):
        siei.pair_distance(panel, "A", "B", 2000)
    with pytest.raises(ConstantIndicatorError):
        siei.pair_matrix(panel, 2000)
    # leaving it out works: |z_A - z_B| = 1 on gdp alone
    assert siei.pair_distance(panel, "A", "B", 2000, indicators="gdp") == pytest.approx(1.0)
    assert ConstantIndicatorError.excel_code == "#DIV/0!"


def test_too_few_countries_for_an_sd_raises() -> None:
    # only A has a value in 2001: no sample sd from one value
    panel = panel_of([("A", 2000, 1.0), ("B", 2000, 2.0), ("A", 2001, 3.0), ("B", 2001, "..")], "g")
    with pytest.raises(TooFewCountriesError, match=r"only 1 value of g in 2001.*ddof=1"):
        siei.pair_distance(panel, "A", "A", 2001)
    with pytest.raises(TooFewCountriesError):
        siei.pair_matrix(panel, 2001)
    with pytest.raises(TooFewCountriesError):
        siei.group_distance(panel, "A", ["A"], 2001)


def test_near_zero_mean_raises_a_clear_error_not_a_huge_number() -> None:
    # growth -1 and +1.02: mean 0.01, sd 1.4284 -> |CV| 143 > the limit of 10
    panel = panel_of([("A", 2020, 100, -1.0), ("B", 2020, 120, 1.02)], "gdp", "growth")
    with pytest.raises(NearZeroMeanError) as info:
        siei.group_cv(panel, "A,B", 2020)
    message = str(info.value)
    assert "growth" in message
    assert "2020" in message
    assert "too close to zero" in message
    assert "limit 10" in message
    assert "e+" not in message  # no 1e+15-style figure
    # the level alone is fine: 100, 120 -> sd 10 sqrt 2, mean 110
    assert siei.group_cv(panel, "A,B", 2020, indicators="gdp") == pytest.approx(
        10 * math.sqrt(2) / 110
    )
    # exactly zero mean: refused too, never inf
    zero = panel_of([("A", 2020, -1.0), ("B", 2020, 1.0)], "growth")
    with pytest.raises(NearZeroMeanError, match="infinite"):
        siei.group_cv(zero, "A,B", 2020)


def test_cv_limit_is_an_option() -> None:
    # |CV| = 143 (above) passes a limit of 1000
    panel = panel_of([("A", 2020, -1.0), ("B", 2020, 1.02)], "growth")
    sd = math.sqrt(((-1.0 - 0.01) ** 2 + (1.02 - 0.01) ** 2) / 1)
    assert siei.group_cv(panel, "A,B", 2020, cv_limit=1000) == pytest.approx(sd / 0.01)
    with pytest.raises(OptionError, match="cv_limit"):
        siei.group_cv(panel, "A,B", 2020, cv_limit=0)


@pytest.mark.parametrize("ddof", [0, 1])
def test_group_of_one_has_no_cv(ddof: int) -> None:
    panel = panel_of([("A", 2000, 1.0), ("B", 2000, 2.0)], "g")
    with pytest.raises(TooFewCountriesError, match="1 member in 2000"):
        siei.group_cv(panel, ["A"], 2000, ddof=ddof)


def test_missing_value_names_country_year_and_indicator() -> None:
    panel = panel_of(
        [("KAZ", 2015, 1.0, 2.0), ("RUS", 2015, 3.0, "n/a"), ("CHN", 2015, 5.0, 1.0)],
        "gdp",
        "growth",
    )
    for call in (
        lambda: siei.pair_distance(panel, "KAZ", "RUS", 2015),
        lambda: siei.group_distance(panel, "KAZ", "RUS,CHN", 2015),
        lambda: siei.group_cv(panel, "KAZ,RUS", 2015),
    ):
        with pytest.raises(MissingValueError) as info:
            call()
        assert "RUS" in str(info.value)
        assert "2015" in str(info.value)
        assert "growth" in str(info.value)
    # never zero: with the missing indicator left out, the pair is computable
    assert math.isfinite(siei.pair_distance(panel, "KAZ", "RUS", 2015, indicators="gdp"))
