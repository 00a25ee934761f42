"""Invariants of the convergence measures on random panels (Hypothesis).

- the distance is a metric: symmetric, zero between identical points, triangle inequality;
- results do not depend on the order of the rows of the input table;
- results do not depend on the units (a positive rescaling or a shift of one indicator);
- yearly z-scores have mean 0 and sd 1, so with ddof=0 the mean squared distance over all
  pairs is 2NK/(N-1) every year;
- the centroid distance to a one-country group is the pair distance;
- pooled z-scores do not keep that yearly invariant.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from strategies import PanelCase, panels

import siei_xl as siei
from siei_xl import Panel
from siei_xl.labels import label_key

methods = st.sampled_from(["yearly", "pooled"])
ddofs = st.sampled_from([0, 1])


def by_label(result: siei.PairMatrices, countries: tuple[str, ...]) -> np.ndarray:
    """The distance cube with its countries in the order of ``countries`` (matched by key)."""
    keys = [label_key(c) for c in result.countries]
    order = [keys.index(label_key(c)) for c in countries]
    return result.distances[:, order][:, :, order]


# ------------------------------------------------------------------- metric
@given(panels(), methods, ddofs)
def test_distance_is_a_metric(case: PanelCase, method: str, ddof: int) -> None:
    d = siei.pair_matrices(case.panel(), standardize=method, ddof=ddof).distances
    defined = ~np.isnan(d)
    # symmetric, including which pairs are defined
    assert_array_equal(d, np.swapaxes(d, 1, 2))
    assert (d[defined] >= 0).all()
    # a country that has a point is at distance 0 from itself
    diagonal = np.diagonal(d, axis1=1, axis2=2)
    assert (diagonal[~np.isnan(diagonal)] == 0).all()
    # triangle inequality d(i,k) <= d(i,j) + d(j,k) wherever the three are defined
    through = d[:, :, :, None] + d[:, None, :, :]  # [t, i, j, k] = d(i,j) + d(j,k)
    direct = d[:, :, None, :]  # [t, i, ., k] = d(i,k)
    ok = np.isnan(through) | (direct <= through + 1e-9 * (1 + through))
    assert ok.all()


@given(panels(max_countries=5), methods, st.data())
def test_identical_countries_are_at_distance_zero(
    case: PanelCase, method: str, data: st.DataObject
) -> None:
    c = data.draw(st.integers(0, len(case.countries) - 1), label="copied country")
    twin = "twin (copy)"  # 't', 'w', 'i' are not in the label alphabet: always a new label
    values = np.concatenate([case.values, case.values[c : c + 1]])
    panel = Panel(values, [*case.countries, twin], case.years, case.indicators)
    series = siei.pair_series(panel, case.countries[c], twin, standardize=method)
    has_point = ~np.isnan(panel.standardization(standardize=method).points[c]).any(axis=-1)
    assert_array_equal(series["distance"][has_point], 0.0)
    assert series["distance"][~has_point].isna().all()


# --------------------------------------------------------------- row order
@given(panels(), methods, ddofs, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(case: PanelCase, method: str, ddof: int, rnd) -> None:
    frame = case.wide()
    shuffled = frame.sample(frac=1, random_state=rnd.randrange(2**32)).reset_index(drop=True)
    first = siei.pair_matrices(siei.Panel.from_wide(frame), standardize=method, ddof=ddof)
    second = siei.pair_matrices(siei.Panel.from_wide(shuffled), standardize=method, ddof=ddof)
    assert first.years == second.years == case.years
    assert_allclose(
        by_label(second, case.countries),
        by_label(first, case.countries),
        rtol=1e-12,
        atol=1e-12,
    )
    # the CV of the first three countries does not care either
    group = [c.strip() for c in case.countries[:3]]
    cv1 = siei.group_cv_series(siei.Panel.from_wide(frame), group, ddof=ddof)["cv"]
    cv2 = siei.group_cv_series(siei.Panel.from_wide(shuffled), group, ddof=ddof)["cv"]
    assert_allclose(cv2, cv1, rtol=1e-12)


# ------------------------------------------------------------------- units
@given(
    panels(),
    methods,
    ddofs,
    st.data(),
    st.floats(0.1, 10),
    st.floats(-10, 10),
)
def test_rescaling_or_shifting_an_indicator_changes_no_distance(
    case: PanelCase, method: str, ddof: int, data: st.DataObject, scale: float, shift: float
) -> None:
    k = data.draw(st.integers(0, len(case.indicators) - 1), label="indicator")
    values = case.values.copy()
    # x -> a x + b, with b in units of the indicator's own magnitude (dollars to thousands
    # of dollars, Celsius to Fahrenheit); the error bound below assumes |b| <~ 10 max|x|
    magnitude = np.nanmax(np.abs(values[:, :, k]), initial=1.0)
    values[:, :, k] = scale * values[:, :, k] + shift * magnitude
    before = siei.pair_matrices(case.panel(), standardize=method, ddof=ddof).distances
    after = siei.pair_matrices(
        Panel(values, case.countries, case.years, case.indicators), standardize=method, ddof=ddof
    ).distances
    # values sit on a grid 1e-6 of their magnitude apart, so a z-score moves by at most
    # ~1e-16 * 1e8 from rounding; distances are O(1)
    assert_allclose(after, before, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------ yearly z invariants
@given(panels(), ddofs)
def test_yearly_z_scores_have_mean_0_and_sd_1(case: PanelCase, ddof: int) -> None:
    std = case.panel().standardization(standardize="yearly", ddof=ddof)
    for t in range(len(case.years)):
        for k in range(len(case.indicators)):
            z = std.points[:, t, k]
            z = z[~np.isnan(z)]
            if len(z) == 0:
                # no z-scores only when the sd is undefined or zero
                assert not std.sd[t, k] > 0
                continue
            assert len(z) == std.count[t, k]
            assert abs(z.mean()) <= 1e-12 * len(z)
            assert math.sqrt((z * z).sum() / (len(z) - ddof)) == pytest.approx(1, rel=1e-12)


@given(panels(min_countries=2, missing=False, distinct=True))
def test_mean_squared_pair_distance_is_2NK_over_N_minus_1(case: PanelCase) -> None:
    # with ddof=0, each indicator has sum z = 0 and sum z^2 = N in every year, so
    # sum_{i<j} (z_i - z_j)^2 = N sum z^2 - (sum z)^2 = N^2 over N(N-1)/2 pairs
    N, K = len(case.countries), len(case.indicators)
    d = siei.pair_matrices(case.panel(), standardize="yearly", ddof=0).distances
    i, j = np.triu_indices(N, k=1)
    mean_sq = (d[:, i, j] ** 2).mean(axis=1)
    assert_allclose(mean_sq, 2 * N * K / (N - 1), rtol=1e-9)


def test_pooled_z_scores_break_the_yearly_invariant() -> None:
    # dispersion grows tenfold between the years: pooled z-scores keep that growth
    values = np.array([[[0.0], [0.0]], [[1.0], [10.0]], [[2.0], [20.0]]])
    panel = Panel(values, ["A", "B", "C"], [2000, 2001], ["x"])
    i, j = np.triu_indices(3, k=1)

    def mean_sq(method: str) -> np.ndarray:
        d = siei.pair_matrices(panel, standardize=method, ddof=0).distances
        return (d[:, i, j] ** 2).mean(axis=1)

    assert_allclose(mean_sq("yearly"), [2 * 3 / 2, 2 * 3 / 2], rtol=1e-12)
    # pooled: mean 33/6 = 5.5, sd^2 = (0+1+4+0+100+400)/6 - 5.5^2 = 505/6 - 30.25 = 647/12;
    # squared gaps per year: (1, 4, 1) and (100, 400, 100), mean 2 and 200, over 647/12
    assert_allclose(mean_sq("pooled"), [2 * 12 / 647, 200 * 12 / 647], rtol=1e-12)


# ------------------------------------------------------- one-country group
@given(panels(), methods, ddofs, st.data())
def test_one_country_group_is_the_pair(
    case: PanelCase, method: str, ddof: int, data: st.DataObject
) -> None:
    a, b = data.draw(
        st.lists(st.sampled_from(case.countries), min_size=2, max_size=2), label="pair"
    )
    panel = case.panel()
    pair = siei.pair_series(panel, a, b, standardize=method, ddof=ddof)
    group = siei.group_distance_series(panel, a, [b], standardize=method, ddof=ddof)
    assert_allclose(group["distance"], pair["distance"], rtol=1e-15, atol=0)
    assert (group["note"] == "").tolist() == (pair["note"] == "").tolist()
